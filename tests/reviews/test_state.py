"""Which changes clear a sign-off: anything readers see, and nothing else."""

import uuid
from datetime import date, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core import serializers
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, ArticleCause
from faq.models import FAQEntry
from reviews.fingerprint import content_fingerprint
from reviews.models import (
    ArticleReviewState,
    SignOff,
    is_signed_off,
    record_sign_off,
    with_sign_off_state,
)
from tests.factories import add_cause, add_faq, add_link, make_article, make_cause
from tests.sources.factories import cite, make_source

from .helpers import CHANGELIST, logged_in, post_change, run_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    article = make_article(title="Leg cramp", tags=["legs"])
    add_cause(article, make_cause(name="Dehydration"), explanation="Too little water.")
    add_faq(article, question="Is it serious?", answer="Rarely.")
    add_link(article, make_article(title="Dehydration in adults"))
    return article


def listed_as_signed_off(article):
    """The stored state the article list, filter, dashboard and counts use."""
    return with_sign_off_state(Article.objects.filter(pk=article.pk)).get().content_signed_off


def signed_off(article):
    live, stored = is_signed_off(article), listed_as_signed_off(article)
    assert live == stored, "the list and the change page disagree"
    return live


def change_title(article):
    article.title = "Night-time leg cramp"
    article.save()


def change_cause_explanation(article):
    row = ArticleCause.objects.get(article=article)
    row.explanation = "Too little water, or too much sweating."
    row.save()


def rename_the_cause(article):
    cause = ArticleCause.objects.get(article=article).cause
    cause.name = "Not drinking enough"
    cause.save()


def change_faq_answer(article):
    entry = FAQEntry.objects.get(article=article)
    entry.answer = "Rarely, but see a GP if it keeps happening."
    entry.save()


def add_a_question(article):
    add_faq(article, question="Can I prevent it?", answer="Stretch.")


def delete_the_question(article):
    FAQEntry.objects.filter(article=article).get().delete()


def add_a_tag(article):
    article.tags.add("sleep")


def remove_a_tag(article):
    article.tags.remove("legs")


def rename_a_tag(article):
    Tag.objects.filter(name="legs").get().save()  # unchanged: still signed off
    tag = Tag.objects.get(name="legs")
    tag.name = "lower limbs"
    tag.save()


def pin_a_link(article):
    add_link(article, make_article(title="Restless legs"))


def rename_the_linked_article(article):
    target = Article.objects.get(title="Dehydration in adults")
    target.title = "Dehydration"
    target.save()


CONTENT_CHANGES = [
    change_title,
    change_cause_explanation,
    rename_the_cause,
    change_faq_answer,
    add_a_question,
    delete_the_question,
    add_a_tag,
    remove_a_tag,
    rename_a_tag,
    pin_a_link,
    rename_the_linked_article,
]


@pytest.mark.parametrize("change", CONTENT_CHANGES, ids=lambda change: change.__name__)
def test_a_content_change_clears_the_sign_off_until_the_next(article, reviewer, change):
    record_sign_off(article, reviewer)
    assert signed_off(article)

    change(Article.objects.get(pk=article.pk))
    assert not signed_off(article)

    record_sign_off(article, reviewer)
    assert signed_off(article)


def test_an_edit_in_the_admin_clears_it(client, article, reviewer):
    client = logged_in(client, reviewer)
    record_sign_off(article, reviewer)
    post_change(client, article, **{"faq_entries-0-answer": "Rarely; see a GP if unsure."})
    assert not signed_off(article)


def test_saving_the_form_unchanged_keeps_it(client, article, reviewer):
    client = logged_in(client, reviewer)
    record_sign_off(article, reviewer)
    post_change(client, article)
    assert signed_off(article)


def test_undoing_a_change_restores_it(article, reviewer):
    record_sign_off(article, reviewer)
    article.title = "Something else"
    article.save()
    article.title = "Leg cramp"
    article.save()
    assert signed_off(article)


def test_only_the_latest_sign_off_counts(article, reviewer):
    record_sign_off(article, reviewer)
    change_title(article)
    record_sign_off(article, reviewer)
    article.title = "Leg cramp"  # back to what the first sign-off covered
    article.save()
    assert not signed_off(article)


def test_the_migration_fills_in_the_latest_sign_off(article, reviewer):
    fill = import_module("reviews.migrations.0002_signed_off_fingerprint").fill
    record_sign_off(article, reviewer)
    change_title(article)
    record_sign_off(article, reviewer)
    ArticleReviewState.objects.update(signed_off_fingerprint="")
    assert not listed_as_signed_off(article)

    fill(apps, schema_editor=None)
    assert signed_off(article)


@pytest.mark.parametrize("states_first", [True, False])
def test_a_backup_from_before_the_kept_sign_off_loads_right(article, reviewer, states_first):
    record_sign_off(article, reviewer)
    change_title(article)
    record_sign_off(article, reviewer)
    sign_offs = serializers.serialize("python", SignOff.objects.order_by("pk"))
    states = serializers.serialize("python", ArticleReviewState.objects.all())
    for state in states:
        del state["fields"]["signed_off_fingerprint"]  # as an older dump has it
    SignOff.objects.all().delete()
    ArticleReviewState.objects.all().delete()

    rows = states + sign_offs if states_first else sign_offs + states
    for row in serializers.deserialize("python", rows):
        row.save()  # as loaddata does: raw
    assert signed_off(article)


def test_workflow_moves_keep_it(client, article, reviewer):
    client = logged_in(client, reviewer)
    record_sign_off(article, reviewer)
    run_action(client, "unpublish", article)
    assert Article.objects.get(pk=article.pk).status == "draft"
    assert signed_off(article)
    post_change(client, article, status="published")
    assert signed_off(article)


def test_review_date_changes_keep_it(client, article, reviewer):
    client = logged_in(client, reviewer)
    record_sign_off(article, reviewer)
    later = timezone.localdate() + timedelta(days=90)
    post_change(client, article, next_review_due=later.isoformat())
    assert Article.objects.get(pk=article.pk).next_review_due == later
    assert signed_off(article)


def test_bookkeeping_fields_do_not_change_the_fingerprint(article, reviewer):
    before = content_fingerprint(article)
    Article.objects.filter(pk=article.pk).update(
        status="review",
        edit_token=uuid.uuid4(),
        updated=timezone.now() + timedelta(days=1),
        author=reviewer,
        medical_reviewer=reviewer,
        last_reviewed=timezone.localdate(),
        next_review_due=timezone.localdate() + timedelta(days=1),
    )
    assert content_fingerprint(article) == before


def test_never_signed_off_is_not_signed_off(article):
    assert not signed_off(article)


def test_the_article_list_shows_and_filters_the_state(client, reviewer):
    client = logged_in(client, reviewer)
    signed, changed = make_article(title="Signed"), make_article(title="Changed")
    make_article(title="Never")
    for article in (signed, changed):
        record_sign_off(article, reviewer)
    changed.title = "Changed since"
    changed.save()

    def titles(query):
        response = client.get(CHANGELIST + query)
        return {article.title for article in response.context["cl"].result_list}

    assert titles("?sign_off=signed") == {"Signed"}
    assert titles("?sign_off=awaiting") == {"Changed since", "Never"}
    page = client.get(CHANGELIST).content.decode()
    assert page.count('alt="True"') == 1  # the "signed off" column
    assert "By Sign-off" in page


def test_the_list_costs_the_same_for_any_number_of_articles(
    client, reviewer, django_assert_max_num_queries
):
    client = logged_in(client, reviewer)
    for n in range(30):
        record_sign_off(make_article(title=f"Article {n}"), reviewer)
    with django_assert_max_num_queries(15):
        client.get(CHANGELIST)


@pytest.mark.skipif(not apps.is_installed("sources"), reason="the sources app is not installed")
def test_citing_or_retitling_a_source_clears_it(article, reviewer):
    ArticleSource = Article.article_sources.rel.related_model
    Source = ArticleSource.source.field.related_model
    source = Source.objects.create(
        title="Leg cramps", publisher="NHS", url="https://www.nhs.uk/", accessed=date(2026, 1, 5)
    )
    record_sign_off(article, reviewer)

    ArticleSource.objects.create(article=article, source=source, position=1)
    assert not signed_off(article)

    record_sign_off(article, reviewer)
    source.title = "Leg cramps: overview"
    source.save()
    assert not signed_off(article)


@pytest.mark.parametrize(("field", "value"), [("doi", "10.1136/bmj.m9999"), ("pmid", "31234567")])
def test_a_cited_papers_doi_or_pubmed_id_changing_clears_the_sign_off(
    article, reviewer, field, value
):
    """The page links readers to the paper by them: pointing one at another paper
    kept the sign-off (only the source's title and address counted)."""
    source = make_source(doi="10.1136/bmj.m1234", pmid="31000000")
    cite(Article.objects.get(pk=article.pk), source)
    record_sign_off(article, reviewer)
    setattr(source, field, value)
    source.save()
    assert not signed_off(article)


def test_a_source_without_doi_or_pubmed_id_is_fingerprinted_as_before():
    """Stored sign-offs compare against this digest (as before DOIs counted)."""
    article = make_article(title="Hiccups", summary="They stop.", meta_description="About hiccups.")
    cite(article, make_source(title="Hiccups", url="https://www.nhs.uk/conditions/hiccups/"))
    assert content_fingerprint(article) == (
        "780300d4e0d97d0fbb13e842e8bd647058d412b29fc885366b8b9eea99ae5e02"
    )


def test_the_migration_carries_over_the_sign_offs_still_current(article, reviewer):
    carry_over = import_module("reviews.migrations.0003_fingerprint_cited_papers").carry_over
    cite(Article.objects.get(pk=article.pk), make_source(doi="10.1136/bmj.m1234"))
    record_sign_off(article, reviewer)
    changed = make_article(title="Changed since")
    record_sign_off(changed, reviewer)
    # As fingerprinted before DOIs counted; the second changed since its sign-off.
    ArticleReviewState.objects.update(content_fingerprint="old", signed_off_fingerprint="old")
    SignOff.objects.update(fingerprint="old")
    ArticleReviewState.objects.filter(article=changed).update(content_fingerprint="new")
    assert not is_signed_off(article)  # the change page, against today's fingerprint

    carry_over(apps, schema_editor=None)
    assert signed_off(article)
    assert not listed_as_signed_off(changed)
