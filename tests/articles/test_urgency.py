"""Articles about a condition or symptom say when to get help before they are published."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.exporter import export_text
from articles.importer import ImportFormatError, parse
from articles.models import Article
from tests.factories import make_article, make_draft, make_user
from tests.forms import admin_form

pytestmark = pytest.mark.django_db

ADVICE = {
    "seek_help_non_urgent": "- it lasts a week",
    "seek_help_urgent": "- it gets worse quickly",
    "seek_help_emergency": "- you cannot breathe",
}
TEXT = (
    "Hiccups\n\n1. Eating fast: Swallowed air.\n\nQ1. Serious?\nA1. Rarely.\n\n"
    "See a GP if:\n- they last more than 2 days\n- they keep you awake\n\n"
    "Get advice now if:\n- you also have chest pain\n"
    "  that spreads to your arm\n\n"
    "Call emergency services if:\n- you cannot breathe\n\n"
    "They usually stop by themselves.\n"
)


@pytest.fixture
def reviewer_client(client):
    user = make_user(is_staff=True)
    user.groups.add(Group.objects.get(name="Medical reviewer"))
    client.force_login(user)
    return client


def test_publishing_without_all_three_levels_is_refused():
    article = make_draft(needs_urgency_advice=True, **ADVICE | {"seek_help_urgent": " "})
    article.status = Article.Status.PUBLISHED
    with pytest.raises(ValidationError, match="missing: “get advice now if”"):
        article.full_clean()


@pytest.mark.parametrize(
    "overrides",
    [ADVICE, {"needs_urgency_advice": False}, {"status": Article.Status.DRAFT}],
)
def test_allowed_with_advice_when_exempt_or_unpublished(overrides):
    fields = {"needs_urgency_advice": True, "status": Article.Status.PUBLISHED} | overrides
    make_article(**fields).full_clean()


def test_a_setting_relaxes_the_rule(settings):
    settings.REQUIRE_URGENCY_ADVICE = False
    make_article(needs_urgency_advice=True).full_clean()


def test_the_admin_form_refuses_with_the_message(reviewer_client):
    article = make_draft(needs_urgency_advice=True)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form(reviewer_client.get(url))
    data["status"] = ["published"]
    response = reviewer_client.post(url, data)
    assert response.status_code == 200
    assert "Before publishing, say when to get help at all three levels" in (
        response.content.decode()
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_the_publish_action_refuses_with_the_message(reviewer_client):
    article = make_draft(title="Hiccups", needs_urgency_advice=True)
    response = reviewer_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Not changed: Hiccups: Before publishing") for m in messages)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


class TestPlainText:
    def test_the_three_lists_are_read(self):
        parsed = parse(TEXT)
        assert parsed.seek_help == {
            "seek_help_non_urgent": "- they last more than 2 days\n- they keep you awake",
            "seek_help_urgent": "- you also have chest pain\nthat spreads to your arm",
            "seek_help_emergency": "- you cannot breathe",
        }
        assert parsed.conclusion == ["They usually stop by themselves."]

    @pytest.mark.parametrize(
        ("text", "message", "line"),
        [
            ("T\n\n1. A: a\n\nSee a GP if:\n- x\n\nSee a GP if:\n- y\n", "appears twice", 8),
            ("T\n\n1. A: a\n\nSee a GP if:\n\nThe end.\n", "list under this heading is empty", 5),
        ],
    )
    def test_mistakes(self, text, message, line):
        with pytest.raises(ImportFormatError, match=message) as caught:
            parse(text)
        assert caught.value.line == line

    def test_import_publishes_only_with_the_advice(self, tmp_path):
        without = tmp_path / "without.txt"
        without.write_text(TEXT.split("See a GP if")[0])
        with pytest.raises(CommandError):
            call_command("import_article", str(without), publish=True)
        assert not Article.objects.exists()
        with_advice = tmp_path / "with.txt"
        with_advice.write_text(TEXT)
        call_command("import_article", str(with_advice), publish=True)
        article = Article.objects.get()
        assert article.is_published
        assert article.seek_help_emergency == "- you cannot breathe"

    def test_the_export_writes_them_back(self, tmp_path):
        path = tmp_path / "hiccups.txt"
        path.write_text(TEXT)
        call_command("import_article", str(path))
        text = export_text(Article.objects.get())
        assert "See a GP if:\n- they last more than 2 days\n- they keep you awake" in text
        assert parse(text).seek_help == parse(TEXT).seek_help
