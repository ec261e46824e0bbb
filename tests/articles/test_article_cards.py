"""`{% article_cards %}`: the cards of a list of articles, as readers see them."""

import pytest
from django.template import Context, Template

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db

CARDS = Template("{% load article_cards %}{% article_cards articles %}")


def test_each_card_links_its_article_and_escapes_its_text(django_assert_num_queries):
    make_article(title="Gout", subtitle="Toes", meta_description="")
    make_article(title="Cramp & <b>you</b>", subtitle="", meta_description="Why <i>legs</i> ache")
    articles = list(Article.objects.published().for_listing())  # newest first

    with django_assert_num_queries(0):
        html = CARDS.render(Context({"articles": articles}))

    first, second = html.split('<li class="card">')[1:]
    assert f'<a href="{articles[0].get_absolute_url()}">' in first
    assert "Cramp &amp; &lt;b&gt;you&lt;/b&gt;" in first
    assert "<p>Why &lt;i&gt;legs&lt;/i&gt; ache</p>" in first
    assert "card__subtitle" not in first  # no empty paragraphs
    assert f'<a href="{articles[1].get_absolute_url()}">Gout</a>' in second
    assert '<p class="card__subtitle">Toes</p>' in second
    assert second.count("<p") == 1


def test_no_articles_no_cards():
    assert '<li class="card">' not in CARDS.render(Context({"articles": []}))
