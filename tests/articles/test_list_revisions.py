"""A revision holds one article, or one cause, with its rows: restoring one
never restores another. The article list's actions saved the articles they
moved in one revision, and the importer an article's new causes in its
revision; such revisions are split as they are saved (`revision_parts`), and
migration 0019 splits those saved before."""

from contextlib import contextmanager
from importlib import import_module
from types import SimpleNamespace

import pytest
import reversion
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Revision, Version
from reversion.signals import post_revision_commit

from articles import revision_parts
from articles.admin import ArticleAdmin
from articles.importer import import_article, parse
from articles.models import Article, Cause
from articles.revision_parts import split_by_owner
from faq.models import FAQEntry
from healthsite import page_cache
from reviews.models import SignOff, record_sign_offs
from tests.factories import add_cause, add_faq, make_article, make_cause, make_draft, make_user
from tests.forms import admin_form
from tests.reviews.helpers import CHANGELIST, logged_in, post_change, run_action
from tests.sources.factories import cite_for_cause

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    user = make_user(is_staff=True, first_name="Asha", last_name="Patel")
    user.groups.add(Group.objects.get(name="Medical reviewer"))
    return user


def kinds_in(revision):
    return sorted(revision.version_set.values_list("content_type__model", flat=True))


def articles_in(revision):
    versions = revision.version_set.filter(content_type__model="article")
    return sorted(int(pk) for pk in versions.values_list("object_id", flat=True))


def restore(client, article, version):
    url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    response = client.post(url, admin_form(client.get(url)))
    assert response.status_code == 302
    return response


@pytest.mark.parametrize(
    ("action", "make", "comment"),
    [
        ("submit_for_review", make_draft, "Submitted for review from the article list."),
        ("publish", make_draft, "Published from the article list."),
        ("unpublish", make_article, "Moved back to draft from the article list."),
        ("archive", make_article, "Archived from the article list."),
    ],
)
def test_each_article_an_action_moves_gets_a_revision_of_its_own(
    client, reviewer, action, make, comment
):
    articles = [make(), make(), make()]
    run_action(logged_in(client, reviewer), action, *articles)
    for article in articles:
        revision = Version.objects.get_for_object(article).get().revision
        assert articles_in(revision) == [article.pk]
        assert (revision.get_comment(), revision.user) == (comment, reviewer)


def test_restoring_an_article_a_list_action_moved_leaves_the_others_as_they_are(client, reviewer):
    client = logged_in(client, reviewer)
    first, second = make_draft(title="Cramp"), make_draft(title="Hiccups")
    post_change(client, first, summary="Stretch.")
    run_action(client, "publish", first, second)
    post_change(client, first, summary="Stretch, then rest.")
    post_change(client, second, summary="Hold your breath.")  # after the action
    restore(client, first, Version.objects.get_for_object(first)[1])  # the action's
    assert Article.objects.get(pk=first.pk).summary == "Stretch."
    assert Article.objects.get(pk=second.pk).summary == "Hold your breath."


def test_a_large_action_is_split_in_several_updates(client, reviewer, monkeypatch):
    monkeypatch.setattr(revision_parts, "PARTS_AN_UPDATE", 2)  # three updates for five
    articles = [make_draft() for _ in range(6)]
    run_action(logged_in(client, reviewer), "publish", *articles)
    for article in articles:
        revision = Version.objects.get_for_object(article).get().revision
        assert articles_in(revision) == [article.pk]


def test_a_list_delete_that_fails_logs_nothing(client, reviewer, monkeypatch):
    """No revision block wraps the list now; its request is still one transaction."""
    articles = [make_draft(), make_draft()]

    def fail(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ArticleAdmin, "delete_queryset", fail)
    with pytest.raises(RuntimeError):
        logged_in(client, reviewer).post(
            CHANGELIST,
            {"action": "delete_selected", "post": "yes",
             "_selected_action": [article.pk for article in articles]},
        )  # fmt: skip
    assert not LogEntry.objects.exists()
    assert Article.objects.count() == 2


def test_an_action_that_fails_halfway_changes_no_article_and_makes_no_revision(
    client, reviewer, monkeypatch
):
    drafts = [make_draft(), make_draft()]
    saved = Article.save

    def save_once(article, *args, **kwargs):
        if article.pk == drafts[1].pk:
            raise RuntimeError("the database went away")
        saved(article, *args, **kwargs)

    monkeypatch.setattr(Article, "save", save_once)
    with pytest.raises(RuntimeError):
        run_action(logged_in(client, reviewer), "publish", *drafts)
    assert not Article.objects.published().exists()
    assert not Revision.objects.exists()


IMPORTED = "Knee pain\n\nIntro.\n\n1. Runner's knee: Overuse.\n\nQ1. Why?\nA1. Because.\n"


class TestImportedCauses:
    def test_restoring_an_imported_article_leaves_its_new_causes_as_they_are_now(
        self, staff_client
    ):
        import_article(parse(IMPORTED))
        article = Article.objects.get()
        imported = Version.objects.get_for_object(article).get()
        cause = Cause.objects.get(name="Runner's knee")
        cause.description = "Pain around the kneecap."  # later, in the causes admin
        cause.save()
        cite_for_cause(cause)
        cause.tags.set(["Knees"])
        post_change(staff_client, article, summary="Edited.")
        restore(staff_client, article, imported)
        cause.refresh_from_db()
        assert Article.objects.get().summary == "Intro."
        assert (cause.description, cause.cause_sources.count(), list(cause.tags.names())) == (
            "Pain around the kneecap.",
            1,
            ["Knees"],
        )

    def test_restoring_an_imported_cause_leaves_the_article_as_it_is_now(self, staff_client):
        import_article(parse(IMPORTED))
        cause = Cause.objects.get()
        version = Version.objects.get_for_object(cause).get()
        assert kinds_in(version.revision) == ["cause"]
        article = Article.objects.get()
        post_change(staff_client, article, summary="Rewritten.")
        url = reverse("admin:articles_cause_revision", args=[cause.pk, version.pk])
        assert staff_client.post(url, admin_form(staff_client.get(url))).status_code == 302
        assert Article.objects.get().summary == "Rewritten."


class TestSignOffAction:
    def test_an_article_without_revisions_is_signed_in_a_revision_of_its_own(
        self, client, reviewer
    ):
        first, second = make_article(), make_draft()
        run_action(logged_in(client, reviewer), "sign_off", first, second)
        for article in (first, second):
            version = Version.objects.get_for_object(article).get()
            assert articles_in(version.revision) == [article.pk]
            assert version.revision.get_comment() == "Signed off"
            assert SignOff.objects.get(article=article).version == version

    def test_an_article_deleted_meanwhile_is_not_signed_off(self, reviewer):
        kept, gone = make_article(), make_article()
        Article.objects.filter(pk=gone.pk).delete()  # after the list was read
        signed = record_sign_offs([kept, gone], reviewer)
        assert [sign_off.article for sign_off in signed] == [kept]
        assert list(SignOff.objects.values_list("article", flat=True)) == [kept.pk]

    def test_each_more_article_costs_no_more_queries(self, client, reviewer):
        client = logged_in(client, reviewer)
        articles = [make_article() for _ in range(5)]
        for article in articles:
            add_cause(article)
            add_faq(article).tags.set(["night"])
            post_change(client, article, summary="Reviewed text.")  # a revision to sign
        run_action(client, "sign_off", articles[0])  # what Django reads once a process
        asked = []
        for chosen in (articles[1:2], articles[2:]):
            with CaptureQueriesContext(connection) as captured:
                run_action(client, "sign_off", *chosen)
            asked.append(len(captured))
        assert asked[0] == asked[1]
        assert SignOff.objects.count() == 5

    def test_a_sign_off_that_fails_at_the_end_signs_off_none(self, client, reviewer, monkeypatch):
        articles = [make_article(), make_article()]

        def fail():
            raise RuntimeError("the cache went away")

        monkeypatch.setattr(page_cache, "content_changed", fail)  # the last step
        with pytest.raises(RuntimeError):
            run_action(logged_in(client, reviewer), "sign_off", *articles)
        assert not SignOff.objects.exists()
        assert not Article.objects.filter(medical_reviewer=reviewer).exists()
        assert not Revision.objects.exists()


@contextmanager
def not_split():
    """Revisions saved as they were before 0019: not split by article."""
    post_revision_commit.disconnect(dispatch_uid="one-owner-a-revision")
    try:
        yield
    finally:
        post_revision_commit.connect(split_by_owner, dispatch_uid="one-owner-a-revision")


class TestMigrationSplitsSharedRevisions:
    @staticmethod
    def split():
        migration = import_module("articles.migrations.0019_one_article_a_revision")
        state = MigrationLoader(connection).project_state(
            ("articles", "0019_one_article_a_revision")
        )
        migration.split_shared_revisions(state.apps, SimpleNamespace(connection=connection))

    def test_each_article_and_its_rows_get_their_own_revision(self, reviewer):
        first, second = make_draft(title="Cramp"), make_draft(title="Hiccups")
        for article in (first, second):
            add_cause(article)
            add_faq(article).tags.set(["night"])
        with not_split(), reversion.create_revision():  # as the list's actions did
            reversion.set_user(reviewer)
            reversion.set_comment("Published from the article list.")
            for article in (first, second):
                article.save()
        shared = Revision.objects.get()
        self.split()
        assert Revision.objects.count() == 2
        for article in (first, second):
            versions = Version.objects.get_for_object(article)
            revision = versions.get().revision
            assert articles_in(revision) == [article.pk]
            kinds = sorted(revision.version_set.values_list("content_type__model", flat=True))
            assert kinds == ["article", "articlecause", "faqentry", "taggedfaqentry"]
            question = FAQEntry.objects.get(article=article)
            assert revision.version_set.filter(
                content_type__model="faqentry", object_id=str(question.pk)
            ).exists()
            assert (revision.date_created, revision.user, revision.get_comment()) == (
                shared.date_created,
                reviewer,
                "Published from the article list.",
            )

    def test_a_cause_saved_with_its_article_gets_its_own_revision(self, reviewer):
        with not_split(), reversion.create_revision():  # as the importer did
            cause = make_cause(name="Runner's knee")
            cause.tags.set(["Knees"])
            article = make_draft(title="Knee pain")
            add_cause(article, cause)
        self.split()
        article_revision = Version.objects.get_for_object(article).get().revision
        cause_revision = Version.objects.get_for_object(cause).get().revision
        assert kinds_in(article_revision) == ["article", "articlecause"]
        assert kinds_in(cause_revision) == ["cause", "taggedcause"]

    def test_a_revision_of_one_article_is_left_as_it_is(self, reviewer):
        article = make_draft()
        with reversion.create_revision():
            article.save()
        versions = list(Version.objects.values_list("pk", "revision_id"))
        self.split()
        assert list(Version.objects.values_list("pk", "revision_id")) == versions
