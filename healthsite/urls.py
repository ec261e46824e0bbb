from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.feeds import LatestArticlesFeed

from . import views
from .sitemaps import section as sitemap_section
from .sitemaps import sitemaps

admin.site.site_header = "Healthsite editorial"
admin.site.site_title = "Healthsite editorial"
admin.site.index_title = "Articles, causes and questions"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": sitemaps}, name="sitemap-index"),
    # The index links to the sections by this view's name, Django's. Sections and
    # the feed answer 304 by their ETags alone (`without_last_modified`).
    path(
        "sitemap-<section>.xml",
        views.without_last_modified(sitemap_section),
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("feed/", views.without_last_modified(LatestArticlesFeed()), name="feed"),
    path("", include("articles.urls")),
    path("faq/", include("faq.urls")),
    # "admin/" unless DJANGO_ADMIN_URL moves it.
    path(settings.ADMIN_URL, admin.site.urls),
]
