"""What the article page shows, built the same way for readers and for previews.

A preview renders an article that is not saved (an editor's unsaved form),
so the page is built from plain lists rather than the article's relations.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from operator import attrgetter, itemgetter

from django.conf import settings
from django.utils import timezone
from taggit.models import Tag

from healthsite.page_cache import remember
from reviews.models import public_name
from sources.models import Source

from .integrity import unlink_broken
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
        return cls(
            article=article,
            causes=list(article.article_causes.all()),
            questions=list(article.faq_entries.all()),
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


def article_page_context(content, request, saved=True):
    """The template context; `saved=False` for previews, whose content is not saved."""
    _hide_broken_links(content)
    if saved:
        related = remember(f"related:{content.article.pk}", lambda: related_articles(content))
    else:
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
    return {
        "article": content.article,
        "tags": content.tags,
        "sources": content.sources,
        "related_articles": related,
        "cause_rows": cause_rows,
        "question_rows": question_rows,
        "contents": contents,
        # Signing off stamps the reviewer and the date on the article.
        "reviewer_name": public_name(reviewer) if reviewer else "",
        "review_overdue": bool(
            article.next_review_due and article.next_review_due < timezone.localdate()
        ),
        "structured_data": article_structured_data(content, request),
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


def _source(row):
    row = dict(row, accessed=row["accessed"] and date.fromisoformat(row["accessed"]))
    del row["position"]
    return Source(**row)
