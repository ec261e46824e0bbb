from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from articles.page import ArticleContent
from articles.related import related_articles, spread_callouts
from tests.factories import add_link, make_article, make_draft

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def for_detail(article):
    return ArticleContent.from_saved(Article.objects.for_detail().get(pk=article.pk))


def titles(articles):
    return [a.title for a in articles]


class TestRelatedArticles:
    def test_most_shared_tags_first_then_most_recent_then_id(self, settings):
        settings.SEE_ALSO_COUNT = 10
        article = make_article(title="Subject", tags=["a", "b", "c"])
        make_article(title="One tag, new", tags=["a"], publish_at=days_ago(1))
        make_article(title="Three tags", tags=["a", "b", "c", "z"], publish_at=days_ago(9))
        make_article(title="Two tags, old", tags=["a", "b"], publish_at=days_ago(8))
        make_article(title="Two tags, new", tags=["b", "c"], publish_at=days_ago(2))
        same_time = days_ago(5)
        first = make_article(title="One tag, tie 1", tags=["c"], publish_at=same_time)
        second = make_article(title="One tag, tie 2", tags=["c"], publish_at=same_time)
        make_article(title="No shared tag", tags=["z"])
        assert first.pk < second.pk
        assert titles(related_articles(for_detail(article))) == [
            "Three tags",
            "Two tags, new",
            "Two tags, old",
            "One tag, new",
            "One tag, tie 2",
            "One tag, tie 1",
        ]

    def test_pins_come_first_in_their_order_and_are_not_repeated(self, settings):
        settings.SEE_ALSO_COUNT = 4
        article = make_article(tags=["a"])
        pinned_second = make_article(title="Pinned 2", tags=["a"])
        pinned_first = make_article(title="Pinned 1")
        add_link(article, pinned_second, position=2)
        add_link(article, pinned_first, position=1)
        make_article(title="By tag", tags=["a"])
        assert titles(related_articles(for_detail(article))) == [
            "Pinned 1",
            "Pinned 2",
            "By tag",
        ]

    def test_never_itself_drafts_scheduled_archived_or_pending(self, settings):
        settings.SEE_ALSO_COUNT = 10
        article = make_article(tags=["a"])
        add_link(article, make_draft(title="Pinned draft"))
        add_link(article, target_title="Not written yet")
        make_draft(title="Draft", tags=["a"])
        make_article(title="Scheduled", tags=["a"], publish_at=timezone.now() + timedelta(1))
        make_article(title="Archived", tags=["a"], status="archived")
        make_article(title="Published", tags=["a"])
        assert titles(related_articles(for_detail(article))) == ["Published"]

    def test_count_is_a_setting(self, settings):
        article = make_article(tags=["a"])
        for n in range(6):
            make_article(tags=["a"], publish_at=days_ago(n))
        settings.SEE_ALSO_COUNT = 2
        assert len(related_articles(for_detail(article))) == 2
        settings.SEE_ALSO_COUNT = 5
        assert len(related_articles(for_detail(article))) == 5

    def test_one_query_whatever_the_numbers(self, settings, django_assert_num_queries):
        settings.SEE_ALSO_COUNT = 5
        article = make_article(tags=["a", "b", "c"])
        add_link(article, make_article())
        for n in range(30):
            make_article(tags=["a", "b"][: n % 2 + 1])
        article = for_detail(article)
        with django_assert_num_queries(1):
            assert len(related_articles(article)) == 5

    def test_one_statement_for_articles_of_the_same_shape(self, settings):
        # Limits are in the SQL, so PostgreSQL can keep one plan for the
        # prepared statement (a LIMIT parameter it would have to guess).
        settings.SEE_ALSO_CANDIDATES_PER_TAG = 9973
        first, second = make_article(tags=["a", "b"]), make_article(tags=["c", "d"])
        add_link(first, second)
        add_link(second, first)
        first, second = for_detail(first), for_detail(second)
        statements = []

        def record(execute, sql, params, many, context):
            statements.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            related_articles(first)
            related_articles(second)
        (sql, params), (other_sql, other_params) = statements
        assert sql == other_sql
        assert sql.count("LIMIT 9973)") == 2  # the newest 9973 of each tag
        assert sql.endswith(f"LIMIT {settings.SEE_ALSO_COUNT}")
        assert 9973 not in params + other_params

    def test_no_query_without_pins_or_tags(self, django_assert_num_queries):
        article = for_detail(make_article())
        with django_assert_num_queries(0):
            assert related_articles(article) == []

    def test_unpublished_pins_do_not_use_up_the_list(self, settings):
        settings.SEE_ALSO_COUNT = 2
        article = make_article(tags=["a"])
        add_link(article, make_draft(title="Draft pin"))
        add_link(article, make_article(title="Live pin"))
        make_article(title="By tag", tags=["a"])
        assert titles(related_articles(for_detail(article))) == ["Live pin", "By tag"]

    def test_a_pin_to_a_draft_takes_no_place_among_the_pins(self, settings):
        # Else a draft given the title of a pending pin (which then points at
        # it), or deleted, would change which pins a published page shows.
        settings.SEE_ALSO_COUNT = 2
        article = make_article(tags=["a"])
        add_link(article, make_draft(title="Draft pin"))
        add_link(article, make_article(title="First live pin"))
        add_link(article, make_article(title="Second live pin"))
        make_article(title="By tag", tags=["a"])
        assert titles(related_articles(for_detail(article))) == [
            "First live pin",
            "Second live pin",
        ]

    def test_a_pin_to_a_draft_changes_nothing_among_the_rest(self, settings):
        # The candidates are ranked within each tag's newest, the page by every
        # shared tag: taking more candidates for more pins changed the page.
        settings.SEE_ALSO_COUNT = 1
        settings.SEE_ALSO_CANDIDATES_PER_TAG = 1
        make_article(title="Old, two tags", tags=["a", "b"], publish_at=days_ago(3))
        make_article(title="New, one tag", tags=["a"], publish_at=days_ago(1))
        article = make_article(tags=["a", "b"], publish_at=days_ago(5))
        before = titles(related_articles(for_detail(article)))
        add_link(article, make_draft(title="Draft pin"))
        assert titles(related_articles(for_detail(article))) == before

    def test_pins_alone_keep_their_order(self):
        article = make_article()
        for title in ("Second", "First"):
            add_link(article, make_article(title=title))
        assert titles(related_articles(for_detail(article))) == ["Second", "First"]

    def test_pins_and_tags_are_chosen_in_one_subquery(self):
        # Pins and shared-tag candidates ORed as two conditions made PostgreSQL
        # read every article (90 to 170 ms a page at 100,000 articles); one
        # subquery of ids is looked up in the primary key.
        article = make_article(tags=["a", "b"])
        add_link(article, make_article(title="Pinned"))
        make_article(title="By tag", tags=["a"])
        content = for_detail(article)
        with CaptureQueriesContext(connection) as queries:
            assert titles(related_articles(content)) == ["Pinned", "By tag"]
        [query] = queries.captured_queries
        assert query["sql"].count("a.id IN (") == 1 and " OR " not in query["sql"]

    def test_an_unsaved_article_in_a_preview_gets_articles_sharing_its_tags(self):
        make_article(title="Shares a tag", tags=["a"])
        tags = list(Tag.objects.filter(name="a"))
        unsaved = ArticleContent(article=Article(), causes=[], questions=[], tags=tags, pinned=[])
        assert titles(related_articles(unsaved)) == ["Shares a tag"]


class TestSpreadCallouts:
    def layout(self, causes, questions, related, limit=3):
        cause_rows, question_rows = spread_callouts(
            range(causes), range(questions), [f"R{n}" for n in range(related)], limit
        )
        # The page as a sequence: items and callouts in reading order.
        page = []
        for rows, kind in ((cause_rows, "cause"), (question_rows, "question")):
            for item, callout in rows:
                page.append((kind, item))
                if callout:
                    page.append(("callout", callout))
        return page

    def test_like_the_sample_article(self):
        page = self.layout(14, 14, 5)
        callouts = [i for i, (kind, _) in enumerate(page) if kind == "callout"]
        assert [page[i][1] for i in callouts] == ["R0", "R1", "R2"]
        for i in callouts:
            # Always between two items of the same list, never beside another callout.
            assert page[i - 1][0] == page[i + 1][0] != "callout"
        kinds = {page[i - 1][0] for i in callouts}
        assert kinds == {"cause", "question"}  # spread through both lists

    @pytest.mark.parametrize(
        ("causes", "questions", "related", "expected"),
        [
            (0, 0, 3, 0),
            (1, 1, 3, 0),  # no gap between two items
            (2, 0, 3, 1),
            (3, 3, 3, 2),  # four gaps: at most every other one
            (14, 14, 1, 1),
            (14, 14, 0, 0),
            (30, 30, 9, 3),  # the limit
        ],
    )
    def test_how_many_callouts(self, causes, questions, related, expected):
        page = self.layout(causes, questions, related)
        callouts = [i for i, (kind, _) in enumerate(page) if kind == "callout"]
        assert len(callouts) == expected
        for i in callouts:
            assert 0 < i < len(page) - 1
            assert page[i - 1][0] == page[i + 1][0] != "callout"
