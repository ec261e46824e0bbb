from argparse import ArgumentTypeError
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from reviews.lifecycle import DUE_SOON_DAYS, review_sections

REVIEWER_GROUP = "Medical reviewer"
MOST_DAYS = 3650


class Command(BaseCommand):
    help = (
        "List published articles whose medical review is overdue or due soon. Meant to run "
        "daily from cron, e.g. `0 7 * * * .../manage.py review_reminders --email`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=days_ahead,
            default=DUE_SOON_DAYS,
            help=f"How far ahead counts as due soon (default {DUE_SOON_DAYS}).",
        )
        parser.add_argument(
            "--email",
            action="store_true",
            help="Also email each medical reviewer the articles assigned to them; articles "
            f"with no reviewer go to everyone in the {REVIEWER_GROUP!r} group.",
        )

    def handle(self, *args, days, email, **options):
        sections = review_sections(days=days)
        # Only what a line shows: whole rows of 37,000 overdue articles took 3 s.
        shown = ("title", "next_review_due", "medical_reviewer")
        due = [
            (label, list(sections[name].select_related("medical_reviewer").only(*shown)))
            for name, label in [("overdue", "Overdue"), ("due_soon", f"Due within {days} days")]
        ]
        for label, articles in due:
            self.stdout.write(f"{label} ({len(articles)}):")
            for article in articles:
                self.stdout.write(f"  {line(article)}")
        if email:
            sent = self.send_reminders([article for _, articles in due for article in articles])
            self.stdout.write(f"Sent {sent} reminder email{pluralize(sent)}.")

    def send_reminders(self, articles):
        by_reviewer = defaultdict(list)
        # An article whose reviewer has left (deactivated) is everyone's, as one
        # with no reviewer: only the one who left heard of it.
        unassigned = [
            a for a in articles if not (a.medical_reviewer and a.medical_reviewer.is_active)
        ]
        for article in articles:
            if article not in unassigned:
                by_reviewer[article.medical_reviewer].append(article)
        if unassigned:
            group = get_user_model().objects.filter(groups__name=REVIEWER_GROUP, is_active=True)
            for reviewer in group:
                by_reviewer[reviewer] += unassigned
        sent = 0
        for reviewer, theirs in by_reviewer.items():
            if not reviewer.email:
                self.stderr.write(f"No email address for {reviewer.get_username()}; not sent.")
                continue
            body = "\n".join(
                [
                    "These articles need a medical review:",
                    "",
                    *(line(article) for article in theirs),
                    "",
                    "Sign them off from the article's page in the Healthsite admin.",
                ]
            )
            subject = f"Healthsite: {len(theirs)} medical review{pluralize(len(theirs))} due"
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reviewer.email])
            sent += 1
        return sent


def days_ahead(text):
    """0 to ten years: beyond the calendar's end the command failed with a traceback."""
    try:
        days = int(text)
    except ValueError:
        days = -1
    if not 0 <= days <= MOST_DAYS:
        raise ArgumentTypeError(f"expected a number of days from 0 to {MOST_DAYS}, got {text!r}")
    return days


def line(article):
    reviewer = article.medical_reviewer
    name = (reviewer.get_full_name() or reviewer.get_username()) if reviewer else "no reviewer"
    return f"{article.title} — due {article.next_review_due:%d %b %Y} — {name}"
