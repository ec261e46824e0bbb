"""A reader's journey through the public site, in a real browser."""

import re

import pytest

from tests.e2e.conftest import ARTIFACTS, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reader_browses_follows_links_and_searches(page, demo):
    page.goto("/")
    expect(page).to_have_title(re.compile("Healthsite"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Health information you can trust")
    # The stylesheet was served and applied: the skip link is off-screen until focused.
    assert page.evaluate(
        "[...document.styleSheets].some(s => s.href && s.href.endsWith('/site.css')"
        " && s.cssRules.length > 0)"
    )
    expect(page.get_by_role("link", name="Skip to main content")).not_to_be_in_viewport()

    # An article from the home page.
    latest = page.get_by_role("region", name="Latest articles")
    latest.get_by_role("link", name="Why do my toes twitch?").click()
    expect(page).to_have_url(re.compile(r"/articles/why-do-my-toes-twitch/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Why do my toes twitch?")

    # A "See also" callout between the causes leads to a related article.
    callout = page.locator(".causes .see-also a").first
    target = callout.inner_text()
    callout.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(target)

    # A cause link leads to the cause's own page, which lists this article.
    cause_link = page.locator(".causes h3 a").first
    cause = cause_link.inner_text()
    cause_link.click()
    expect(page).to_have_url(re.compile(r"/causes/[\w-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(cause)
    expect(page.get_by_role("link", name=target)).to_be_visible()

    # Back on the article, a topic tag leads to the tag's page, listing it too.
    page.go_back()
    topic_link = page.locator(".article-meta").get_by_role("link").first
    topic = topic_link.inner_text()
    topic_link.click()
    expect(page).to_have_url(re.compile(r"/tags/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(topic.capitalize())
    expect(page.get_by_role("link", name=target)).to_be_visible()

    # The search box in the header, from any page; then a result.
    search = page.get_by_role("searchbox", name="Search Healthsite")
    search.fill("leg cramps")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=leg\+cramps$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “leg cramps”")
    results = page.locator("ol.results > li")
    expect(results.first).to_be_visible()
    first = results.first.get_by_role("link")
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("heading", name="Possible causes")).to_be_visible()


@pytest.mark.parametrize(
    ("name", "viewport"),
    [("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})],
)
def test_article_page_screenshots(new_context, demo, name, viewport):
    """Pictures of the article page for people to look at: artifacts/screenshots/."""
    page = new_context(viewport=viewport).new_page()
    page.goto("/articles/why-do-my-toes-twitch/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Laid out for the width: nothing wider than the screen.
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"]
    path = ARTIFACTS / "screenshots" / f"article-{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000
