"""Accessibility in a real browser: axe-core on every public page type, and the keyboard."""

import json

import pytest
from django.urls import reverse

from tests.e2e.conftest import ARTIFACTS, describe, expect, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = {
    "home": ("/", 200),
    "article-list": ("/articles/", 200),
    "article": ("/articles/why-do-my-toes-twitch/", 200),
    "tag-index": ("/tags/", 200),
    "tag": ("/tags/muscles/", 200),
    "cause": ("/causes/dehydration/", 200),
    "faq": ("/faq/", 200),
    "search-results": ("/search/?q=cramps", 200),
    "search-empty": ("/search/", 200),
    "search-no-results": ("/search/?q=zzyzx", 200),
    "not-found": ("/articles/no-such-article/", 404),
}


def save_report(name, violations):
    path = ARTIFACTS / "axe" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(violations, indent=2))


@pytest.fixture
def axe_page(new_context):
    # axe is injected as an inline script, which the site's CSP rightly forbids.
    return new_context(bypass_csp=True).new_page()


def test_axe_finds_what_it_should(axe, axe_page):
    """The check itself works: a page with known faults fails it."""
    axe_page.set_content(
        '<html lang="en"><title>Faults</title><main><h1>Faults</h1>'
        '<img src="data:,"><p style="color:#bbb">Pale text</p></main></html>'
    )
    found = {violation["id"] for violation in axe(axe_page)}
    assert {"image-alt", "color-contrast"} <= found


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_wcag_aa_violations(axe, axe_page, demo, name):
    url, status = PUBLIC_PAGES[name]
    response = axe_page.goto(url)
    assert response.status == status
    expect(axe_page.get_by_role("heading", level=1)).to_be_visible()
    violations = axe(axe_page)
    save_report(name, violations)
    assert not violations, f"axe found WCAG 2.2 AA violations on {url}:\n{describe(violations)}"


def test_article_admin_change_form_is_checked(axe, axe_page, demo, editor):
    """Django's admin markup is Django's: report what axe finds, and check that it ran."""
    log_in(axe_page, editor)
    axe_page.goto(reverse("admin:articles_article_changelist"))
    axe_page.get_by_role("link", name="Why do my toes twitch?").click()
    expect(axe_page.get_by_role("heading", name="Change article")).to_be_visible()
    violations = axe(axe_page)
    save_report("admin-article-change-form", violations)
    assert isinstance(violations, list)
    if violations:
        print(f"axe on the article change form (not asserted):\n{describe(violations)}")


FOCUS_STYLE = """el => {
  const style = getComputedStyle(el);
  return {
    focusVisible: el.matches(':focus-visible'),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
  };
}"""


def tab(page):
    """Press Tab; return the focused element, after checking that its focus can be seen."""
    page.keyboard.press("Tab")
    focused = page.locator("*:focus")
    expect(focused).to_be_visible()
    expect(focused).to_be_in_viewport()
    style = focused.evaluate(FOCUS_STYLE)
    assert style["focusVisible"], f"{style['text']!r} is focused but not :focus-visible"
    assert style["outline"], f"{style['text']!r} has no visible focus outline"
    return focused


def tab_until(page, matches, limit=40):
    """Tab until the focused element matches the CSS selector `matches`."""
    for _ in range(limit):
        focused = tab(page)
        if focused.evaluate("(el, selector) => el.matches(selector)", matches):
            return focused
    raise AssertionError(f"no element matching {matches!r} within {limit} presses of Tab")


def test_keyboard_journey_to_an_article_and_its_questions(page, demo):
    page.goto("/")

    # The first Tab reaches the skip link, which appears and jumps to the content.
    skip = tab(page)
    expect(skip).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    expect(page).to_have_url(page.url.split("#")[0] + "#main")
    expect(page.locator("main")).to_be_focused()

    # On to the first article in "Latest articles" (the header was skipped), and open it.
    card = tab_until(page, ".card__title a")
    title = card.inner_text()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    # Through "On this page" to the questions, and into them.
    contents = tab_until(page, ".contents a[href='#questions']")
    expect(contents).to_have_text("Common questions")
    page.keyboard.press("Enter")
    expect(page).to_have_url(page.url.split("#")[0] + "#questions")
    expect(page.get_by_role("heading", name="Common questions")).to_be_in_viewport()
    focused = tab(page)
    # The next stop is a link among the questions: focus followed the jump.
    expect(page.get_by_role("region", name="Common questions").locator("*:focus")).to_have_count(1)
    href = focused.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('/articles/')[0]}{href}")
