"""The tag index (articles/tag_index.py) always says what the articles say."""

from datetime import timedelta
from io import StringIO

import pytest
import reversion
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from articles import tag_index
from articles.changes import batched
from articles.models import Article, ArticleCause, ArticleTotal, TaggedArticle, TopicCount
from articles.page import ArticleContent
from articles.related import related_articles
from articles.topics import top_topics, topics
from articles.views import ArticleListView, CauseDetailView, TagDetailView
from healthsite.sitemaps import ArticleSitemap
from tests.factories import add_cause, make_article, make_cause, make_draft

pytestmark = pytest.mark.django_db


def assert_index_is_true():
    """Every tagging's and cause listing's copy of its article's publish time, and
    every tag's count."""
    for row in TaggedArticle.objects.select_related("content_object"):
        article = row.content_object
        expected = article.publish_at if article.status == Article.Status.PUBLISHED else None
        assert row.published_at == expected, (article.title, row.tag_id)
    for row in ArticleCause.objects.select_related("article"):
        article = row.article
        expected = article.publish_at if article.status == Article.Status.PUBLISHED else None
        assert row.published_at == expected, (article.title, row.cause_id)
    counted = dict(TopicCount.objects.filter(published__gt=0).values_list("tag_id", "published"))
    truth = {}
    for tag in Tag.objects.all():
        n = tag.articles_taggedarticle_items.filter(
            content_object__status=Article.Status.PUBLISHED
        ).count()
        if n:
            truth[tag.pk] = n
    assert counted == truth
    # The row a recount writes (a test that emptied the tables may have none yet).
    total = ArticleTotal.objects.values_list("published", flat=True).first()
    published = Article.objects.filter(status=Article.Status.PUBLISHED).count()
    assert total == published or (total is None and not published)


def tag_counts():
    return {tag.name: tag.article_count for tag in topics()}


class TestKeptCurrent:
    def test_publishing_unpublishing_and_retiming(self):
        article = make_draft(title="Cramp", tags=["legs", "sleep"])
        add_cause(article)
        assert_index_is_true()
        assert tag_counts() == {}
        article.status = Article.Status.PUBLISHED
        article.publish_at = timezone.now() - timedelta(days=1)
        article.save()
        assert_index_is_true()
        assert tag_counts() == {"legs": 1, "sleep": 1}
        article.publish_at = timezone.now() - timedelta(days=2)
        article.save()
        assert_index_is_true()
        article.status = Article.Status.ARCHIVED
        article.save()
        assert_index_is_true()
        assert tag_counts() == {}

    def test_adding_removing_and_clearing_tags(self):
        article = make_article(tags=["legs"])
        other = make_article(tags=["legs", "sleep"])
        article.tags.add("sleep", "diet")
        assert_index_is_true()
        assert tag_counts() == {"legs": 2, "sleep": 2, "diet": 1}
        article.tags.remove("legs")
        assert_index_is_true()
        other.tags.clear()
        assert_index_is_true()
        assert tag_counts() == {"sleep": 1, "diet": 1}
        article.tags.set(["legs"])
        assert_index_is_true()
        assert tag_counts() == {"legs": 1}

    def test_deleting_articles_and_tags(self):
        article = make_article(tags=["legs", "sleep"])
        make_article(tags=["legs"])
        article.delete()
        assert_index_is_true()
        assert tag_counts() == {"legs": 1}
        legs = Tag.objects.get(name="legs")
        legs.delete()
        assert not TopicCount.objects.filter(tag_id=legs.pk).exists()
        assert tag_counts() == {}

    @pytest.mark.parametrize("how", ["one", "selected"], ids=["delete page", "delete action"])
    def test_deleting_a_topic_asks_no_more_for_more_articles(self, how):
        """Its rows' articles are locked at once, and it is not recounted after each
        of its rows (its count goes with it): a topic on 5,000 articles took 30 s."""

        def queries_to_delete(name, articles):
            for _ in range(articles):
                make_article(tags=[name, "kept"])
            topics = Tag.objects.filter(name=name)
            with CaptureQueriesContext(connection) as captured, batched():  # as the admin
                topics.delete() if how == "selected" else topics.get().delete()
            return len(captured)

        queries_to_delete("warm-up", 1)  # what Django reads once a process
        assert queries_to_delete("legs", 2) == queries_to_delete("sleep", 8)
        assert not TopicCount.objects.exclude(tag__name="kept").exists()
        assert tag_counts() == {"kept": 11}
        assert_index_is_true()

    def test_an_admin_save_with_new_tags(self, admin_client):
        from tests.forms import admin_form

        article = make_article(title="Cramp", tags=["legs"])
        url = reverse("admin:articles_article_change", args=[article.pk])
        form = admin_form(admin_client.get(url))
        form["tags"] = ["legs, night cramps"]
        response = admin_client.post(url, form)
        assert response.status_code == 302
        assert_index_is_true()
        assert tag_counts() == {"legs": 1, "night cramps": 1}

    def test_restoring_a_revision_saves_raw_and_is_still_followed(self):
        article = make_draft(title="Cramp", tags=["legs"])
        add_cause(article)
        with reversion.create_revision():
            article.save()  # a revision in which it is a draft
        article.status = Article.Status.PUBLISHED
        article.publish_at = timezone.now() - timedelta(hours=1)
        article.save()
        assert tag_counts() == {"legs": 1}
        Version.objects.get_for_object(article).get().revision.revert()
        assert_index_is_true()
        assert tag_counts() == {}

    def test_rebuild_repairs_an_index_written_around(self):
        add_cause(make_article(tags=["legs"]))
        add_cause(make_draft(tags=["legs", "sleep"]))
        TaggedArticle.objects.update(published_at=None)  # as a bulk load would leave it
        ArticleCause.objects.update(published_at=timezone.now())
        TopicCount.objects.update(published=7)
        tag_index.rebuild()
        assert_index_is_true()

    def test_seeding_writes_the_index_too(self):
        call_command("seed_bench", "--articles", "20", stdout=StringIO())
        assert_index_is_true()
        call_command("seed_bench", "--articles", "3", "--reset", stdout=StringIO())
        assert_index_is_true()


class TestScheduledArticles:
    def test_an_article_counts_and_lists_from_its_publish_time(self, client):
        soon = timezone.now() + timedelta(hours=2)
        make_article(title="Now", tags=["legs"])
        make_article(title="Later", tags=["legs", "sleep"], publish_at=soon)
        assert tag_counts() == {"legs": 1}
        assert [t.name for t in top_topics(5)] == ["legs"]
        page = client.get(reverse("articles:tag", args=["legs"]))
        assert [a.title for a in page.context["object_list"]] == ["Now"]
        assert page.context["paginator"].count == 1
        with time_machine.travel(soon + timedelta(minutes=1)):
            assert tag_counts() == {"legs": 2, "sleep": 1}
            page = client.get(reverse("articles:tag", args=["legs"]))
            assert [a.title for a in page.context["object_list"]] == ["Later", "Now"]
            assert page.context["paginator"].count == 2

    def test_top_topics_rank_by_what_readers_can_see(self):
        later = timezone.now() + timedelta(days=1)
        for _ in range(3):
            make_article(tags=["b-sleep"])
        for _ in range(2):
            make_article(tags=["c-legs"])
        for _ in range(2):  # three by count, but only one is live
            make_article(tags=["a-diet"], publish_at=later)
        make_article(tags=["a-diet"])
        found = [(tag.name, tag.article_count) for tag in top_topics(2)]
        assert found == [("b-sleep", 3), ("c-legs", 2)]
        found = [(tag.name, tag.article_count) for tag in top_topics(3)]
        assert found == [("b-sleep", 3), ("c-legs", 2), ("a-diet", 1)]


class TestArticleTotal:
    def test_the_a_to_z_list_is_paged_by_the_kept_total(self, client, monkeypatch):
        monkeypatch.setattr(ArticleListView, "paginate_by", 2)
        now = timezone.now()
        for n in range(5):
            make_article(title=f"A{n}", publish_at=now - timedelta(days=n + 1))
        make_draft(title="Draft")
        make_article(title="Later", publish_at=now + timedelta(days=1))
        assert_index_is_true()
        url = reverse("articles:list")
        assert client.get(url).context["paginator"].count == 5
        with time_machine.travel(now + timedelta(days=2)):
            assert client.get(url).context["paginator"].count == 6  # "Later", on time
        # The count is the kept total's, not the articles': written around, it is
        # wrong until rebuilt.
        ArticleTotal.objects.update(published=3)
        assert client.get(url).context["paginator"].count == 2
        tag_index.rebuild()
        assert client.get(url).context["paginator"].count == 5
        last = client.get(url + "?page=3")
        assert [a.title for a in last.context["object_list"]] == ["A4"]

    def test_a_list_with_no_total_yet_counts_the_articles(self, client):
        make_article()
        ArticleTotal.objects.all().delete()  # as after loading rows by other means
        assert tag_index.published_article_count() == 1
        assert client.get(reverse("articles:list")).context["paginator"].count == 1

    def test_a_change_of_published_state_moves_the_total_by_one(self):
        draft = make_draft()
        make_article()
        ArticleTotal.objects.update(published=50)  # moved, not counted again: 50 shows it

        def total():
            return ArticleTotal.objects.get().published

        for field, value, expected in [
            ("title", "Retitled", 50),
            ("status", Article.Status.PUBLISHED, 51),
            ("title", "Retitled again", 51),
            ("status", Article.Status.ARCHIVED, 50),
        ]:
            setattr(draft, field, value)
            draft.save()
            assert total() == expected, (field, value)
        draft.delete()  # archived: not in the total
        assert total() == 50
        make_article()
        assert total() == 51
        make_article().delete()
        assert total() == 51
        Article.objects.filter(status=Article.Status.PUBLISHED).delete()  # two
        assert total() == 49

    def test_a_delete_goes_by_the_stored_state_not_a_stale_instance(self):
        make_article()
        article = make_article()
        stale = Article.objects.get(pk=article.pk)
        article.status = Article.Status.DRAFT
        article.save()
        stale.delete()  # still "published" in memory
        assert_index_is_true()

    def test_a_save_of_other_fields_goes_by_the_stored_state(self):
        make_article()
        article = make_article(tags=["legs"])
        stale = Article.objects.get(pk=article.pk)
        article.status = Article.Status.DRAFT
        article.save()
        stale.title = "Retitled"
        stale.save(update_fields=["title"])  # still "published" in memory
        assert_index_is_true()
        draft = make_draft(tags=["legs"])
        draft.status = Article.Status.PUBLISHED  # in memory only
        draft.publish_at = timezone.now() - timedelta(days=1)
        draft.save(update_fields=["publish_at"])  # stored: still a draft
        assert_index_is_true()
        assert tag_counts() == {}

    def test_a_row_added_through_a_stale_instance_goes_by_the_stored_state(self, client):
        cramp = make_cause(name="Cramp")
        article = make_article(tags=["legs"])
        stale = Article.objects.get(pk=article.pk)
        article.status = Article.Status.DRAFT
        article.save()
        add_cause(stale, cramp)  # still "published" in memory
        stale.tags.add("sleep")
        assert_index_is_true()
        assert list(client.get(cramp.get_absolute_url()).context["object_list"]) == []
        assert tag_counts() == {}

    def test_a_total_never_counted_is_counted_and_never_goes_below_0(self):
        first = make_article()
        ArticleTotal.objects.all().delete()  # as after loading rows by other means
        make_article()
        assert ArticleTotal.objects.get().published == 2
        ArticleTotal.objects.update(published=0)  # written around
        first.delete()
        assert ArticleTotal.objects.get().published == 0

    def test_a_total_written_around_never_fails_a_page(self, client):
        make_article(publish_at=timezone.now() + timedelta(days=1))
        make_article(tags=["legs"], publish_at=timezone.now() + timedelta(days=1))
        make_article(tags=["legs"])
        ArticleTotal.objects.update(published=0)  # fewer than the scheduled ones
        TopicCount.objects.update(published=0)
        assert tag_index.published_article_count() == 0
        response = client.get(reverse("articles:list"))
        assert response.status_code == 200 and response.context["paginator"].count == 0
        assert client.get(reverse("articles:tag", args=["legs"])).status_code < 500
        assert client.get("/sitemap.xml").status_code == 200
        assert client.get("/sitemap-articles.xml").status_code == 200

    def test_the_sitemap_lists_what_readers_can_see_by_the_kept_total(self, client, monkeypatch):
        monkeypatch.setattr(ArticleSitemap, "limit", 2)
        now = timezone.now()
        for n in range(3):
            make_article(publish_at=now - timedelta(days=n + 1))
        make_article(publish_at=now + timedelta(days=1))
        pages = client.get("/sitemap.xml").content.decode()
        assert "sitemap-articles.xml?p=2" in pages and "?p=3" not in pages
        with time_machine.travel(now + timedelta(days=2)):
            assert "sitemap-articles.xml?p=2" in client.get("/sitemap.xml").content.decode()
            assert client.get("/sitemap-articles.xml?p=2").content.count(b"<url>") == 2
        ArticleTotal.objects.update(published=2)  # written around: two pages became one
        assert "?p=2" not in client.get("/sitemap.xml").content.decode()


class TestTagPage:
    def test_newest_first_and_paged_by_the_index(self, client, monkeypatch):
        monkeypatch.setattr(TagDetailView, "paginate_by", 2)
        now = timezone.now()
        for n in range(5):
            make_article(title=f"A{n}", tags=["legs"], publish_at=now - timedelta(days=n + 1))
        make_draft(title="Draft", tags=["legs"])
        first = client.get(reverse("articles:tag", args=["legs"]))
        assert [a.title for a in first.context["object_list"]] == ["A0", "A1"]
        assert first.context["paginator"].count == 5
        last = client.get(reverse("articles:tag", args=["legs"]) + "?page=3")
        assert [a.title for a in last.context["object_list"]] == ["A4"]

    def test_counted_as_the_topics_page_counts_it(self, client):
        # The tag's kept count, not its articles: written around, it is wrong
        # until rebuilt, on the tag page and the topics page alike.
        for _ in range(3):
            make_article(tags=["legs"])
        url = reverse("articles:tag", args=["legs"])
        assert client.get(url).context["paginator"].count == 3 == tag_counts()["legs"]
        TopicCount.objects.update(published=2)
        assert client.get(url).context["paginator"].count == 2 == tag_counts()["legs"]
        tag_index.rebuild()
        assert client.get(url).context["paginator"].count == 3


class TestCausePage:
    def test_newest_first_and_paged_by_the_index(self, client, monkeypatch):
        monkeypatch.setattr(CauseDetailView, "paginate_by", 2)
        now = timezone.now()
        cramp = make_cause(name="Cramp")
        for n in range(5):
            add_cause(make_article(title=f"A{n}", publish_at=now - timedelta(days=n + 1)), cramp)
        add_cause(make_draft(title="Draft"), cramp)
        add_cause(make_article(title="Later", publish_at=now + timedelta(days=1)), cramp)
        url = cramp.get_absolute_url()
        first = client.get(url)
        assert [a.title for a in first.context["object_list"]] == ["A0", "A1"]
        assert first.context["paginator"].count == 5
        last = client.get(url + "?page=3")
        assert [a.title for a in last.context["object_list"]] == ["A4"]
        with time_machine.travel(now + timedelta(days=2)):
            assert client.get(url).context["paginator"].count == 6  # "Later", on time

    def test_listing_a_cause_in_a_published_article_lists_it_at_once(self, client):
        def listed():
            response = client.get(cramp.get_absolute_url())
            return [a.title for a in response.context["object_list"]]

        cramp = make_cause(name="Cramp")
        article = make_article(title="Night cramps")
        add_cause(article, cramp)
        assert listed() == ["Night cramps"]
        article.status = Article.Status.ARCHIVED
        article.save()
        assert listed() == []


class TestSeeAlsoCandidates:
    def test_candidates_are_the_newest_articles_of_each_tag(self, settings):
        now = timezone.now()
        article = make_article(tags=["legs", "sleep"])
        old_but_close = make_article(
            title="Old", tags=["legs", "sleep"], publish_at=now - timedelta(days=30)
        )
        newer = [
            make_article(title=f"New {n}", tags=[tag], publish_at=now - timedelta(days=n + 1))
            for n, tag in enumerate(["legs", "sleep", "legs", "sleep"])
        ]
        content = ArticleContent(
            article=article, causes=[], questions=[], tags=list(article.tags.all()), pinned=[]
        )
        # Within the window, sharing more tags wins over being newer.
        assert related_articles(content) == [old_but_close, *newer]
        # Beyond it (the 2 newest of each tag), an old article is not considered.
        settings.SEE_ALSO_CANDIDATES_PER_TAG = 2
        assert related_articles(content) == newer


def holds_the_recount_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
            "AND pid = pg_backend_pid() AND granted",
            [tag_index.RECOUNT_LOCK],
        )
        return cursor.fetchone() == (1,)


class TestRecountsBatched:
    """An action publishing many articles recounts their topics once, as it ends."""

    @staticmethod
    def publish(articles):
        for article in articles:
            article.status = Article.Status.PUBLISHED
            article.publish_at = timezone.now()
            article.save()

    def test_each_topic_is_counted_once_when_the_block_ends(self):
        drafts = [make_draft(tags=["knee", "legs"]) for _ in range(3)]
        with (
            CaptureQueriesContext(connection) as queries,
            transaction.atomic(),
            tag_index.recounts_batched(),
        ):
            self.publish(drafts)
            assert tag_counts() == {}  # not yet
        assert tag_counts() == {"knee": 3, "legs": 3}
        assert_index_is_true()
        upserts = [q for q in queries if 'INTO "articles_topiccount"' in q["sql"]]
        assert len(upserts) == 1

    def test_a_block_that_fails_counts_nothing_and_the_next_change_counts_at_once(self):
        drafts = [make_draft(tags=["knee"]) for _ in range(2)]
        with pytest.raises(RuntimeError), transaction.atomic(), tag_index.recounts_batched():
            self.publish(drafts)
            raise RuntimeError("an action fails halfway")
        assert tag_counts() == {} and not TopicCount.objects.filter(published__gt=0).exists()
        self.publish(drafts[:1])
        assert tag_counts() == {"knee": 1}
        assert_index_is_true()

    def test_a_block_within_a_block_counts_as_the_outer_one_ends(self):
        draft = make_draft(tags=["knee"])
        with transaction.atomic(), tag_index.recounts_batched():
            with tag_index.recounts_batched():
                self.publish([draft])
            assert tag_counts() == {}
        assert tag_counts() == {"knee": 1}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_a_recount_holds_the_recount_lock_until_its_transaction_ends():
    """So that of two transactions tagging at once, the second counts after the first commits."""
    make_article(tags=["legs"])
    assert holds_the_recount_lock()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_publishing_holds_the_recount_lock_until_its_transaction_ends():
    """So that a recount in another transaction (a restore, a fixture load) cannot
    count without this change and then write over it."""
    draft = make_draft()
    assert not holds_the_recount_lock()
    draft.status = Article.Status.PUBLISHED
    draft.publish_at = timezone.now()
    draft.save()
    assert holds_the_recount_lock()
