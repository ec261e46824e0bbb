from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.html import escape

from .models import Article


class LatestArticlesFeed(Feed):
    title = "Healthsite"
    description = "Clear, medically reviewed health information: the latest articles."

    def link(self):
        return reverse("home")

    def items(self):
        return Article.objects.published().for_listing()[:20]

    # Feed readers show titles and descriptions as HTML, so plain text is
    # HTML-escaped here and XML-escaped again by the feed writer (Django's
    # default for titles, see Django ticket #6533).
    def item_title(self, article):
        return escape(article.title)

    def item_description(self, article):
        return escape(article.meta_description or article.subtitle)

    def item_pubdate(self, article):
        return article.publish_at

    def item_updateddate(self, article):
        return article.updated
