"""Sitemaps, the RSS feed and robots.txt: what crawlers and feed readers get."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import http_date

from articles.models import Article
from healthsite.pagination import IndexedPaginator
from healthsite.sitemaps import ArticleSitemap, urlset_xml
from tests.factories import add_cause, make_article, make_cause, make_draft

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SECTIONS = ["static", "articles", "causes", "tags"]


def absolute(path):
    return f"http://testserver{path}"


def section_url(section):
    return reverse("django.contrib.sitemaps.views.sitemap", kwargs={"section": section})


def get_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, ET.fromstring(response.content)


def sitemap_entries(client, section):
    """{location: lastmod or None} for one sitemap section."""
    _, root = get_xml(client, section_url(section))
    return {
        url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("sm:url", SITEMAP_NS)
    }


def unpublished_articles(**overrides):
    """One of each kind of article a reader must not see."""
    future = timezone.now() + timedelta(days=1)
    return [
        make_draft(**overrides),
        make_article(status=Article.Status.IN_REVIEW, publish_at=None, **overrides),
        make_article(status=Article.Status.ARCHIVED, **overrides),
        make_article(publish_at=future, **overrides),
    ]


# --- Sitemaps -------------------------------------------------------------


def test_sitemap_index_lists_every_section(client):
    make_article()
    response, root = get_xml(client, "/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    locations = [loc.text for loc in root.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
    assert locations == [absolute(f"/sitemap-{section}.xml") for section in SECTIONS]


def test_static_section_lists_the_fixed_pages(client):
    entries = sitemap_entries(client, "static")
    assert set(entries) == {
        absolute(reverse(name)) for name in ["home", "articles:list", "articles:tags", "faq:list"]
    }


def test_articles_section_lists_published_articles_with_lastmod(client):
    older = make_article(publish_at=timezone.now() - timedelta(days=2))
    newer = make_article()
    unpublished = unpublished_articles()

    entries = sitemap_entries(client, "articles")

    assert list(entries) == [absolute(newer.get_absolute_url()), absolute(older.get_absolute_url())]
    assert all(entries.values())
    for article in unpublished:
        assert absolute(article.get_absolute_url()) not in entries


def test_causes_section_lists_only_causes_of_published_articles(client):
    listed = make_cause(name="Dehydration")
    add_cause(make_article(), listed)
    add_cause(make_article(), listed)  # listed twice, in the sitemap once
    for article in unpublished_articles():
        add_cause(article)
    make_cause(name="Unused")

    entries = sitemap_entries(client, "causes")

    assert list(entries) == [absolute(listed.get_absolute_url())]


def test_tags_section_lists_tags_of_published_articles_only(client):
    make_article(tags=["headache", "sleep"])
    make_article(tags=["sleep"])
    unpublished_articles(tags=["secret"])
    make_draft(tags=["headache"])
    cause = make_cause()
    cause.tags.set(["cause-only"])

    entries = sitemap_entries(client, "tags")

    assert set(entries) == {
        absolute(reverse("articles:tag", args=[slug])) for slug in ["headache", "sleep"]
    }


def add_articles(count):
    """Published articles, each with a cause and a tag of its own, and a shared tag."""
    for _ in range(count):
        article = make_article()
        article.tags.set([article.slug, "common"])
        add_cause(article)


@pytest.mark.parametrize(
    ("section", "urls"), [("static", 4), ("articles", 25), ("causes", 25), ("tags", 26)]
)
def test_sitemap_section_queries_do_not_grow_with_items(
    client, django_assert_max_num_queries, section, urls
):
    # A count and one page of rows.
    add_articles(2)
    with django_assert_max_num_queries(2):
        client.get(section_url(section))
    add_articles(23)
    with django_assert_max_num_queries(2):
        response = client.get(section_url(section))
    assert response.status_code == 200
    assert len(sitemap_entries(client, section)) == urls


def test_sitemap_index_queries_do_not_grow_with_items(client, django_assert_max_num_queries):
    # A count per section with a database, and the articles' latest lastmod.
    add_articles(2)
    with django_assert_max_num_queries(4):
        client.get("/sitemap.xml")
    add_articles(23)
    with django_assert_max_num_queries(4):
        response = client.get("/sitemap.xml")
    assert response.status_code == 200


@pytest.mark.parametrize("in_index", [False, True])
def test_large_sections_are_paged(client, monkeypatch, in_index):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    # The second page found in the listing index (healthsite/pagination.py), or not.
    monkeypatch.setattr(IndexedPaginator, "skip_in_index_from", 2 if in_index else 200)
    articles = [make_article(publish_at=timezone.now() - timedelta(days=n + 1)) for n in range(3)]

    _, index = get_xml(client, "/sitemap.xml")
    locations = [loc.text for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
    assert absolute("/sitemap-articles.xml?p=2") in locations
    assert absolute("/sitemap-articles.xml?p=3") not in locations

    with CaptureQueriesContext(connection) as queries:
        _, page_2 = get_xml(client, section_url("articles") + "?p=2")
    assert [loc.text for loc in page_2.findall("sm:url/sm:loc", SITEMAP_NS)] == [
        absolute(articles[2].get_absolute_url())
    ]
    assert any("IN (SELECT" in query["sql"] for query in queries) == in_index


def test_sections_are_the_bytes_djangos_template_would_write(client, settings):
    """`urlset_xml` writes the files without the template (a tenth of its time)."""
    settings.TIME_ZONE = "Europe/London"
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 1 July in London, as templates show it
    urls = [
        {"location": "http://x/a?b=1&c='d'", "lastmod": late, "changefreq": "daily",
         "priority": "0.5", "alternates": [{"lang_code": "fr", "location": "http://x/fr&"}]},
        {"location": "http://x/b", "lastmod": date(2025, 1, 2), "changefreq": None,
         "priority": "", "alternates": []},
        {"location": "http://x/c", "lastmod": None},
    ]  # fmt: skip
    with timezone.override("Europe/London"):
        assert urlset_xml(urls) == render_to_string("sitemap.xml", {"urlset": urls})
    assert "<lastmod>2026-07-01</lastmod>" in urlset_xml(urls)
    assert urlset_xml([]) == render_to_string("sitemap.xml", {"urlset": []})

    make_article(title="Knees & hips")
    for section in SECTIONS:
        response = client.get(section_url(section))
        assert not response.templates  # written without it
        assert response.content.decode() == render_to_string(
            "sitemap.xml", {"urlset": response.context_data["urlset"]}
        )


@pytest.mark.parametrize(
    "url", [section_url("articles"), reverse("feed")], ids=["sitemap section", "feed"]
)
def test_a_file_that_lost_an_article_is_not_answered_not_modified(client, url):
    """Django's views sent the newest item's date as Last-Modified: an article
    unpublished did not move it, and a crawler or feed reader asking
    If-Modified-Since alone was told 304, and kept the withdrawn article. The
    ETag, the content's own, answers conditional requests."""
    gone = make_article(title="Withdrawn advice")
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        make_article(title="Newest")
    first = client.get(url)
    assert "Last-Modified" not in first
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    since = http_date((timezone.now() + timedelta(minutes=1)).timestamp())
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        gone.status = Article.Status.DRAFT
        gone.save()
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 200
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_sitemap_that_gained_a_scheduled_article_is_not_answered_not_modified(client):
    """Saved before the newest article, it appears at its publish time with an
    older date than that article's: the newest date did not move."""
    now = timezone.now()
    soon = make_article(title="Coming soon", publish_at=now + timedelta(minutes=5))
    with time_machine.travel(now + timedelta(seconds=30)):
        make_article(title="Already out")
        etag = client.get(section_url("articles"))["ETag"]
    since = http_date((now + timedelta(minutes=1)).timestamp())
    with time_machine.travel(now + timedelta(minutes=6)):
        for conditional in ({"HTTP_IF_MODIFIED_SINCE": since}, {"HTTP_IF_NONE_MATCH": etag}):
            response = client.get(section_url("articles"), **conditional)
            assert response.status_code == 200
            assert soon.slug in response.content.decode()


def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.parametrize("page", ["abc", "999", "0", ""])
def test_bad_sitemap_page_is_404(client, page):
    make_article()
    assert client.get(section_url("articles"), {"p": page}).status_code == 404


# --- RSS feed -------------------------------------------------------------


def feed_items(client):
    response, root = get_xml(client, reverse("feed"))
    assert root.tag == "rss"
    return response, root.find("channel"), root.findall("channel/item")


def test_feed_lists_published_articles_newest_first(client):
    older = make_article(
        publish_at=timezone.now() - timedelta(days=2), meta_description="For search engines."
    )
    newer = make_article(subtitle="Causes and remedies")
    unpublished_articles()

    response, channel, items = feed_items(client)

    assert response["Content-Type"].startswith("application/rss+xml")
    assert channel.findtext("title") == "Healthsite"
    assert channel.findtext("link") == absolute("/")
    assert [item.findtext("link") for item in items] == [
        absolute(newer.get_absolute_url()),
        absolute(older.get_absolute_url()),
    ]
    assert [item.findtext("description") for item in items] == [
        "Causes and remedies",
        "For search engines.",
    ]
    assert all(item.findtext("pubDate") for item in items)


def test_feed_holds_the_latest_twenty(client):
    for days in range(22):
        make_article(publish_at=timezone.now() - timedelta(days=days + 1))
    _, _, items = feed_items(client)
    assert len(items) == 20


def test_feed_escapes_markup_in_titles_and_descriptions(client):
    title = 'Ears & <script>alert("x")</script>'
    make_article(title=title, meta_description="<b>Bold</b> & brave")

    response, _, items = feed_items(client)

    assert b"<script>" not in response.content
    # Readers treat these fields as HTML: the text they get is escaped HTML.
    assert items[0].findtext("title") == escape(title)
    assert items[0].findtext("description") == escape("<b>Bold</b> & brave")


def test_pages_advertise_the_feed(client):
    response = client.get(reverse("home"))
    assert f'type="application/rss+xml" title="Healthsite articles" href="{reverse("feed")}"' in (
        response.content.decode()
    )


# --- robots.txt -----------------------------------------------------------


def test_robots_txt_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /admin/",
        "Sitemap: http://testserver/sitemap.xml",
    ]


def test_robots_txt_refuses_post(client):
    assert client.post("/robots.txt").status_code == 405
