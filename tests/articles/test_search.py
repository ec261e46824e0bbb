from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import Article, Cause
from articles.views import SearchView
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
        # PostgreSQL: the capped count runs with two planner settings around it.
        with django_assert_max_num_queries(5 if connection.vendor == "sqlite" else 7):
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

    def test_suggestions_come_from_what_readers_can_see(self, client):
        """A cause or topic only drafts have suggested a word that finds nothing
        (and told readers what was being written)."""
        draft = make_draft(title="Coming soon", tags=["Magnesium"])
        add_cause(draft, make_cause(name="Potassium"))
        for typo in ("magnesum", "potasium"):
            assert client.get(SEARCH, {"q": typo}).context["suggestion"] == ""
        published = make_article(title="Cramps", tags=["Magnesium"])
        add_cause(published, Cause.objects.get(name="Potassium"))
        assert client.get(SEARCH, {"q": "magnesum"}).context["suggestion"] == "magnesium"
        assert client.get(SEARCH, {"q": "potasium"}).context["suggestion"] == "potassium"

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


def count_queries(client, query, **params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SEARCH, {"q": query, **params}).status_code == 200
    return len(queries)


class TestCappedResults:
    """Beyond search.RESULTS_CAP matches the count says "N+" and there are no more
    pages; a small cap and page size stand in for 1,000 and 20."""

    @pytest.fixture(autouse=True)
    def small_cap(self, monkeypatch):
        monkeypatch.setattr(search, "RESULTS_CAP", 12)
        monkeypatch.setattr(SearchView, "paginate_by", 5)

    def make_matches(self, n, first=0):
        for i in range(first, first + n):
            make_article(title=f"Gout {i}", publish_at=days_ago(i))

    def test_more_than_the_cap_shows_a_plus_and_stops_paging(self, client):
        self.make_matches(15)
        first = client.get(SEARCH, {"q": "gout"})
        assert first.context["paginator"].count == 12
        assert first.context["paginator"].num_pages == 3
        assert first.context["results_capped"] is True
        content = first.content.decode()
        assert "12+ articles" in content
        assert "Page 1 of 3" in content
        assert "Only the first" not in content
        last = client.get(SEARCH, {"q": "gout", "page": 3})
        assert found(client, "gout", page=3) == ["Gout 10", "Gout 11"]
        assert "Only the first 12 are listed." in last.content.decode()

    @pytest.mark.parametrize("page", ["4", "40", "99999999999999999999", "0", "-1", "x", "2.5"])
    def test_a_page_past_the_cap_is_a_404(self, client, page):
        self.make_matches(15)
        assert client.get(SEARCH, {"q": "gout", "page": page}).status_code == 404

    def test_last_is_the_last_capped_page(self, client):
        self.make_matches(15)
        response = client.get(SEARCH, {"q": "gout", "page": "last"})
        assert response.context["page_obj"].number == 3

    def test_exactly_the_cap_is_counted_exactly(self, client):
        self.make_matches(12)
        response = client.get(SEARCH, {"q": "gout"})
        assert response.context["results_capped"] is False
        assert "12 articles" in response.content.decode()
        assert "12+" not in response.content.decode()

    def test_one_match(self, client):
        self.make_matches(1)
        assert "1 article</h2>" in client.get(SEARCH, {"q": "gout"}).content.decode()

    def test_the_count_has_thousands_separators(self, client, monkeypatch):
        self.make_matches(1)
        monkeypatch.setattr(search, "RESULTS_CAP", 1000)
        for matches in (search.QuerySetMatches, search.RankedMatches):
            monkeypatch.setattr(matches, "_count_up_to", lambda self, limit: 5000)
        assert "1,000+ articles" in client.get(SEARCH, {"q": "gout"}).content.decode()

    def test_matches_act_like_a_sliced_queryset(self):
        self.make_matches(15)
        matches = search.search("gout").articles
        assert len(matches) == matches.count() == 12
        assert matches.exists()
        assert [a.title for a in matches[2:4]] == ["Gout 2", "Gout 3"]
        assert matches[11].title == "Gout 11"
        assert len(list(matches)) == 12  # never past the cap
        assert list(matches[10:100]) == list(matches[10:12])
        assert list(matches[20:30]) == []
        with pytest.raises(IndexError):
            matches[12]

    def test_the_query_count_does_not_grow_with_the_matches(self, client):
        # PostgreSQL, at most: questions; the matches' ids (with planner settings
        # around); a query per tier when past the cap, and the page's rows; snippets.
        bound = 4 if connection.vendor == "sqlite" else 9
        make_article(title="Toes", tags=["gout"], publish_at=days_ago(99))
        make_article(title="Diet", summary="Gout.", publish_at=days_ago(99))
        assert count_queries(client, "gout") <= bound
        self.make_matches(3)
        assert count_queries(client, "gout") <= bound
        self.make_matches(15, first=3)  # past the cap
        for page in (1, 2, 3):
            assert count_queries(client, "gout", page=page) <= bound


@postgresql_only
class TestRanking:
    """Three tiers, each newest first: the title has the words; else the title,
    subtitle, causes and tags together do; else the article does."""

    def test_title_then_head_then_body_each_newest_first(self, client):
        make_article(title="Sore feet", conclusion="Gout, maybe.", publish_at=days_ago(1))
        make_article(title="Toes", subtitle="Gout and more", publish_at=days_ago(2))
        make_article(title="Gout", publish_at=days_ago(30))
        make_article(title="Old gout", publish_at=days_ago(40))
        add_cause(make_article(title="Big toe", publish_at=days_ago(3)), make_cause(name="Gout"))
        make_article(title="Joints", tags=["gout"], publish_at=days_ago(50))
        make_article(title="Diet", summary="Gout and purines.", publish_at=days_ago(60))
        assert found(client, "gout") == [
            "Gout", "Old gout",  # title
            "Toes", "Big toe", "Joints",  # subtitle, cause, tag
            "Sore feet", "Diet",  # anywhere else
        ]  # fmt: skip

    def test_every_word_in_the_title_beats_words_spread_over_the_head(self, client):
        make_article(title="Knee", subtitle="Pain after running", publish_at=days_ago(1))
        make_article(title="Knee pain", publish_at=days_ago(9))
        make_article(title="Running", summary="Knee pain is common.", publish_at=days_ago(0))
        assert found(client, "knee pain") == ["Knee pain", "Knee", "Running"]

    def test_a_page_across_the_tiers(self, client, monkeypatch):
        monkeypatch.setattr(SearchView, "paginate_by", 2)
        for n in range(3):
            make_article(title=f"Gout {n}", publish_at=days_ago(n))
            make_article(title=f"Toes {n}", tags=["gout"], publish_at=days_ago(n))
            make_article(title=f"Diet {n}", summary="Gout.", publish_at=days_ago(n))
        pages = [found(client, "gout", page=page) for page in range(1, 6)]
        assert pages == [
            ["Gout 0", "Gout 1"],
            ["Gout 2", "Toes 0"],
            ["Toes 1", "Toes 2"],
            ["Diet 0", "Diet 1"],
            ["Diet 2"],
        ]

    def test_past_the_cap_pages_come_tier_by_tier(self, client, monkeypatch):
        monkeypatch.setattr(search, "RESULTS_CAP", 6)
        monkeypatch.setattr(SearchView, "paginate_by", 2)
        for n in range(3):
            make_article(title=f"Gout {n}", publish_at=days_ago(n))
            make_article(title=f"Toes {n}", tags=["gout"], publish_at=days_ago(n))
            make_article(title=f"Diet {n}", summary="Gout.", publish_at=days_ago(n))
        pages = [found(client, "gout", page=page) for page in (1, 2, 3)]
        assert pages == [["Gout 0", "Gout 1"], ["Gout 2", "Toes 0"], ["Toes 1", "Toes 2"]]
        assert client.get(SEARCH, {"q": "gout", "page": 4}).status_code == 404

    def test_the_two_ways_of_ordering_agree(self):
        # All the matches, ordered in one query (up to the cap), or tier by tier.
        for n in range(4):
            make_article(title=f"Gout {n}", summary="Toes.", publish_at=days_ago(n))
            make_article(title=f"Toes {n}", tags=["gout"], publish_at=days_ago(2 * n))
            add_cause(make_article(title=f"Big toe {n}", publish_at=days_ago(3 * n)))
            make_article(title=f"Diet {n}", summary="Gout, big toe.", publish_at=days_ago(n))
        for query in ("gout", "toes", "gout -diet", '"big toe"', "gout OR toe", "toe gout"):
            matches = search.search(query).articles
            assert matches.count() > 2, query
            ordered = [article.pk for article in matches[:100]]
            assert matches._ids(100)[: len(ordered)] == ordered, query

    def test_an_excluded_word_anywhere_excludes(self, client):
        make_article(title="Leg pain", conclusion="Not cramps.")
        make_article(title="Leg ache", tags=["cramps"])
        make_article(title="Leg stiffness")
        response = client.get(SEARCH, {"q": "leg -cramps"})
        assert [article.title for article in response.context["object_list"]] == ["Leg stiffness"]
        assert response.context["paginator"].count == 1

    def test_a_quoted_phrase_in_every_part(self, client):
        make_article(title="Lower back pain", publish_at=days_ago(5))
        make_article(title="Sciatica", tags=["lower back"], publish_at=days_ago(4))
        make_article(title="Posture", summary="Your lower back aches.", publish_at=days_ago(1))
        make_article(title="Back", summary="Back to the lower shelf.", publish_at=days_ago(0))
        response = client.get(SEARCH, {"q": '"lower back"'})
        titles = [article.title for article in response.context["object_list"]]
        assert titles == ["Lower back pain", "Sciatica", "Posture"]
        assert response.context["paginator"].count == 3

    def test_a_quoted_phrase_among_many_articles_with_its_words(self, client, monkeypatch):
        # Past RESULTS_CAP + 1 articles with the words, the text is not read; titles
        # and heads are in the row, and always checked.
        monkeypatch.setattr(search, "RESULTS_CAP", 3)
        for n in range(6):
            make_article(title=f"Shelf {n}", summary="Back to the lower shelf.")
        make_article(title="Lower back", summary="Back to the lower shelf.", publish_at=days_ago(9))
        assert found(client, '"lower back"') == ["Lower back"]

    def test_the_head_vector_stays_in_the_row_and_the_indexes_match_the_queries(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attstorage FROM pg_attribute"
                " WHERE attrelid = 'articles_article'::regclass AND attname = 'search_head'"
            )
            assert cursor.fetchone() == ("m",)  # MAIN: not moved out to TOAST
            # Scans disallowed: a GIN index is used if its expression is the query's.
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        tsquery = search._tsquery("gout")
        titles = Article.objects.alias(title_vector=search.title_vector())
        assert "article_search_title_gin" in titles.filter(title_vector=tsquery).explain()
        assert "article_search_head_gin" in Article.objects.filter(search_head=tsquery).explain()

    def test_the_planner_settings_of_the_count_are_put_back(self, client):
        # Inside a transaction (here, the test's), set_config(…, true) would outlast it.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        make_article(title="Gout")
        assert found(client, "gout") == ["Gout"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')"
            )
            assert cursor.fetchone() == ("off", "on")


@postgresql_only
class TestTheHeadFollowsEdits:
    """`search_head` (title A; subtitle, causes, tags B) is refreshed with
    `search_vector`, through articles.changes, whatever changes."""

    def head(self, article):
        article.refresh_from_db(fields=["search_head"])
        return str(article.search_head)

    def test_what_goes_in_and_what_does_not(self):
        article = make_article(
            title="Gout", subtitle="Toes", summary="Purines.", conclusion="Cherries."
        )
        add_cause(article, make_cause(name="Uric acid"), explanation="Crystals.")
        add_faq(article, question="Beer?", answer="Less.")
        article.tags.add("joints")
        head = self.head(article)
        for lexeme in ("'gout':1A", "'toe':", "'uric':", "'acid':", "'joint':"):
            assert lexeme in head
        for word in ("purin", "cherri", "crystal", "beer", "less"):
            assert word not in head
        assert "'toe':2B" in head

    def test_a_new_title(self):
        article = make_article(title="Gout")
        article.title = "Podagra"
        article.save()
        assert "podagra" in self.head(article)
        assert "gout" not in self.head(article)

    def test_a_new_subtitle(self):
        article = make_article(title="Gout", subtitle="")
        article.subtitle = "Swollen toes"
        article.save()
        assert "swollen" in self.head(article)

    def test_causes_added_renamed_and_removed(self):
        article = make_article(title="Gout")
        cause = make_cause(name="Dehydration")
        row = add_cause(article, cause)
        assert "dehydr" in self.head(article)
        cause.name = "Fructose"
        cause.save()
        assert "fructos" in self.head(article)
        assert "dehydr" not in self.head(article)
        row.delete()
        assert "fructos" not in self.head(article)

    def test_tags_added_renamed_and_cleared(self):
        article = make_article(title="Gout")
        article.tags.add("toes")
        assert "toe" in self.head(article)
        tag = article.tags.get()
        tag.name = "ankles"
        tag.save()
        assert "ankl" in self.head(article)
        article.tags.clear()
        assert "ankl" not in self.head(article)

    def test_an_admin_save(self, staff_client):
        article = make_article(title="Cramps")
        add_cause(article, make_cause(name="Dehydration"))
        url = reverse("admin:articles_article_change", args=[article.pk])
        data = admin_form(staff_client.get(url))
        data["title"] = ["Night cramps"]
        data["subtitle"] = ["Calves"]
        assert staff_client.post(url, data).status_code == 302
        head = self.head(article)
        assert "'night':1A" in head
        assert "calv" in head

    def test_ranking_follows(self, client):
        article = make_article(title="Toes", publish_at=days_ago(9))
        make_article(title="Diet", summary="Gout.", publish_at=days_ago(1))
        assert found(client, "gout") == ["Diet"]
        article.tags.add("gout")
        assert found(client, "gout") == ["Toes", "Diet"]


@postgresql_only
def test_no_search_query_is_prepared_so_each_is_planned_for_its_words(client):
    """A prepared statement may fall back to one generic plan; a search must not."""
    for n in range(3):
        make_article(title=f"Knee pain {n}", tags=["knees"])
    threshold = connection.connection.prepare_threshold
    for _ in range(8):  # more than psycopg's threshold
        for query in ("knee pain", '"knee pain"', "knee -pain", "kneee"):
            assert client.get(SEARCH, {"q": query}).status_code == 200
    prepared = connection.connection.execute("SELECT statement FROM pg_prepared_statements")
    assert not [sql for (sql,) in prepared if "tsquery" in sql]
    assert connection.connection.prepare_threshold == threshold  # as it was


@postgresql_only
def test_a_search_that_ends_in_a_404_leaves_the_connection_as_it_was(client):
    make_article(title="Knee pain")
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert client.get(SEARCH, {"q": "knee", "page": "99"}).status_code == 404
    assert connection.connection.prepare_threshold == threshold
    assert found(client, "knee") == ["Knee pain"]
