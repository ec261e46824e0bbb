"""Merging topics: "Knee pain", "knee pains" and "Sore knees" made one.

django-taggit's "Merge selected tags" moves the rows of its own `TaggedItem`
model, which this site does not use (articles, questions and causes each have
a through model of their own): it said "Tags have been merged" and changed
nothing. `merge_topics` moves the rows of every through model here.
"""

from django.db import transaction
from django.db.models import Min
from taggit.models import Tag

from faq.models import FAQEntry, TaggedFAQEntry
from healthsite.page_cache import lock_articles

from .changes import articles_changed, batched
from .models import TaggedArticle, TaggedCause
from .tag_index import recount

THROUGH_MODELS = (TaggedArticle, TaggedFAQEntry, TaggedCause)


def merge_topics(tags, name):
    """Fold `tags` into the topic named `name` (one of them, another topic, or a
    new one; found regardless of case, as taggit finds tags, and then spelt as
    `name`): everything tagged with any of them is tagged with it instead, once,
    and the others are deleted. Returns that topic.

    In one transaction. The articles concerned are locked first, in id order
    (`lock_articles`), as a topic's delete locks them, so an editor saving one
    of them meanwhile waits rather than deadlocks. Their search index
    and the topic counts are brought up to date, and the page cache emptied.
    """
    with transaction.atomic(), batched():
        target = (
            Tag.objects.filter(name=name).first()
            or Tag.objects.filter(name__iexact=name).order_by("pk").first()
        )
        if target is None:
            target = Tag.objects.create(name=name)
        elif target.name != name:  # in the editor's case: "Knee pain" for "knee pain"
            target.name = name
            target.save(update_fields=["name"])
        others = [tag.pk for tag in tags if tag.pk != target.pk]
        if not others:
            return target
        article_ids = _lock_articles_tagged_with(others)
        for through in THROUGH_MODELS:
            has_target = through.objects.filter(tag=target).values("content_object_id")
            movable = through.objects.filter(tag__in=others).exclude(
                content_object_id__in=has_target
            )
            # One row for each thing tagged: two of the topics on one question
            # would make two rows of the one topic.
            first = movable.values("content_object_id").annotate(first=Min("pk")).values("first")
            through.objects.filter(pk__in=first).update(tag=target)
        # Their rows left are on things tagged with the target already.
        Tag.objects.filter(pk__in=others).delete()
        recount([target.pk])
        articles_changed(article_ids)  # tag names are in the search index's head
    return target


def _lock_articles_tagged_with(tag_ids):
    """Lock, in id order, the articles with these topics or with questions that
    have them; returns the ids of the articles tagged."""
    tagged = TaggedArticle.objects.filter(tag__in=tag_ids).values("content_object_id")
    questions = TaggedFAQEntry.objects.filter(tag__in=tag_ids).values("content_object_id")
    lock_articles(tagged, FAQEntry.objects.filter(pk__in=questions).values("article_id"))
    return list(tagged.values_list("content_object_id", flat=True))
