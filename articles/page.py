"""What the article page shows, built the same way for readers and for previews.

A preview renders an article that is not saved (an editor's unsaved form),
so the page is built from plain lists rather than the article's relations.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from operator import attrgetter, itemgetter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from taggit.models import Tag

from faq.models import FAQEntry
from healthsite.db import loaded
from healthsite.slug_urls import slug_urls
from reviews.models import ReviewerProfile, public_name
from sources.models import Source

from .integrity import unlink_broken
from .models import ArticleCause, Cause
from .related import related_articles, spread_callouts
from .structured_data import article_structured_data


@dataclass
class ArticleContent:
    article: object
    causes: list  # ArticleCause rows, in order
    questions: list  # FAQEntry rows, in order
    tags: list
    pinned: list  # ids of the articles the pinned See-also links point to, in order
    sources: list = field(default_factory=list)  # sources.Source rows cited, in order

    @classmethod
    def from_saved(cls, article):
        """From an article fetched with `Article.objects.for_detail()`: no queries."""
        by_position = partial(sorted, key=itemgetter("position"))
        _attach_people(article)
        return cls(
            article=article,
            causes=[_cause(article, row) for row in by_position(article.causes_data or [])],
            questions=[
                _question(article, row) for row in by_position(article.questions_data or [])
            ],
            tags=sorted((Tag(**row) for row in article.tags_data or []), key=attrgetter("name")),
            pinned=[row["target"] for row in by_position(article.pinned_data or [])],
            sources=[_source(row) for row in by_position(article.sources_data or [])],
        )

    def sections(self):
        """(anchor, heading) of each section the page will show, in order."""
        article = self.article
        sections = []
        if self.causes:
            sections.append(("causes", "Possible causes"))
        if self.questions:
            sections.append(("questions", "Common questions"))
        if article.seek_help_non_urgent or article.seek_help_urgent or article.seek_help_emergency:
            sections.append(("get-help", "When to get help"))
        return sections


def article_page_context(content, request):
    """The template context, for readers and for previews alike."""
    _hide_broken_links(content)
    related = related_articles(content)
    cause_rows, question_rows = spread_callouts(content.causes, content.questions, related)
    contents = content.sections()
    if content.sources:
        contents.append(("references", "References"))
    if related:
        contents.append(("related", "Related articles"))
    if len(contents) < settings.TABLE_OF_CONTENTS_MIN_SECTIONS:
        contents = []
    article = content.article
    reviewer = article.medical_reviewer
    # The template reads rows of plain values, built here: following model
    # attributes and reversing a URL for each row costs more in a template.
    article_url, cause_url = slug_urls("articles:detail"), slug_urls("articles:cause")
    tag_url = slug_urls("articles:tag")
    links = {target.pk: _link(article_url(target.slug), target.title) for target in related}
    return {
        "article": content.article,
        "tag_links": [_link(tag_url(tag.slug), tag.name) for tag in content.tags],
        "sources": content.sources,
        "related_links": list(links.values()),
        # Each row's `see_also` is the callout after it (a link), or None.
        "cause_rows": [
            _cause_row(item, cause_url, target and links[target.pk]) for item, target in cause_rows
        ],
        "question_rows": [
            _question_row(entry, target and links[target.pk]) for entry, target in question_rows
        ],
        "contents": contents,
        # Signing off stamps the reviewer and the date on the article.
        "reviewer_name": public_name(reviewer) if reviewer else "",
        "review_overdue": bool(
            article.next_review_due and article.next_review_due < timezone.localdate()
        ),
        # Each shown twice on some pages: formatted once.
        "last_reviewed": _day(article.last_reviewed),
        "next_review_due": _day(article.next_review_due),
        "structured_data": article_structured_data(content, request),
    }


def _day(value):
    """A date as `<time>` shows it: `|date:'Y-m-d'` and `|date:"j F Y"`; None if unset."""
    if not value:
        return None
    return {"iso": value.isoformat(), "text": date_format(value, "j F Y")}


def _link(url, text):
    return {"url": url, "text": text}


def _cause_row(item, cause_url, see_also):
    return {
        "anchor": item.anchor,
        "url": cause_url(item.cause.slug),
        "name": item.cause.name,
        "html": mark_safe(item.text_html),  # sanitised when saved (healthsite/markdown.py)
        "see_also": see_also,
    }


def _question_row(entry, see_also):
    return {
        "anchor": entry.anchor,
        "question": entry.question,
        "html": mark_safe(entry.answer_html),  # sanitised when saved (healthsite/markdown.py)
        "see_also": see_also,
    }


def _hide_broken_links(content):
    """Readers never follow a link to a missing or unpublished page: make those plain text."""
    article = content.article
    holders = [(article, f"{name}_html") for name in article.markdown_fields]
    holders += [(item, "explanation_html") for item in content.causes]
    holders += [(item.cause, "description_html") for item in content.causes]
    holders += [(entry, "answer_html") for entry in content.questions]
    cleaned = unlink_broken([getattr(obj, name) for obj, name in holders])
    for (obj, name), html in zip(holders, cleaned, strict=True):
        setattr(obj, name, html)  # for this page only; nothing is saved


def _attach_people(article):
    """The author, and the reviewer with their profile, made from the article's
    JSON objects as `select_related()` would have left them: read from the
    database, with the fields the page does not show deferred."""
    user_model, db = get_user_model(), article._state.db
    if article.author_id is not None:
        article.author = loaded(user_model, db, article.author_data)
    if article.medical_reviewer_id is not None:
        reviewer = loaded(user_model, db, article.reviewer_data)
        article.medical_reviewer = reviewer
        profile = article.reviewer_profile_data
        if profile["id"] is not None:
            profile = loaded(ReviewerProfile, db, profile)
            profile.user = reviewer
        else:  # a reviewer without a profile has none: cached so, reading it asks nothing
            profile = None
        ReviewerProfile.user.field.remote_field.set_cached_value(reviewer, profile)


def _cause(article, row):
    cause = Cause(
        id=row["cause_id"],
        name=row["cause_name"],
        slug=row["cause_slug"],
        description_html=row["cause_description_html"],
    )
    fields = {name: row[name] for name in ("id", "position", "explanation", "explanation_html")}
    return ArticleCause(article=article, cause=cause, **fields)


def _question(article, row):
    fields = ("id", "position", "question", "answer", "answer_html")
    return FAQEntry(article=article, **{name: row[name] for name in fields})


def _source(row):
    row = dict(row, accessed=row["accessed"] and date.fromisoformat(row["accessed"]))
    del row["position"]
    return Source(**row)
