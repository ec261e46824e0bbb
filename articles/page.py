"""What the article page shows, built the same way for readers and for previews.

A preview renders an article that is not saved (an editor's unsaved form),
so the page is built from plain lists rather than the article's relations.
"""

from dataclasses import dataclass

from django.conf import settings

from .related import related_articles, spread_callouts
from .structured_data import article_structured_data


@dataclass
class ArticleContent:
    article: object
    causes: list  # ArticleCause rows, in order
    questions: list  # FAQEntry rows, in order
    tags: list
    pinned: list  # target articles of the pinned See-also links readers may see, in order

    @classmethod
    def from_saved(cls, article):
        """From an article fetched with `Article.objects.for_detail()`: no queries."""
        return cls(
            article=article,
            causes=list(article.article_causes.all()),
            questions=list(article.faq_entries.all()),
            tags=list(article.tags.all()),
            pinned=[link.target for link in article.visible_related_links],
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
    related = related_articles(content)
    cause_rows, question_rows = spread_callouts(content.causes, content.questions, related)
    contents = content.sections()
    if related:
        contents.append(("related", "Related articles"))
    if len(contents) < settings.TABLE_OF_CONTENTS_MIN_SECTIONS:
        contents = []
    return {
        "article": content.article,
        "tags": content.tags,
        "related_articles": related,
        "cause_rows": cause_rows,
        "question_rows": question_rows,
        "contents": contents,
        "structured_data": article_structured_data(content, request),
    }
