"""Published articles per tag (and per cause), kept beside the tags so that pages
stay fast at any size.

Tag pages, See also and the topic counts ask "which published articles have
this tag?", and a cause's page "which published articles list this cause?".
Answered through the article table, that costs a join per tagged row: fine at
1,000 articles, slow at 100,000. So copies are kept current here, by signal
receivers, in the same transaction as the change:

- `TaggedArticle.published_at` and `ArticleCause.published_at`: the article's
  publish time while it is published, else NULL. A tag page, or a cause page,
  is one index range (tag or cause, publish time), count included; See also
  counts shared tags in the tags' index alone.
- `TopicCount.published`: how many published articles have each tag,
  scheduled ones included. Readers' counts subtract the scheduled ones
  (`scheduled_counts()`: few, found through the article index), so an article
  appears in the counts at its publish time with nothing having to run.
- `ArticleTotal.published`: how many articles are published, scheduled ones
  included, for the A to Z list's pages and the sitemap
  (`published_article_count()` subtracts the scheduled ones the same way).
  It moves by one as an article is published, unpublished or deleted
  (`count_in_total()`), rather than being counted again: one row to update,
  however many articles there are.

`rebuild()` recomputes them all from scratch (the migration, `seed_bench`, and
after loading rows by other means than the ORM). Fixture loads and revision
restores save "raw"; they are followed too, so a restored article is counted
as what it now is.
"""

import threading
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from .models import Article, ArticleCause, ArticleTotal, TaggedArticle, TopicCount

# Any fixed number, the same in every process: the advisory lock recounts take.
RECOUNT_LOCK = 0x7A91C0
_batch = threading.local()


def published_at(article):
    """What `published_at` must hold in this article's taggings and cause listings."""
    return article.publish_at if article.status == Article.Status.PUBLISHED else None


def recount(tag_ids):
    """Recount the published articles of these tags (two queries, three on PostgreSQL)."""
    tag_ids = {pk for pk in tag_ids if pk is not None}
    if not tag_ids:
        return
    with transaction.atomic():
        _take_turns()
        counts = dict(
            TaggedArticle.objects.filter(tag_id__in=tag_ids, published_at__isnull=False)
            .values_list("tag_id")
            .annotate(Count("pk"))
            .order_by()
        )
        TopicCount.objects.bulk_create(
            [TopicCount(tag_id=pk, published=counts.get(pk, 0)) for pk in sorted(tag_ids)],
            update_conflicts=True,
            unique_fields=["tag"],
            update_fields=["published"],
        )


@contextmanager
def recounts_batched():
    """Recount the tags that saves inside the block touch once, as it ends (an
    action publishing many articles: one recount, not one an article). Call it
    inside the block's transaction; if the block fails, nothing is recounted."""
    if getattr(_batch, "tag_ids", None) is not None:  # already batching
        yield
        return
    _batch.tag_ids = set()
    try:
        yield
        tag_ids = _batch.tag_ids
    finally:
        _batch.tag_ids = None
    recount(tag_ids)


def _recount_soon(tag_ids):
    """Recount now, or as the `recounts_batched()` block around this ends."""
    if getattr(_batch, "tag_ids", None) is None:
        recount(tag_ids)
    else:
        _batch.tag_ids.update(tag_ids)


def recount_articles():
    """Recount the published articles (two queries, three on PostgreSQL)."""
    with transaction.atomic():
        _take_turns()
        published = Article.objects.filter(status=Article.Status.PUBLISHED).count()
        ArticleTotal.objects.bulk_create(
            [ArticleTotal(pk=1, published=published)],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["published"],
        )


def count_in_total(change):
    """Add `change` (1 or -1) to the kept total: one row, whatever the number of
    articles. It takes the recount lock first, so a recount in another
    transaction (a revision restore, a fixture load) counts after this one
    commits, or before it and under its change, never writing over it. A total
    never counted yet is counted instead; one written around stays at 0 or above."""
    _take_turns()
    moved = ArticleTotal.objects.filter(pk=1).update(
        published=Greatest(F("published") + change, Value(0))
    )
    if not moved:
        recount_articles()


def published_article_count(now=None):
    """How many articles readers can see now: the kept total less the scheduled
    ones (few, found through the article index). One query."""
    now = now or timezone.now()
    published = Article.Status.PUBLISHED
    count = kept_less_scheduled(
        f"SELECT t.published - (SELECT COUNT(*) FROM {quoted_table(Article)} a "
        f"WHERE a.status = %s AND a.publish_at > %s) "
        f"FROM {quoted_table(ArticleTotal)} t WHERE t.id = 1",
        [published, now],
    )
    if count is None:  # never counted (a database emptied by other means than the ORM)
        return Article.objects.filter(status=published, publish_at__lte=now).count()
    return count


def kept_less_scheduled(sql, params):
    """The number `sql` selects (a kept count less the scheduled articles), or None
    without its row; never below 0, whatever was written around the count (a
    paginator would fail). Written in SQL: the ORM took longer to build such a
    query (a subquery in an annotation) than the database to answer it."""
    with connection.cursor() as cursor:
        cursor.execute(sql, adapted(params))
        row = cursor.fetchone()
    return None if row is None else max(0, row[0])


def adapted(params):
    """Parameters of hand-written SQL, times as the ORM gives them (SQLite keeps text)."""
    adapt = connection.ops.adapt_datetimefield_value
    return [adapt(value) if isinstance(value, datetime) else value for value in params]


def quoted_table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _take_turns():
    """Transactions that recount wait for each other, on PostgreSQL.

    Two editors tagging at once would otherwise each count without the
    other's uncommitted rows, and the last to write would leave a count one
    short. The lock is held until the transaction ends, so the second counts
    after the first has committed. (SQLite lets one transaction write at a time.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOUNT_LOCK])


def scheduled_counts(now=None):
    """{tag id: how many of its published articles are still waiting for their time}.

    Written in SQL, as `kept_less_scheduled`: through the ORM it took 1.7 ms,
    on every home and topics page, most of it building the query.
    """
    sql = (
        f"SELECT t.tag_id, COUNT(*) FROM {quoted_table(TaggedArticle)} t "
        f"WHERE t.content_object_id IN (SELECT a.id FROM {quoted_table(Article)} a "
        f"WHERE a.status = %s AND a.publish_at > %s) GROUP BY t.tag_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, adapted([Article.Status.PUBLISHED, now or timezone.now()]))
        return dict(cursor.fetchall())


def rebuild():
    """Recompute every `published_at` and every count: three statements and a recount."""
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    TaggedArticle.objects.update(
        published_at=Subquery(
            published.filter(pk=OuterRef("content_object_id")).values("publish_at")
        )
    )
    ArticleCause.objects.update(
        published_at=Subquery(published.filter(pk=OuterRef("article_id")).values("publish_at"))
    )
    TopicCount.objects.all().delete()
    recount(TaggedArticle.objects.values_list("tag_id", flat=True).distinct())
    recount_articles()


# Receivers, connected by `connect()` from ArticlesConfig.ready.


# Of each model keeping a copy of its article's publish time: its key to the article.
ARTICLE_KEY = {TaggedArticle: "content_object", ArticleCause: "article"}


def _row_saved(sender, instance, **kwargs):
    # From the article's row, under its lock, not from an article in memory,
    # which may be stale: one that says "published" when it no longer is
    # would list a draft on tag and cause pages. A fixture row whose article
    # comes later gets its time when the article is saved (`_article_saved`).
    key = ARTICLE_KEY[sender]
    rows = Article.objects.filter(pk=getattr(instance, f"{key}_id"))
    if connection.in_atomic_block:
        rows = rows.select_for_update()
    stored = rows.values_list("status", "publish_at").first()
    is_published = stored is not None and stored[0] == Article.Status.PUBLISHED
    instance.published_at = stored[1] if is_published else None


def _tagging_changed(sender, instance, origin=None, **kwargs):
    # Also for `article.tags.remove/clear()` and deleted articles: those delete
    # rows one by one, with signals. Not for the rows of a tag being deleted:
    # its count goes with it (`_tag_deleted`), and recounting after each of
    # its rows took a topic on 5,000 articles 30 s.
    if not _deleted_with_its_tag(instance, origin):
        _recount_soon([instance.tag_id])


def _deleted_with_its_tag(tagging, origin):
    from taggit.models import Tag

    if isinstance(origin, QuerySet):
        return origin.model is Tag  # a tag's delete takes only its own rows along
    return isinstance(origin, Tag) and origin.pk == tagging.tag_id


def _read_stored_state(sender, instance, **kwargs):
    # Whether it was published, to move the total only when that changes (on save)
    # or when it goes (on delete). Read from the row, under its lock: a concurrent
    # change is then seen, not missed, and a stale instance is not believed.
    # Kept on the instance until its next save: the page cache reads it too.
    saved = Article.objects.filter(pk=instance.pk) if instance.pk else Article.objects.none()
    if connection.in_atomic_block:  # as in Article.save, loaddata and revision restores
        saved = saved.select_for_update()
    status = saved.values_list("status", flat=True).first()
    instance._was_published = status == Article.Status.PUBLISHED


def _article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    was_published = instance.__dict__.get("_was_published")
    if update_fields is None or "status" in update_fields:
        is_published = instance.status == Article.Status.PUBLISHED
    elif "publish_at" in update_fields:
        is_published = was_published  # the status stored, not one in memory
    else:
        return  # neither whether nor when it is published was written
    if was_published != is_published:
        if raw or was_published is None:
            # A fixture load or a revision restore: the total may be loaded
            # too, before or after the articles, so it is counted afresh.
            recount_articles()
        else:
            count_in_total(-1 if was_published else 1)
    value = instance.publish_at if is_published else None
    rows = TaggedArticle.objects.filter(content_object_id=instance.pk)
    # Only when the published state or time changed: most saves touch nothing here.
    if rows.exclude(published_at=value).update(published_at=value):
        _recount_soon(rows.values_list("tag_id", flat=True))
    listings = ArticleCause.objects.filter(article_id=instance.pk)
    listings.exclude(published_at=value).update(published_at=value)


def _article_deleted(sender, instance, **kwargs):
    if instance.__dict__.get("_was_published", False):
        count_in_total(-1)


def _tag_deleted(sender, instance, **kwargs):
    TopicCount.objects.filter(tag_id=instance.pk).delete()


def connect():
    from taggit.models import Tag

    for model in ARTICLE_KEY:
        pre_save.connect(_row_saved, sender=model, dispatch_uid=f"tag-index-row-{model.__name__}")
    post_save.connect(_tagging_changed, sender=TaggedArticle, dispatch_uid="tag-index-added")
    post_delete.connect(_tagging_changed, sender=TaggedArticle, dispatch_uid="tag-index-removed")
    pre_save.connect(_read_stored_state, sender=Article, dispatch_uid="tag-index-article-saving")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="tag-index-article")
    pre_delete.connect(_read_stored_state, sender=Article, dispatch_uid="tag-index-article-going")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="tag-index-article-gone")
    post_delete.connect(_tag_deleted, sender=Tag, dispatch_uid="tag-index-tag")
