"""healthsite/db.py: JSON lists of related rows, their SQL built once per queryset;
queries prepared once and run with new values."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models import DateTimeField, SlugField, Subquery, UUIDField
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from articles.models import Article
from healthsite.db import Param, Prepared, TimedOut, statement_time_limit
from tests.factories import add_cause, make_article, make_cause, make_user


def test_each_article_gets_its_own_rows_from_one_shared_queryset(db):
    shared = Article.objects.for_detail()
    first, second = make_article(), make_article()
    add_cause(first, make_cause(name="Gout"))
    add_cause(second, make_cause(name="Bunions"))
    add_cause(second, make_cause(name="Corns"))
    for article, names in ((first, ["Gout"]), (second, ["Bunions", "Corns"])):
        rows = shared.get(pk=article.pk).causes_data
        assert sorted(row["cause_name"] for row in rows) == names


def test_a_shared_querysets_subqueries_are_built_once(db):
    shared = Article.objects.for_detail()
    with mock.patch.object(Subquery, "as_sql", autospec=True, side_effect=Subquery.as_sql) as built:
        shared.filter(slug="a").first()
        once = built.call_count
        shared.filter(slug="b").first()
        assert once == 5  # causes, questions, tags, pinned links, sources
        assert built.call_count == once
        # A new queryset builds its own.
        Article.objects.for_detail().filter(slug="c").first()
        assert built.call_count == 2 * once


def test_a_shared_queryset_used_inside_another_query_builds_that_querys_sql(db):
    """Its subqueries there refer to other table aliases: SQL kept from the
    queryset's own runs would read the outer query's rows instead."""
    shared = Article.objects.for_detail()
    first, second = make_article(), make_article()
    add_cause(first, make_cause(name="Gout"))
    add_cause(second, make_cause(name="Corns"))
    shared.get(pk=first.pk)  # its SQL built, and kept
    inner = Subquery(shared.filter(pk=second.pk).values("causes_data")[:1])
    rows = {article.pk: article.data for article in Article.objects.annotate(data=inner)}
    names = {pk: [row["cause_name"] for row in data] for pk, data in rows.items()}
    assert names == {first.pk: ["Corns"], second.pk: ["Corns"]}


def published_by_slug():
    return Prepared(
        Article.objects.for_detail()
        .published(now=Param("now", DateTimeField()))
        .filter(slug=Param("slug", SlugField()))
    )


class TestPrepared:
    def test_each_run_finds_the_rows_of_its_own_values(self, db):
        first, second = make_article(slug="first"), make_article(slug="second")
        add_cause(second, make_cause(name="Corns"))
        prepared, now = published_by_slug(), timezone.now()
        assert prepared.run(slug="first", now=now) == [first]
        [found] = prepared.run(slug="second", now=now)
        assert found == second
        assert [row["cause_name"] for row in found.causes_data] == ["Corns"]  # JSON, converted
        assert prepared.run(slug="third", now=now) == []

    def test_its_sql_is_built_once(self, db):
        make_article(slug="first")
        prepared, now = published_by_slug(), timezone.now()
        build = mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        )
        with build as built:
            prepared.run(slug="first", now=now)
            once = built.call_count  # the query and its subqueries
            prepared.run(slug="second", now=now)
            prepared.run(slug="first", now=now + timedelta(days=1))
        assert once > 0
        assert built.call_count == once

    def test_each_runs_time_is_used(self, db):
        article = make_article(slug="soon", publish_at=timezone.now() + timedelta(hours=1))
        prepared = published_by_slug()
        assert prepared.run(slug="soon", now=timezone.now()) == []
        assert prepared.run(slug="soon", now=timezone.now() + timedelta(hours=2)) == [article]

    def test_a_value_is_given_to_the_database_as_its_field_gives_it(self, db):
        """SQLite cannot take a UUID as it is: its field makes it text, as in a filter."""
        article = make_article()
        prepared = Prepared(Article.objects.filter(edit_token=Param("token", UUIDField())))
        assert prepared.run(token=article.edit_token) == [article]
        assert prepared.run(token=uuid.uuid4()) == []

    def test_rows_have_the_querysets_columns_and_defer_the_rest(
        self, db, django_assert_num_queries
    ):
        make_article(slug="first", author=make_user(first_name="Ann", last_name="Author"))
        with django_assert_num_queries(1):
            [found] = published_by_slug().run(slug="first", now=timezone.now())
            assert found.title and found.summary_html is not None
            assert found.author_data["first_name"] == "Ann"
        assert found.get_deferred_fields() == {"search_vector", "search_head"}

    def test_values_list_rows_unions_included(self, db):
        make_article(slug="first")
        make_article(slug="second", status=Article.Status.DRAFT, publish_at=None)
        slug = Param("slug", SlugField())
        published = Article.objects.published(now=Param("now", DateTimeField()))
        ones = published.filter(slug=slug).values_list("slug", "status").order_by()
        drafts = Article.objects.filter(status="draft").values_list("slug", "status").order_by()
        prepared = Prepared(ones.union(drafts, all=True))
        now = timezone.now()
        assert sorted(prepared.rows(slug="first", now=now)) == [
            ("first", "published"), ("second", "draft")
        ]  # fmt: skip
        assert prepared.rows(slug="third", now=now) == [("second", "draft")]
        with pytest.raises(TypeError):
            prepared.run(slug="first", now=now)
        with pytest.raises(TypeError):
            published_by_slug().rows(slug="first", now=now)

    def test_refuses_what_a_raw_query_cannot_fill(self):
        with pytest.raises(TypeError):
            Prepared(Article.objects.values("title"))
        with pytest.raises(TypeError):
            Prepared(Article.objects.select_related("author"))
        with pytest.raises(TypeError):
            Prepared(Article.objects.prefetch_related("tags"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout")
class TestStatementTimeLimit:
    def timeout(self):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    def test_a_query_past_the_limit_is_cancelled_and_the_transaction_goes_on(self, db):
        article = make_article()
        with pytest.raises(TimedOut), statement_time_limit(0.05), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
        assert Article.objects.get(pk=article.pk) == article
        assert self.timeout() == "0"

    def test_queries_within_the_limit_run_and_the_limit_is_put_back(self, db):
        article = make_article()
        with statement_time_limit(5):
            assert self.timeout() == "5s"
            assert Article.objects.get(pk=article.pk) == article
        assert self.timeout() == "0"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what it does elsewhere (SQLite)")
def test_the_time_limit_does_nothing_elsewhere(db):
    with statement_time_limit(0.001):
        assert Article.objects.count() == 0
