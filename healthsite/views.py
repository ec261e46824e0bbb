import logging
import uuid
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import DateTimeField
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from articles.models import Article
from articles.topics import top_topics
from healthsite.db import Param, Prepared

logger = logging.getLogger(__name__)


def without_last_modified(view):
    """`view`, answering conditional requests by its ETag alone.

    Django's feed and sitemap views send the newest item's date as
    Last-Modified, which an item unpublished, or one dated earlier appearing
    (a scheduled article), does not move: a crawler or feed reader asking
    If-Modified-Since alone was told 304, and kept the withdrawn article. The
    ETag is the content's own (ConditionalGetMiddleware)."""

    @wraps(view)
    def answered_by_etag(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.pop("Last-Modified", None)
        return response

    return answered_by_etag


@lru_cache(maxsize=8)
def newest_articles(count):
    """The `count` newest published articles, as a listing shows them: a query
    built once (`Prepared`), which took longer to build than to run."""
    newest = Article.objects.published(now=Param("now", DateTimeField())).for_listing()
    return Prepared(newest[:count])


# The health check's cache key expires by itself should the delete not happen.
HEALTH_CHECK_KEY_SECONDS = 10


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        latest = newest_articles(settings.HOME_LATEST_ARTICLES).run(now=timezone.now())
        topics = top_topics(settings.HOME_TOPICS)  # counted ahead (articles/tag_index.py)
        return super().get_context_data(latest_articles=latest, topics=topics, **kwargs)


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 200 when the database and the cache both answer, else 503.

    The body says which failed: {"status": "ok"|"error", "database": "ok"|
    "unavailable", "cache": "ok"|"unavailable"}. The reason is logged.
    """
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error"}
    body |= {name: "ok" if ok else "unavailable" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if healthy else 503)


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() is not None
    except Exception:  # anything at all: the answer is "unavailable", not a 500
        logger.error("Health check: the database did not answer", exc_info=True)
        return False


def _cache_answers():
    # A key of its own for each check: app servers share the cache, and a
    # fixed key could be overwritten by another server's check in between.
    key, token = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, token, timeout=HEALTH_CHECK_KEY_SECONDS)
        answered = cache.get(key) == token
        cache.delete(key)
    except Exception:  # the Redis client raises its own errors, not Django's
        logger.error("Health check: the cache did not answer", exc_info=True)
        return False
    if not answered:
        logger.error("Health check: the cache did not keep a value")
    return answered


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap-index"))
    body = f"User-agent: *\nDisallow: /admin/\nSitemap: {sitemap_url}\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
