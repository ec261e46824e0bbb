"""The editorial workflow in the admin, in a real browser: write, review, publish."""

import re

import pytest
from django.urls import reverse

from articles.models import Article
from tests.e2e.conftest import expect, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHANGELIST = reverse("admin:articles_article_changelist")
SEEK_HELP = {
    "seek_help_non_urgent": "- your feet are often cold or numb\n- the skin changes colour",
    "seek_help_urgent": "- a toe or foot turns white or blue and stays that way",
    "seek_help_emergency": "- your foot is cold, pale and very painful all of a sudden",
}


def choose(page, select_id, text):
    """Pick `text` in one of the admin's autocomplete (Select2) fields."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    dropdown = page.locator(".select2-container--open .select2-results")
    dropdown.get_by_role("option", name=text, exact=True).click()
    expect(page.locator(f"#select2-{select_id}-container")).to_have_attribute("title", text)


def add_row(page, prefix):
    """Press an inline's "Add another …" link; returns the new row's form index."""
    rows = page.locator(f"#{prefix}-group .dynamic-{prefix}")
    count = rows.count()
    page.locator(f"#{prefix}-group .add-row a").click()
    expect(rows).to_have_count(count + 1)
    return count


def cause_names(page):
    """The causes of the article page (or preview) in `page`, in reading order."""
    return page.locator("ol.causes > li > h3").all_inner_texts()


def saved(page, text):
    expect(page.locator(".messagelist .success")).to_contain_text(text)


def test_editor_writes_reviewer_publishes(new_context, demo, editor, reviewer):
    page = new_context().new_page()
    log_in(page, editor)
    expect(page.get_by_role("heading", name="Articles, causes and questions")).to_be_visible()
    page.locator("#articles-article").get_by_role("link", name="Articles").click()
    page.get_by_role("link", name="Add article").click()

    # Typed key by key: the admin's script makes the slug from the title as it is typed.
    page.get_by_label("Title:", exact=True).press_sequentially("Why are my feet always cold?")
    expect(page.get_by_label("Slug:", exact=True)).to_have_value("why-are-my-feet-always-cold")
    page.get_by_label("Subtitle:", exact=True).fill(
        "Common reasons for cold feet and when to get help"
    )
    page.get_by_label("Summary:", exact=True).fill(
        "Cold feet are common, and usually nothing to worry about."
    )
    page.locator("#id_tags").fill("feet, circulation")
    expect(page.get_by_label("About a condition or symptom", exact=True)).to_be_checked()
    for name, text in SEEK_HELP.items():
        page.locator(f"#id_{name}").fill(text)

    # Three causes: two that exist, and a new one made in the add-another popup.
    choose(page, "id_article_causes-0-cause", "Poor circulation")
    page.locator("#id_article_causes-0-explanation").fill("Blood reaches the feet last.")
    row = add_row(page, "article_causes")
    choose(page, f"id_article_causes-{row}-cause", "Stress and anxiety")
    page.locator(f"#id_article_causes-{row}-explanation").fill("Stress narrows blood vessels.")
    row = add_row(page, "article_causes")
    with page.expect_popup() as popup_info:
        page.locator(f"#add_id_article_causes-{row}-cause").click()
    popup = popup_info.value
    popup.get_by_label("Name:", exact=True).fill("Cold weather")
    popup.get_by_label("Description:", exact=True).fill(
        "Low temperatures make the body keep its core warm."
    )
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(f"#select2-id_article_causes-{row}-cause-container")).to_have_attribute(
        "title", "Cold weather"
    )
    page.locator(f"#id_article_causes-{row}-explanation").fill("Cold air chills the toes first.")

    # Two questions.
    page.locator("#id_faq_entries-0-question").fill("Are cold feet a sign of diabetes?")
    page.locator("#id_faq_entries-0-answer").fill("Sometimes; a GP can check with a blood test.")
    row = add_row(page, "faq_entries")
    page.locator(f"#id_faq_entries-{row}-question").fill("Do thick socks help?")
    page.locator(f"#id_faq_entries-{row}-answer").fill("Yes, wool socks keep feet warmest.")

    # A pinned See-also link to an article that exists.
    choose(page, "id_related_links-0-target", "Why do I get leg cramps at night?")

    page.get_by_role("button", name="Save and continue editing").click()
    saved(page, "was added successfully")
    article = Article.objects.get(slug="why-are-my-feet-always-cold")
    assert article.status == Article.Status.DRAFT
    assert article.author == editor
    order = ["Poor circulation", "Stress and anxiety", "Cold weather"]
    assert [row.cause.name for row in article.article_causes.all()] == order

    # Reorder: the new cause first. Preview the unsaved order, then submit for review.
    for row, position in enumerate([2, 3, 1]):
        page.locator(f"#id_article_causes-{row}-position").fill(str(position))
    page.get_by_label("Status:", exact=True).select_option(label="In review")
    with page.context.expect_page() as preview_info:
        page.get_by_role("button", name="Preview").click()
    preview = preview_info.value
    expect(preview.locator(".preview-banner")).to_contain_text("Preview")
    expect(preview.get_by_role("heading", level=1)).to_have_text("Why are my feet always cold?")
    new_order = ["Cold weather", "Poor circulation", "Stress and anxiety"]
    expect(preview.locator("ol.causes > li > h3")).to_have_text(new_order)
    preview.close()
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT  # nothing saved

    page.get_by_role("button", name="Save", exact=True).click()
    saved(page, "was changed successfully")
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert [row.cause.name for row in article.article_causes.all()] == new_order
    # Not on the site yet.
    response = page.request.get(article.get_absolute_url())
    assert response.status == 404

    # A medical reviewer publishes it from the change form.
    page = new_context().new_page()
    log_in(page, reviewer)
    page.goto(CHANGELIST)
    page.get_by_role("link", name="Why are my feet always cold?").click()
    page.get_by_label("Status:", exact=True).select_option(label="Published")
    page.get_by_role("button", name="Save", exact=True).click()
    saved(page, "was changed successfully")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.medical_reviewer == reviewer

    # Readers see it, in the new order, with its questions and the pinned link first.
    page = new_context().new_page()
    page.goto("/")
    page.get_by_role("link", name="Why are my feet always cold?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why are my feet always cold?")
    expect(page.locator("ol.causes > li > h3")).to_have_text(new_order)
    questions = page.get_by_role("region", name="Common questions")
    expect(questions.get_by_role("heading", level=3)).to_have_text(
        ["Are cold feet a sign of diabetes?", "Do thick socks help?"]
    )
    related = page.get_by_role("region", name="Related articles").get_by_role("link")
    expect(related.first).to_have_text("Why do I get leg cramps at night?")
    expect(page.locator(".see-also a").first).to_have_text("Why do I get leg cramps at night?")
    expect(page.get_by_role("heading", name="When to get help")).to_be_visible()
    expect(page.locator(".review")).to_contain_text("Rae Viewer")


ARTICLE_FILE = """\
Why do my fingers go white in the cold?

Why do my fingers go white in the cold?: Causes and what helps

Fingers that turn white, then blue, then red in the cold are common.

1. Raynaud's phenomenon: Small blood vessels in the fingers narrow too much in the cold.
2. Smoking: Nicotine narrows blood vessels.

Q1. Is it serious?
A1. Usually not, but a GP can check for other causes.

Q2. What helps?
A2. Warm gloves, and stopping smoking.

See also  Why do my toes twitch?

See a GP if:
- it happens often
- it affects only one hand

Get advice now if:
- a finger stays white and numb for hours

Call emergency services if:
- a finger turns black

Keeping warm is the best way to prevent attacks.

Scroll to Top
"""


def run_action(page, title, action):
    page.goto(CHANGELIST)
    row = page.locator("#result_list tbody tr").filter(has=page.get_by_role("link", name=title))
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(action)
    page.get_by_role("button", name="Go", exact=True).click()


def test_editor_imports_a_text_file_and_it_is_published(new_context, demo, editor, reviewer):
    title = "Why do my fingers go white in the cold?"
    page = new_context().new_page()
    log_in(page, editor)
    page.goto(CHANGELIST)
    page.get_by_role("link", name="Import from text files").click()
    expect(page.get_by_role("heading", name="Import articles from text files")).to_be_visible()
    # Editors may not publish, so the importer does not offer it to them.
    expect(page.get_by_label("Publish the imported articles", exact=True)).to_have_count(0)
    page.get_by_label("Text files:", exact=True).set_input_files(
        files=[
            {"name": "white-fingers.txt", "mimeType": "text/plain", "buffer": ARTICLE_FILE.encode()}
        ]
    )
    page.get_by_role("button", name="Review import").click()
    results = page.locator("#import-results")
    expect(results).to_contain_text("Ready: white-fingers.txt: would create")
    assert not Article.objects.filter(title=title).exists()  # the review writes nothing
    page.get_by_role("button", name="Confirm import").click()
    saved(page, "Imported white-fingers.txt: created")
    article = Article.objects.get(title=title)
    assert article.status == Article.Status.DRAFT
    assert article.article_causes.count() == 2

    run_action(page, title, "submit_for_review")
    saved(page, "1 article submitted for review.")

    page = new_context().new_page()
    log_in(page, reviewer)
    run_action(page, title, "publish")
    saved(page, "1 article published.")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED

    page.goto("/articles/")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("ol.causes > li > h3")).to_have_text(["Raynaud's phenomenon", "Smoking"])
    expect(page.locator(".see-also a")).to_have_text(["Why do my toes twitch?"])
    expect(page).to_have_url(re.compile(r"/articles/why-do-my-fingers-go-white-in-the-cold/$"))
