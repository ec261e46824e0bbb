from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import add_cause, add_faq, make_article, make_cause, make_draft
from tests.forms import admin_form

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL full-text search; CI runs these on PostgreSQL, SQLite has the fallback",
)


def found(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return [article.title for article in response.context["object_list"]]


def days_ago(n):
    return timezone.now() - timedelta(days=n)


class TestFinding:
    def test_a_title_hit_outranks_a_body_hit(self, client):
        make_article(title="Sore feet", conclusion="Migraine is unrelated.", publish_at=days_ago(1))
        make_article(title="Migraine", summary="Headaches.", publish_at=days_ago(9))
        assert found(client, "migraine") == ["Migraine", "Sore feet"]

    def test_stemming(self, client):
        make_article(title="Why does my eyelid twitch?")
        assert found(client, "twitching") == ["Why does my eyelid twitch?"]
        assert found(client, "twitches") == ["Why does my eyelid twitch?"]

    def test_every_part_of_the_article_is_searched(self, client):
        article = make_article(
            title="Leg cramps",
            subtitle="Subtitleword",
            summary="Summaryword",
            conclusion="Conclusionword",
            faq_intro="Leadinword",
            tags=["tagword"],
        )
        add_cause(article, make_cause(name="Causeword"), explanation="Explanationword")
        add_faq(article, question="Questionword?", answer="Answerword")
        for word in (
            "subtitleword",
            "summaryword",
            "conclusionword",
            "leadinword",
            "tagword",
            "causeword",
            "explanationword",
            "questionword",
            "answerword",
        ):
            assert found(client, word) == ["Leg cramps"], word

    def test_all_words_must_match(self, client):
        make_article(title="Night cramps", summary="Calf pain at night.")
        make_article(title="Day cramps", summary="Calf pain in the day.")
        assert found(client, "calf night") == ["Night cramps"]

    def test_only_published_articles(self, client):
        make_draft(title="Draft twitch")
        make_article(title="Scheduled twitch", publish_at=timezone.now() + timedelta(days=1))
        make_article(title="Archived twitch", status="archived")
        make_article(title="Live twitch")
        assert found(client, "twitch") == ["Live twitch"]

    def test_site_wide_questions_are_found(self, client):
        add_faq(question="Who reviews the articles?", answer="Doctors and nurses.")
        add_faq(make_draft(), question="Who reviews drafts?", answer="Hidden.")
        response = client.get(SEARCH, {"q": "reviews"})
        assert [e.question for e in response.context["questions"]] == ["Who reviews the articles?"]

    def test_results_are_paginated_and_keep_the_query(self, client):
        for n in range(25):
            make_article(title=f"Knee pain {n}", publish_at=days_ago(n))
        first = client.get(SEARCH, {"q": "knee"})
        assert len(first.context["object_list"]) == 20
        assert first.context["paginator"].count == 25
        content = first.content.decode()
        assert 'href="?q=knee&amp;page=2"' in content
        assert 'name="q" value="knee"' in content  # the query stays in the box
        assert len(client.get(SEARCH, {"q": "knee", "page": 2}).context["object_list"]) == 5

    def test_snippets_are_highlighted_and_escaped(self, client):
        make_article(title="Cramps", summary="Night cramps & <script>alert(1)</script> at night.")
        content = client.get(SEARCH, {"q": "night"}).content.decode()
        assert "<mark>" in content
        assert "&lt;script&gt;" in content
        assert "<script>alert" not in content

    def test_the_search_box_is_on_every_page(self, client):
        article = make_article()
        for url in (reverse("home"), article.get_absolute_url(), reverse("faq:list")):
            content = client.get(url).content.decode()
            assert 'role="search"' in content
            assert f'action="{SEARCH}"' in content

    def test_query_count_is_bounded(self, client, django_assert_max_num_queries):
        for n in range(25):
            article = make_article(title=f"Knee pain {n}", tags=["knees"])
            add_cause(article)
        with django_assert_max_num_queries(5):
            client.get(SEARCH, {"q": "knee"})


class TestTheIndexFollowsEdits:
    def test_renaming_a_shared_cause(self, client):
        cause = make_cause(name="Dehydration")
        for title in ("Headache", "Cramps"):
            add_cause(make_article(title=title), cause)
        assert found(client, "electrolytes") == []
        cause.name = "Low electrolytes"
        cause.save()
        assert sorted(found(client, "electrolytes")) == ["Cramps", "Headache"]

    def test_editing_a_question(self, client):
        article = make_article(title="Cramps")
        entry = add_faq(article, answer="Stretch.")
        assert found(client, "quinine") == []
        entry.answer = "Do not take quinine without advice."
        entry.save()
        assert found(client, "quinine") == ["Cramps"]
        entry.delete()
        assert found(client, "quinine") == []

    def test_changing_tags(self, client):
        article = make_article(title="Cramps")
        article.tags.add("sportsmedicine")
        assert found(client, "sportsmedicine") == ["Cramps"]
        article.tags.clear()
        assert found(client, "sportsmedicine") == []

    def test_inline_edits_in_the_admin(self, staff_client, client):
        article = make_article(title="Cramps")
        add_cause(article, make_cause(name="Dehydration"))
        add_faq(article, question="Why?", answer="Because.")
        url = reverse("admin:articles_article_change", args=[article.pk])
        data = admin_form(staff_client.get(url))
        data["faq_entries-0-answer"] = ["Often magnesium."]
        data["article_causes-0-explanation"] = ["Sweating in hot weather."]
        assert staff_client.post(url, data).status_code == 302
        assert found(client, "magnesium") == ["Cramps"]
        assert found(client, "sweating") == ["Cramps"]

    def test_removing_a_cause_row(self, client):
        article = make_article(title="Cramps")
        row = add_cause(article, make_cause(name="Hypothyroidism"))
        assert found(client, "hypothyroidism") == ["Cramps"]
        row.delete()
        assert found(client, "hypothyroidism") == []


class TestOddQueries:
    @pytest.mark.parametrize(
        "query",
        [
            "",
            "   ",
            "santé",
            "頭痛",
            "😀 headache",
            '"unclosed quote',
            "'single' \"double\"",
            "&|!:*()",
            "' OR 1=1 --",
            "'; DROP TABLE articles_article; --",
            "a" * 5000,
            "word " * 1000,
            "head\x00ache",
            "<script>alert(1)</script>",
            "-",
            "OR",
            "!!!",
        ],
    )
    def test_any_input_answers_200(self, client, query):
        make_article(title="Headache")
        response = client.get(SEARCH, {"q": query})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()
        assert Article.objects.count() == 1

    def test_the_empty_query_helps(self, client):
        response = client.get(SEARCH)
        content = response.content.decode()
        assert response.status_code == 200
        assert "Type a symptom" in content
        assert response.context["object_list"] == []

    def test_a_typo_gets_a_suggestion(self, client):
        make_article(title="Do you need magnesium?")
        response = client.get(SEARCH, {"q": "magnesum"})
        assert response.context["object_list"] == []
        assert response.context["suggestion"] == "magnesium"
        assert 'Did you mean <a href="?q=magnesium">magnesium</a>?' in response.content.decode()

    def test_no_suggestion_when_results_exist_or_nothing_is_close(self, client):
        make_article(title="Do you need magnesium?")
        assert client.get(SEARCH, {"q": "magnesium"}).context["suggestion"] == ""
        assert client.get(SEARCH, {"q": "zzzzqqq"}).context["suggestion"] == ""


@postgresql_only
class TestFullText:
    def test_cause_and_tag_hits_outrank_body_hits(self, client):
        body = make_article(title="A", summary="Gout can hurt.", publish_at=days_ago(1))
        cause = make_article(title="B", publish_at=days_ago(5))
        add_cause(cause, make_cause(name="Gout"))
        tagged = make_article(title="C", tags=["gout"], publish_at=days_ago(9))
        first, second, last = found(client, "gout")
        assert {first, second} == {cause.title, tagged.title}
        assert last == body.title

    def test_the_vector_is_stored_and_the_gin_index_exists(self):
        article = make_article(title="Knee pain")
        article.refresh_from_db()
        assert "knee" in str(article.search_vector)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_vector_gin'"
            )
            assert "gin (search_vector)" in cursor.fetchone()[0]

    def test_websearch_syntax(self, client):
        make_article(title="Leg cramps at night")
        make_article(title="Leg pain in the day")
        assert found(client, '"leg cramps"') == ["Leg cramps at night"]
        assert found(client, "leg -cramps") == ["Leg pain in the day"]

    def test_an_admin_save_refreshes_the_index_once(self, staff_client):
        article = make_article(title="Cramps")
        for _ in range(5):
            add_cause(article)
            add_faq(article)
        url = reverse("admin:articles_article_change", args=[article.pk])
        data = admin_form(staff_client.get(url))
        for n in range(5):
            data[f"faq_entries-{n}-answer"] = [f"Changed {n}."]
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.post(url, data).status_code == 302
        refreshes = [q for q in queries if "SET search_vector" in q["sql"]]
        assert len(refreshes) == 1
