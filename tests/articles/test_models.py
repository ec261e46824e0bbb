from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, ArticleCause, Cause, RelatedLink
from tests.factories import add_cause, add_link, make_article, make_cause, make_draft

pytestmark = pytest.mark.django_db


def refused(callable_, *args, **kwargs):
    """True when the database refuses the write (inside a savepoint, so the test goes on)."""
    try:
        with transaction.atomic():
            callable_(*args, **kwargs)
    except IntegrityError:
        return True
    return False


class TestPublished:
    def test_published_now_and_in_the_past_are_visible(self):
        past = make_article(publish_at=timezone.now() - timedelta(days=3))
        assert list(Article.objects.published()) == [past]
        assert past.is_published

    @pytest.mark.parametrize("status", ["draft", "review", "archived"])
    def test_other_statuses_are_not(self, status):
        article = make_article(status=status)
        assert not Article.objects.published().exists()
        assert not article.is_published

    def test_scheduled_article_appears_when_its_time_comes(self):
        soon = timezone.now() + timedelta(minutes=5)
        article = make_article(publish_at=soon)
        assert not Article.objects.published().exists()
        assert not article.is_published
        assert article.is_scheduled

        Article.objects.filter(pk=article.pk).update(publish_at=timezone.now())
        article.refresh_from_db()
        assert list(Article.objects.published()) == [article]
        assert article.is_published
        assert not article.is_scheduled

    def test_publishing_without_a_time_stamps_now(self):
        before = timezone.now()
        article = make_article(publish_at=None)
        assert before <= article.publish_at <= timezone.now()

    def test_database_refuses_published_without_time(self):
        article = make_article()
        assert refused(Article.objects.filter(pk=article.pk).update, publish_at=None)

    def test_database_refuses_unknown_status(self):
        article = make_article()
        assert refused(Article.objects.filter(pk=article.pk).update, status="deleted")

    def test_review_due_must_follow_last_review(self):
        with pytest.raises(ValidationError, match="after the last review"):
            Article(
                title="Dates",
                last_reviewed=date(2026, 1, 1),
                next_review_due=date(2025, 1, 1),
            ).full_clean()
        assert refused(
            make_article,
            last_reviewed=date(2026, 1, 1),
            next_review_due=date(2026, 1, 1),
        )

    def test_review_due_querysets(self):
        today = date(2026, 6, 1)
        overdue = make_article(next_review_due=today - timedelta(days=1))
        soon = make_article(next_review_due=today + timedelta(days=20))
        make_article(next_review_due=today + timedelta(days=200))
        make_article()
        assert list(Article.objects.review_overdue(today=today)) == [overdue]
        due = Article.objects.review_due_within(30, today=today)
        assert set(due) == {overdue, soon}


class TestSlugs:
    def test_generated_from_title(self):
        assert make_article(title="Why Do My Toes Twitch?").slug == "why-do-my-toes-twitch"

    def test_collisions_get_a_suffix(self):
        first = make_article(title="Toe twitching")
        second = make_article(title="Toe twitching!")
        third = make_article(title="Toe: twitching")
        assert (first.slug, second.slug, third.slug) == (
            "toe-twitching",
            "toe-twitching-2",
            "toe-twitching-3",
        )

    def test_an_editors_slug_is_kept_and_resaving_keeps_it(self):
        article = make_article(title="Cramp", slug="night-cramp")
        article.title = "Night cramps"
        article.save()
        assert article.slug == "night-cramp"

    def test_title_without_sluggable_characters_falls_back(self):
        assert make_article(title="头痛").slug == "article"
        assert make_article(title="偏头痛").slug == "article-2"

    def test_cause_slugs(self):
        assert make_cause(name="Low magnesium").slug == "low-magnesium"
        assert make_cause(name="Low  magnesium!").slug == "low-magnesium-2"

    def test_database_refuses_a_duplicate_slug(self):
        make_article(slug="same")
        assert refused(make_article, slug="same")


class TestUniqueNames:
    def test_article_titles_are_unique_ignoring_case(self):
        make_article(title="Leg cramps")
        with pytest.raises(ValidationError, match="already exists"):
            Article(title="LEG CRAMPS", slug="other").full_clean()
        assert refused(make_article, title="leg cramps")

    def test_cause_names_are_unique_ignoring_case(self):
        make_cause(name="Dehydration")
        with pytest.raises(ValidationError, match="already exists"):
            Cause(name="dehydration", slug="dehydration-again").full_clean()
        assert refused(make_cause, name="DEHYDRATION")

    def test_empty_title_is_refused(self):
        assert refused(Article.objects.create, title="", slug="empty")


class TestArticleCause:
    def test_one_position_twice_is_refused(self):
        article = make_article()
        add_cause(article, position=1)
        assert refused(add_cause, article, position=1)

    def test_one_cause_twice_is_refused(self):
        article, cause = make_article(), make_cause()
        add_cause(article, cause, position=1)
        assert refused(add_cause, article, cause, position=2)
        with pytest.raises(ValidationError, match="already listed"):
            ArticleCause(article=article, cause=cause, position=3).full_clean()

    def test_same_position_in_different_articles_is_fine(self):
        cause = make_cause()
        add_cause(make_article(), cause, position=1)
        add_cause(make_article(), cause, position=1)
        assert cause.article_causes.count() == 2

    def test_a_cause_in_use_cannot_be_deleted(self):
        cause = make_cause()
        add_cause(make_article(), cause)
        with pytest.raises(Exception, match="protected"):
            cause.delete()

    def test_explanation_falls_back_to_the_cause_description(self):
        article = make_article()
        cause = make_cause(description="General.")
        assert add_cause(article, cause).text_html == "<p>General.</p>\n"
        other = add_cause(article, make_cause(), explanation="Specific.")
        assert other.text_html == "<p>Specific.</p>\n"


class TestRelatedLink:
    def test_an_article_cannot_link_to_itself(self):
        article = make_article()
        assert refused(add_link, article, target=article)
        link = RelatedLink(article=article, target=article, position=1)
        with pytest.raises(ValidationError, match="itself"):
            link.full_clean()

    def test_nor_to_itself_by_title(self):
        article = make_article(title="Hiccups")
        link = RelatedLink(article=article, target_title="hiccups", position=1)
        with pytest.raises(ValidationError, match="itself"):
            link.full_clean()

    def test_one_position_twice_is_refused(self):
        article = make_article()
        add_link(article, make_article(), position=1)
        assert refused(add_link, article, make_article(), position=1)

    def test_a_link_needs_a_target_or_a_title(self):
        article = make_article()
        assert refused(add_link, article, target=None, target_title="")
        with pytest.raises(ValidationError, match="Choose an article"):
            RelatedLink(article=article, position=1).full_clean()

    def test_linking_to_an_existing_title_resolves_at_once(self):
        target = make_article(title="Hiccups")
        link = add_link(make_article(), target_title="  HICCUPS ")
        assert link.target == target
        assert link.target_title == "Hiccups"

    def test_pending_link_resolves_when_the_article_appears(self):
        link = add_link(make_article(), target_title="Night sweats")
        assert link.is_pending
        target = make_draft(title="night sweats")
        link.refresh_from_db()
        assert link.target == target
        assert link.target_title == "night sweats"

    def test_pending_link_resolves_when_an_article_is_renamed_to_its_title(self):
        link = add_link(make_article(), target_title="Night sweats")
        article = make_article(title="Sweating at night")
        article.title = "Night sweats"
        article.save()
        link.refresh_from_db()
        assert link.target == article

    def test_a_page_pinning_the_renamed_article_already_keeps_its_pending_link(self):
        page, article = make_article(), make_article(title="Sweating at night")
        pending = add_link(page, target_title="Night sweats")
        add_link(page, article)
        article.title = "Night sweats"
        article.save()  # two pins to one article would break the page's constraint
        pending.refresh_from_db()
        assert pending.is_pending
        assert page.related_links.filter(target=article).count() == 1

    def test_a_title_naming_an_article_the_page_pins_already_waits(self):
        page, article = make_article(), make_article(title="Night sweats")
        add_link(page, article)
        pending = add_link(page, target_title="night sweats")  # an import, say
        assert pending.is_pending
        pending.save()  # saved again, it still waits rather than break the constraint
        assert page.related_links.filter(target=article).count() == 1

    def test_a_page_waiting_for_an_article_in_two_links_gets_it_in_the_first(self):
        page = make_article()
        first = add_link(page, target_title="Gout")
        second = add_link(page, target_title="gout")  # stored before the admin refused it
        gout = make_article(title="Gout")
        first.refresh_from_db(), second.refresh_from_db()
        assert (first.target, second.target) == (gout, None)

    def test_retitling_the_target_keeps_the_link_title_current(self):
        target = make_article(title="Hiccups")
        link = add_link(make_article(), target)
        target.title = "Hiccups that will not stop"
        target.save()
        link.refresh_from_db()
        assert link.target_title == "Hiccups that will not stop"

    def test_deleting_the_target_leaves_a_pending_link(self):
        target = make_article(title="Hiccups")
        link = add_link(make_article(), target)
        target.delete()
        link.refresh_from_db()
        assert link.is_pending
        assert link.target_title == "Hiccups"
        recreated = make_article(title="Hiccups")
        link.refresh_from_db()
        assert link.target == recreated

    def test_visible_links_only_reach_published_articles(self):
        article = make_article()
        published = add_link(article, make_article())
        add_link(article, make_draft())
        add_link(article, make_article(publish_at=timezone.now() + timedelta(days=1)))
        add_link(article, make_article(status="archived"))
        add_link(article, target_title="Not written yet")
        assert list(RelatedLink.objects.visible()) == [published]
