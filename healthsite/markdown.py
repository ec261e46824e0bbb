"""Markdown for reader-visible text: CommonMark with raw HTML off, then sanitised.

markdown-it-py renders (raw HTML in the source is escaped, not passed
through); nh3 then strips anything outside a small allow-list, so even a
renderer bug cannot let stored content inject script.
"""

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "hr",
    "ul", "ol", "li", "a", "h2", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def render_markdown(text):
    if not text:
        return ""
    html = _renderer.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
