"""Content checks an editor sees on the change form and in the report.

Warnings, not refusals: an article may be saved and published with them.
"""

import re
from difflib import SequenceMatcher

from django.apps import apps
from django.db import connection

from faq.models import FAQEntry

from .models import ArticleCause

META_DESCRIPTION_MAX = 160
SIMILAR = 0.85  # how alike two texts must be to count as near-duplicates
MIN_LENGTH = 40  # shorter texts ("Yes.") are alike by nature
NON_WORD = re.compile(r"[\W_]+")


def normalise(text):
    return NON_WORD.sub(" ", text.lower()).strip()


def similarity(a, b):
    return SequenceMatcher(None, normalise(a), normalise(b)).ratio()


def lint_article(article):
    """A list of plain-English warnings about `article` (saved), best first."""
    warnings = []
    description = article.meta_description.strip()
    if not description:
        warnings.append("The meta description is missing: search engines will make one up.")
    elif len(description) > META_DESCRIPTION_MAX:
        warnings.append(
            f"The meta description is {len(description)} characters; search engines "
            f"cut it after about {META_DESCRIPTION_MAX}."
        )
    if apps.is_installed("sources") and not article.article_sources.exists():
        warnings.append("The article cites no sources.")
    causes = list(article.article_causes.select_related("cause"))
    answers = list(article.faq_entries.all())
    body = [article.summary, article.conclusion, *(c.explanation for c in causes)]
    for entry in answers:
        if _repeats(entry.answer, body):
            warnings.append(f"The answer to “{entry.question}” repeats the article's text.")
    for item in causes:
        for other in _near_duplicates(ArticleCause, "explanation", item.explanation, article):
            warnings.append(
                f"The explanation of “{item.cause}” is nearly the same as in “{other.article}”."
            )
    for entry in answers:
        for other in _near_duplicates(FAQEntry, "answer", entry.answer, article):
            warnings.append(
                f"The answer to “{entry.question}” is nearly the same as in “{other.article}”."
            )
    return warnings


def _repeats(text, body):
    if len(text) < MIN_LENGTH:
        return False
    words = normalise(text)
    return any(
        words in normalise(part) or similarity(text, part) >= SIMILAR for part in body if part
    )


def _near_duplicates(model, field, text, article, limit=3):
    """Rows of other articles whose `field` is nearly `text`."""
    if len(text) < MIN_LENGTH:
        return []
    others = model.objects.exclude(article=article).exclude(article__isnull=True)
    others = others.select_related("article")
    if connection.vendor == "postgresql":
        # pg_trgm's index narrows it down; difflib then judges as on SQLite.
        candidates = others.filter(**{f"{field}__trigram_similar": text})[: limit * 5]
    else:
        candidates = others.filter(**{f"{field}__istartswith": text[:12]})[:200]
    return [row for row in candidates if similarity(getattr(row, field), text) >= SIMILAR][:limit]


def report(articles):
    """(article, warnings) for each of `articles` that has any."""
    for article in articles:
        if warnings := lint_article(article):
            yield article, warnings
