"""healthsite/db.py: JSON lists of related rows, their SQL built once per queryset."""

from unittest import mock

from django.db.models import Subquery

from articles.models import Article
from tests.factories import add_cause, make_article, make_cause


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
