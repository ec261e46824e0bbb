import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

register = template.Library()

# As in Django's `json_script`: with these escaped, no content can close the
# script element or open an HTML comment inside it, and JSON parsers read the
# escapes back as the original characters.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def jsonld(value):
    """`<script type="application/ld+json">` elements, one per object in `value`."""
    if not value:
        return ""
    objects = [value] if isinstance(value, dict) else value
    return mark_safe("\n".join(_script(obj) for obj in objects))


def _script(obj):
    data = json.dumps(obj, ensure_ascii=False, cls=DjangoJSONEncoder).translate(_ESCAPES)
    return f'<script type="application/ld+json">{data}</script>'
