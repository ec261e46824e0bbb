from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    add_cause,
    add_faq,
    add_link,
    make_article,
    make_cause,
    make_draft,
    make_user,
)

pytestmark = pytest.mark.django_db


def full_article(causes=3, faqs=3, links=2):
    article = make_article(
        title="Why do my toes twitch?",
        subtitle="Causes and remedies",
        seek_help_non_urgent="- twitching lasts more than 2 weeks",
        seek_help_emergency="- sudden weakness on one side",
        tags=["feet", "muscles"],
        author=make_user(first_name="Ann", last_name="Editor"),
        medical_reviewer=make_user(first_name="Ray", last_name="Viewer"),
    )
    for n in range(causes):
        add_cause(article, make_cause(name=f"Cause number {n}"), explanation=f"Why {n}.")
    for n in range(faqs):
        add_faq(article, question=f"Question number {n}?", answer=f"Answer {n}.")
    for _ in range(links):
        add_link(article, make_article())
    return article


def in_order(content, *texts):
    positions = [content.index(text) for text in texts]
    return positions == sorted(positions)


class TestArticlePage:
    def test_shows_causes_and_faq_in_their_order(self, client):
        article = make_article()
        second = add_cause(article, make_cause(name="Dehydration"), position=2)
        add_cause(article, make_cause(name="Muscle fatigue"), position=1)
        add_faq(article, question="Is it serious?", position=2)
        add_faq(article, question="Can I prevent it?", position=1)
        content = client.get(article.get_absolute_url()).content.decode()
        assert in_order(content, "Muscle fatigue", "Dehydration")
        assert in_order(content, "Can I prevent it?", "Is it serious?")
        assert f'id="{second.anchor}"' in content
        assert f'href="{second.cause.get_absolute_url()}"' in content

    def test_shows_the_rest_of_the_article(self, client):
        article = full_article()
        content = client.get(article.get_absolute_url()).content.decode()
        for text in (
            "Why do my toes twitch?",
            "Causes and remedies",
            "See a GP if",
            "Call emergency services if",
            "sudden weakness on one side",
            "Ann Editor",
            "Ray Viewer",
            "feet",
        ):
            assert text in content
        assert "Get advice now if" not in content  # no urgent advice was written

    def test_see_also_shows_published_targets_only(self, client):
        article = make_article()
        shown = add_link(article, make_article(title="Leg cramps"))
        add_link(article, make_draft(title="Draft about hips"))
        add_link(article, target_title="Not written yet")
        content = client.get(article.get_absolute_url()).content.decode()
        assert f'href="{shown.target.get_absolute_url()}"' in content
        assert "Draft about hips" not in content
        assert "Not written yet" not in content

    @pytest.mark.parametrize(
        "overrides",
        [
            {"status": "draft", "publish_at": None},
            {"status": "review", "publish_at": None},
            {"status": "archived"},
            {"publish_at": timezone.now() + timedelta(days=1)},
        ],
    )
    def test_unpublished_articles_are_404(self, client, overrides):
        article = make_article(**overrides)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404
        assert article.title not in response.content.decode()

    def test_unknown_slug_is_404_in_the_site_layout(self, client):
        response = client.get("/articles/no-such-article/")
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()

    def test_stored_markup_is_sanitised(self, client):
        article = make_article(
            summary='<script>alert("x")</script> **bold** [bad](javascript:alert(1))',
            conclusion="<img src=x onerror=alert(1)>",
        )
        add_faq(article, question="<b>Q</b>?", answer="<iframe src=//evil></iframe>")
        content = client.get(article.get_absolute_url()).content.decode()
        assert "<script>alert" not in content
        assert "<img" not in content
        assert "<iframe" not in content
        assert 'href="javascript' not in content
        assert "<strong>bold</strong>" in content
        assert "&lt;b&gt;Q&lt;/b&gt;?" in content

    def test_query_count_does_not_grow_with_content(self, client, django_assert_num_queries):
        small, large = full_article(), None
        with django_assert_num_queries(5) as small_queries:
            client.get(small.get_absolute_url())
        large = make_article(tags=["a", "b", "c"])
        for n in range(10):
            add_cause(large, explanation=str(n))
            add_faq(large)
            add_link(large, make_article())
        with django_assert_num_queries(len(small_queries.captured_queries)):
            client.get(large.get_absolute_url())


class TestListPages:
    def test_home_lists_latest_published_articles(self, client, settings):
        settings.HOME_LATEST_ARTICLES = 2
        now = timezone.now()
        make_article(title="Oldest", publish_at=now - timedelta(days=3))
        make_article(title="Middle", publish_at=now - timedelta(days=2))
        make_article(title="Newest", publish_at=now - timedelta(days=1))
        make_draft(title="A draft")
        make_article(title="Scheduled", publish_at=now + timedelta(days=1))
        response = client.get(reverse("home"))
        assert [a.title for a in response.context["latest_articles"]] == ["Newest", "Middle"]
        assert "A draft" not in response.content.decode()

    def test_article_list_is_paginated(self, client, django_assert_max_num_queries):
        for n in range(25):
            make_article(title=f"Article {n:02}")
        make_draft(title="A draft")
        with django_assert_max_num_queries(2):
            first = client.get(reverse("articles:list"))
        assert len(first.context["article_list"]) == 20
        second = client.get(reverse("articles:list"), {"page": 2})
        assert len(second.context["article_list"]) == 5
        assert "A draft" not in first.content.decode() + second.content.decode()

    @pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999"])
    def test_bad_page_numbers_are_404(self, client, page):
        make_article()
        assert client.get(reverse("articles:list"), {"page": page}).status_code == 404

    def test_cause_page_lists_published_articles_with_the_cause(self, client):
        cause = make_cause(name="Dehydration", description="Not enough **water**.")
        add_cause(make_article(title="Headaches"), cause)
        add_cause(make_draft(title="Draft on cramps"), cause)
        make_article(title="Unrelated")
        response = client.get(cause.get_absolute_url())
        content = response.content.decode()
        assert [a.title for a in response.context["object_list"]] == ["Headaches"]
        assert "<strong>water</strong>" in content
        assert "Draft on cramps" not in content

    def test_site_wide_faq_page(self, client):
        add_faq(question="Who writes the articles?", position=2)
        add_faq(question="Is this medical advice?", position=1)
        add_faq(make_article(), question="Belongs to an article?")
        response = client.get(reverse("faq:list"))
        content = response.content.decode()
        assert in_order(content, "Is this medical advice?", "Who writes the articles?")
        assert "Belongs to an article?" not in content
