"""Markdown for reader-visible text: CommonMark with raw HTML off, then sanitised.

markdown-it-py renders (raw HTML in the source is escaped, not passed
through); nh3 then strips anything outside a small allow-list, so even a
renderer bug cannot let stored content inject script.

Rendering happens when a row is saved, not when a page is read: models that
inherit `MarkdownModel` keep a sanitised `<field>_html` twin of each field
named in `markdown_fields`.
"""

import nh3
from django.db import models
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


class MarkdownModel(models.Model):
    markdown_fields = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.render_markdown()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            twins = {f"{name}_html" for name in self.markdown_fields if name in update_fields}
            kwargs["update_fields"] = {*update_fields, *twins}
        super().save(*args, **kwargs)

    def render_markdown(self):
        """Fill the `_html` twins; call it before `bulk_create`, which skips `save()`."""
        for name in self.markdown_fields:
            setattr(self, f"{name}_html", render_markdown(getattr(self, name)))
