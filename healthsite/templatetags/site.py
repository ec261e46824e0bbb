from django import template

from healthsite import slug_urls

register = template.Library()


@register.simple_tag
def site_url(view_name):
    """`{% url view_name %}` for a view that takes no arguments, reversed once
    (healthsite/slug_urls.py): every page links to the same few pages."""
    return slug_urls.site_url(view_name)


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute URL without its query string, but for `?page=N` past the first."""
    request = context.get("request")
    if request is None:  # the 500 page renders without one
        return ""
    url = request.build_absolute_uri(request.path)
    page = context.get("page_obj")
    if page is not None and page.number > 1:
        url += f"?page={page.number}"
    return url


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """This page's query string with another page number, keeping the rest (e.g. ?q=)."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
