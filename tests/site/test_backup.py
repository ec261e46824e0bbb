"""Nothing lost: what `dumpdata` writes, `loaddata` brings back, row for row.

The dump is the one docs/operations.md ("Backup and restore") documents for
any database:

    python manage.py dumpdata --natural-foreign \\
        --exclude contenttypes --exclude auth.permission --exclude sessions \\
        [--exclude axes] --output healthsite.json.gz

and the restore: an empty database, `migrate`, `flush --no-input` (which
removes the groups the migrations made, so the dump's own come back with
their ids), `loaddata healthsite.json.gz`. Here the test database is
emptied with the same `flush`, and every row of every dumped model must
come back with the same primary key and the same field values; the site
must then show the article, its causes, questions and links, and find it
by search.
"""

from datetime import date, datetime, timedelta

import pytest
import reversion
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleCause,
    Cause,
    InternalLink,
    RelatedLink,
    SlugRedirect,
)
from faq.models import FAQEntry
from reviews.models import (
    ArticleReviewState,
    ReviewerProfile,
    SignOff,
    is_signed_off,
    record_sign_off,
)
from sources.models import ArticleSource, CauseSource
from tests.factories import add_cause, add_faq, add_link, make_article, make_cause, make_user
from tests.sources.factories import cite, cite_for_cause, make_source

pytestmark = pytest.mark.django_db

# Rebuilt by `migrate` (and by `flush`), and referred to by natural keys in
# the dump: content types and permissions. Logins (sessions) and django-axes'
# records of login attempts are not content.
EXCLUDE = ["contenttypes", "auth.permission", "sessions"]
if apps.is_installed("axes"):
    EXCLUDE.append("axes")


def dump(path):
    call_command("dumpdata", natural_foreign=True, exclude=EXCLUDE, output=str(path), verbosity=0)


def dumped_models():
    """Every model the dump holds: all but the excluded apps and models."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in EXCLUDE
        and model._meta.label_lower not in EXCLUDE
        and not model._meta.proxy
        and model._meta.managed
    ]


def snapshot():
    """{model: {pk: fields}} for every dumped row; content types by natural key, as loaded."""
    rows = {}
    for model in dumped_models():
        objects = model._base_manager.order_by("pk")
        serialized = serializers.serialize("python", objects, use_natural_foreign_keys=True)
        rows[model._meta.label] = {
            row["pk"]: {name: to_milliseconds(value) for name, value in row["fields"].items()}
            for row in serialized
        }
    return rows


def to_milliseconds(value):
    # Django's JSON format writes times to the millisecond (pg_dump keeps them whole).
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def empty_the_database():
    if connection.vendor == "postgresql":
        # flush TRUNCATEs, which PostgreSQL refuses while deferred foreign
        # key checks of this (test) transaction are pending: run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def everything(db):
    """Some of every kind of content, with what refers to it."""
    reviewer = make_user(username="asha", first_name="Asha", password="a-long-password-1")
    reviewer.groups.add(Group.objects.get(name="Medical reviewer"))
    ReviewerProfile.objects.create(
        user=reviewer, display_name="Dr Asha Patel", credentials="MBBS", profession="GP"
    )
    editor = make_user(username="ed", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    target = make_article(title="Muscle cramps", tags=["muscles"])
    with reversion.create_revision():
        article = make_article(
            title="Toe twitching",
            subtitle="Causes and remedies",
            summary="Toe *twitching* is common, like [cramps](/articles/muscle-cramps/).",
            conclusion="Most twitches settle.",
            seek_help_non_urgent="- it lasts weeks",
            meta_description="Why toes twitch.",
            author=editor,
            last_reviewed=date(2024, 1, 15),
            next_review_due=date(2027, 1, 15),
            tags=["feet", "Fuß-Gesundheit", "muscles"],
        )
    cause = make_cause(name="Dehydration", description="Not enough *water*.")
    cause.tags.set(["water"])
    add_cause(article, cause, explanation="Drink more ([why](/causes/dehydration/)).")
    add_cause(article, make_cause(name="Caffeine"))
    entry = add_faq(
        article, question="Is it serious?", answer="Rarely ([drafts](/articles/a-draft/))."
    )
    entry.tags.set(["feet"])
    add_faq(None, question="How do I contact you?", answer="By post.").tags.set(["contact"])
    add_link(article, target)
    add_link(article, target_title="An article not written yet")
    cite(article, make_source(title="Muscle twitches", doi="10.1000/xyz123", pmid="123"))
    cite_for_cause(cause, make_source())
    make_article(title="A draft", status=Article.Status.DRAFT, publish_at=None)
    renamed = Article.objects.get(pk=target.pk)
    renamed.slug = "muscle-cramp"  # the old address now redirects
    renamed.save()
    Tag.objects.create(name="Unused topic", slug="unused-topic")
    record_sign_off(Article.objects.get(pk=article.pk), reviewer)
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Article),
        object_id=str(article.pk),
        object_repr=str(article),
        action_flag=ADDITION,
        change_message="[]",
    )
    return article


def test_a_dump_loads_into_an_empty_database_with_nothing_lost(everything, client, tmp_path):
    backup = tmp_path / "healthsite.json.gz"
    before = snapshot()
    for model in [Article, Cause, ArticleCause, FAQEntry, RelatedLink, SlugRedirect, Tag]:
        assert before[model._meta.label], f"no {model.__name__} to back up"
    for model in [ArticleSource, CauseSource, ReviewerProfile, SignOff, ArticleReviewState]:
        assert before[model._meta.label], f"no {model.__name__} to back up"
    assert before["taggit.Tag"] and before["reversion.Version"] and before["auth.Group"]

    dump(backup)
    empty_the_database()
    assert not Article.objects.exists() and not Tag.objects.exists()
    assert not Group.objects.exists()  # the migrations' groups too: the dump has them
    call_command("loaddata", str(backup), verbosity=0)

    after = snapshot()
    for label, rows in before.items():
        assert after[label] == rows, f"{label} is not as it was"

    # And the site works from the restored rows.
    article = Article.objects.get(pk=everything.pk)
    page = client.get(article.get_absolute_url()).content.decode()
    for text in ["Toe twitching", "Dehydration", "Is it serious?", "Muscle cramps", "Dr Asha"]:
        assert text in page
    assert client.get("/articles/muscle-cramps/").status_code == 301
    assert client.get("/tags/fuß-gesundheit/").status_code == 200
    found = client.get("/search/", {"q": "twitching"}).context["object_list"]
    assert [a.pk for a in found] == [article.pk]
    assert is_signed_off(article)
    reviewer = article.medical_reviewer
    assert reviewer.check_password("a-long-password-1")
    assert set(reviewer.get_all_permissions()) >= {"articles.publish_article"}


def indexed_links():
    fields = [
        "article_id",
        "field",
        "article_cause_id",
        "faq_entry_id",
        "path",
        "view_name",
        "slug",
    ]
    return sorted(InternalLink.objects.values_list(*fields))


def test_a_dump_without_the_index_of_links_loads_with_it_rebuilt(everything, client, tmp_path):
    # As a dump from before the index (2026-12-04), or made without it, holds no index rows.
    before = indexed_links()
    assert {where for _, where, *_ in before} == {"summary", "explanation", "answer"}
    backup = tmp_path / "without-the-index.json"
    without = [*EXCLUDE, "articles.internallink"]
    call_command("dumpdata", natural_foreign=True, exclude=without, output=str(backup), verbosity=0)
    empty_the_database()
    call_command("loaddata", str(backup), verbosity=0)

    assert indexed_links() == before
    admin = make_user(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    report = client.get(reverse("admin:articles_links")).content.decode()
    assert "/articles/a-draft/" in report  # the broken link in the answer


def test_a_dump_is_the_same_however_often_it_is_made(everything, tmp_path):
    dump(tmp_path / "one.json")
    dump(tmp_path / "two.json")
    assert (tmp_path / "one.json").read_text() == (tmp_path / "two.json").read_text()


def test_the_review_dates_survive(everything, tmp_path):
    # Dates and times as stored, not "now" (auto_now fields are not reset).
    backup = tmp_path / "healthsite.json"
    Article.objects.filter(pk=everything.pk).update(updated=timezone.now() - timedelta(days=400))
    stored = Article.objects.get(pk=everything.pk)
    dump(backup)
    empty_the_database()
    call_command("loaddata", str(backup), verbosity=0)
    restored = Article.objects.get(pk=everything.pk)
    assert restored.updated == to_milliseconds(stored.updated)
    assert restored.publish_at == to_milliseconds(stored.publish_at)
    assert (restored.last_reviewed, restored.next_review_due) == (
        stored.last_reviewed,
        stored.next_review_due,
    )
