"""A whole-page cache for anonymous readers that is never stale.

Every cached page is stamped with the current *content generation*, a counter
in the shared cache (Redis when `REDIS_URL` is set, so every app server agrees).
Any saved or deleted content (an article, a cause, a question, a link, a tag,
a source, a sign-off, a reviewer's name) bumps the generation, so the next
request of every page renders afresh: coarse, but never wrong, and edits are
rare next to reads. Time changes pages too: a scheduled article appears at
its publish time, and review notes change at midnight, so no page is kept
past the next of those moments.

Work on an article no reader can see keeps the cache: saving a draft (or one
in review, or archived) that was not published before the save either, and
saving or deleting its causes, questions, links, tags, references, redirects
and sign-offs (`seen_by_readers()`). Editors save drafts all day; each save
used to make every page of the site render afresh. Only inside a transaction,
where the rows it goes by can be locked (the admin and the importer save in
one); outside, every change empties the cache.

Only anonymous GET and HEAD requests are cached (a session cookie means a
logged-in editor, who must see the truth); the admin and previews never are.

A page's Content-Security-Policy nonce (its JSON-LD's) is replaced by a new one
on every hit, in the header and the page alike, so no two responses share one.
Its ETag is weak: hits differ from each other by their nonce alone.
"""

import base64
import hashlib
import logging
import os
import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag

logger = logging.getLogger(__name__)
GENERATION_KEY = "page-cache:generation"
# Headers set inside the cache (by the view or inner middleware) that a cached
# page must keep; SecurityMiddleware's run outside it, on every response.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Robots-Tag",
    "Vary",
    "ETag",  # computed once, when the page is stored, not on every hit
)
POLICY_NONCE = re.compile(r"'nonce-([^']+)'")


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def content_changed(sender=None, instance=None, **kwargs):
    """Receiver for every content model: all cached pages are out of date,
    unless no reader can see the change (`seen_by_readers()`).

    Bumped at once, and again when the transaction commits: a reader who
    rendered the old content before the commit filed it under the generation
    that the second bump retires.
    """
    saved = "action" not in kwargs  # else taggit's m2m_changed: tags added or removed
    if instance is not None and _in_transaction() and not seen_by_readers(instance, saved):
        return
    _bump()
    transaction.on_commit(_bump)


# Rows that belong to one article, and their key to it (a question's tagging
# belongs to the question's). No reader sees them while the article is
# unpublished. A question without an article is site-wide.
ARTICLE_KEYS = {
    "articles.ArticleCause": "article_id",
    "articles.RelatedLink": "article_id",
    "articles.SlugRedirect": "article_id",
    "articles.TaggedArticle": "content_object_id",
    "faq.FAQEntry": "article_id",
    "reviews.SignOff": "article_id",
    "sources.ArticleSource": "article_id",
}


def seen_by_readers(instance, saved=True):
    """Whether saving or deleting `instance` (`saved`), or changing its tags
    (not `saved`), inside a transaction, can change a page readers see.

    An article's own save or delete can if it is published or was until then
    (its stored status, read under the row's lock as the save began, by
    `articles.tag_index`). A row of an article can if that article is
    published, or the one its stored row belonged to until then is (a question
    can move to another article, or from the site-wide FAQ). Every status and
    stored row is read from the database under the row's lock, so no one
    publishes or moves it unseen before this commits, and an instance that
    may be stale is believed only when it says "published" (a wrong "yes"
    costs one needless bump; a wrong "no" would leave a page stale). A
    site-wide question can, and so can anything unknown.

    Outside a transaction nothing can be locked, so `content_changed` does not
    ask: every change there empties the cache.
    """
    from articles.models import Article
    from faq.models import FAQEntry, TaggedFAQEntry

    if isinstance(instance, Article):
        if saved:
            was_published = instance.__dict__.get("_was_published", True)
            return was_published or instance.status == Article.Status.PUBLISHED
        return _published_now(instance.pk)
    if isinstance(instance, FAQEntry) and not saved:  # a question's tags
        return _seen(_articles_of_questions([instance.pk]))
    if instance.__dict__.get("_was_seen", True):
        return True
    if isinstance(instance, TaggedFAQEntry):
        return _seen(_articles_of_questions([instance.content_object_id]))
    key = ARTICLE_KEYS.get(instance._meta.label)
    if key is None:
        return True
    article_id = getattr(instance, key)
    # A saved row's article was locked, and its status read, as the save began.
    known = instance.__dict__.get("_article_statuses", {}) if saved else {}
    return article_id is None or _looks_published(instance, key) or _published(article_id, known)


def _seen(article_ids, known=None):
    """Whether readers see rows of these articles (None: a site-wide question);
    yes when there are none (the row is gone: nothing to go by)."""
    if not article_ids or None in article_ids:
        return True
    return any(_published(article_id, known or {}) for article_id in article_ids)


def _published(article_id, known):
    """`_published_now`, from `known` statuses read under lock when it has the article's."""
    from articles.models import Article

    if article_id in known:
        return known[article_id] == Article.Status.PUBLISHED
    return _published_now(article_id)


def _articles_of_questions(question_ids, lock=True):
    """The articles of these questions, read under the questions' lock (and
    the articles' first, unless the caller has locked them)."""
    from faq.models import FAQEntry

    questions = FAQEntry._base_manager.filter(pk__in=question_ids)
    if lock:
        lock_articles(questions.values("article_id"))
    return _locked(questions, "article_id")


def _in_transaction():
    return transaction.get_connection().in_atomic_block


def _locked(queryset, field):
    """The values of `field` in the rows, read under their lock."""
    return set(queryset.select_for_update().values_list(field, flat=True))


def lock_articles(*ids):
    """Lock the rows of the articles these ids (or querysets of ids) name, in id
    order, before any of their rows is locked or written.

    An editor saving an article locks it first, then writes its rows; a search
    refresh at the end of every batch writes the article last. A change to one
    of its rows alone (a question in its own form), locking the row first and
    the article after, could deadlock with the first (PostgreSQL would fail one
    of them): each waiting for a lock the other holds.

    Returns {id: status} of the rows locked, so that they are not read again.
    """
    from articles.models import Article

    if not transaction.get_connection().features.has_select_for_update:
        return {}  # SQLite: one writer at a time, nothing to lock
    known = [value for value in ids if value is not None and not isinstance(value, QuerySet)]
    chosen = [value.order_by() for value in ids if isinstance(value, QuerySet)]
    if known and chosen:
        chosen.insert(0, Article._base_manager.filter(pk__in=known).values("pk").order_by())
    if len(chosen) > 1:
        # One list (a UNION): "id = 1 OR id IN (...)" had PostgreSQL read every article.
        chosen = [chosen[0].union(*chosen[1:])]
    if not (chosen or known):
        return {}
    rows = Article._base_manager.filter(pk__in=chosen[0] if chosen else known)
    rows = rows.order_by("pk").select_for_update()
    return dict(rows.values_list("pk", "status"))


def _looks_published(instance, key):
    """Whether what is in memory says the row's article is published: its copy
    of the publish time (`articles.tag_index`), or the article it holds."""
    if getattr(instance, "published_at", None) is not None:
        return True
    from articles.models import Article

    field = instance._meta.get_field(key.removesuffix("_id"))
    article = field.get_cached_value(instance, None)
    return article is not None and article.status == Article.Status.PUBLISHED


def _remember_whether_seen(sender, instance, **kwargs):
    """Before a row of an article or a question's tagging is saved or deleted:
    whether readers see it as it is stored now (`_was_seen`), read under the
    row's lock. A row loaded by `loaddata` or a revision's revert is new to
    Django but may be stored already: any row with a primary key is read."""
    from faq.models import TaggedFAQEntry

    key = ARTICLE_KEYS.get(sender._meta.label)
    if not _in_transaction():
        instance._was_seen = True  # outside a transaction, every change empties the cache
        return
    statuses = {}
    if (origin := kwargs.get("origin")) is not None:
        statuses = _lock_articles_deleted_from(origin)
    if not (key and getattr(instance, key) in statuses):
        statuses = _lock_articles_of(sender, instance, key)
    instance._article_statuses = statuses
    if instance.pk is None:
        instance._was_seen = False
    elif key and _looks_published(instance, key):
        instance._was_seen = True
    elif sender is TaggedFAQEntry:
        stored = _locked(sender._base_manager.filter(pk=instance.pk), "content_object_id")
        articles = _articles_of_questions(stored, lock=False)  # locked above
        instance._was_seen = bool(stored) and _seen(articles, statuses)
    else:
        stored = _locked(sender._base_manager.filter(pk=instance.pk), key)
        instance._was_seen = bool(stored) and _seen(stored, statuses)


def _lock_articles_of(sender, instance, key):
    """Lock the article the row belongs to, and the one its stored row belonged
    to, before the row (`lock_articles`): one query. Their {id: status}."""
    from faq.models import FAQEntry, TaggedFAQEntry

    column = "content_object_id" if sender is TaggedFAQEntry else key
    stored = None
    if instance.pk is not None:
        stored = sender._base_manager.filter(pk=instance.pk).values(column)
    if sender is TaggedFAQEntry:  # the articles of the questions
        questions = Q(pk=instance.content_object_id)
        if stored is not None:
            questions |= Q(pk__in=stored)
        return lock_articles(FAQEntry._base_manager.filter(questions).values("article_id"))
    return lock_articles(getattr(instance, key), stored)


def _lock_articles_deleted_from(origin):
    """A delete of many articles' rows at once (a topic, which takes its
    taggings along; a selection of questions, or of articles) deletes them
    one by one, each row locking its article first, in the rows' order: lock
    the articles at the first row, in id order, or two such deletes at once
    could each hold an article the other waits for. Once for each delete
    (`origin`: what `delete()` was called on, an object or a queryset);
    returns {id: status} of the articles locked, for its other rows."""
    from django.apps import apps

    from articles.models import Article

    if (locked := getattr(origin, "_article_statuses", None)) is not None:
        return locked
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    key = "pk" if model is Article else ARTICLE_KEYS.get(model._meta.label)
    if key and not isinstance(origin, QuerySet):
        return {}  # one article, or one of its rows: it is locked before each row
    if key:
        origin._article_statuses = lock_articles(origin.values(key))
        return origin._article_statuses
    chosen = origin.values("pk") if isinstance(origin, QuerySet) else [origin.pk]
    articles = []
    for label, key in [*ARTICLE_KEYS.items(), ("faq.TaggedFAQEntry", "content_object__article")]:
        row = apps.get_model(label)
        for field in row._meta.concrete_fields:
            if field.many_to_one and field.related_model is model:
                rows = row._base_manager.filter(**{f"{field.name}__in": chosen})
                articles.append(rows.values(key))
    origin._article_statuses = lock_articles(*articles)
    return origin._article_statuses


def _published_now(article_id):
    """Whether the article's row says published (scheduled ones too), read
    under its lock; True if it is gone."""
    from articles.models import Article

    status = _locked(Article._base_manager.filter(pk=article_id), "status")
    return not status or Article.Status.PUBLISHED in status


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet, or the cache lost it
        cache.add(GENERATION_KEY, 2, timeout=None)
    except Exception:  # the cache is down: nothing is being served from it either
        logger.exception("Could not invalidate the page cache")


def connect_receivers():
    from django.apps import apps

    models = [
        "articles.Article",
        "articles.ArticleCause",
        "articles.Cause",
        "articles.RelatedLink",
        "articles.SlugRedirect",
        "articles.TaggedArticle",
        "articles.TaggedCause",
        "faq.FAQEntry",
        "faq.TaggedFAQEntry",
        "taggit.Tag",
        "sources.Source",
        "sources.ArticleSource",
        "sources.CauseSource",
        "reviews.SignOff",
        "reviews.ReviewerProfile",
        settings.AUTH_USER_MODEL,  # authors' and reviewers' names are on pages
    ]
    for label in models:
        model = apps.get_model(label)
        post_save.connect(content_changed, sender=model, dispatch_uid=f"page-cache-save-{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"page-cache-del-{label}")
    for label in [*ARTICLE_KEYS, "faq.TaggedFAQEntry"]:
        model = apps.get_model(label)
        for signal in (pre_save, pre_delete):
            signal.connect(_remember_whether_seen, sender=model, dispatch_uid=f"page-cache-{label}")
    for label in ("articles.TaggedArticle", "articles.TaggedCause", "faq.TaggedFAQEntry"):
        m2m_changed.connect(
            content_changed, sender=apps.get_model(label), dispatch_uid=f"page-cache-m2m-{label}"
        )


def seconds_to_keep(now=None):
    """How long a page rendered now stays true: until the next scheduled
    publication or the next midnight, and at most `PAGE_CACHE_SECONDS`."""
    from articles.models import Article

    now = now or timezone.now()
    limits = [settings.PAGE_CACHE_SECONDS]
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    midnight = timezone.make_aware(datetime.combine(tomorrow, time.min))
    limits.append((midnight - now).total_seconds())
    next_publication = (
        Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    if next_publication:
        limits.append((next_publication - now).total_seconds())
    return max(0, int(min(limits)))


class PageCacheMiddleware:
    """Serve anonymous readers' pages from the cache; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response
        admin = "/" + getattr(settings, "ADMIN_URL", "admin/").lstrip("/")
        self.private_prefixes = (admin, "/preview/")

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        try:
            # One round trip: the page, and the generation it must have been filed under.
            found = cache.get_many([GENERATION_KEY, key])
            current = found.get(GENERATION_KEY) or generation()
        except Exception:  # the cache is down: serve the page, uncached
            logger.exception("Page cache unavailable")
            return self.get_response(request)
        stored = found.get(key)
        if stored is not None and stored["generation"] == current:
            return self._replay(stored)
        started = timezone.now()
        response = self.get_response(request)
        if self._cacheable_response(response):
            # The page shows the content as it was when its rendering began: an
            # article published meanwhile is not on it, so it is kept no longer
            # than until that article's publish time (asked now, the next).
            rendering = (timezone.now() - started).total_seconds()
            if (keep := int(seconds_to_keep(started) - rendering)) > 0:
                try:
                    cache.set(key, self._stored(response, current), timeout=keep)
                except Exception:
                    logger.exception("Page cache unavailable")
            response["X-Page-Cache"] = "miss"
            # Browsers and CDNs may keep it, but must ask again (ETag: a cheap 304).
            patch_cache_control(response, public=True, no_cache=True)
        return response

    def _cacheable_request(self, request):
        return (
            settings.PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.path.startswith(self.private_prefixes)
        )

    def _key(self, request):
        where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        return f"page:{hashlib.sha256(where.encode()).hexdigest()}"

    @staticmethod
    def _cacheable_response(response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        )

    @staticmethod
    def _stored(response, generation):
        """The page, and the generation read when its request began: a page rendered
        from content older than a bump is filed under the generation it retired."""
        if not response.has_header("ETag"):
            set_response_etag(response)  # what ConditionalGetMiddleware would set
        nonce = POLICY_NONCE.search(response.get("Content-Security-Policy", ""))
        if nonce and not response["ETag"].startswith("W/"):
            response["ETag"] = f"W/{response['ETag']}"
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        return {
            "generation": generation,
            "content": response.content,
            "status": response.status_code,
            "headers": headers,
            "nonce": nonce and nonce.group(1),
        }

    @staticmethod
    def _replay(stored):
        content, headers = stored["content"], dict(stored["headers"])
        if old := stored.get("nonce"):
            new = base64.b64encode(os.urandom(16)).decode("ascii")  # as django-csp makes them
            content = content.replace(f'nonce="{old}"'.encode(), f'nonce="{new}"'.encode())
            policy = headers["Content-Security-Policy"]
            headers["Content-Security-Policy"] = policy.replace(f"'nonce-{old}'", f"'nonce-{new}'")
        response = HttpResponse(content, status=stored["status"])
        for name, value in headers.items():
            response[name] = value
        response["X-Page-Cache"] = "hit"
        patch_cache_control(response, public=True, no_cache=True)
        return response
