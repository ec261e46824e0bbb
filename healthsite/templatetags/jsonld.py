import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

# As in Django's `json_script`: with these escaped, no content can close the
# script element or open an HTML comment inside it, and JSON parsers read the
# escapes back as the original characters.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def jsonld(context, value):
    """`{% jsonld value %}`: `<script type="application/ld+json">` elements, one
    per object in `value`, carrying the response's Content-Security-Policy nonce."""
    request = context.get("request")
    nonce = getattr(request, "csp_nonce", None) if request is not None else None
    return jsonld_scripts(value, nonce=str(nonce) if nonce is not None else None)


def jsonld_scripts(value, nonce=None):
    """The markup `{% jsonld %}` writes, for `value` (one object or a list)."""
    if not value:
        return ""
    objects = [value] if isinstance(value, dict) else value
    nonce_attr = f' nonce="{escape(nonce)}"' if nonce else ""
    return mark_safe("\n".join(_script(obj, nonce_attr) for obj in objects))


def _script(obj, nonce_attr):
    data = json.dumps(obj, ensure_ascii=False, cls=DjangoJSONEncoder).translate(_ESCAPES)
    return f'<script type="application/ld+json"{nonce_attr}>{data}</script>'
