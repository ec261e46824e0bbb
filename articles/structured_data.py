"""schema.org JSON-LD for an article page: the page, its questions, its breadcrumbs.

Built from an `articles.page.ArticleContent`, which holds plain lists, so it
adds no queries to the page and works for unsaved previews too.
"""

import html
import re

from healthsite.slug_urls import site_url, slug_urls
from reviews.models import public_name
from sources.structured_data import citations

CONTEXT = "https://schema.org"
PUBLISHER_NAME = "Healthsite"
LANGUAGE = "en-GB"


def article_structured_data(content, request):
    """`content` is an `articles.page.ArticleContent`."""
    article = content.article
    url = request.build_absolute_uri(article.get_absolute_url())
    objects = [
        _web_page(content, request, url),
        _faq_page(content.questions, url),
        _breadcrumbs(article, request, url),
    ]
    return [obj for obj in objects if obj is not None]


def _web_page(content, request, url):
    article = content.article
    cause_url = slug_urls("articles:cause", request)
    causes = [_cause(item, cause_url) for item in content.causes]
    tags = sorted(tag.name for tag in content.tags)
    return _compact(
        {
            "@context": CONTEXT,
            "@type": "MedicalWebPage",
            "name": article.title,
            "headline": article.title,
            "description": article.meta_description or article.subtitle or None,
            "url": url,
            "datePublished": _iso(article.publish_at),
            "dateModified": _iso(article.updated),
            "lastReviewed": _iso(article.last_reviewed),
            "reviewedBy": _reviewer(article.medical_reviewer),
            "author": _person(article.author),
            "publisher": {
                "@type": "Organization",
                "name": PUBLISHER_NAME,
                "url": request.build_absolute_uri(site_url("home")),
            },
            "inLanguage": LANGUAGE,
            "citation": citations(content.sources) or None,
            "keywords": ", ".join(tags) or None,
            "about": _compact(
                {"@type": "MedicalCondition", "name": article.title, "cause": causes or None}
            ),
        }
    )


def _cause(item, cause_url):
    return {
        "@type": "MedicalCause",
        "name": item.cause.name,
        "url": cause_url(item.cause.slug),
        "description": _plain_text(item.text_html),
    }


def _faq_page(entries, url):
    questions = [
        {
            "@type": "Question",
            "name": entry.question,
            "url": f"{url}#{entry.anchor}",
            "acceptedAnswer": {"@type": "Answer", "text": _plain_text(entry.answer_html)},
        }
        for entry in entries
    ]
    if not questions:
        return None
    return {"@context": CONTEXT, "@type": "FAQPage", "url": url, "mainEntity": questions}


def _breadcrumbs(article, request, url):
    trail = [
        ("Home", request.build_absolute_uri(site_url("home"))),
        ("Health A to Z", request.build_absolute_uri(site_url("articles:list"))),
        (article.title, url),
    ]
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": item}
            for position, (name, item) in enumerate(trail, start=1)
        ],
    }


def _person(user):
    if user is None:
        return None
    return {"@type": "Person", "name": user.get_full_name() or user.get_username()}


def _reviewer(user):
    """The medical reviewer (stamped by their sign-off), with their public credentials."""
    if user is None:
        return None
    profile = getattr(user, "reviewer_profile", None)
    return _compact(
        {
            "@type": "Person",
            "name": public_name(user),
            "honorificSuffix": (profile and profile.credentials) or None,
            "jobTitle": (profile and profile.profession) or None,
        }
    )


def _iso(value):
    return value.isoformat() if value is not None else None


def _compact(obj):
    """Drop unset properties: schema.org readers prefer a missing key to a null."""
    return {key: value for key, value in obj.items() if value is not None}


# A tag in the sanitised HTML that `healthsite.markdown` stores: nh3 escapes
# `<` and `>` in text and in attribute values alike (a test pins it), so a tag
# ends at its first `>`. A third of the cost of Django's `strip_tags` (an HTML
# parser), for the 28 fragments of a typical page.
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def _plain_text(html_text):
    """Stored (sanitised) HTML as one line of plain text."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", html_text))).strip()
