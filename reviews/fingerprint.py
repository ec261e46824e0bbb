"""What a medical reviewer signs off: a fingerprint of everything readers see.

The sha256 of an article's reader-visible content as stored in the database,
so a sign-off can tell later whether that content has changed. Workflow and
bookkeeping fields (status, review dates, author, edit token, timestamps,
search vector) are left out: changing them changes nothing the reviewer read.
Lists are taken in their order on the page; the stored position numbers are
not part of it, since renumbering rows without reordering them shows readers
nothing new.
"""

import hashlib
import json

from django.apps import apps
from django.db.models.functions import Coalesce

from articles.models import CONTENT_FIELDS, Article, ArticleCause, RelatedLink, TaggedArticle
from faq.models import FAQEntry

ARTICLE_FIELDS = list(CONTENT_FIELDS)  # in this order: a stored fingerprint hashes them so


def content_fingerprint(article):
    return content_fingerprints([article.pk])[article.pk]


def content_fingerprints(article_ids):
    """{article id: sha256 hex} for these articles, in one query per relation."""
    contents = {
        pk: {"fields": fields, "causes": [], "questions": [], "links": [], "tags": []}
        for pk, *fields in Article.objects.filter(pk__in=article_ids).values_list(
            "pk", *ARTICLE_FIELDS
        )
    }
    ids = list(contents)
    causes = ArticleCause.objects.filter(article_id__in=ids).order_by("article_id", "position")
    # A cause without its own explanation shows readers the cause's general description.
    for pk, name, explanation, description in causes.values_list(
        "article_id", "cause__name", "explanation", "cause__description"
    ):
        contents[pk]["causes"].append([name, explanation or description])
    questions = FAQEntry.objects.filter(article_id__in=ids).order_by("article_id", "position")
    for pk, question, answer in questions.values_list("article_id", "question", "answer"):
        contents[pk]["questions"].append([question, answer])
    # The target's own title: `target_title` catches up only after the target's save.
    links = RelatedLink.objects.filter(article_id__in=ids).order_by("article_id", "position")
    for pk, title in links.annotate(shown=Coalesce("target__title", "target_title")).values_list(
        "article_id", "shown"
    ):
        contents[pk]["links"].append(title)
    tags = TaggedArticle.objects.filter(content_object_id__in=ids)
    for pk, name in tags.values_list("content_object_id", "tag__name"):
        contents[pk]["tags"].append(name)
    # Only there when some are cited: the key's absence keeps older fingerprints valid.
    for pk, title, url, doi, pmid in _sources(ids):
        # The DOI and PubMed ID name the paper readers are sent to; only when
        # set, so a source without either hashes as it did before they counted.
        cited = [title, url, doi, pmid] if doi or pmid else [title, url]
        contents[pk].setdefault("sources", []).append(cited)
    return {pk: _digest(content) for pk, content in contents.items()}


def _sources(article_ids):
    """(article id, title, url, DOI, PubMed ID) of each cited source, in order,
    when the sources app is in use. (Not the publisher's name nor the date an
    editor last read it: they say who and when, not what.)"""
    if not (apps.is_installed("sources") and hasattr(Article, "article_sources")):
        return []
    cited = Article.article_sources.rel.related_model.objects.filter(article_id__in=article_ids)
    return cited.order_by("article_id", "position").values_list(
        "article_id", "source__title", "source__url", "source__doi", "source__pmid"
    )


def _digest(content):
    content["tags"].sort()
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
