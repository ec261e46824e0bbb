import json
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from articles.page import ArticleContent
from reviews.models import ReviewerProfile, latest_sign_off, record_sign_off
from tests.factories import add_cause, add_faq, add_link, make_article, make_user

pytestmark = pytest.mark.django_db

MARCH_2 = datetime(2026, 3, 2, 9, tzinfo=timezone.get_current_timezone())
OVERDUE_NOTE = "This page is due for review."


def json_ld(content):
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', content, re.S)
    return {data["@type"]: data for data in map(json.loads, blocks)}


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def dr_patel(reviewer):
    ReviewerProfile.objects.create(
        user=reviewer,
        display_name="Dr Asha Patel",
        credentials="MBBS, MRCGP",
        profession="General practitioner",
    )
    return reviewer


class TestSignOffOnThePage:
    def test_the_latest_sign_off_names_the_reviewer_publicly(self, client, dr_patel):
        article = make_article()
        with time_machine.travel(MARCH_2 - timedelta(days=1)):
            record_sign_off(article, make_user(first_name="Earlier", last_name="Reviewer"))
        with time_machine.travel(MARCH_2):
            record_sign_off(article, dr_patel)

        content = page(client, article)

        assert "Dr Asha Patel, MBBS, MRCGP" in content
        assert '<time datetime="2026-03-02">2 March 2026</time>' in content
        assert "Earlier Reviewer" not in content
        assert json_ld(content)["MedicalWebPage"]["reviewedBy"] == {
            "@type": "Person",
            "name": "Dr Asha Patel, MBBS, MRCGP",
            "honorificSuffix": "MBBS, MRCGP",
            "jobTitle": "General practitioner",
        }

    def test_a_reviewer_without_a_profile_is_named_from_their_account(
        self, client, reviewer, django_assert_max_num_queries
    ):
        article = make_article()
        record_sign_off(article, reviewer)

        with django_assert_max_num_queries(2):  # no query for the missing profile
            content = page(client, article)

        assert "Asha Patel" in content
        reviewed_by = json_ld(content)["MedicalWebPage"]["reviewedBy"]
        assert reviewed_by == {"@type": "Person", "name": "Asha Patel"}

    def test_without_a_sign_off_the_assigned_reviewer_is_shown(self, client):
        reviewer = make_user(first_name="Ray", last_name="Viewer")
        article = make_article(medical_reviewer=reviewer)

        content = page(client, article)

        assert "Medically reviewed by</dt><dd>Ray Viewer</dd>" in content
        assert json_ld(content)["MedicalWebPage"]["reviewedBy"]["name"] == "Ray Viewer"

    def test_an_unsaved_article_has_no_sign_off(self):
        assert latest_sign_off(Article(title="Not saved")) is None

    def test_a_later_edit_keeps_the_last_sign_off_on_the_page(self, client, dr_patel):
        article = make_article()
        record_sign_off(article, dr_patel)
        article.title = "Edited since"
        article.save()
        assert "Dr Asha Patel, MBBS, MRCGP" in page(client, article)


class TestOverdueNote:
    def test_shown_only_once_the_review_is_overdue(self, client):
        tz = timezone.get_current_timezone()
        article = make_article(
            publish_at=datetime(2023, 3, 1, tzinfo=tz),
            last_reviewed=date(2023, 3, 1),
            next_review_due=date(2026, 3, 1),
        )

        with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=tz)):
            assert OVERDUE_NOTE not in page(client, article)
        with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=tz)):
            content = page(client, article)
        assert OVERDUE_NOTE in content
        assert 'last reviewed on <time datetime="2023-03-01">1 March 2023</time>' in content
        assert 'class="review-note" role="note"' in content

    def test_not_shown_without_a_due_date(self, client):
        assert OVERDUE_NOTE not in page(client, make_article())

    def test_a_sign_off_lifts_it(self, client, reviewer):
        article = make_article(
            last_reviewed=timezone.localdate() - timedelta(days=1200),
            next_review_due=timezone.localdate() - timedelta(days=5),
        )
        assert OVERDUE_NOTE in page(client, article)
        record_sign_off(article, reviewer)
        assert OVERDUE_NOTE not in page(client, article)


@pytest.mark.parametrize("size", [1, 30])
def test_page_query_count_is_constant(client, dr_patel, size, django_assert_max_num_queries):
    article = make_article(tags=["a", "b"])
    for n in range(size):
        add_cause(article, explanation=f"Why {n}.")
        add_faq(article)
        add_link(article, make_article(tags=["a"]))
    record_sign_off(article, make_user())
    record_sign_off(article, dr_patel)
    with django_assert_max_num_queries(2):
        content = page(client, article)
    assert "Dr Asha Patel" in content


def test_the_pages_author_and_reviewer_are_read_not_made_up(dr_patel, django_assert_num_queries):
    """Built from the page's one query as the ORM reads a row: what the page does
    not show is deferred (read if asked for), not a default."""
    author = make_user(first_name="Ann", last_name="Author", email="ann@example.org")
    article = make_article(author=author, medical_reviewer=dr_patel)
    with django_assert_num_queries(1):
        found = ArticleContent.from_saved(Article.objects.for_detail().get(pk=article.pk)).article
        assert found.medical_reviewer.reviewer_profile.display_name == "Dr Asha Patel"
        assert found.author.get_full_name() == "Ann Author"
    assert not found.author._state.adding
    assert "email" in found.author.get_deferred_fields()
    assert found.author.email == "ann@example.org"
