"""The page cache serves anonymous readers, and never anything out of date."""

import re
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
import reversion
import time_machine
from django.contrib.admin import site as site_admin
from django.core import serializers
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles.importer import import_article, parse
from articles.models import Article, SlugRedirect
from articles.topic_merge import merge_topics
from faq.models import FAQEntry, TaggedFAQEntry
from healthsite.page_cache import POLICY_NONCE, content_changed
from healthsite.views import HomeView
from reviews.models import SignOff, record_sign_offs
from tests.articles.test_importer import SAMPLE
from tests.factories import (
    add_cause,
    add_faq,
    add_link,
    make_article,
    make_cause,
    make_draft,
    make_user,
)
from tests.forms import admin_form
from tests.sources.factories import cite, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE = True
    middleware = list(settings.MIDDLEWARE)
    if "healthsite.page_cache.PageCacheMiddleware" not in middleware:
        at = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
        middleware[at:at] = [
            "django.middleware.http.ConditionalGetMiddleware",
            "healthsite.page_cache.PageCacheMiddleware",
        ]
        settings.MIDDLEWARE = middleware


def fetch(client, url):
    """Whether it was a hit, and the page, its CSP nonce (new each response) masked."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response["X-Page-Cache"], NONCE.sub('nonce="…"', response.content.decode())


NONCE = re.compile(r'nonce="[^"]+"')


def shows(client, url, text):
    """Whether `url` shows `text`: rendered afresh (every call follows an edit, which
    must have emptied the cache), then served from the cache unchanged."""
    first, content = fetch(client, url)
    second, again = fetch(client, url)
    assert (first, second) == ("miss", "hit")
    assert content == again
    return text in content


class TestServing:
    def test_the_second_request_is_a_hit(self, client):
        article = make_article()
        assert fetch(client, article.get_absolute_url())[0] == "miss"
        assert fetch(client, article.get_absolute_url())[0] == "hit"

    def test_logged_in_staff_are_never_served_from_the_cache(self, client):
        article = make_article()
        fetch(client, article.get_absolute_url())
        client.force_login(make_user(is_staff=True))
        response = client.get(article.get_absolute_url())
        assert "X-Page-Cache" not in response

    def test_previews_and_the_admin_are_never_cached(self, staff_client):
        article = make_article()
        for url in (
            reverse("articles:preview", args=[article.pk]),
            reverse("admin:articles_article_change", args=[article.pk]),
        ):
            staff_client.get(url)
            assert "X-Page-Cache" not in staff_client.get(url)

    def test_a_cached_page_keeps_its_security_headers(self, client):
        article = make_article()
        miss = client.get(article.get_absolute_url())
        hit = client.get(article.get_absolute_url())
        assert hit["X-Page-Cache"] == "hit"
        for header in ("X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"):
            assert POLICY_NONCE.sub("", hit[header]) == POLICY_NONCE.sub("", miss[header]), header

    def test_every_hit_has_a_new_nonce_in_its_header_and_page_alike(self, client):
        article = make_article()  # its JSON-LD carries the nonce
        url = article.get_absolute_url()
        responses = [client.get(url) for _ in range(3)]
        assert [r["X-Page-Cache"] for r in responses] == ["miss", "hit", "hit"]
        nonces = []
        for response in responses:
            nonce = POLICY_NONCE.search(response["Content-Security-Policy"]).group(1)
            page = response.content.decode()
            assert set(re.findall(r'nonce="([^"]+)"', page)) == {nonce}
            nonces.append(nonce)
            assert NONCE.sub("", page) == NONCE.sub("", responses[0].content.decode())
        assert len(set(nonces)) == 3
        # The same page but for its nonce: one (weak) ETag, and a 304 for it.
        assert len({r["ETag"] for r in responses}) == 1
        assert responses[0]["ETag"].startswith('W/"')
        assert client.get(url, HTTP_IF_NONE_MATCH=responses[1]["ETag"]).status_code == 304

    def test_a_page_without_a_nonce_keeps_a_strong_etag(self, client):
        client.get("/")
        hit = client.get("/")
        assert hit["X-Page-Cache"] == "hit" and hit["ETag"].startswith('"')
        assert "nonce" not in hit["Content-Security-Policy"]

    def test_it_can_be_emptied_by_hand(self, client):
        # As `bench_http` does before it measures (`manage.py shell -c`).
        article = make_article()
        fetch(client, article.get_absolute_url())
        content_changed()
        assert fetch(client, article.get_absolute_url())[0] == "miss"

    def test_conditional_requests_get_304(self, client):
        article = make_article()
        first = client.get(article.get_absolute_url())
        etag = first["ETag"]
        again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert "no-cache" in first["Cache-Control"]

    def test_a_hit_replays_the_etag_computed_when_the_page_was_stored(self, client):
        article = make_article()
        miss = client.get(article.get_absolute_url())
        with (
            mock.patch("django.middleware.http.set_response_etag") as middleware_hash,
            mock.patch("healthsite.page_cache.set_response_etag") as store_hash,
        ):
            hit = client.get(article.get_absolute_url())
            not_modified = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=miss["ETag"])
        assert hit["X-Page-Cache"] == "hit"
        assert hit["ETag"] == miss["ETag"]
        assert not_modified.status_code == 304
        middleware_hash.assert_not_called()
        store_hash.assert_not_called()

    def test_errors_are_not_cached(self, client):
        assert "X-Page-Cache" not in client.get("/articles/missing/")

    def test_with_the_cache_down_pages_are_served_uncached(self, client, settings):
        article = make_article(title="Still here")
        settings.CACHES = {
            "default": {
                "BACKEND": "healthsite.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
                "OPTIONS": {"socket_connect_timeout": 0.2},
            }
        }
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Still here" in response.content.decode()
        article.title = "Edited while the cache is down"
        article.save()  # invalidating fails quietly too

    def test_it_can_be_turned_off(self, client, settings):
        settings.PAGE_CACHE = False
        article = make_article()
        client.get(article.get_absolute_url())
        assert "X-Page-Cache" not in client.get(article.get_absolute_url())


class TestNeverStale:
    def test_editing_the_article(self, client):
        article = make_article(title="Cramps", summary="Old words.")
        url = article.get_absolute_url()
        assert shows(client, url, "Old words.")
        article.summary = "New words."
        article.save()
        assert shows(client, url, "New words.")

    def test_its_causes_questions_links_and_tags(self, client):
        article = make_article(tags=["legs"])
        url = article.get_absolute_url()
        assert not shows(client, url, "Dehydration")
        row = add_cause(article, make_cause(name="Dehydration"))
        assert shows(client, url, "Dehydration")
        row.explanation = "Drink more water."
        row.save()
        assert shows(client, url, "Drink more water.")
        entry = add_faq(article, question="Is it serious?")
        assert shows(client, url, "Is it serious?")
        entry.delete()
        assert not shows(client, url, "Is it serious?")
        add_link(article, make_article(title="Knee pain"))
        assert shows(client, url, "Knee pain")
        article.tags.add("nightlife")
        assert shows(client, url, "nightlife")

    def test_its_references_and_site_wide_questions(self, client):
        article = make_article()
        url = article.get_absolute_url()
        source = make_source(title="Leg cramps: a review")
        assert not shows(client, url, "Leg cramps: a review")
        cite(article, source)
        assert shows(client, url, "Leg cramps: a review")
        assert not shows(client, reverse("faq:list"), "Who writes these pages?")
        add_faq(question="Who writes these pages?")
        assert shows(client, reverse("faq:list"), "Who writes these pages?")

    def test_a_renamed_cause(self, client):
        cause = make_cause(name="Dehydration")
        article = make_article()
        add_cause(article, cause)
        for url in (article.get_absolute_url(), cause.get_absolute_url()):
            assert shows(client, url, "Dehydration")
        cause.name = "Not drinking enough"
        cause.save()
        for url in (article.get_absolute_url(), cause.get_absolute_url()):
            assert shows(client, url, "Not drinking enough")

    def test_a_related_article_published_unpublished_and_retitled(self, client):
        article = make_article(tags=["legs"])
        other = make_article(title="Knee pain", tags=["legs"], status="draft", publish_at=None)
        url = article.get_absolute_url()
        assert not shows(client, url, "Knee pain")
        other.status = Article.Status.PUBLISHED
        other.save()
        assert shows(client, url, "Knee pain")
        other.title = "Sore knees"
        other.save()
        assert shows(client, url, "Sore knees")
        other.status = Article.Status.DRAFT
        other.save()
        assert not shows(client, url, "Sore knees")

    @pytest.mark.parametrize(
        "url",
        [
            reverse("home"),
            reverse("articles:list"),
            reverse("feed"),
            reverse("django.contrib.sitemaps.views.sitemap", args=["articles"]),
        ],
    )
    def test_lists_feeds_and_sitemaps(self, client, url):
        make_article(title="Old news")
        assert not shows(client, url, "brand-new-article")  # the slug it will have
        new = make_article(title="Brand new article")
        assert shows(client, url, new.slug)

    def test_tag_and_cause_pages(self, client):
        article = make_article(title="Cramps", tags=["legs"])
        cause = make_cause(name="Heat")
        add_cause(article, cause)
        tag_url = reverse("articles:tag", args=["legs"])
        assert shows(client, tag_url, "Cramps")
        assert shows(client, cause.get_absolute_url(), "Cramps")
        article.title = "Night cramps"
        article.save()
        assert shows(client, tag_url, "Night cramps")
        assert shows(client, cause.get_absolute_url(), "Night cramps")

    def test_topics_merged(self, client):
        article = make_article(title="Cramps", tags=["Sore legs"])
        assert shows(client, article.get_absolute_url(), "Sore legs")
        merge_topics(list(Tag.objects.all()), "Aching legs")  # the admin's merge page
        assert shows(client, article.get_absolute_url(), "Aching legs")
        assert shows(client, reverse("articles:tag", args=["aching-legs"]), "Cramps")

    def test_a_scheduled_article_appears_at_its_time(self, client):
        now = timezone.now()
        make_article(title="Coming soon", publish_at=now + timedelta(minutes=5))
        assert not shows(client, reverse("home"), "Coming soon")
        with time_machine.travel(now + timedelta(minutes=5, seconds=1)):
            assert shows(client, reverse("home"), "Coming soon")

    def test_a_page_rendered_across_a_publish_time_is_not_kept_past_it(self, client, monkeypatch):
        """How long a page is kept was asked once it was rendered: an article's
        publish time passed meanwhile was no longer "the next", and the page,
        without the article, was kept for PAGE_CACHE_SECONDS."""
        publish = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
        make_article(title="Coming soon", publish_at=publish)
        with time_machine.travel(publish - timedelta(milliseconds=5), tick=False) as clock:
            render = HomeView.get_context_data

            def rendering_takes_10_ms(view, **kwargs):
                context = render(view, **kwargs)
                clock.shift(timedelta(milliseconds=10))
                return context

            monkeypatch.setattr(HomeView, "get_context_data", rendering_takes_10_ms)
            assert fetch(client, reverse("home"))[0] == "miss"
            monkeypatch.undo()
        with time_machine.travel(publish + timedelta(minutes=2), tick=False):
            assert shows(client, reverse("home"), "Coming soon")


class TestDerivedData:
    def test_home_topics_and_related_articles_follow_edits(self, client):
        article = make_article(title="Cramps", tags=["legs"])
        other = make_article(title="Knee pain", tags=["legs"])
        assert shows(client, reverse("home"), "Legs")
        assert shows(client, article.get_absolute_url(), "Knee pain")
        other.title = "Sore knees"
        other.tags.set(["knees"])
        other.save()
        assert not shows(client, article.get_absolute_url(), "Sore knees")
        assert shows(client, reverse("home"), "Knees")

    def test_previews_show_related_articles_of_the_unsaved_tags(self, staff_client):
        article = make_article(title="Cramps", tags=["legs"])
        make_article(title="Knee pain", tags=["legs"])
        assert shows(Client(), article.get_absolute_url(), "Knee pain")  # an anonymous reader
        url = reverse("admin:articles_article_change", args=[article.pk])
        data = admin_form(staff_client.get(url))
        data["tags"] = ["sleep"]
        preview = staff_client.post(reverse("articles:preview", args=[article.pk]), data)
        assert "Knee pain" not in preview.content.decode()


def served_from_the_cache(client, urls):
    """The urls not served from the cache (each was, before the step asked about)."""
    return [url for url in urls if fetch(client, url)[0] != "hit"]


class TestWorkReadersCannotSee:
    """Editors work on drafts all day: that keeps the cached pages, since
    nothing of a draft is on them. Publishing it empties the cache."""

    @pytest.fixture
    def site(self, db):
        article = make_article(title="Cramps", tags=["legs"])
        site = SimpleNamespace(
            article=article,
            cause=make_cause(name="Heat"),
            source=make_source(title="A review"),
            reviewer=make_user(),
            reader=Client(),  # anonymous, even beside `staff_client`
            urls=[
                reverse("home"),
                reverse("articles:list"),
                article.get_absolute_url(),
                reverse("articles:tag", args=["legs"]),
                reverse("faq:list"),
                reverse("feed"),
            ],
        )
        site.urls.append(site.cause.get_absolute_url())
        site.fetch_all = lambda: [fetch(site.reader, url) for url in site.urls]
        site.not_cached = lambda: served_from_the_cache(site.reader, site.urls)
        site.fetch_all()
        return site

    def test_a_draft_and_everything_in_it(self, site):
        draft = make_draft(title="Night cramps", tags=["legs"])
        assert site.not_cached() == [], "a new draft"
        listing = add_cause(draft, site.cause)
        listing.explanation = "Hot nights."
        listing.save()
        assert site.not_cached() == [], "its causes"
        entry = add_faq(draft, question="Is it serious?")
        entry.tags.add("legs")
        assert site.not_cached() == [], "its questions and their tags"
        add_link(draft, site.article)
        cite(draft, site.source)
        SlugRedirect.objects.create(old_slug="night-leg-cramps", article=draft)
        assert site.not_cached() == [], "its links, references and redirects"
        draft.status = Article.Status.IN_REVIEW
        draft.save()
        SignOff.objects.create(article=draft, reviewer=site.reviewer, fingerprint="0" * 64)
        assert site.not_cached() == [], "its review"
        entry.delete()
        draft.delete()
        assert site.not_cached() == [], "deleting it"

    def test_signing_off_a_draft_keeps_it_and_a_published_article_empties_it(self, site):
        record_sign_offs([make_draft(title="Night cramps")], site.reviewer)
        assert site.not_cached() == [], "a draft's sign-off"
        record_sign_offs([site.article], site.reviewer)  # its page names the reviewer
        assert site.not_cached() == site.urls

    def test_a_new_tag_empties_the_cache(self, site):
        # Tags are shared: a new one can bring a dead /tags/ link on a page to life
        # (articles/integrity.py).
        make_draft().tags.add("sleep")
        assert site.not_cached() == site.urls

    def test_publishing_the_draft_empties_the_cache(self, site):
        draft = make_draft(title="Night cramps", tags=["legs"])
        draft.status = Article.Status.PUBLISHED
        draft.save()
        assert site.not_cached() == site.urls

    def test_unpublishing_an_article_empties_the_cache(self, site):
        site.article.status = Article.Status.DRAFT
        site.article.save()
        assert site.reader.get(site.article.get_absolute_url()).status_code == 404
        lists = [reverse("home"), reverse("articles:list")]
        assert served_from_the_cache(site.reader, lists) == lists

    def test_an_article_published_since_it_was_read_is_not_taken_for_a_draft(self, site):
        draft = make_draft(title="Night cramps")
        published = Article.objects.get(pk=draft.pk)
        published.status = Article.Status.PUBLISHED
        published.save()
        url = published.get_absolute_url()
        assert not shows(site.reader, url, "Heat")
        add_cause(draft, site.cause)  # `draft` still says "draft"
        assert shows(site.reader, url, "Heat")

    def test_a_question_moved_into_a_draft_leaves_the_page_it_was_on(self, site):
        draft = make_draft()
        shown = add_faq(site.article, question="Is it serious?")
        site_wide = add_faq(question="Who writes these pages?")
        assert shows(site.reader, site.article.get_absolute_url(), "Is it serious?")
        assert shows(site.reader, reverse("faq:list"), "Who writes these pages?")
        for position, entry in enumerate((shown, site_wide), start=1):
            moved = FAQEntry.objects.get(pk=entry.pk)  # as a form would load it
            moved.article, moved.position = draft, position
            moved.save()
        assert not shows(site.reader, site.article.get_absolute_url(), "Is it serious?")
        assert not shows(site.reader, reverse("faq:list"), "Who writes these pages?")

    def test_a_question_deleted_through_a_stale_instance(self, site):
        entry = add_faq(make_draft(), question="Is it serious?")  # held by a form, say
        moved = FAQEntry.objects.get(pk=entry.pk)  # meanwhile another editor moves it
        moved.article, moved.position = site.article, 1
        moved.save()
        url = site.article.get_absolute_url()
        assert shows(site.reader, url, "Is it serious?")
        entry.delete()  # its article in memory: the draft
        assert not shows(site.reader, url, "Is it serious?")

    def test_a_question_moved_back_by_a_restored_backup(self, site):
        # loaddata saves rows "raw", new to Django though their rows are stored.
        draft, url = make_draft(), site.article.get_absolute_url()
        entry = add_faq(site.article, question="Is it serious?")
        assert shows(site.reader, url, "Is it serious?")
        (restored,) = serializers.deserialize("json", serializers.serialize("json", [entry]))
        restored.object.article = draft
        restored.save()
        assert not shows(site.reader, url, "Is it serious?")

    def test_a_tagging_moved_by_a_restored_backup_into_a_drafts_question(self, site):
        site_wide = add_faq(question="Who writes these pages?")
        site_wide.tags.add("legs")
        in_draft = add_faq(make_draft(), question="Is it serious?")
        url = reverse("faq:list")
        assert shows(site.reader, url, "Legs")  # the topic its questions are under
        tagging = TaggedFAQEntry.objects.get(content_object=site_wide)
        (restored,) = serializers.deserialize("json", serializers.serialize("json", [tagging]))
        restored.object.content_object = in_draft
        restored.save()
        assert not shows(site.reader, url, "Legs")

    def test_a_question_taken_back_by_reverting_a_drafts_revision(self, site):
        draft, url = make_draft(), site.article.get_absolute_url()
        entry = add_faq(draft, question="Is it serious?")
        with reversion.create_revision():
            draft.save()  # the revision holds the question, in the draft
        moved = FAQEntry.objects.get(pk=entry.pk)
        moved.article, moved.position = site.article, 1
        moved.save()
        assert shows(site.reader, url, "Is it serious?")
        Version.objects.get_for_object(draft).first().revision.revert()
        assert FAQEntry.objects.get(pk=entry.pk).article == draft
        assert not shows(site.reader, url, "Is it serious?")

    def test_a_draft_taking_a_pins_title_or_deleted_leaves_pages_as_they_were(self, site, settings):
        settings.SEE_ALSO_COUNT = 2
        article, url = site.article, site.article.get_absolute_url()
        add_link(article, target_title="Night cramps")  # waits for an article of that title
        add_link(article, make_article(title="Knee pain"))
        add_link(article, make_article(title="Sore feet"))
        site.fetch_all()
        _, before = fetch(site.reader, url)
        assert "Knee pain" in before and "Sore feet" in before

        def unchanged():
            cached = site.not_cached() == []
            cache.clear()
            fresh = fetch(site.reader, url) == ("miss", before)
            site.fetch_all()
            return cached and fresh

        draft = make_draft(title="Night cramps")  # the pin now points at it
        assert unchanged()
        draft.delete()  # the pin waits again
        assert unchanged()

    def test_rows_of_published_articles_are_not_looked_up_again(self, site):
        # Deleting a tag deletes its taggings one by one: each says by its copy
        # of the publish time that its article is published, so no query asks.
        make_article(tags=["legs"])
        make_article(tags=["legs"])
        with CaptureQueriesContext(connection) as queries:
            Tag.objects.get(slug="legs").delete()
        asked = [q["sql"] for q in queries if 'SELECT "articles_article"."status"' in q["sql"]]
        assert asked == []
        lists = [reverse("home"), reverse("articles:list")]
        assert served_from_the_cache(site.reader, lists) == lists

    def test_saving_a_draft_in_the_admin(self, staff_client, site):
        draft = make_draft(title="Night cramps", tags=["legs"])
        add_cause(draft, site.cause)
        add_faq(draft)
        url = reverse("admin:articles_article_change", args=[draft.pk])
        data = admin_form(staff_client.get(url))
        data["summary"] = ["A new introduction."]
        data["article_causes-0-explanation"] = ["Hot nights."]
        data["faq_entries-0-answer"] = ["Rarely."]
        data["tags"] = ["legs, sleep problems"]  # one it had, and one it had not
        site.fetch_all()
        Tag.objects.create(name="sleep problems")  # made earlier, by another editor
        site.fetch_all()
        assert staff_client.post(url, data).status_code == 302
        draft.refresh_from_db()
        assert draft.summary == "A new introduction."
        assert draft.article_causes.get().explanation == "Hot nights."
        assert draft.faq_entries.get().answer == "Rarely."
        assert sorted(draft.tags.names()) == ["legs", "sleep problems"]
        assert site.not_cached() == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_every_change_empties_the_cache():
    # Nothing can be locked there: a question of a draft could be moved into
    # a published article between reading where it is and saving it.
    reader, draft = Client(), make_draft()
    entry = add_faq(draft)
    url = make_article().get_absolute_url()
    fetch(reader, url)
    entry.answer = "Rarely."
    entry.save()
    assert fetch(reader, url)[0] == "miss"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_search_is_refreshed_before_the_cache_is_emptied(monkeypatch):
    # Else a search in between is cached, with the old index, under the new generation.
    from healthsite import page_cache

    events = []
    bump = page_cache._bump
    monkeypatch.setattr(page_cache, "_bump", lambda: (events.append("bump"), bump()))

    def record(execute, sql, params, many, context):
        if "SET search_vector" in sql:
            events.append(("refresh", connection.in_atomic_block))
        return execute(sql, params, many, context)

    article = make_article()
    with connection.execute_wrapper(record):
        add_faq(article, question="Is it serious?")  # outside a transaction
    assert events[-1] == "bump" and ("refresh", False) in events
    events.clear()
    with connection.execute_wrapper(record):
        import_article(parse(SAMPLE.read_text()))  # its batch ends after the commit
    assert events[-1] == "bump" and ("refresh", False) in events
    events.clear()
    make_article(tags=["legs"])
    tags = site_admin._registry[Tag]
    with connection.execute_wrapper(record):  # the list's "delete selected" action
        tags.delete_queryset(RequestFactory().post("/"), Tag.objects.filter(name="legs"))
    assert events[-1] == "bump" and ("refresh", False) in events
