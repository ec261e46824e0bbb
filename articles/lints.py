"""Content checks an editor sees on the change form and in the report.

Warnings, not refusals: an article may be saved and published with them.
"""

import re
import time
from difflib import SequenceMatcher

from django.apps import apps
from django.conf import settings
from django.db import connection

from faq.models import FAQEntry
from healthsite.db import TimedOut, statement_time_limit

from .models import ArticleCause

META_DESCRIPTION_MAX = 160
SIMILAR = 0.85  # how alike two texts must be to count as near-duplicates
MIN_LENGTH = 40  # shorter texts ("Yes.") are alike by nature
NON_WORD = re.compile(r"[\W_]+")


class Budget:
    """The seconds the near-duplicate checks may take, shared by every check made
    with it (one article's, or a report page's): each lookup of other articles'
    texts is one query, and on a big site a query can take seconds (one took
    10 s at 100,000 articles, and a typical article, with 14 causes and 14
    questions, makes 28). Once spent, the rest are skipped and the warnings say so."""

    def __init__(self, seconds=None):
        seconds = settings.CONTENT_CHECK_SECONDS if seconds is None else seconds
        self.deadline = time.monotonic() + seconds
        self.spent = False

    def remaining(self):
        return max(0.0, self.deadline - time.monotonic())


def normalise(text):
    return NON_WORD.sub(" ", text.lower()).strip()


def alike(a, b):
    """Whether texts `a` and `b`, normalised, are at least SIMILAR by difflib's ratio.

    Its cheap upper bounds are tried first, as `difflib.get_close_matches` does:
    most pairs fail one of them, and the answer is the same. For an answer
    against an article's body, six times faster (3.1 s to 0.5 s for a report page
    of 50 articles, which compares 6,300 pairs)."""
    matcher = SequenceMatcher(None, a, b)
    return (
        matcher.real_quick_ratio() >= SIMILAR
        and matcher.quick_ratio() >= SIMILAR
        and matcher.ratio() >= SIMILAR
    )


def lint_article(article, budget=None):
    """A list of plain-English warnings about `article` (saved), best first.

    The near-duplicate checks stop when `budget` (a `Budget`; by default, one of
    `CONTENT_CHECK_SECONDS`) is spent."""
    budget = budget or Budget()
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
    body = [normalise(part) for part in body if part]
    for entry in answers:
        if _repeats(entry.answer, body):
            warnings.append(f"The answer to “{entry.question}” repeats the article's text.")
    texts = [
        (ArticleCause, "explanation", item.explanation, f"The explanation of “{item.cause}”")
        for item in causes
    ]
    texts += [
        (FAQEntry, "answer", entry.answer, f"The answer to “{entry.question}”") for entry in answers
    ]
    warnings += _near_duplicate_warnings(texts, article, budget)
    if budget.spent:
        warnings.append(
            "Not every explanation and answer was compared with other articles' for "
            "near-duplicates: the comparison ran out of time."
        )
    return warnings


def _repeats(text, body):
    """Whether `text` is in, or nearly, one of the `body`'s parts (normalised)."""
    if len(text) < MIN_LENGTH:
        return False
    words = normalise(text)
    return any(words in part or alike(words, part) for part in body)


def _near_duplicate_warnings(texts, article, budget):
    """A warning for each other article with a text nearly one of `texts`
    ((model, field, text, what) each), until `budget` is spent. Each lookup is
    started only while time is left, and is cancelled when the budget's time,
    as it was when the first started, has passed: at most twice the budget."""
    texts = [entry for entry in texts if len(entry[2]) >= MIN_LENGTH]
    warnings = []
    if not texts:
        return warnings
    if not (seconds := budget.remaining()):
        budget.spent = True
        return warnings
    try:
        with statement_time_limit(seconds):
            for model, field, text, what in texts:
                if not budget.remaining():
                    budget.spent = True
                    break
                for other in _near_duplicates(model, field, text, article):
                    warnings.append(f"{what} is nearly the same as in “{other.article}”.")
    except TimedOut:
        budget.spent = True
    return warnings


def _near_duplicates(model, field, text, article, limit=3):
    """Rows of other articles whose `field` is nearly `text`."""
    # Unordered, so that a query can stop at its limit.
    others = model.objects.exclude(article=article).exclude(article__isnull=True).order_by()
    others = others.select_related("article")
    if connection.vendor == "postgresql":
        # pg_trgm's index narrows it down; difflib then judges as on SQLite.
        candidates = others.filter(**{f"{field}__trigram_similar": text})[: limit * 5]
    else:
        candidates = others.filter(**{f"{field}__istartswith": text[:12]})[:200]
    wanted = normalise(text)
    found = [row for row in candidates if alike(normalise(getattr(row, field)), wanted)]
    return sorted(found, key=lambda row: (row.article.title, row.pk))[:limit]


def report(articles, budget=None):
    """(article, warnings) for each of `articles` that has any, the near-duplicate
    checks of them all within `budget`."""
    budget = budget or Budget()
    for article in articles:
        if warnings := lint_article(article, budget):
            yield article, warnings
