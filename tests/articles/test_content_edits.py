"""What an article's save tells the listeners of `articles.changes` (search
vectors, the link index, sign-off fingerprints): a change to its content, not a
move through the workflow."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import changes, search
from articles.models import CONTENT_FIELDS, Article, InternalLink
from reviews.fingerprint import content_fingerprint
from tests.articles.test_list_revisions import restore
from tests.factories import add_cause, add_faq, add_link, make_article, make_draft, make_user
from tests.forms import admin_form
from tests.reviews.helpers import post_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def told():
    """The article ids each listener call was given, while the test runs."""
    calls = []
    entry = (lambda ids: calls.append(sorted(ids)), False, False, True)
    changes._listeners.append(entry)
    yield calls
    changes._listeners.remove(entry)


def loaded(article, told):
    """The article as an editor's save would load it; what was told before, forgotten."""
    told.clear()
    return Article.objects.get(pk=article.pk)


@pytest.mark.parametrize(
    "change",
    [
        {"status": Article.Status.ARCHIVED},
        {"publish_at": timezone.now() - timedelta(days=3)},
        {"last_reviewed": timezone.localdate(),
         "next_review_due": timezone.localdate() + timedelta(days=9)},
        {"needs_urgency_advice": True},
        {"title": "Article kept"},  # assigned, but as it was
    ],
    ids=["status", "publish time", "review dates", "urgency flag", "same title"],
)  # fmt: skip
def test_a_save_that_changes_no_content_tells_no_listener(told, change):
    article = loaded(make_article(title="Article kept"), told)
    for name, value in change.items():
        setattr(article, name, value)
    article.save()
    assert told == []


@pytest.mark.parametrize("field", CONTENT_FIELDS)
def test_a_change_to_any_content_field_is_told(told, field):
    article = loaded(make_article(), told)
    setattr(article, field, getattr(article, field) + " changed")
    article.save()
    assert told == [[article.pk]]


def test_a_new_article_is_told(told):
    article = make_article()
    assert told == [[article.pk]]


def test_a_content_field_not_read_and_then_written_is_an_edit(told):
    article = make_article()
    told.clear()
    article = Article.objects.only("pk", "status").get(pk=article.pk)
    article.summary = "Rewritten."
    article.save()
    assert told == [[article.pk]]


def test_a_content_field_not_read_and_not_written_is_no_edit(told):
    article = make_article()
    told.clear()
    article = Article.objects.only("pk", "status", "publish_at").get(pk=article.pk)
    article.status = Article.Status.ARCHIVED
    article.save()
    assert told == []


def test_after_a_save_an_edit_is_measured_from_what_was_saved(told):
    article = loaded(make_article(), told)
    article.title = "Retitled"
    article.save()
    article.save()
    assert told == [[article.pk]]  # the second save changed nothing
    article.title = "Retitled again"
    article.save()
    assert told == [[article.pk], [article.pk]]


def test_a_retitled_article_still_tells_the_pages_pinning_it(told):
    target = make_article()
    pinning = make_article()
    add_link(pinning, target)
    target = loaded(target, told)
    target.title = "A new title"
    target.save()
    assert told == [sorted([target.pk, pinning.pk])]


def test_publishing_keeps_the_sign_off_current():
    reviewer = make_user()
    draft = make_draft()
    add_cause(draft)
    add_faq(draft)
    before = content_fingerprint(draft)
    article = Article.objects.get(pk=draft.pk)
    article.status = Article.Status.PUBLISHED
    article.record_review(reviewer)
    article.save()
    assert content_fingerprint(article) == before


def test_a_fingerprint_hashes_the_content_fields_in_their_stored_order():
    """Stored sign-offs compare against this digest: reordering or renaming
    `CONTENT_FIELDS` would make every signed-off article look changed."""
    article = make_article(title="Hiccups", summary="They stop.", meta_description="About hiccups.")
    assert content_fingerprint(article) == (
        "bc1551689bf878df94ad15022786b4df70461599d1a74d9e347d5c812bd73b14"
    )


def test_every_article_field_the_listeners_read_is_a_content_field():
    searched = set(re.findall(r"\ba\.(\w+)", search.REFRESH_SQL)) - {"id"}
    assert searched <= set(CONTENT_FIELDS)
    assert set(Article.markdown_fields) <= set(CONTENT_FIELDS)  # the link index reads these


def test_a_field_written_by_a_partial_save_is_as_saved_and_one_left_out_is_not(told):
    article = loaded(make_article(), told)
    article.status = Article.Status.ARCHIVED
    article.title = "Retitled, not written yet"
    article.save(update_fields=["status"])
    told.clear()
    article.save()  # writes the title now
    assert told == [[article.pk]]


class TestRestores:
    """Reversion writes a revision back "raw", which the link index does not
    follow; the admin's save after it changes nothing. The restore itself tells."""

    @staticmethod
    def linked(article):
        return sorted(
            InternalLink.objects.filter(article_id=article.pk).values_list("path", flat=True)
        )

    def test_restoring_a_revision_reindexes_the_links_of_its_text(self, staff_client):
        article = make_article(title="Guide")
        post_change(staff_client, article, summary="See [cramp](/articles/cramp/).")
        post_change(staff_client, article, summary="See [hiccups](/articles/hiccups/).")
        assert self.linked(article) == ["/articles/hiccups/"]
        restore(staff_client, article, Version.objects.get_for_object(article).last())
        assert self.linked(article) == ["/articles/cramp/"]

    def test_recovering_a_deleted_article_indexes_its_links(self, staff_client):
        article = make_article(title="Guide")
        post_change(staff_client, article, summary="See [cramp](/articles/cramp/).")
        version = Version.objects.get_for_object(article).get()
        Article.objects.filter(pk=article.pk).delete()  # its indexed links go with it
        url = reverse("admin:articles_article_recover", args=[version.pk])
        response = staff_client.post(url, admin_form(staff_client.get(url)))
        assert response.status_code == 302
        assert self.linked(article) == ["/articles/cramp/"]
