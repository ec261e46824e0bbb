import re
from datetime import date, datetime

import pytest
import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from reviews.fingerprint import content_fingerprint
from reviews.models import SignOff, is_signed_off
from tests.factories import make_article, make_draft
from tests.forms import admin_form

from .conftest import member
from .helpers import (
    change_url,
    logged_in,
    messages_of,
    post_change,
    press_sign_off,
    run_action,
    sign_off_url,
)

pytestmark = pytest.mark.django_db

MARCH_2 = datetime(2026, 3, 2, 9, tzinfo=timezone.get_current_timezone())


class TestReviewerSignsOff:
    def test_the_latest_revision_is_signed_and_the_review_stamped(self, client, reviewer):
        client = logged_in(client, reviewer)
        article = make_draft(title="Cramp")
        post_change(client, article, summary="Stretch gently.")
        post_change(client, article, summary="Stretch gently, then rest.")
        latest = Version.objects.get_for_object(article).first()
        token = Article.objects.get().edit_token

        with time_machine.travel(MARCH_2):
            response = press_sign_off(client, article, follow=True)

        assert response.redirect_chain == [(change_url(article), 302)]
        assert any("You signed off “Cramp”" in m for m in messages_of(response))
        signed = SignOff.objects.get()
        assert (signed.article, signed.reviewer, signed.version) == (article, reviewer, latest)
        assert signed.fingerprint == content_fingerprint(article)
        article.refresh_from_db()
        assert article.medical_reviewer == reviewer
        assert (article.last_reviewed, article.next_review_due) == (
            date(2026, 3, 2),
            date(2029, 3, 1),
        )
        assert article.edit_token == token  # not an edit: open forms stay valid
        assert Version.objects.get_for_object(article).count() == 2  # no extra revision
        assert is_signed_off(article)

    def test_an_article_without_revisions_gets_one_to_sign(self, client, reviewer):
        article = make_article()
        press_sign_off(logged_in(client, reviewer), article)
        version = Version.objects.get_for_object(article).get()
        assert SignOff.objects.get().version == version
        assert version.revision.user == reviewer
        assert version.revision.get_comment() == "Signed off"

    def test_the_change_page_offers_the_button_and_shows_the_state(self, client, reviewer):
        client = logged_in(client, reviewer)
        article = make_article()
        page = client.get(change_url(article)).content.decode()
        assert "Sign off this version" in page
        assert f'action="{sign_off_url(article)}"' in page
        assert "Not signed off yet." in page

        with time_machine.travel(MARCH_2):
            press_sign_off(client, article)
        page = client.get(change_url(article)).content.decode()
        assert "Signed off by Asha Patel on 2 March 2026." in page

        post_change(client, article, title="Changed")
        page = client.get(change_url(article)).content.decode()
        assert "Not signed off since the last change" in page

    def test_only_the_content_shown_is_signed_off(self, client, reviewer, editor):
        """The button posted nothing but its token: an edit saved after the
        reviewer opened the page was signed off, unread."""
        client = logged_in(client, reviewer)
        article = make_article(title="Cramp", seek_help_emergency="Call 999 if it spreads.")
        page = client.get(change_url(article)).content.decode()
        shown = {"fingerprint": re.search(r'name="fingerprint" value="([^"]*)"', page)[1]}
        post_change(logged_in(Client(), editor), article, seek_help_emergency="No need to call.")
        for data in (shown, {}):
            response = client.post(sign_off_url(article), data, follow=True)
            assert messages_of(response)[-1] == (
                "Not signed off: “Cramp” has changed since this page was opened. "
                "Read it as it is now, then sign it off."
            )
        assert not SignOff.objects.exists()
        assert Article.objects.get().last_reviewed == article.last_reviewed
        press_sign_off(client, article)  # read again
        assert is_signed_off(article)

    def test_a_form_opened_before_a_sign_off_keeps_the_review_it_recorded(self, client, reviewer):
        """A sign-off does not renew the token (it is no edit): a reviewer's form
        opened before it wrote the old review fields back, unseen."""
        client = logged_in(client, reviewer)
        article = make_article(title="Cramp")
        data = admin_form(client.get(change_url(article)))
        with time_machine.travel(MARCH_2):
            other = member("Medical reviewer", first_name="Ben")
            press_sign_off(logged_in(Client(), other), article)
        data["title"] = ["Cramps"]
        assert client.post(change_url(article), data).status_code == 302
        article.refresh_from_db()
        assert article.title == "Cramps"
        logged = LogEntry.objects.filter(action_flag=CHANGE).latest("pk").get_change_message()
        assert "Title" in logged and "Last reviewed" not in logged  # not this form's change
        assert (article.last_reviewed, article.next_review_due) == (
            date(2026, 3, 2),
            date(2029, 3, 1),
        )
        assert article.medical_reviewer == other
        # Changed by hand, they are the reviewer's to change.
        data = admin_form(client.get(change_url(article)))
        data["last_reviewed"] = ["2026-04-01"]
        assert client.post(change_url(article), data).status_code == 302
        assert Article.objects.get().last_reviewed == date(2026, 4, 1)

    def test_get_is_refused(self, client, reviewer):
        article = make_article()
        assert logged_in(client, reviewer).get(sign_off_url(article)).status_code == 405
        assert not SignOff.objects.exists()

    def test_the_action_signs_off_every_selected_article(self, client, reviewer):
        first, second = make_article(), make_draft()
        response = run_action(logged_in(client, reviewer), "sign_off", first, second)
        assert "2 articles signed off." in messages_of(response)
        assert set(SignOff.objects.values_list("article", flat=True)) == {first.pk, second.pk}
        assert is_signed_off(first) and is_signed_off(second)


class TestEditorCannotSignOff:
    def test_the_url_is_forbidden(self, client, editor):
        article = make_article()
        response = logged_in(client, editor).post(sign_off_url(article))
        assert response.status_code == 403
        assert not SignOff.objects.exists()

    def test_no_button_and_no_action(self, client, editor):
        client = logged_in(client, editor)
        article = make_article()
        assert "Sign off this version" not in client.get(change_url(article)).content.decode()
        changelist = client.get("/admin/articles/article/").content.decode()
        assert 'value="sign_off"' not in changelist
        response = run_action(client, "sign_off", article)
        assert "No action selected." in messages_of(response)
        assert not SignOff.objects.exists()
