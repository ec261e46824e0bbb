"""An admin save records the same revision with its rows read a list at a time
(`articles.admin.rows_read_for_the_revision`) as django-reversion records
reading them one by one."""

import contextlib
import json

import pytest
import reversion
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

import articles.admin as article_admin
from tests.factories import add_cause, add_faq, add_link, make_article, make_cause, make_draft
from tests.forms import admin_form
from tests.sources.factories import cite, make_source

# SQLite: a rolled-back savepoint gives the same ids again (PostgreSQL's sequences do not).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="compares ids across rollbacks"),
]

VOLATILE = {"updated", "created", "edit_token", "search_head", "date_created"}


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def dump(since):
    rows = []
    for v in Version.objects.filter(pk__gt=since).select_related("content_type"):
        data = json.loads(v.serialized_data)[0]
        fields = {k: val for k, val in data["fields"].items() if k not in VOLATILE}
        rows.append(
            (v.content_type.model, v.object_id, v.object_repr, json.dumps(fields, sort_keys=True))
        )
    return sorted(rows)


def both_ways(monkeypatch, act):
    results = []
    frozen = timezone.now()
    for prefetch in (True, False):
        with transaction.atomic():
            since = Version.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            with monkeypatch.context() as m:
                if not prefetch:
                    m.setattr(
                        article_admin,
                        "rows_read_for_the_revision",
                        lambda a: contextlib.nullcontext(),
                    )
                with time_machine.travel(frozen, tick=False):
                    act()
            results.append(dump(since))
            transaction.set_rollback(True)
    return results


def full_article(**kw):
    article = make_draft(title="Hiccups", tags=["breathing", "night"], **kw)
    add_cause(article, make_cause(name="Eating fast"), explanation="Gulping.")
    add_cause(article, make_cause(name="Fizzy drinks"))
    add_faq(article, question="Do they stop?").tags.set(["night"])
    add_faq(article, question="Are they serious?")
    add_link(article, make_article(title="Burping"))
    add_link(article, None, target_title="Not yet")
    cite(article, make_source(title="Hiccups guide", publisher="NHS"))
    return article


SCENARIOS = {
    "summary": {"summary": ["Edited."]},
    "rename": {"title": ["Hiccoughs"]},
    "tags": {"tags": ["sleep, night"]},
    "publish": {"status": ["published"]},
    "cause changed": {"article_causes-0-explanation": ["Eating quickly."]},
    "cause deleted": {"article_causes-1-DELETE": ["on"]},
    "causes swapped": {"article_causes-0-position": ["2"], "article_causes-1-position": ["1"]},
    "question tags": {"faq_entries-1-tags": ["worry"]},
    "question deleted": {"faq_entries-0-DELETE": ["on"]},
    "question added": {"faq_entries-2-question": ["New?"], "faq_entries-2-answer": ["Yes."]},
    "link deleted": {"related_links-0-DELETE": ["on"]},
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_admin_save_records_the_same_revision_with_the_prefetch(staff_client, monkeypatch, name):
    article = full_article()

    def act():
        data = admin_form(staff_client.get(change_url(article)))
        data.update(SCENARIOS[name])
        response = staff_client.post(change_url(article), data)
        assert response.status_code == 302, response.content.decode()[:3000]

    with_prefetch, without = both_ways(monkeypatch, act)
    assert with_prefetch
    assert with_prefetch == without


@pytest.mark.parametrize("action", ["publish", "submit_for_review"])
def test_list_action_records_the_same_revision(staff_client, monkeypatch, action):
    article = full_article()

    def act():
        staff_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": action, "_selected_action": [article.pk]},
        )

    with_prefetch, without = both_ways(monkeypatch, act)
    assert with_prefetch
    assert with_prefetch == without


def test_restore_records_the_same_revision(staff_client, monkeypatch):
    article = full_article()
    with reversion.create_revision():
        article.save()
    old = Version.objects.get_for_object(article).get()
    add_cause(article, make_cause(name="Later cause"))
    article.faq_entries.first().delete()
    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])

    def act():
        data = admin_form(staff_client.get(url))
        assert staff_client.post(url, data).status_code == 302

    with_prefetch, without = both_ways(monkeypatch, act)
    assert with_prefetch
    assert with_prefetch == without
