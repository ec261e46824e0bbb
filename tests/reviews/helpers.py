import re

from django.urls import reverse

from tests.forms import admin_form

CHANGELIST = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def sign_off_url(article):
    return reverse("admin:articles_article_sign_off", args=[article.pk])


def press_sign_off(client, article, **kwargs):
    """Open the article's change page and press its "Sign off this version"
    button: it posts the fingerprint of the content the page showed."""
    page = client.get(change_url(article)).content.decode()
    shown = re.search(r'name="fingerprint" value="([^"]*)"', page)
    data = {"fingerprint": shown[1]} if shown else {}
    return client.post(sign_off_url(article), data, **kwargs)


def logged_in(client, user):
    client.force_login(user)
    return client


def post_change(client, article, **changes):
    """Open the article's change form, change some fields, and save it."""
    data = admin_form(client.get(change_url(article)))
    for name, value in changes.items():
        data[name] = [value]
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    return response


def run_action(client, action, *articles):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [a.pk for a in articles]}, follow=True
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]
