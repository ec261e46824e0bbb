import re

import pytest

from healthsite.markdown import render_markdown


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**Drink** water", "<p><strong>Drink</strong> water</p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("", ""),
        ("Tom & Jerry < 3", "<p>Tom &amp; Jerry &lt; 3</p>"),
    ],
)
def test_commonmark_renders(source, expected):
    assert render_markdown(source).strip() == expected


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<a href="#" onclick="alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        '<svg onload="alert(1)">',
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_and_script_links_never_get_through(hostile):
    html = render_markdown(hostile).lower()
    for forbidden in ("<script", 'href="javascript', "<svg", "<style", "<img"):
        assert forbidden not in html
    assert not re.search(r"<[^>]*\bon\w+\s*=", html), "an event handler inside a tag"


def test_links_are_kept_with_a_safe_rel():
    html = render_markdown("[NHS](https://www.nhs.uk/)")
    assert 'href="https://www.nhs.uk/"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.django_db
def test_rendered_html_is_stored_on_save_and_follows_edits():
    from tests.factories import add_cause, add_faq, make_article, make_cause

    article = make_article(summary="*Intro*", seek_help_urgent="- now")
    assert article.summary_html == "<p><em>Intro</em></p>\n"
    assert "<li>now</li>" in article.seek_help_urgent_html
    article.summary = "**Changed**"
    article.save(update_fields=["summary"])
    article.refresh_from_db()
    assert article.summary_html == "<p><strong>Changed</strong></p>\n"

    cause = make_cause(description="General <b>text</b>")
    assert cause.description_html == "<p>General &lt;b&gt;text&lt;/b&gt;</p>\n"
    item = add_cause(article, cause)
    assert item.text_html == cause.description_html
    item.explanation = "Specific"
    item.save()
    assert item.text_html == "<p>Specific</p>\n"
    assert add_faq(article, answer="`code`").answer_html == "<p><code>code</code></p>\n"
