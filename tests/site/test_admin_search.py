"""The admin's search of articles and questions (healthsite/admin_search.py) finds
what Django's own search would, without a DISTINCT, and lets PostgreSQL use an
index for each field."""

import sqlite3

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from faq.models import FAQEntry
from healthsite import admin_search
from healthsite.pagination import CappedIndexedPaginator
from tests.factories import add_faq, make_article

pytestmark = pytest.mark.django_db

# What each list searched before, with Django's search: the same rows must come back.
DJANGOS_SEARCH_FIELDS = {
    FAQEntry: ["question", "answer", "tags__name", "article__title"],
    Article: ["title", "subtitle", "slug", "tags__name"],
}
TERMS = [
    "knee",
    "KNEE pain",
    "night",
    "sleep night",
    '"leg pain"',
    "'at night' knee",
    "ibuprofen",
    "50%",
    "under_score",
    "a",
    "nothing-matches-this",
]


@pytest.fixture
def content():
    knee = make_article(title="Knee pain at night", tags=["knees", "leg pain"])
    legs = make_article(title="Restless legs", subtitle="At night", tags=["sleep"])
    make_article(title="Sleep", slug="sleep-under_score", tags=["sleep", "night"])
    add_faq(knee, question="Why does my knee hurt?", answer="Often strain.").tags.set(["sleep"])
    add_faq(knee, question="Can I take ibuprofen?", answer="Yes, at night too.")
    add_faq(legs, question="Is it 50% genetic?", answer="Partly; see your GP.")
    add_faq(legs, question="Does sleep help?", answer="Knee pain or not: yes.").tags.set(
        ["knees", "night"]
    )
    add_faq(None, question="Who writes this site?", answer="Doctors and editors.")


def found_by(model, term, search_fields=None):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/", {"q": term})
    queryset = model._default_manager.all()
    if search_fields is None:
        found, duplicates = model_admin.get_search_results(request, queryset, term)
        assert not duplicates
        return sorted(found.values_list("pk", flat=True))
    # Django's own search, over the fields the list had before.
    django_admin = admin.ModelAdmin(model, admin.site)
    django_admin.search_fields = search_fields
    found, _ = django_admin.get_search_results(request, queryset, term)
    return sorted(set(found.values_list("pk", flat=True)))


@pytest.mark.parametrize("model", [FAQEntry, Article])
@pytest.mark.parametrize("term", TERMS)
def test_it_finds_what_djangos_search_found(content, model, term):
    assert found_by(model, term) == found_by(model, term, DJANGOS_SEARCH_FIELDS[model])


@pytest.mark.parametrize("model", [FAQEntry, Article])
def test_long_lists_of_ids_become_subqueries_and_find_the_same(content, model, monkeypatch):
    listed = {term: found_by(model, term) for term in TERMS}
    monkeypatch.setattr(admin_search, "SEARCH_IDS_LIMIT", 0)
    with CaptureQueriesContext(connection) as queries:
        assert {term: found_by(model, term) for term in TERMS} == listed
    assert any("IN (SELECT" in query["sql"] for query in queries)


@pytest.mark.parametrize("model", [FAQEntry, Article])
def test_lists_of_ids_stay_within_the_databases_parameter_limit(content, model, monkeypatch):
    # SQLite refuses a query with more parameters than its limit; over many
    # words the lists must leave room for the rest of the query.
    for n in range(9):
        article = make_article(title=f"Night sleep {n}", tags=["sleep", "night"])
        add_faq(article, question=f"Why at night ({n})?").tags.set(["sleep", "night"])
    listed = {term: found_by(model, term) for term in TERMS}
    limit = 40
    monkeypatch.setattr(type(connection.features), "max_query_params", limit)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        previous = connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    try:
        with CaptureQueriesContext(connection) as queries:
            assert {term: found_by(model, term) for term in TERMS} == listed
            assert found_by(model, "knee night sleep pain at") == found_by(
                model, "knee night sleep pain at", DJANGOS_SEARCH_FIELDS[model]
            )
    finally:
        if connection.vendor == "sqlite":
            connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, previous)
    assert any("IN (SELECT" in query["sql"] for query in queries)


def listed(client, model, term):
    """What the admin list of `model` shows for `term`, found without a DISTINCT."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": term})
    distinct = f'SELECT DISTINCT "{model._meta.db_table}"'  # (taggit's tags prefetch has one)
    assert not any(distinct in query["sql"] for query in queries), term
    return response.context["cl"].result_list


def plan_of_the_count(client, model, term):
    """PostgreSQL's plan for the list's count of what `term` finds, as with many rows."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"q": term})
    count = next(q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "LIKE" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as with many rows
        cursor.execute(f"EXPLAIN {count}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_question_search_finds_by_every_field_each_question_once(content, staff_client):
    def found(term):
        return sorted(entry.question for entry in listed(staff_client, FAQEntry, term))

    assert found("ibuprofen") == ["Can I take ibuprofen?"]  # the question
    assert found("genetic GP") == ["Is it 50% genetic?"]  # and the answer
    assert found("knee") == [  # the question, the answer, a tag, the article's title
        "Can I take ibuprofen?",
        "Does sleep help?",
        "Why does my knee hurt?",
    ]
    assert found("knees sleep") == ["Does sleep help?"]  # its tags, not its article's
    assert found("doctors") == ["Who writes this site?"]  # not on an article


def test_article_search_finds_every_word_in_titles_or_tags_each_article_once(staff_client):
    make_article(title="Leg cramps at night", tags=["legs", "leg pain", "sleep"])
    make_article(title="Restless legs", subtitle="At night", tags=["sleep"])
    make_article(title="Night sweats", tags=["fever"])

    def found(term):
        return sorted(article.title for article in listed(staff_client, Article, term))

    assert found("leg") == ["Leg cramps at night", "Restless legs"]
    assert found("night sleep") == ["Leg cramps at night", "Restless legs"]
    assert found("night fever") == ["Night sweats"]
    assert found('"leg pain" night') == ["Leg cramps at night"]
    assert found("cramps fever") == []


@pytest.mark.parametrize("model", [FAQEntry, Article])
def test_a_search_of_pasted_text_searches_its_first_words(content, staff_client, model):
    term = "knee " + " ".join(f"word{n}" for n in range(1500))
    knees = list(listed(staff_client, model, "knee"))
    assert knees and list(listed(staff_client, model, "knee " * 1500)) == knees
    assert list(listed(staff_client, model, term)) == []  # its first words: none has them all


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_each_field_can_be_read_from_its_index(content, staff_client):
    plan = plan_of_the_count(staff_client, FAQEntry, "ibuprofen")
    assert "faq_question_upper_trgm" in plan and "faq_answer_upper_trgm" in plan
    plan = plan_of_the_count(staff_client, Article, "cramp")
    for field in ("title", "subtitle", "slug"):
        assert f"article_{field}_upper_trgm" in plan


@pytest.mark.parametrize(("model", "term"), [(FAQEntry, "knee"), (Article, "night")])
def test_a_search_counts_up_to_a_cap_and_says_when_more_match(
    content, staff_client, monkeypatch, model, term
):
    """Counting every question with a common word ("knee") read a hundred
    thousand of them at 1,000,000 questions (0.4 of a 0.6 s page)."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    monkeypatch.setattr(CappedIndexedPaginator, "cap", 2)  # three match
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", 1)
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url, {"q": term})
    changelist = response.context["cl"]
    assert (changelist.result_count, changelist.paginator.num_pages) == (2, 2)
    rows = model._meta.verbose_name_plural
    assert [str(m) for m in response.context["messages"]] == [
        f"More than 2 {rows} match: the first 2 are listed. Add a word to narrow the search."
    ]
    [count] = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "LIKE" in q["sql"]]
    assert "LIMIT 3" in count

    monkeypatch.setattr(CappedIndexedPaginator, "cap", 3)
    response = staff_client.get(url, {"q": term})
    assert response.context["cl"].result_count == 3
    assert not list(response.context["messages"])
    # Unsearched, the list counts every row.
    monkeypatch.setattr(CappedIndexedPaginator, "cap", 2)
    assert staff_client.get(url).context["cl"].result_count == model.objects.count() > 2


@pytest.mark.parametrize(("model", "term"), [(FAQEntry, "knee"), (Article, "night")])
def test_an_action_on_all_of_a_search_changes_nothing_when_more_matched_than_counted(
    content, staff_client, monkeypatch, model, term
):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    monkeypatch.setattr(CappedIndexedPaginator, "cap", 2)  # three match
    monkeypatch.setattr(admin.site._registry[model], "list_per_page", 1)
    before = model.objects.count()
    shown = staff_client.get(url, {"q": term})
    data = {
        "action": "delete_selected",
        "select_across": "1",
        "index": "0",
        "_selected_action": [shown.context["cl"].result_list[0].pk],
    }
    response = staff_client.post(f"{url}?q={term}", data, follow=True)
    assert model.objects.count() == before
    rows = model._meta.verbose_name_plural
    assert [str(m) for m in response.context["messages"]] == [
        f"More than 2 {rows} match this search, more than were listed: no items have been "
        "changed. Tick the rows to change, or add a word to narrow the search.",
        f"More than 2 {rows} match: the first 2 are listed. Add a word to narrow the search.",
    ]
    # Counted in full, "all" is what was offered: Django's confirmation page follows.
    monkeypatch.setattr(CappedIndexedPaginator, "cap", 3)
    confirm = staff_client.post(f"{url}?q={term}", data)
    assert confirm.status_code == 200
    assert len(confirm.context["queryset"]) == 3
