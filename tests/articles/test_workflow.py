from datetime import datetime, timedelta

import pytest
import reversion
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.admin import ArticleAdmin
from articles.models import Article, Cause, SlugRedirect
from tests.factories import (
    add_cause,
    add_faq,
    add_link,
    make_article,
    make_cause,
    make_draft,
    make_user,
)
from tests.forms import admin_form
from tests.sources.factories import cite, cite_for_cause, make_source

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def member(group, **fields):
    user = make_user(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor():
    return member("Editor", first_name="Ed", last_name="Itor")


@pytest.fixture
def reviewer():
    return member("Medical reviewer", first_name="Rae", last_name="Viewer")


def logged_in(client, user):
    client.force_login(user)
    return client


def post_change(client, article, **changes):
    """Open the article's change form, change some fields, and save it."""
    data = admin_form(client.get(change_url(article)))
    for name, value in changes.items():
        data[name] = [value]
    return client.post(change_url(article), data)


def run_action(client, action, *articles):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [a.pk for a in articles]}, follow=True
    )


run_action_status = {"publish": "published", "unpublish": "draft", "archive": "archived"}


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


class TestRoles:
    def test_groups_have_the_right_permissions(self):
        editor = set(
            Group.objects.get(name="Editor").permissions.values_list("codename", flat=True)
        )
        reviewer = set(
            Group.objects.get(name="Medical reviewer").permissions.values_list(
                "codename", flat=True
            )
        )
        assert {"add_article", "change_article", "change_faqentry"} <= editor
        assert not {"publish_article", "review_article", "delete_article"} & editor
        assert {"publish_article", "review_article", "delete_article"} <= reviewer
        assert editor <= reviewer | {"view_tag"}

    def test_editor_can_write_and_submit_for_review(self, client, editor):
        client = logged_in(client, editor)
        article = make_draft()
        response = post_change(client, article, title="Better title", status="review")
        assert response.status_code == 302
        article.refresh_from_db()
        assert (article.title, article.status) == ("Better title", "review")

    def test_editor_cannot_publish_by_the_form(self, client, editor):
        client = logged_in(client, editor)
        article = make_draft()
        form = admin_form(client.get(change_url(article)))
        assert (
            "published"
            not in client.get(change_url(article))
            .content.decode()
            .split('name="status"')[1]
            .split("</select>")[0]
        )
        form["status"] = ["published"]
        response = client.post(change_url(article), form)
        assert response.status_code == 200
        assert "Only medical reviewers can publish" in response.content.decode()
        article.refresh_from_db()
        assert article.status == "draft"

    def test_editor_cannot_publish_a_new_article(self, client, editor):
        client = logged_in(client, editor)
        data = admin_form(client.get(ADD))
        data.update(title=["New"], status=["published"])
        response = client.post(ADD, data)
        assert response.status_code == 200
        assert "Only medical reviewers can publish" in response.content.decode()
        assert not Article.objects.exists()

    @pytest.mark.parametrize("action", ["publish", "unpublish", "archive"])
    def test_editor_cannot_use_publishing_actions(self, client, editor, action):
        client = logged_in(client, editor)
        draft, live = make_draft(), make_article()
        response = run_action(client, action, draft, live)
        assert "No action selected." in messages_of(response)
        draft.refresh_from_db()
        live.refresh_from_db()
        assert (draft.status, live.status) == ("draft", "published")
        page = client.get(CHANGELIST).content.decode()
        assert f'value="{action}"' not in page
        assert 'value="submit_for_review"' in page

    def test_editor_cannot_unpublish_or_archive_by_the_form(self, client, editor):
        client = logged_in(client, editor)
        live = make_article()
        for status in ("draft", "archived"):
            response = post_change(client, live, status=status)
            assert response.status_code == 200
            live.refresh_from_db()
            assert live.status == "published"

    def test_editor_may_correct_a_published_article_and_it_stays_published(self, client, editor):
        client = logged_in(client, editor)
        live = make_article(publish_at=timezone.now() - timedelta(days=2))
        when = live.publish_at
        response = post_change(client, live, summary="Corrected.", publish_at_0="2099-01-01")
        assert response.status_code == 302
        live.refresh_from_db()
        assert live.summary == "Corrected."
        assert live.is_published
        assert live.publish_at == when  # the publish time is the reviewers' to set

    def test_editor_cannot_publish_by_importing(self, client, editor):
        client = logged_in(client, editor)
        page = client.get(reverse("admin:articles_article_import")).content.decode()
        assert 'name="publish"' not in page

    def test_reviewer_publishes_and_the_review_is_stamped(self, client, reviewer):
        client = logged_in(client, reviewer)
        article = make_draft()
        with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=timezone.get_current_timezone())):
            response = post_change(client, article, status="published")
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.status == "published"
        assert article.medical_reviewer == reviewer
        assert str(article.last_reviewed) == "2026-03-02"
        assert str(article.next_review_due) == "2029-03-01"  # three years on

    def test_review_interval_is_a_setting(self, client, reviewer, settings):
        settings.REVIEW_INTERVAL_DAYS = 365
        client = logged_in(client, reviewer)
        article = make_draft()
        run_action(client, "publish", article)
        article.refresh_from_db()
        assert article.next_review_due - article.last_reviewed == timedelta(days=365)

    def test_reviewer_actions_move_through_the_workflow(self, client, reviewer):
        client = logged_in(client, reviewer)
        article = make_draft()
        response = run_action(client, "publish", article)
        assert "1 article published." in messages_of(response)
        article.refresh_from_db()
        assert article.is_published and article.medical_reviewer == reviewer
        run_action(client, "archive", article)
        article.refresh_from_db()
        assert article.status == "archived"

    def test_publishing_from_the_list_asks_no_more_of_an_article_with_more_rows(
        self, client, reviewer
    ):
        client = logged_in(client, reviewer)
        warm_up, small, large = make_draft(), make_draft(), make_draft()
        for article, rows in ((warm_up, 1), (small, 1), (large, 6)):
            for _ in range(rows):
                add_cause(article)
                add_faq(article).tags.set(["night"])
        run_action(client, "publish", warm_up)  # what Django reads once a process
        asked = []
        for article in (small, large):
            with CaptureQueriesContext(connection) as captured:
                run_action(client, "publish", article)
            asked.append(len(captured))
        assert asked[0] == asked[1]  # the revision's rows are read a list at a time
        assert Article.objects.published().count() == 3

    @pytest.mark.parametrize("action", ["publish", "unpublish", "archive"])
    def test_each_more_article_a_move_takes_costs_a_few_queries(self, client, reviewer, action):
        """A move changes no article's content: its search vector, links and
        fingerprint are not refreshed (33 queries an article, when they were),
        and its rows are read for the revision with the others'."""
        client = logged_in(client, reviewer)
        make = make_draft if action == "publish" else make_article
        articles = [make(tags=["knee", "legs"]) for _ in range(5)]
        for article in articles:
            add_cause(article)
            add_faq(article).tags.set(["night"])
        run_action(client, action, articles[0])  # what Django reads once a process
        asked = []
        for chosen in (articles[1:2], articles[2:]):
            with CaptureQueriesContext(connection) as captured:
                run_action(client, action, *chosen)
            asked.append(len(captured))
        assert (asked[1] - asked[0]) / 2 <= 12
        assert Article.objects.filter(status=run_action_status[action]).count() == 5

    @pytest.mark.parametrize("action", ["publish", "sign_off"])
    @pytest.mark.parametrize(
        "across", ["1", "true", ""], ids=["select all", "all, by hand", "ticked"]
    )
    def test_an_action_takes_at_most_its_limit_of_articles(
        self, client, reviewer, monkeypatch, action, across
    ):
        client = logged_in(client, reviewer)
        monkeypatch.setattr(ArticleAdmin, "action_limit", 2)
        drafts = [make_draft() for _ in range(3)]
        selected = drafts[:1] if across else drafts  # "true" means "1" to Django
        response = client.post(
            CHANGELIST,
            {"action": action, "select_across": across, "index": "0",
             "_selected_action": [a.pk for a in selected]},
            follow=True,
        )  # fmt: skip
        assert messages_of(response) == [
            "At most 2 articles can be changed by one action: none has been changed. "
            "Tick fewer, or narrow the list first."
        ]
        assert not Article.objects.published().exists()
        assert not Article.objects.filter(medical_reviewer=reviewer).exists()
        response = run_action(client, action, *drafts[:2])
        assert len(messages_of(response)) == 1 and messages_of(response)[0].startswith("2 ")

    def test_impossible_moves_are_refused_with_a_message(self, client, reviewer):
        client = logged_in(client, reviewer)
        draft = make_draft(title="Still a draft")
        response = run_action(client, "archive", draft)
        assert "Not changed: Still a draft: An article cannot go from draft to archived." in (
            messages_of(response)
        )


class TestScheduling:
    def test_a_scheduled_article_appears_by_itself(self, client):
        now = timezone.now()
        article = make_article(title="Scheduled", publish_at=now + timedelta(hours=2))
        url = article.get_absolute_url()
        listings = [reverse("home"), reverse("articles:list"), reverse("feed")]
        sitemap = reverse("django.contrib.sitemaps.views.sitemap", args=["articles"])

        assert client.get(url).status_code == 404
        for listing in listings:
            assert "Scheduled" not in client.get(listing).content.decode(), listing
        assert url not in client.get(sitemap).content.decode()

        with time_machine.travel(now + timedelta(hours=2, seconds=1)):
            assert client.get(url).status_code == 200
            for listing in listings:
                assert "Scheduled" in client.get(listing).content.decode(), listing
            assert url in client.get(sitemap).content.decode()


class TestHistory:
    def test_every_admin_save_is_a_revision_with_who_and_when(self, staff_client):
        article = make_draft()
        add_cause(article, make_cause(name="Dehydration"))
        post_change(staff_client, article, title="First edit")
        post_change(staff_client, Article.objects.get(), title="Second edit")
        versions = Version.objects.get_for_object(article)
        assert versions.count() == 2
        assert all(v.revision.user is not None for v in versions)
        history = staff_client.get(reverse("admin:articles_article_history", args=[article.pk]))
        assert history.status_code == 200
        content = history.content.decode()
        assert versions[0].revision.user.username in content

    def test_a_save_keeps_every_row_of_the_article_in_its_revision_by_name(self, staff_client):
        article = make_draft(title="Hiccups", tags=["breathing"])
        add_cause(article, make_cause(name="Eating fast"))
        add_faq(article, question="Do they stop?").tags.set(["night"])
        add_link(article, make_article(title="Burping"))
        cite(article, make_source(title="Hiccups guide", publisher="NHS"))
        assert post_change(staff_client, article, summary="Edited.").status_code == 302
        revision = Version.objects.get_for_object(article).get().revision
        assert {version.object_repr for version in revision.version_set.all()} == {
            "Hiccups",
            "1. Eating fast",
            "Do they stop?",
            "Do they stop? tagged with night",
            "See also: Burping",
            "Hiccups tagged with breathing",
            "1. NHS: Hiccups guide",
        }

    def test_diff_between_two_revisions_is_readable(self, staff_client):
        article = make_draft(summary="Drink water.")
        post_change(staff_client, article, summary="Drink plenty of water.")
        post_change(staff_client, Article.objects.get(), summary="Drink plenty of water daily.")
        old, new = Version.objects.get_for_object(article).order_by("pk")
        response = staff_client.get(
            reverse("admin:articles_article_compare", args=[article.pk]),
            {"version_id1": old.pk, "version_id2": new.pk},
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert "<ins>" in content and "daily" in content

    def test_restore_brings_back_deleted_causes_and_questions(self, staff_client):
        article = make_draft()
        kept = add_cause(article, make_cause(name="Kept"))
        dropped = add_cause(article, make_cause(name="Dropped"))
        add_faq(article, question="Dropped question?")
        post_change(staff_client, article)  # revision 1: both causes, the question
        old = Version.objects.get_for_object(article).get()

        data = admin_form(staff_client.get(change_url(article)))
        data["article_causes-1-DELETE"] = ["on"]
        data["faq_entries-0-DELETE"] = ["on"]
        data["article_causes-0-position"] = ["2"]
        assert staff_client.post(change_url(article), data).status_code == 302
        assert list(article.article_causes.values_list("cause__name", flat=True)) == ["Kept"]
        assert not article.faq_entries.exists()

        revision_url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
        data = admin_form(staff_client.get(revision_url))
        response = staff_client.post(revision_url, data)
        assert response.status_code == 302, response.context and response.context.get("errors")
        assert list(article.article_causes.values_list("pk", "cause__name", "position")) == [
            (kept.pk, "Kept", 1),
            (dropped.pk, "Dropped", 2),
        ]
        assert list(article.faq_entries.values_list("question", flat=True)) == ["Dropped question?"]

    def test_a_deleted_article_can_be_recovered(self, staff_client):
        article = make_draft(title="Gone for now")
        add_cause(article, make_cause(name="Dehydration"))
        with reversion.create_revision():
            article.save()
        article_id = article.pk
        article.delete()
        recover_list = staff_client.get(reverse("admin:articles_article_recoverlist"))
        assert "Gone for now" in recover_list.content.decode()
        version = Version.objects.get_deleted(Article).get()
        url = reverse("admin:articles_article_recover", args=[version.pk])
        response = staff_client.post(url, admin_form(staff_client.get(url)))
        assert response.status_code == 302
        recovered = Article.objects.get(pk=article_id)
        assert recovered.title == "Gone for now"
        assert list(recovered.article_causes.values_list("cause__name", flat=True)) == [
            "Dehydration"
        ]

    def test_an_editor_cannot_publish_by_restoring(self, client, editor):
        article = make_article(title="Was live")
        with reversion.create_revision():
            article.save()  # a revision in which it is published
        Article.objects.filter(pk=article.pk).update(status="draft")
        client = logged_in(client, editor)
        version = Version.objects.get_for_object(article).get()
        url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
        response = client.post(url, admin_form(client.get(url)), follow=True)
        assert any("Only medical reviewers can publish" in m for m in messages_of(response))
        article.refresh_from_db()
        assert article.status == "draft"

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_revision_of_an_article_that_is_not_an_id_is_not_found(self, staff_client, method):
        article = make_draft()
        with reversion.create_revision():
            article.save()
        version = Version.objects.get_for_object(article).get()
        for article_id in ("abc", "9" * 30):
            url = reverse("admin:articles_article_revision", args=[article_id, version.pk])
            assert getattr(staff_client, method)(url).status_code == 404

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_the_version_of_a_cause_is_not_restored_as_an_article(self, staff_client, method):
        article = make_draft(id=500)
        add_cause(article, position=1)
        cause = make_cause(id=500, name="Before")  # the article's id
        with reversion.create_revision():
            cause.save()
        cause.name = "After"
        cause.save()
        version = Version.objects.get_for_object(cause).get()
        for url in (
            reverse("admin:articles_article_recover", args=[version.pk]),
            reverse("admin:articles_article_revision", args=[article.pk, version.pk]),
        ):
            assert getattr(staff_client, method)(url, {}).status_code == 404
        cause.refresh_from_db()
        assert cause.name == "After"
        assert list(article.article_causes.values_list("position", flat=True)) == [1]

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_the_causes_pages_take_no_articles_version(self, staff_client, method):
        cause = make_cause(id=600, name="Before")
        article = make_draft(id=600, title="An article")  # the cause's id
        with reversion.create_revision():
            article.save()
        version = Version.objects.get_for_object(article).get()
        for url in (
            reverse("admin:articles_cause_recover", args=[version.pk]),
            reverse("admin:articles_cause_revision", args=[cause.pk, version.pk]),
        ):
            assert getattr(staff_client, method)(url, {}).status_code == 404
        cause.refresh_from_db()
        assert cause.name == "Before"

    @pytest.mark.parametrize("model", ["article", "cause"])
    def test_comparing_the_versions_of_something_not_an_id_is_not_found(self, staff_client, model):
        url = reverse(f"admin:articles_{model}_compare", args=["abc"])
        response = staff_client.get(url, {"version_id1": 1, "version_id2": 2})
        assert response.status_code == 404

    def test_a_revision_that_cannot_be_restored_moves_none_of_the_rows(
        self, staff_client, monkeypatch
    ):
        # Reversion gives up on it (the address is taken), unwarned by the admin.
        monkeypatch.setattr(ArticleAdmin, "_taken_since", staticmethod(lambda version: None))
        article = make_draft(slug="knees")
        add_cause(article, position=1)
        add_cause(article, position=2)
        post_change(staff_client, article)
        old = Version.objects.get_for_object(article).get()
        post_change(staff_client, Article.objects.get(), slug="sore-knees")
        make_draft(slug="knees")  # another article has taken the old address
        url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
        response = staff_client.post(url, {}, follow=True)
        assert any("Could not save" in m for m in messages_of(response))
        article.refresh_from_db()
        assert article.slug == "sore-knees"
        assert list(article.article_causes.values_list("position", flat=True)) == [1, 2]

    def test_a_deleted_article_that_cannot_be_recovered_is_refused(self, staff_client):
        article = make_draft(title="Gone for now", slug="gone")
        with reversion.create_revision():
            article.save()
        article.delete()
        make_draft(slug="gone")  # another article has taken its address
        version = Version.objects.get_deleted(Article).get()
        url = reverse("admin:articles_article_recover", args=[version.pk])
        response = staff_client.post(url, {}, follow=True)
        why = "another article has its address, /articles/gone/, since."
        assert messages_of(response) == [f"Not restored: {why}"]
        assert not Article.objects.filter(title="Gone for now").exists()

    def test_a_revision_whose_title_another_article_has_taken_is_not_restored(self, staff_client):
        article = make_draft(title="Knee pain")
        post_change(staff_client, article)
        old = Version.objects.get_for_object(article).get()
        post_change(staff_client, Article.objects.get(), title="Sore knees")
        make_draft(title="KNEE PAIN")
        url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
        why = "another article is titled “Knee pain” since."
        shown = staff_client.get(url, follow=True)  # reversion cannot show it either
        assert f"This version cannot be restored: {why}" in messages_of(shown)
        response = staff_client.post(url, {}, follow=True)
        assert messages_of(response) == [f"Not restored: {why}"]
        article.refresh_from_db()
        assert article.title == "Sore knees"

    def test_a_revision_listing_a_cause_deleted_since_is_shown_but_not_restored(self, staff_client):
        article = make_draft()
        add_cause(article, make_cause(name="Gone"), position=1)
        add_cause(article, make_cause(name="Kept"), position=2)
        post_change(staff_client, article)  # a revision with both causes
        old = Version.objects.get_for_object(article).get()
        post_change(staff_client, Article.objects.get(), **{"article_causes-0-DELETE": "on"})
        Cause.objects.get(name="Gone").delete()
        url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
        why = "the cause of “1. Gone” has since been deleted."

        shown = staff_client.get(url)
        assert shown.status_code == 200
        assert f"This version cannot be restored: {why}" in messages_of(shown)
        response = staff_client.post(url, admin_form(shown), follow=True)
        assert messages_of(response) == [f"Not restored: {why}"]
        assert list(article.article_causes.values_list("cause__name", "position")) == [("Kept", 2)]
        assert Version.objects.get_for_object(article).count() == 2

    def test_a_revision_listing_a_topic_deleted_since_is_restored_without_it(self, staff_client):
        article = make_draft(title="Knee pain", summary="Before.", tags=["Gone", "Kept"])
        question = add_faq(article, question="Is it serious?")
        question.tags.set(["Gone"])
        post_change(staff_client, article)  # a revision with both topics
        old = Version.objects.get_for_object(article).get()
        post_change(staff_client, Article.objects.get(), summary="After.")
        Tag.objects.get(name="Gone").delete()
        url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
        left_out = "“Knee pain tagged with Gone”, “Is it serious? tagged with Gone”"

        shown = staff_client.get(url)
        assert shown.status_code == 200
        assert messages_of(shown)[-1] == (
            f"Restoring this version leaves out {left_out}: their topics have since been deleted."
        )
        response = staff_client.post(url, admin_form(shown), follow=True)
        assert messages_of(response)[-1] == (
            f"Restored without {left_out}: their topics have since been deleted."
        )
        article.refresh_from_db()
        assert article.summary == "Before."
        assert list(article.tags.names()) == ["Kept"]
        assert not question.tags.exists()
        # The history still holds the topic as it was; the new revision does not.
        assert Version.objects.get_for_object(article).count() == 3
        assert old.revision.version_set.filter(object_repr__endswith="with Gone").count() == 2
        newest = Version.objects.get_for_object(article).first().revision
        assert not newest.version_set.filter(object_repr__endswith="with Gone").exists()

    def test_a_revision_that_cannot_be_restored_does_not_say_what_a_restore_leaves_out(
        self, staff_client
    ):
        article = make_draft(tags=["Gone"])
        add_cause(article, make_cause(name="Dehydration"))
        with reversion.create_revision():
            article.save()
        old = Version.objects.get_for_object(article).get()
        article.article_causes.all().delete()
        Cause.objects.get().delete()
        Tag.objects.get().delete()
        url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
        assert messages_of(staff_client.get(url)) == [
            "This version cannot be restored: the cause of “1. Dehydration” has since been deleted."
        ]

    def test_a_deleted_article_listing_a_topic_deleted_since_is_recovered_without_it(
        self, staff_client
    ):
        article = make_draft(title="Gone for now", tags=["Gone", "Kept"])
        with reversion.create_revision():
            article.save()
        article.delete()
        Tag.objects.get(name="Gone").delete()
        version = Version.objects.get_deleted(Article).get()
        url = reverse("admin:articles_article_recover", args=[version.pk])
        response = staff_client.post(url, admin_form(staff_client.get(url)), follow=True)
        assert messages_of(response)[-1] == (
            "Restored without “Gone for now tagged with Gone”: its topic has since been deleted."
        )
        assert list(Article.objects.get().tags.names()) == ["Kept"]

    def test_a_cause_revision_citing_a_source_deleted_since_is_shown_but_not_restored(
        self, staff_client
    ):
        cause = make_cause(name="Dehydration", description="Before.")
        citation = cite_for_cause(cause, make_source(title="Gone"))
        with reversion.create_revision():
            cause.save()
        old = Version.objects.get_for_object(cause).get()
        cause.description = "After."
        cause.save()
        citation.delete()
        citation.source.delete()
        url = reverse("admin:articles_cause_revision", args=[cause.pk, old.pk])
        why = "the source of “NHS: Gone” has since been deleted."

        shown = staff_client.get(url)
        assert shown.status_code == 200
        assert f"This version cannot be restored: {why}" in messages_of(shown)
        response = staff_client.post(url, admin_form(shown), follow=True)  # a 500
        assert messages_of(response) == [f"Not restored: {why}"]
        cause.refresh_from_db()
        assert cause.description == "After."

    def test_a_cause_revision_listing_a_topic_deleted_since_is_restored_without_it(
        self, staff_client
    ):
        cause = make_cause(name="Dehydration", description="Before.")
        cause.tags.set(["Gone", "Kept"])
        with reversion.create_revision():
            cause.save()
        old = Version.objects.get_for_object(cause).get()
        cause.description = "After."
        cause.save()
        Tag.objects.get(name="Gone").delete()
        url = reverse("admin:articles_cause_revision", args=[cause.pk, old.pk])
        shown = staff_client.get(url)
        assert shown.status_code == 200
        response = staff_client.post(url, admin_form(shown), follow=True)
        assert messages_of(response)[-1] == (
            "Restored without “Dehydration tagged with Gone”: its topic has since been deleted."
        )
        cause.refresh_from_db()
        assert cause.description == "Before."
        assert list(cause.tags.names()) == ["Kept"]

    def test_a_deleted_article_listing_a_cause_deleted_since_is_not_recovered(self, staff_client):
        article = make_draft(title="Gone for now")
        add_cause(article, make_cause(name="Dehydration"))
        with reversion.create_revision():
            article.save()
        article.delete()
        Cause.objects.get().delete()
        version = Version.objects.get_deleted(Article).get()
        url = reverse("admin:articles_article_recover", args=[version.pk])
        response = staff_client.post(url, admin_form(staff_client.get(url)), follow=True)
        assert messages_of(response)[-1:] == [
            "Not restored: the cause of “1. Dehydration” has since been deleted."
        ]
        assert not Article.objects.exists()


class TestEditConflicts:
    def test_the_second_save_is_refused_and_the_first_kept(self, client, editor, reviewer):
        article = make_draft(title="Original")
        first = logged_in(client, editor)
        second = logged_in(Client(), reviewer)
        first_form = admin_form(first.get(change_url(article)))
        second_form = admin_form(second.get(change_url(article)))

        first_form["title"] = ["Saved first"]
        assert first.post(change_url(article), first_form).status_code == 302

        second_form["title"] = ["Saved second"]
        response = second.post(change_url(article), second_form)
        assert response.status_code == 200
        content = response.content.decode()
        assert "saved this article after you opened it" in content
        assert "Ed Itor" in content
        assert f"href='{change_url(article)}'" in content
        article.refresh_from_db()
        assert article.title == "Saved first"

    def test_a_save_without_the_token_is_refused(self, staff_client):
        article = make_draft(title="Original")
        data = admin_form(staff_client.get(change_url(article)))
        data["title"] = ["Changed"]
        data.pop("loaded_token")
        assert staff_client.post(change_url(article), data).status_code == 200
        article.refresh_from_db()
        assert article.title == "Original"

    def test_saving_twice_in_a_row_is_not_a_conflict(self, staff_client):
        article = make_draft()
        assert post_change(staff_client, article, title="One").status_code == 302
        assert post_change(staff_client, article, title="Two").status_code == 302


class TestSlugRedirects:
    def test_old_addresses_redirect_in_one_hop_after_two_renames(self, client):
        article = make_article(slug="first")
        article.slug = "second"
        article.save()
        article.slug = "third"
        article.save()
        for old in ("first", "second"):
            response = client.get(f"/articles/{old}/")
            assert response.status_code == 301
            assert response["Location"] == "/articles/third/"
        assert client.get("/articles/third/").status_code == 200

    def test_taking_an_old_address_back_makes_no_loop(self, client):
        article = make_article(slug="first")
        article.slug = "second"
        article.save()
        article.slug = "first"
        article.save()
        assert client.get("/articles/first/").status_code == 200
        assert client.get("/articles/second/")["Location"] == "/articles/first/"
        assert not SlugRedirect.objects.filter(old_slug="first").exists()

    def test_drafts_leave_no_redirects(self):
        draft = make_draft(slug="draft-one")
        draft.slug = "draft-two"
        draft.save()
        assert not SlugRedirect.objects.exists()

    def test_unpublished_targets_do_not_redirect(self, client):
        article = make_article(slug="first")
        article.slug = "second"
        article.save()
        Article.objects.filter(pk=article.pk).update(status="draft")
        assert client.get("/articles/first/").status_code == 404

    def test_a_new_article_cannot_silently_take_a_redirecting_slug(self, staff_client):
        article = make_article(title="Knee pain", slug="knees")
        article.slug = "knee-pain"
        article.save()
        data = admin_form(staff_client.get(ADD))
        data.update(title=["Knees"], slug=["knees"])
        response = staff_client.post(ADD, data)
        assert response.status_code == 200
        assert "/articles/knees/ is the old address of" in response.content.decode()
        # Left to itself, the slug steps around it.
        assert make_article(title="Knees").slug == "knees-2"
