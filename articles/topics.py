"""Topics are taggit tags seen from the reader's side: only what is published counts."""

from django.db.models import Count
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from taggit.models import Tag

from .models import Article


def topics():
    """Tags of published articles, each with `article_count`, alphabetical."""
    return (
        Tag.objects.filter(
            articles_taggedarticle_items__content_object__status=Article.Status.PUBLISHED,
            articles_taggedarticle_items__content_object__publish_at__lte=timezone.now(),
        )
        .annotate(article_count=Count("articles_taggedarticle_items"))
        .order_by("name")
    )


def top_topics(limit):
    return topics().order_by("-article_count", "name")[:limit]


@receiver(pre_save, sender=Tag)
def give_every_tag_a_slug(sender, instance, **kwargs):
    # taggit leaves a name with nothing sluggable ("!!!") with an empty slug,
    # which no URL can hold.
    if not instance.slug:
        instance.slug = "topic"
