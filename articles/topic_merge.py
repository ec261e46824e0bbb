"""Merging topics: "Knee pain", "knee pains" and "Sore knees" made one.

django-taggit's "Merge selected tags" moves the rows of its own `TaggedItem`
model, which this site does not use (articles, questions and causes each have
a through model of their own): it said "Tags have been merged" and changed
nothing. `merge_topics` merges the rows of every through model here.
"""

from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from reversion.models import Revision
from taggit.models import Tag
from taggit.utils import edit_string_for_tags, parse_tags

from faq.models import FAQEntry, TaggedFAQEntry
from healthsite.page_cache import lock_articles

from .changes import articles_changed, batched
from .models import MergedTopic, TaggedArticle, TaggedCause
from .tag_index import recount

THROUGH_MODELS = (TaggedArticle, TaggedFAQEntry, TaggedCause)


def merge_target(tags, name):
    """The topic that merging `tags` into `name` keeps, or None for a new one:
    the topic named `name` (exactly, else regardless of case, as taggit finds
    tags), else one of `tags` whose address `name` would have ("Knee-pain" for
    "Knee pain"), so that its page keeps its address."""
    return (
        Tag.objects.filter(name=name).first()
        or Tag.objects.filter(name__iexact=name).order_by("pk").first()
        or next((tag for tag in tags if tag.slug == Tag().slugify(name)), None)
    )


def survives_editing(name):
    """Whether a topic named `name` comes back as itself from a tags field: taggit
    writes names with commas or spaces in quotes, and one with a quote in it
    came back split in three ("Knee", "runner" and "pain")."""
    return parse_tags(edit_string_for_tags([Tag(name=name)])) == [name]


def merge_topics(tags, name):
    """Fold `tags` into the topic named `name` (`merge_target`, spelt as `name`,
    or a new one): everything tagged with any of them is tagged with it instead,
    once, and the others are deleted. Returns that topic.

    In one transaction. The articles concerned are locked first, in id order
    (`lock_articles`), as a topic's delete locks them, so an editor saving one
    of them meanwhile waits rather than deadlocks. The kept topic gets rows of
    its own rather than the others' rows: a row keeps its id in the history,
    and a revision holding the same row under its old topic could not be
    restored beside the new one. Their search index and the topic counts are
    brought up to date, and the page cache emptied. Each topic merged away is
    recorded (`MergedTopic`), so that a revision from before restores it as
    the kept topic (`merged_since`).
    """
    with transaction.atomic(), batched():
        target = merge_target(tags, name)
        others = [tag.pk for tag in tags if target is None or tag.pk != target.pk]
        article_ids = _lock_articles_tagged_with(others)
        if target is None:
            target = Tag.objects.create(name=name)
        elif target.name != name:  # in the editor's spelling: "Knee pain" for "knee pain"
            target.name = name
            target.save(update_fields=["name"])
        for through in THROUGH_MODELS:
            has_target = through.objects.filter(tag=target).values("content_object_id")
            untagged = through.objects.filter(tag__in=others).exclude(
                content_object_id__in=has_target
            )
            # One row for each thing tagged: two of the topics on one question
            # make one row of the kept topic.
            first = untagged.values("content_object_id").annotate(first=Min("pk"))
            fields = [f.attname for f in through._meta.concrete_fields if f.attname != "id"]
            rows = through.objects.filter(pk__in=first.values("first")).values(*fields)
            through.objects.bulk_create(through(**(row | {"tag_id": target.pk})) for row in rows)
        MergedTopic.objects.filter(into__in=others).update(into=target)
        # A record of a topic merged before under the same id (ids come back
        # after a dump and load) is replaced.
        MergedTopic.objects.bulk_create(
            [
                MergedTopic(topic_id=tag.pk, name=tag.name, into=target, merged_at=timezone.now())
                for tag in tags
                if tag.pk in others
            ],
            update_conflicts=True,
            unique_fields=["topic_id"],
            update_fields=["name", "into", "merged_at"],
        )
        Tag.objects.filter(pk__in=others).delete()  # and their rows
        recount([target.pk])
        articles_changed(article_ids)  # tag names are in the search index's head
    return target


def merged_since(taggings):
    """Of `taggings`, versions of rows tagged with a topic deleted since, those
    whose topic was merged into another: {version: (its name, the topic now)}.
    Only versions from before the merge: a later one tagged with another topic
    that had the same id (ids come back after a dump and load)."""
    if not taggings:
        return {}
    merges = MergedTopic.objects.filter(
        topic_id__in={version.field_dict["tag_id"] for version in taggings}
    ).select_related("into")
    merges = {merge.topic_id: merge for merge in merges}
    revisions = {version.revision_id for version in taggings}
    saved = dict(Revision.objects.filter(pk__in=revisions).values_list("pk", "date_created"))
    found = {}
    for version in taggings:
        merge = merges.get(version.field_dict["tag_id"])
        if merge and saved[version.revision_id] <= merge.merged_at:
            found[version] = (merge.name, merge.into)
    return found


def tagged_with(tags, limit):
    """How many articles, questions and causes have any of `tags` (a queryset),
    counted no further than `limit` + 1: what a delete or a merge of them takes."""
    counted = 0
    for through in THROUGH_MODELS:
        rows = through.objects.filter(tag__in=tags).order_by().values("pk")
        counted += rows[: limit + 1 - counted].count()
        if counted > limit:
            break
    return counted


def _lock_articles_tagged_with(tag_ids):
    """Lock, in id order, the articles with these topics or with questions that
    have them; returns the ids of the articles tagged."""
    tagged = TaggedArticle.objects.filter(tag__in=tag_ids).values("content_object_id")
    questions = TaggedFAQEntry.objects.filter(tag__in=tag_ids).values("content_object_id")
    lock_articles(tagged, FAQEntry.objects.filter(pk__in=questions).values("article_id"))
    return list(tagged.values_list("content_object_id", flat=True))
