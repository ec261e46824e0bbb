from django import template
from django.utils.safestring import mark_safe

from healthsite.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Render Markdown that readers see; the output is sanitised, so safe to mark."""
    return mark_safe(render_markdown(text))
