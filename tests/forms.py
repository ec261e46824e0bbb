"""Submit a page's form as a browser would: every field with the value it shows."""

from html import unescape
from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, form_id is None
        self.data, self.select, self.textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_id is not None:
            self.inside = attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs:
            return
        if tag == "option":
            if self.select is not None and "selected" in attrs:
                self.data.append((self.select, attrs.get("value", "")))
            return
        name = attrs.get("name")
        if name is None:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self.textarea = [name, ""]
        elif tag == "select":
            self.select = name

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # Browsers drop one newline right after <textarea>.
            self.data.append((name, unescape(text[1:] if text.startswith("\n") else text)))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.form_id is not None:
            self.inside = False


def form_fields(html, form_id=None):
    """The fields of the form `form_id` (or of every form) as a dict of lists."""
    parser = _FormFields(form_id)
    parser.feed(html)
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def admin_form(response):
    """The admin change form on `response`, ready to post back (edit it first)."""
    opts = response.context["opts"]
    return form_fields(response.content.decode(), f"{opts.model_name}_form")
