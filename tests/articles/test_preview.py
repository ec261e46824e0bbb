import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, ArticleCause, RelatedLink
from faq.models import FAQEntry
from tests.articles.test_admin import ADD_URL, article_data, change_url, existing_rows
from tests.articles.test_pages import full_article
from tests.factories import (
    add_cause,
    add_faq,
    add_link,
    make_article,
    make_cause,
    make_draft,
    make_user,
)

pytestmark = pytest.mark.django_db

BANNER = "<strong>Preview.</strong>"
NEW_URL = reverse("articles:preview-new")


def preview_url(article):
    return reverse("articles:preview", args=[article.pk])


def article_element(page):
    return re.search(r"<article\b.*?</article>", page, re.S).group()


def in_order(content, *texts):
    positions = [content.index(text) for text in texts]
    return positions == sorted(positions)


def assert_preview_response(response):
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def snapshot(article):
    """What the database holds for an article, to show a preview changed none of it."""
    article.refresh_from_db()
    return (
        article.title,
        article.status,
        sorted(article.tags.names()),
        list(article.article_causes.values_list("pk", "cause_id", "position", "explanation")),
        list(article.faq_entries.values_list("pk", "question", "position")),
        list(article.related_links.values_list("pk", "target_id", "target_title", "position")),
        ArticleCause.objects.count(),
        FAQEntry.objects.count(),
        RelatedLink.objects.count(),
        Tag.objects.count(),
        Article.objects.count(),
    )


def user_with(*codenames, **fields):
    user = make_user(**fields)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


class TestAccess:
    @pytest.mark.parametrize(
        "user",
        [
            None,
            lambda: make_user(),
            lambda: user_with("view_article"),  # not staff
            lambda: make_user(is_staff=True),  # staff without permission
            lambda: user_with("view_article", is_staff=True, is_active=False),
        ],
        ids=["anonymous", "not-staff", "not-staff-with-permission", "staff", "inactive"],
    )
    def test_everyone_else_gets_404_not_a_login_redirect(self, client, user):
        if user is not None:
            client.force_login(user())
        article = make_draft()
        before = snapshot(article)
        for method, url in [
            (client.get, preview_url(article)),
            (client.post, preview_url(article)),
            (client.post, NEW_URL),
        ]:
            data = article_data(title="Changed") if method == client.post else None
            assert method(url, data).status_code == 404, (method, url)
        assert snapshot(article) == before

    def test_staff_with_view_permission_may_preview(self, client):
        client.force_login(user_with("view_article", is_staff=True))
        response = client.get(preview_url(make_draft(title="Hiccups")))
        assert_preview_response(response)
        assert "Hiccups" in response.content.decode()

    def test_unknown_article_is_404(self, staff_client):
        assert staff_client.get(reverse("articles:preview", args=[999999])).status_code == 404
        response = staff_client.post(reverse("articles:preview", args=[999999]), article_data())
        assert response.status_code == 404

    def test_there_is_nothing_saved_to_get_for_a_new_article(self, staff_client):
        assert staff_client.get(NEW_URL).status_code == 405


class TestSavedPreview:
    @pytest.mark.parametrize(
        "fields",
        [
            {"status": Article.Status.DRAFT, "publish_at": None},
            {"status": Article.Status.IN_REVIEW, "publish_at": None},
            {
                "status": Article.Status.PUBLISHED,
                "publish_at": timezone.now() + timedelta(days=3),
            },
            {"status": Article.Status.ARCHIVED},
        ],
        ids=["draft", "in-review", "scheduled", "archived"],
    )
    def test_shows_articles_readers_cannot_see(self, staff_client, client, fields):
        article = make_article(title="Why do my toes twitch?", **fields)
        assert client.get(article.get_absolute_url()).status_code == 404
        response = staff_client.get(preview_url(article))
        assert_preview_response(response)
        content = response.content.decode()
        assert "<h1>Why do my toes twitch?</h1>" in content
        assert BANNER in content

    def test_shows_the_same_article_as_the_public_page(self, staff_client, client):
        article = full_article(title="Why do my toes twitch?")
        add_link(article, make_draft())  # hidden from readers, so from the preview too
        public = client.get(article.get_absolute_url()).content.decode()
        preview = staff_client.get(preview_url(article)).content.decode()
        assert BANNER not in public
        assert BANNER in preview
        assert article_element(preview.replace(BANNER, "")) == article_element(public)


class TestUnsavedPreview:
    def test_shows_the_changes_in_the_form_and_saves_none(self, staff_client):
        article = make_draft(title="Why do my toes twitch?", tags=["feet"])
        add_cause(article, make_cause(name="Cramp"), explanation="Tight muscles.")
        add_cause(article, make_cause(name="Dehydration"))
        add_faq(article, question="Is it serious?")
        newcomer = make_cause(name="Low magnesium")
        published = make_article(title="Why do my knees crack?")
        draft = make_draft(title="Why do my hips click?")
        before = snapshot(article)

        causes, faqs = existing_rows(article)
        causes[0]["position"], causes[1]["position"] = 2, 1
        causes[0]["explanation"] = "Muscles that **tighten**."
        causes.append({"position": "", "cause": newcomer.pk, "explanation": "Eat greens."})
        faqs.append({"position": "", "question": "Can I stop it?", "answer": "Often.", "tags": ""})
        links = [
            {"position": "1", "target": published.pk, "target_title": ""},
            {"position": "2", "target": draft.pk, "target_title": ""},
        ]
        data = article_data(
            causes=causes,
            faqs=faqs,
            links=links,
            initial=(2, 1, 0),
            title="Why do my toes tremble?",
            slug=article.slug,
            loaded_token=article.edit_token,
            tags="feet, nerves",
        )
        response = staff_client.post(preview_url(article), data)

        assert_preview_response(response)
        content = response.content.decode()
        assert BANNER in content
        assert "<h1>Why do my toes tremble?</h1>" in content
        assert in_order(content, "Dehydration", "Cramp", "Low magnesium")
        assert "Muscles that <strong>tighten</strong>." in content
        assert "Eat greens." in content
        assert in_order(content, "Is it serious?", "Can I stop it?")
        assert f'href="{published.get_absolute_url()}"' in content
        assert draft.title not in content
        assert ">nerves</a>" in content
        assert snapshot(article) == before

    def test_a_link_by_title_shows_when_that_article_is_published(self, staff_client):
        article = make_draft()
        published = make_article(title="Why do my knees crack?")
        data = article_data(
            title=article.title,
            slug=article.slug,
            loaded_token=article.edit_token,
            links=[{"position": "", "target": "", "target_title": "why do my KNEES crack?"}],
        )
        content = staff_client.post(preview_url(article), data).content.decode()
        assert f'href="{published.get_absolute_url()}"' in content
        assert not article.related_links.exists()

    def test_a_new_article_from_the_add_form(self, staff_client):
        cause = make_cause(name="Dehydration")
        data = article_data(
            causes=[{"position": "1", "cause": cause.pk, "explanation": "Drink more."}],
            faqs=[{"position": "1", "question": "Is it normal?", "answer": "Usually."}],
        )
        response = staff_client.post(NEW_URL, data)
        assert_preview_response(response)
        content = response.content.decode()
        for text in (BANNER, "<h1>Why do my ankles click?</h1>", "Drink more.", "Is it normal?"):
            assert text in content
        assert ">joints</a>" in content
        assert not Article.objects.exists()
        assert not ArticleCause.objects.exists()
        assert not FAQEntry.objects.exists()
        assert not Tag.objects.exists()

    def test_a_form_with_errors_lists_them_and_saves_nothing(self, staff_client):
        article = make_draft(title="Hiccups")
        cause = make_cause()
        before = snapshot(article)
        data = article_data(
            title="",
            slug=article.slug,
            loaded_token=article.edit_token,
            causes=[{"position": "1", "cause": cause.pk}, {"position": "2", "cause": cause.pk}],
        )
        response = staff_client.post(preview_url(article), data)
        assert_preview_response(response)
        content = response.content.decode()
        assert "cannot be previewed" in content
        assert "Title: This field is required." in content
        assert "Please correct the duplicate data for cause" in content
        assert snapshot(article) == before

    def test_a_new_article_with_errors_saves_nothing(self, staff_client):
        data = article_data(faqs=[{"position": "1", "question": "No answer?", "answer": ""}])
        response = staff_client.post(NEW_URL, data)
        assert response.status_code == 200
        assert "FAQ entries, row 1, Answer: This field is required." in response.content.decode()
        assert not Article.objects.exists()

    def test_tampered_form_data_is_an_error_not_a_crash(self, staff_client):
        response = staff_client.post(preview_url(make_draft()), {"title": "Only a title"})
        assert response.status_code == 200
        assert "cannot be previewed" in response.content.decode()


class TestAdminButtons:
    def test_change_form_previews_the_form_and_the_saved_version(self, staff_client):
        article = make_draft()
        content = staff_client.get(change_url(article)).content.decode()
        url = preview_url(article)
        assert f'formaction="{url}"' in content
        assert 'value="Preview"' in content
        assert f'<a href="{url}" target="_blank">Preview saved version</a>' in content

    def test_add_form_previews_the_form(self, staff_client):
        content = staff_client.get(ADD_URL).content.decode()
        assert f'formaction="{NEW_URL}"' in content
        assert "Preview saved version" not in content
