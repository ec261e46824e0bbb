"""What an article's restore does besides writing its revision back "raw":
what a save would do, and the workflow's rules (`ArticleAdmin._restore`)."""

import json
from datetime import timedelta

import pytest
import reversion
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.models import Article, ArticleCause, Cause, RelatedLink, SlugRedirect
from articles.topic_merge import merge_topics
from faq.models import FAQEntry
from reviews.fingerprint import content_fingerprint
from reviews.models import ArticleReviewState, record_sign_off
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
from tests.reviews.helpers import messages_of, post_change, run_action

pytestmark = pytest.mark.django_db


def restore(client, version):
    url = reverse("admin:articles_article_revision", args=[version.object_id, version.pk])
    return client.post(url, admin_form(client.get(url)), follow=True)


def recover(client, version):
    url = reverse("admin:articles_article_recover", args=[version.pk])
    return client.post(url, admin_form(client.get(url)), follow=True)


@pytest.fixture
def editor_client():
    editor = make_user(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(editor)
    return client


def saved_in_a_revision(article):
    with reversion.create_revision():
        article.save()
    return Version.objects.get_for_object(article).first()


@pytest.mark.parametrize(
    ("then", "now", "published"),
    [(7, -1, True), (-1, 7, False)],
    ids=["unpublish: scheduled then", "publish: scheduled now"],
)
def test_an_editor_cannot_publish_or_unpublish_by_restoring_another_publish_time(
    editor_client, then, now, published
):
    article = make_article(publish_at=timezone.now() + timedelta(days=then))
    old = saved_in_a_revision(article)
    moved = timezone.now() + timedelta(days=now)
    Article.objects.filter(pk=article.pk).update(publish_at=moved)
    response = restore(editor_client, old)
    assert messages_of(response) == [
        "Not restored: Only medical reviewers can change when an article is published."
    ]
    assert Article.objects.published().filter(pk=article.pk).exists() == published
    assert Article.objects.get(pk=article.pk).publish_at == moved


def test_a_reviewer_may_restore_another_publish_time(staff_client):
    article = make_article(publish_at=timezone.now() + timedelta(days=7))
    old = saved_in_a_revision(article)
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now())
    restore(staff_client, old)
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_restoring_an_older_address_redirects_the_one_it_leaves(staff_client):
    article = make_article(title="Knee pain", slug="knee-pain")
    post_change(staff_client, article)
    old = Version.objects.get_for_object(article).get()
    post_change(staff_client, Article.objects.get(), slug="sore-knees")
    assert SlugRedirect.objects.get().old_slug == "knee-pain"
    restore(staff_client, old)
    assert Article.objects.get().slug == "knee-pain"
    assert Client().get("/articles/sore-knees/").status_code == 301
    assert list(SlugRedirect.objects.values_list("old_slug", flat=True)) == ["sore-knees"]


def test_a_restored_waiting_link_finds_the_article_written_since(staff_client):
    article = make_draft(title="Knee pain")
    add_link(article, target_title="Gout")
    post_change(staff_client, article)
    old = Version.objects.get_for_object(article).get()
    gout = make_article(title="Gout")
    post_change(staff_client, Article.objects.get(pk=article.pk), summary="Edited.")
    restore(staff_client, old)
    assert RelatedLink.objects.get().target_id == gout.pk


def move_question(client, question, article, position=1):
    url = reverse("admin:faq_faqentry_change", args=[question.pk])
    data = admin_form(client.get(url))
    data["article"] = [str(article.pk) if article else ""]
    data["position"] = [str(position)]
    assert client.post(url, data).status_code == 302


@pytest.mark.parametrize("moved_to", ["another article", "site-wide"])
def test_restoring_an_article_leaves_a_question_moved_away_where_it_is(staff_client, moved_to):
    knee = make_draft(title="Knee pain", summary="Before.")
    hip = make_draft(title="Hip pain")
    question = add_faq(knee, question="Is it serious?")
    question.tags.set(["night"])
    kept = add_faq(knee, question="Will it last?")
    post_change(staff_client, knee)
    old = Version.objects.get_for_object(knee).get()
    destination = hip if moved_to == "another article" else None
    move_question(staff_client, question, destination)
    question.tags.add("hips")  # where it is now
    record_sign_off(Article.objects.get(pk=hip.pk), make_user())
    post_change(staff_client, Article.objects.get(pk=knee.pk), summary="After.")
    kept.delete()

    page = staff_client.get(reverse("admin:articles_article_revision", args=[knee.pk, old.pk]))
    why = (
        "the question “Is it serious?”: it is on another article's page or among the "
        "site-wide questions now"
    )
    assert f"Restoring this version leaves out {why}." in messages_of(page)
    response = restore(staff_client, old)
    assert f"Restored without {why}." in messages_of(response)

    assert Article.objects.get(pk=knee.pk).summary == "Before."
    question.refresh_from_db()
    assert question.article_id == (destination and destination.pk)
    assert sorted(question.tags.names()) == ["hips", "night"]
    assert list(FAQEntry.objects.filter(article=knee).values_list("question", flat=True)) == [
        "Will it last?"  # deleted since, and back
    ]
    state = ArticleReviewState.objects.get(article=hip)
    assert state.content_fingerprint == content_fingerprint(hip)


def test_an_editor_restores_the_text_of_an_article_published_from_the_list(
    staff_client, editor_client
):
    """Its publish time, to the microsecond, comes back to the millisecond, as
    the revision keeps it: no change of when it is published."""
    article = make_draft(summary="Before.")
    run_action(staff_client, "publish", article)
    old = Version.objects.get_for_object(article).get()
    post_change(editor_client, Article.objects.get(pk=article.pk), summary="After.")
    restore(editor_client, old)
    assert Article.objects.get(pk=article.pk).summary == "Before."


def test_an_editor_recovers_a_deleted_draft_that_was_once_published(staff_client, editor_client):
    article = make_draft(title="Gone for now")
    run_action(staff_client, "publish", article)
    run_action(staff_client, "unpublish", article)  # a draft again, its publish time kept
    post_change(editor_client, Article.objects.get(pk=article.pk), summary="Last words.")
    version = Version.objects.get_for_object(article).first()
    Article.objects.filter(pk=article.pk).delete()
    recover(editor_client, version)
    assert Article.objects.get(pk=article.pk).summary == "Last words."


@pytest.mark.parametrize("status", ["archived", "published"])
def test_only_a_reviewer_recovers_an_article_deleted_archived_or_published(
    staff_client, editor_client, status
):
    article = make_article(title="Old news")
    if status == "archived":
        run_action(staff_client, "archive", article)
    else:
        post_change(staff_client, article)
    version = Version.objects.get_for_object(article).first()
    Article.objects.filter(pk=article.pk).delete()
    response = recover(editor_client, version)
    assert messages_of(response) == [
        "Not restored: Only medical reviewers can publish, unpublish or archive articles."
    ]
    assert not Article.objects.exists()
    recover(staff_client, version)
    assert Article.objects.get(pk=article.pk).status == status


def test_two_questions_moved_away_are_named_as_questions(staff_client):
    knee = make_draft(title="Knee pain")
    first, second = add_faq(knee, question="Why?"), add_faq(knee, question="When?")
    post_change(staff_client, knee)
    old = Version.objects.get_for_object(knee).get()
    move_question(staff_client, first, None)
    move_question(staff_client, second, None, position=2)
    response = restore(staff_client, old)
    assert (
        "Restored without the questions “Why?”, “When?”: they are on another article's "
        "page or among the site-wide questions now."
    ) in messages_of(response)


def test_a_revision_pinning_an_article_deleted_since_is_restored_with_a_waiting_link(
    staff_client,
):
    knee = make_draft(title="Knee pain", summary="Before.")
    gout = make_article(title="Gout")
    add_link(knee, gout)
    post_change(staff_client, knee)
    old = Version.objects.get_for_object(knee).get()
    gout.delete()
    post_change(staff_client, Article.objects.get(pk=knee.pk), summary="After.")
    why = (
        "the deleted article “Gout” from its See-also link, which waits for an article "
        "of that title"
    )
    url = reverse("admin:articles_article_revision", args=[knee.pk, old.pk])
    assert f"Restoring this version leaves out {why}." in messages_of(staff_client.get(url))
    response = restore(staff_client, old)
    assert f"Restored without {why}." in messages_of(response)
    assert Article.objects.get(pk=knee.pk).summary == "Before."
    link = RelatedLink.objects.get(article=knee)
    assert (link.target, link.target_title, link.position) == (None, "Gout", 1)
    # In the restore's own revision: restoring that one keeps the link.
    restored = Version.objects.get_for_object(knee).first()
    assert restored.revision.version_set.filter(object_repr__contains="Gout").exists()
    post_change(staff_client, Article.objects.get(pk=knee.pk), **{"related_links-0-DELETE": "on"})
    restore(staff_client, restored)
    assert RelatedLink.objects.get(article=knee).target_title == "Gout"
    new_gout = make_article(title="Gout")  # written again: the link finds it
    assert RelatedLink.objects.get(article=knee).target == new_gout


def test_a_question_moved_away_keeps_its_topics_where_it_is_when_one_was_merged_since(
    staff_client,
):
    """Its tagging is left out with it, not given the merged topic's new name."""
    knee = make_draft(title="Knee pain")
    hip = make_draft(title="Hip pain")
    question = add_faq(knee, question="Is it serious?")
    question.tags.set(["Sore knees"])
    post_change(staff_client, knee)
    old = Version.objects.get_for_object(knee).get()
    move_question(staff_client, question, hip)
    merge_topics([Tag.objects.get(name="Sore knees")], "Joint pain")
    question.tags.clear()  # where it is now

    response = restore(staff_client, old)
    assert not any("merged since" in message for message in messages_of(response))
    question.refresh_from_db()
    assert question.article_id == hip.pk
    assert not question.tags.exists()


def test_a_deleted_article_tagged_with_a_topic_merged_since_is_recovered_with_the_kept_topic(
    staff_client,
):
    article = make_draft(title="Gone for now", tags=["Sore knees"])
    with reversion.create_revision():
        article.save()
    article.delete()
    merge_topics([Tag.objects.get(name="Sore knees")], "Joint pain")
    response = recover(staff_client, Version.objects.get_deleted(Article).get())
    renamed = "the topics merged since their new names: “Sore knees” is now “Joint pain”"
    assert messages_of(response)[-1] == f"Restored, giving {renamed}."
    assert list(Article.objects.get().tags.names()) == ["Joint pain"]


def test_a_revision_listing_a_cause_deleted_since_says_how_to_get_it_back(staff_client):
    """Refused, as before, but the cause has a history of its own: once it is
    recovered from there, the article's revision can be restored."""
    article = make_draft(title="Knee pain", summary="Before.")
    cause = make_cause(name="Gout")
    with reversion.create_revision():
        cause.save()
    add_cause(article, cause)
    post_change(staff_client, article)
    old = Version.objects.get_for_object(article).get()
    post_change(staff_client, Article.objects.get(), summary="After.")
    ArticleCause.objects.all().delete()
    cause.delete()

    response = restore(staff_client, old)
    assert messages_of(response) == [
        "Not restored: the cause of “1. Gout” has since been deleted; recover it first "
        "(“Recover deleted causes” in the causes' list)."
    ]
    recover_url = reverse(
        "admin:articles_cause_recover", args=[Version.objects.get_deleted(Cause).get().pk]
    )
    staff_client.post(recover_url, admin_form(staff_client.get(recover_url)))
    restore(staff_client, old)
    article.refresh_from_db()
    assert article.summary == "Before."
    assert list(article.article_causes.values_list("cause__name", flat=True)) == ["Gout"]


def test_a_cause_revision_from_before_causes_kept_a_token_is_restored(staff_client):
    """Such a version gets a new token each time it is written back: the form
    shown and the one posted disagreed, and the restore was refused as an
    edit conflict."""
    cause = make_cause(name="Dehydration", description="Before.")
    with reversion.create_revision():
        cause.save()
    old = Version.objects.get_for_object(cause).get()
    data = json.loads(old.serialized_data)
    del data[0]["fields"]["edit_token"]
    Version.objects.filter(pk=old.pk).update(serialized_data=json.dumps(data))
    cause.description = "After."
    cause.save()
    url = reverse("admin:articles_cause_revision", args=[cause.pk, old.pk])
    response = staff_client.post(url, admin_form(staff_client.get(url)))
    assert response.status_code == 302
    cause.refresh_from_db()
    assert cause.description == "Before."
