from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Healthsite editorial"
admin.site.site_title = "Healthsite editorial"
admin.site.index_title = "Articles, causes and questions"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("articles.urls")),
    path("faq/", include("faq.urls")),
    path("admin/", admin.site.urls),
]
