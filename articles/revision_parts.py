"""One article, or one cause, a revision: a revision holding several is split.

django-reversion restores a revision whole. The article list's actions
(submit, publish, unpublish, archive) saved every article they moved in one
revision, and the importer saved the causes it made in the article's: so
restoring one of those articles restored all the others, undoing what editors
had changed in them since, and restoring the article or the cause put the
other back too (a cause's description, references and topics were wiped by
restoring its first article). So when a revision holding several articles or
causes is saved, each after the first, with its rows, is moved to a revision
of its own, with the same time, user and comment (`split_by_owner`, connected
in `ArticlesConfig.ready`); migration 0019 split those saved before.
"""

import json
from collections import defaultdict

from django.db.models import Case, Value, When

ARTICLE, CAUSE = ("articles", "article"), ("articles", "cause")
OWNERS = {ARTICLE, CAUSE}
# The rows a revision of an article or a cause follows: whose they are, by which field.
ROWS = {
    ("articles", "articlecause"): (ARTICLE, "article"),
    ("articles", "relatedlink"): (ARTICLE, "article"),
    ("articles", "taggedarticle"): (ARTICLE, "content_object"),
    ("faq", "faqentry"): (ARTICLE, "article"),
    ("sources", "articlesource"): (ARTICLE, "article"),
    ("articles", "taggedcause"): (CAUSE, "content_object"),
    ("sources", "causesource"): (CAUSE, "cause"),
}
QUESTION = ("faq", "faqentry")
QUESTION_TAGGING = ("faq", "taggedfaqentry")  # goes with its question's article
# Parts moved by one UPDATE: each names its versions twice (a revision saved by
# a list action before its limit of 200 could hold thousands of articles, and
# SQLite takes at most 32,766 parameters a query).
PARTS_AN_UPDATE = 100


def versions_by_owner(versions, kind_of):
    """{(kind, id) of an article or a cause: ids of its versions} of one
    revision's `versions`. `kind_of(version)`: its (app label, model name). A
    version whose owner cannot be told goes with the first owner's."""
    owners, article_of_question = {}, {}
    for version in versions:
        kind = kind_of(version)
        if kind in OWNERS:
            owners[version.pk] = (kind, int(version.object_id))
        elif kind in ROWS:
            owner, field = ROWS[kind]
            fields = _stored_fields(version)
            if fields.get(field) is not None:
                owners[version.pk] = (owner, fields[field])
            if kind == QUESTION:
                article_of_question[str(version.object_id)] = owners.get(version.pk)
    for version in versions:
        if kind_of(version) == QUESTION_TAGGING:
            question = _stored_fields(version).get("content_object")
            owners[version.pk] = article_of_question.get(str(question))
    parts = defaultdict(list)
    for version in versions:
        if (owner := owners.get(version.pk)) is not None:
            parts[owner].append(version.pk)
    if parts:
        first = min(parts)
        parts[first] += [version.pk for version in versions if owners.get(version.pk) is None]
    return dict(parts)


def split(revision, parts, revisions, versions):
    """Move each part (`versions_by_owner`) after the first to a revision of its
    own. `revisions`, `versions`: the managers to write with (a migration's own)."""
    moved = [parts[owner] for owner in sorted(parts)[1:]]
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


def split_by_owner(sender, revision, versions, **kwargs):
    """Receiver for reversion's `post_revision_commit`."""
    from reversion.models import Revision, Version

    def kind_of(version):
        content_type = version.content_type
        return (content_type.app_label, content_type.model)

    if sum(kind_of(version) in OWNERS for version in versions) < 2:
        return
    using = revision._state.db
    parts = versions_by_owner(versions, kind_of)
    split(revision, parts, Revision.objects.using(using), Version.objects.using(using))


def _stored_fields(version):
    try:
        return json.loads(version.serialized_data)[0]["fields"]
    except (ValueError, LookupError, TypeError):
        return {}
