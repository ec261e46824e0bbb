"""Pages far down a listing, read through its index (healthsite/pagination.py)."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.views import ArticleListView, CauseDetailView, TagDetailView
from healthsite.pagination import IndexedPaginator
from tests.factories import add_cause, make_article, make_cause, make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    """Eleven published articles, three of them published at the same moment (their
    order is the id's), and a draft and a scheduled article that no page shows."""
    now = timezone.now()
    for n in range(8):
        make_article(title=f"Day {n}", publish_at=now - timedelta(days=n + 1), tags=["legs"])
    for n in range(3):
        make_article(title=f"Tied {n}", publish_at=now - timedelta(days=10), tags=["legs"])
    make_draft(title="Draft", tags=["legs"])
    make_article(title="Scheduled", publish_at=now + timedelta(days=1), tags=["legs"])
    return Article.objects.published().for_listing()


def pages(paginator):
    return [[a.title for a in paginator.page(n)] for n in paginator.page_range]


def test_every_page_holds_what_an_offset_would(listing):
    indexed = IndexedPaginator(listing, 2)
    indexed.skip_in_index_from = 4  # from the third page on
    assert pages(indexed) == pages(Paginator(listing, 2))
    assert len(pages(indexed)) == 6
    assert pages(indexed)[-1] == ["Tied 0"]  # ties: the newest id first


def test_pages_far_down_find_their_ids_in_a_subquery(listing):
    paginator = IndexedPaginator(listing, 2)
    paginator.skip_in_index_from = 4
    assert paginator.count == 11  # counted once, before
    for number, in_index in ((1, False), (2, False), (3, True), (6, True)):
        with CaptureQueriesContext(connection) as queries:
            list(paginator.page(number))
        assert len(queries) == 1
        sql = queries[0]["sql"]
        assert ("IN (SELECT" in sql) == in_index, number
        assert ("OFFSET" in sql) == (number > 1), number


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_ids_come_from_the_listing_index_alone(listing):
    paginator = IndexedPaginator(listing, 2)
    paginator.skip_in_index_from = 0
    assert paginator.count == 11
    with CaptureQueriesContext(connection) as queries:
        list(paginator.page(4))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # as with many articles
        cursor.execute(f"EXPLAIN {queries[0]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using article_listing_idx" in plan, plan


@pytest.mark.parametrize("view", [ArticleListView, CauseDetailView, TagDetailView])
def test_the_listings_page_through_the_index(view):
    assert view.paginator_class is IndexedPaginator


def test_a_far_page_of_each_listing_holds_the_right_articles(client, listing, monkeypatch):
    cause = make_cause(name="Cramp")
    for article in listing:
        add_cause(article, cause)
    for view in (ArticleListView, CauseDetailView, TagDetailView):
        monkeypatch.setattr(view, "paginate_by", 2)
    monkeypatch.setattr(IndexedPaginator, "skip_in_index_from", 2)
    expected = pages(Paginator(listing, 2))
    for url in (
        reverse("articles:list"),
        reverse("articles:cause", args=[cause.slug]),
        reverse("articles:tag", args=["legs"]),
    ):
        found = [
            [a.title for a in client.get(url, {"page": n}).context["page_obj"]] for n in range(1, 7)
        ]
        assert found == expected, url
        assert client.get(url, {"page": 7}).status_code == 404
