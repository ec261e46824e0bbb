import pytest
from django.core.management import call_command

from articles import demo_content
from articles.models import Article, ArticleCause, Cause, RelatedLink
from faq.models import FAQEntry

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "articles": Article.objects.published().count(),
        "causes": Cause.objects.count(),
        "article_causes": ArticleCause.objects.count(),
        "faq": sorted(FAQEntry.objects.values_list("pk", "question")),
        "links": RelatedLink.objects.count(),
        "pending": RelatedLink.objects.pending().count(),
    }


def test_load_demo_is_complete_and_idempotent(client):
    call_command("load_demo", stdout=None)
    first = snapshot()
    call_command("load_demo")
    assert snapshot() == first

    assert first["articles"] == len(demo_content.ARTICLES) >= 3
    assert first["pending"] == 0
    # Articles share causes, so cause pages connect them.
    shared = [c for c in Cause.objects.all() if c.article_causes.count() > 1]
    assert shared
    for article in Article.objects.all():
        assert article.article_causes.exists()
        assert article.faq_entries.exists()
        assert article.tags.exists()
        assert client.get(article.get_absolute_url()).status_code == 200
