"""Which articles need a medical reviewer's attention, for the dashboard, the admin
index and the daily `review_reminders` command.

Review dates count only for articles that are published (or scheduled):
drafts are reviewed when they are published, and archived ones are not read.
"""

from django.utils import timezone

from articles.models import Article

from .models import with_sign_off_state

DUE_SOON_DAYS = 30


def review_sections(days=DUE_SOON_DAYS, today=None):
    """{section: queryset} of overdue, due within `days`, in review, and awaiting sign-off."""
    today = today or timezone.localdate()
    live = Article.objects.filter(status=Article.Status.PUBLISHED)
    return {
        "overdue": live.review_overdue(today).order_by("next_review_due", "title"),
        "due_soon": live.review_due_within(days, today)
        .filter(next_review_due__gte=today)
        .order_by("next_review_due", "title"),
        "in_review": Article.objects.filter(status=Article.Status.IN_REVIEW).order_by("-updated"),
        "awaiting_sign_off": with_sign_off_state(live)
        .filter(content_signed_off=False)
        .order_by("-updated"),
    }


def review_counts(today=None):
    """{section: count}: one query a section."""
    return {name: articles.count() for name, articles in review_sections(today=today).items()}
