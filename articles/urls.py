from django.urls import path

from . import preview, views

app_name = "articles"

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("causes/<slug:slug>/", views.CauseDetailView.as_view(), name="cause"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("tags/", views.TagListView.as_view(), name="tags"),
    # taggit makes Unicode slugs, which the `slug` converter refuses.
    path("tags/<str:slug>/", views.TagDetailView.as_view(), name="tag"),
    path("preview/articles/<int:pk>/", preview.ArticlePreviewView.as_view(), name="preview"),
    path("preview/articles/new/", preview.ArticlePreviewView.as_view(), name="preview-new"),
]
