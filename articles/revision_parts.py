"""One article a revision: a revision that holds several articles is split.

django-reversion restores a whole revision. The article list's actions
(submit, publish, unpublish, archive) save every article they move in one
revision block, and restoring any one of those articles restored them all,
undoing what editors had changed in the others since. So when a revision
holding several articles is saved, each article after the first, with its
rows, is moved to a revision of its own, with the same time, user and
comment (`split_by_article`, connected in `ArticlesConfig.ready`; migration
0019 split those saved before).
"""

import json
from collections import defaultdict

from django.db.models import Case, Value, When

ARTICLE = ("articles", "article")
# The rows an article's revision follows, and the field naming their article.
ARTICLE_FIELD = {
    ("articles", "articlecause"): "article",
    ("articles", "relatedlink"): "article",
    ("articles", "taggedarticle"): "content_object",
    ("faq", "faqentry"): "article",
    ("sources", "articlesource"): "article",
}
QUESTION = ("faq", "faqentry")
QUESTION_TAGGING = ("faq", "taggedfaqentry")  # goes with its question's article
# Parts moved by one UPDATE: each names its versions twice (a revision saved by
# a list action before its limit of 200 could hold thousands of articles, and
# SQLite takes at most 32,766 parameters a query).
PARTS_AN_UPDATE = 100


def versions_by_article(versions, kind_of):
    """{article id: ids of its versions} of one revision's `versions`, for each
    article in it. `kind_of(version)`: its (app label, model name). A version
    whose article cannot be told goes with the first article's."""
    owners, article_of_question = {}, {}
    for version in versions:
        kind = kind_of(version)
        if kind == ARTICLE:
            owners[version.pk] = int(version.object_id)
        elif kind in ARTICLE_FIELD or kind == QUESTION_TAGGING:
            fields = _stored_fields(version)
            owners[version.pk] = fields.get(ARTICLE_FIELD.get(kind, "content_object"))
            if kind == QUESTION:
                article_of_question[str(version.object_id)] = fields.get("article")
    for version in versions:
        if kind_of(version) == QUESTION_TAGGING:
            owners[version.pk] = article_of_question.get(str(owners[version.pk]))
    parts = defaultdict(list)
    for version in versions:
        if (owner := owners.get(version.pk)) is not None:
            parts[owner].append(version.pk)
    if parts:
        first = min(parts)
        parts[first] += [version.pk for version in versions if owners.get(version.pk) is None]
    return dict(parts)


def split(revision, parts, revisions, versions):
    """Move each part (`versions_by_article`) after the first to a revision of its
    own. `revisions`, `versions`: the managers to write with (a migration's own)."""
    moved = [parts[article_id] for article_id in sorted(parts)[1:]]
    if not moved:
        return
    made = revisions.bulk_create(  # their ids come back on PostgreSQL and SQLite
        revisions.model(
            date_created=revision.date_created,
            user_id=revision.user_id,
            comment=revision.comment,
        )
        for _ in moved
    )
    pairs = list(zip(moved, made, strict=True))
    for start in range(0, len(pairs), PARTS_AN_UPDATE):
        chunk = pairs[start : start + PARTS_AN_UPDATE]
        cases = [When(pk__in=ids, then=Value(part.pk)) for ids, part in chunk]
        ids = [pk for part_ids, _ in chunk for pk in part_ids]
        versions.filter(pk__in=ids).update(revision_id=Case(*cases))


def split_by_article(sender, revision, versions, **kwargs):
    """Receiver for reversion's `post_revision_commit`."""
    from reversion.models import Revision, Version

    def kind_of(version):
        content_type = version.content_type
        return (content_type.app_label, content_type.model)

    if sum(kind_of(version) == ARTICLE for version in versions) < 2:
        return
    using = revision._state.db
    parts = versions_by_article(versions, kind_of)
    split(revision, parts, Revision.objects.using(using), Version.objects.using(using))


def _stored_fields(version):
    try:
        return json.loads(version.serialized_data)[0]["fields"]
    except (ValueError, LookupError, TypeError):
        return {}
