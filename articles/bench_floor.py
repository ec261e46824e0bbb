"""The floor that `manage.py bench_http` measures beside the article page.

The site's URLconf, and one more address (bench_http's own gunicorn serves it,
never the site's): it looks the published article up by its slug, in one
query for its id alone, then answers with the article page's bytes, built once
per process. Nothing else is built or read (the page's own query reads the
whole row and its lists, twice the database time of this one), so its
requests/s over the static file's is more than the uncached article page could
reach on this stack (Django's request handling and middleware, one query, the
same bytes) if building the page cost nothing.
"""

from django.http import Http404, HttpResponse
from django.urls import path

from healthsite.urls import urlpatterns as site_urlpatterns

from .models import Article
from .views import ArticleDetailView

_built = {}  # slug: the article page's bytes


def floor(request, slug):
    if Article.objects.published().filter(slug=slug).values_list("pk", flat=True).first() is None:
        raise Http404("No published article has this address.")
    if slug not in _built:
        _built[slug] = ArticleDetailView.as_view()(request, slug=slug).render().content
    return HttpResponse(_built[slug])


urlpatterns = [*site_urlpatterns, path("bench/floor/<slug:slug>/", floor, name="bench-floor")]
