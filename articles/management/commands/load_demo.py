from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import demo_content
from articles.models import Article, ArticleCause, Cause, RelatedLink
from faq.models import FAQEntry

ARTICLE_TEXT_FIELDS = [
    "subtitle",
    "summary",
    "conclusion",
    "seek_help_non_urgent",
    "seek_help_urgent",
    "seek_help_emergency",
    "meta_description",
]


class Command(BaseCommand):
    help = "Load the demo articles, causes and questions. Safe to run again: it updates them."

    @transaction.atomic
    def handle(self, *args, **options):
        editor = self._demo_user("demo-editor", "Demo", "Editor")
        reviewer = self._demo_user("demo-reviewer", "Demo", "Medical Reviewer")
        causes = {name: self._cause(name, data) for name, data in demo_content.CAUSES.items()}
        now = timezone.now()
        articles = [
            self._article(data, causes, editor, reviewer, publish_at=now - timedelta(days=i))
            for i, data in enumerate(demo_content.ARTICLES)
        ]
        for article, data in zip(articles, demo_content.ARTICLES, strict=True):
            article.related_links.all().delete()
            for position, title in enumerate(data["see_also"], start=1):
                RelatedLink.objects.create(article=article, target_title=title, position=position)
        for position, (question, answer, tags) in enumerate(demo_content.SITE_FAQ, start=1):
            entry, _ = FAQEntry.objects.update_or_create(
                article=None, question=question, defaults={"answer": answer, "position": position}
            )
            entry.tags.set(tags)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {len(articles)} articles, {len(causes)} causes, "
                f"{len(demo_content.SITE_FAQ)} site-wide questions."
            )
        )

    def _demo_user(self, username, first_name, last_name):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": first_name, "last_name": last_name}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def _cause(self, name, data):
        cause = Cause.objects.filter(name__iexact=name).first() or Cause(name=name)
        cause.description = data["description"]
        cause.save()
        cause.tags.set(data["tags"])
        return cause

    def _article(self, data, causes, editor, reviewer, publish_at):
        article = Article.objects.filter(title__iexact=data["title"]).first()
        if article is None:
            today = timezone.localdate()
            article = Article(
                title=data["title"],
                publish_at=publish_at,
                last_reviewed=today,
                next_review_due=today + timedelta(days=settings.REVIEW_INTERVAL_DAYS),
            )
        for field in ARTICLE_TEXT_FIELDS:
            setattr(article, field, data[field])
        article.status = Article.Status.PUBLISHED
        article.author, article.medical_reviewer = editor, reviewer
        article.save()
        article.tags.set(data["tags"])
        article.article_causes.all().delete()
        for n, (name, text) in enumerate(data["causes"], start=1):
            ArticleCause.objects.create(
                article=article, cause=causes[name], explanation=text, position=n
            )
        # Update questions in place, so their anchors (#faq-<id>) stay put.
        for n, (question, answer) in enumerate(data["faq"], start=1):
            FAQEntry.objects.update_or_create(
                article=article, position=n, defaults={"question": question, "answer": answer}
            )
        article.faq_entries.filter(position__gt=len(data["faq"])).delete()
        return article
