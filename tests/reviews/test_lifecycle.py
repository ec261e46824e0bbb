from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from reviews.models import record_sign_off
from tests.factories import make_article, make_draft, make_user

from .conftest import member
from .helpers import change_url, logged_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
DASHBOARD = reverse("admin:articles_article_reviews")
INDEX = reverse("admin:index")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=timezone.get_current_timezone())):
        yield


def due(day, **fields):
    return make_article(
        last_reviewed=date(2023, 1, 1), next_review_due=date(2026, 3, day), **fields
    )


@pytest.fixture
def lifecycle(reviewer):
    """One article for each section, and some that belong in none."""
    articles = {
        "overdue": due(1, title="Overdue"),
        "due_soon": due(31, title="Due in 29 days"),
        "later": make_article(title="Due later", next_review_due=date(2026, 6, 1)),
        "in_review": make_draft(title="Being reviewed", status="review"),
        "archived": make_article(
            title="Archived overdue", status="archived", next_review_due=date(2026, 1, 1)
        ),
        "changed": make_article(title="Changed since sign-off"),
    }
    for article in articles.values():
        if article.status != "review":
            record_sign_off(article, reviewer)
    # record_sign_off stamped new review dates; put the ones under test back.
    for key in ("overdue", "due_soon", "archived"):
        article = articles[key]
        type(article).objects.filter(pk=article.pk).update(
            last_reviewed=date(2023, 1, 1),
            next_review_due={"due_soon": date(2026, 3, 31)}.get(key, date(2026, 3, 1)),
        )
    articles["changed"].title = "Changed since sign-off, again"
    articles["changed"].save()
    articles["never"] = make_article(title="Never signed off")
    return articles


def section_titles(response, name):
    section = next(s for s in response.context["sections"] if s["name"] == name)
    return [article.title for article in section["articles"]]


class TestDashboard:
    def test_each_section_lists_the_right_articles(self, client, editor, lifecycle):
        response = logged_in(client, editor).get(DASHBOARD)
        assert response.status_code == 200
        assert section_titles(response, "overdue") == ["Overdue"]
        assert section_titles(response, "due_soon") == ["Due in 29 days"]
        assert section_titles(response, "in_review") == ["Being reviewed"]
        assert set(section_titles(response, "awaiting_sign_off")) == {
            "Changed since sign-off, again",
            "Never signed off",
        }
        content = response.content.decode()
        assert f'href="{change_url(lifecycle["overdue"])}"' in content

    def test_each_section_links_to_the_list_of_its_articles(self, client, editor, lifecycle):
        """The "due within 30 days" link listed the overdue ones too, and both
        listed drafts, which the sections do not count."""
        make_draft(title="Overdue draft", next_review_due=timezone.localdate() - timedelta(1))
        client = logged_in(client, editor)
        response = client.get(DASHBOARD)
        for section in response.context["sections"]:
            listed = client.get(section["list_url"]).context["cl"].result_list
            assert {a.title for a in listed} == set(section_titles(response, section["name"]))

    def test_needs_permission_to_view_articles(self, client):
        client = logged_in(client, make_user(is_staff=True))
        assert client.get(DASHBOARD).status_code == 403

    def test_costs_the_same_for_any_number_of_articles(
        self, client, editor, reviewer, django_assert_max_num_queries
    ):
        client = logged_in(client, editor)
        for n in range(20):
            due(1, title=f"Overdue {n}", medical_reviewer=reviewer)
        with django_assert_max_num_queries(12):
            response = client.get(DASHBOARD)
        assert len(section_titles(response, "overdue")) == 20
        # The dashboard reads no article's text, which it does not show.
        section = response.context["sections"][0]
        assert {"summary_html", "search_vector"} <= section["articles"][0].get_deferred_fields()


class TestAdminIndex:
    def test_shows_the_counts_with_a_link_to_the_dashboard(self, client, editor, lifecycle):
        response = logged_in(client, editor).get(INDEX)
        assert response.context["review_counts"] == {
            "overdue": 1,
            "due_soon": 1,
            "in_review": 1,
            "awaiting_sign_off": 2,
        }
        content = response.content.decode()
        assert f'href="{DASHBOARD}"' in content
        assert "Awaiting sign-off</th><td>2</td>" in content
        assert "Healthsite editorial" in content  # the site's header still applies

    def test_not_shown_to_those_who_cannot_see_articles(self, client):
        response = logged_in(client, make_user(is_staff=True)).get(INDEX)
        assert response.status_code == 200
        assert "review_counts" not in response.context
        assert DASHBOARD not in response.content.decode()


def run_reminders(*args):
    out = StringIO()
    call_command("review_reminders", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class TestReviewReminders:
    def test_lists_overdue_and_due_soon_articles(self, reviewer):
        due(1, title="Overdue", medical_reviewer=reviewer)
        due(31, title="Due soon")
        make_article(title="Due later", next_review_due=date(2026, 6, 1))

        output = run_reminders()

        assert output.splitlines() == [
            "Overdue (1):",
            "  Overdue — due 01 Mar 2026 — Asha Patel",
            "Due within 30 days (1):",
            "  Due soon — due 31 Mar 2026 — no reviewer",
        ]
        assert "Due later" in run_reminders("--days", "100")

    def test_emails_each_reviewer_theirs_and_everyone_the_unassigned(self, reviewer, mailoutbox):
        other = member("Medical reviewer", first_name="Ola", last_name="Other")
        due(1, title="Asha's article", medical_reviewer=reviewer)
        due(2, title="Nobody's article")
        outsider = make_user(first_name="Not", last_name="Grouped")
        due(3, title="Outsider's article", medical_reviewer=outsider)

        output = run_reminders("--email")

        assert "Sent 3 reminder emails." in output
        by_recipient = {message.to[0]: message for message in mailoutbox}
        assert set(by_recipient) == {reviewer.email, other.email, outsider.email}
        assert "Asha's article" in by_recipient[reviewer.email].body
        assert "Nobody's article" in by_recipient[reviewer.email].body
        assert "Asha's article" not in by_recipient[other.email].body
        assert "Nobody's article" in by_recipient[other.email].body
        assert "Nobody's article" not in by_recipient[outsider.email].body
        assert by_recipient[reviewer.email].subject == "Healthsite: 2 medical reviews due"
        assert by_recipient[reviewer.email].from_email == "webmaster@localhost"

    def test_an_article_whose_reviewer_has_left_is_everyones(self, reviewer, mailoutbox):
        gone = member("Medical reviewer", first_name="Left", last_name="Us", is_active=False)
        due(1, title="Left behind", medical_reviewer=gone)
        run_reminders("--email")
        assert [message.to for message in mailoutbox] == [[reviewer.email]]
        assert "Left behind" in mailoutbox[0].body

    @pytest.mark.parametrize("days", ["-5", "99999999", "x"])
    def test_days_out_of_range_are_a_usage_error(self, days):
        with pytest.raises(CommandError, match="expected a number of days from 0 to 3650"):
            run_reminders("--days", days)

    def test_nothing_due_sends_nothing(self, mailoutbox):
        assert "Sent 0 reminder emails." in run_reminders("--email")
        assert mailoutbox == []

    def test_help_says_it_is_for_cron(self):
        from reviews.management.commands.review_reminders import Command

        assert "daily from cron" in Command.help
