import reversion
from django.db import models
from django.db.models import Q
from django.utils import timezone
from taggit.models import TaggedItemBase

from articles.ordering import position_validators
from healthsite.markdown import MarkdownModel
from healthsite.slug_urls import site_url
from healthsite.taggable import TaggableManager


class TaggedFAQEntry(TaggedItemBase):
    content_object = models.ForeignKey("FAQEntry", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "tagged FAQ entry"  # (Django's plural would be "entrys")
        verbose_name_plural = "tagged FAQ entries"
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedfaqentry_unique_tag"
            ),
        ]


class FAQEntryQuerySet(models.QuerySet):
    def site_wide(self):
        return self.filter(article__isnull=True)

    def visible(self, now=None):
        """Site-wide entries, and those of articles readers can see. `now` may be
        a `healthsite.db.Param`."""
        now = timezone.now() if now is None else now
        return self.filter(
            Q(article__isnull=True) | Q(article__status="published", article__publish_at__lte=now)
        )

    def tagged(self, tag):
        return self.filter(tags=tag)


class FAQEntry(MarkdownModel):
    """A question and its answer: part of one article, or site-wide when it has none."""

    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown.")
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="faq_entries",
        help_text="Leave empty for a site-wide question, shown on the FAQ page.",
    )
    position = models.PositiveSmallIntegerField(
        validators=position_validators,
        help_text="Order within the article (or on the FAQ page); left blank, it goes last.",
    )
    tags = TaggableManager(through=TaggedFAQEntry, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    answer_html = models.TextField(editable=False, default="")

    objects = FAQEntryQuerySet.as_manager()

    markdown_fields = ("answer",)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            # NULL articles never compare equal, so site-wide entries are not
            # held to this; they order by position, then age.
            models.UniqueConstraint(
                fields=["article", "position"],
                name="faqentry_unique_position",
                violation_error_message="Two questions cannot share a position in one article.",
            ),
            models.CheckConstraint(condition=~Q(question=""), name="faqentry_question_not_empty"),
            models.CheckConstraint(condition=~Q(answer=""), name="faqentry_answer_not_empty"),
        ]

    def __str__(self):
        return self.question

    @classmethod
    def from_db(cls, db, field_names, values):
        entry = super().from_db(db, field_names, values)
        # The article it was read with: moved to another (the admin's questions
        # list can), both articles change (articles/changes.py).
        entry.loaded_article_id = entry.__dict__.get("article_id")
        return entry

    def get_absolute_url(self):
        page = self.article.get_absolute_url() if self.article_id else site_url("faq:list")
        return f"{page}#{self.anchor}"

    @property
    def anchor(self):
        return f"faq-{self.pk}"


def group_by_topic(entries, other="Other questions"):
    """[(topic, [entries])]: each entry under its first tag (alphabetically), topics
    in alphabetical order, untagged entries last under `other`. Order within a
    topic is the entries' own. Uses prefetched tags; no queries.
    """
    groups = {}
    for entry in entries:
        names = sorted((tag.name for tag in entry.tags.all()), key=str.casefold)
        topic = names[0][:1].upper() + names[0][1:] if names else None
        groups.setdefault(topic, []).append(entry)
    named = sorted((topic for topic in groups if topic), key=str.casefold)
    result = [(topic, groups[topic]) for topic in named]
    if None in groups:
        result.append((other, groups[None]))
    return result


reversion.register(TaggedFAQEntry)
reversion.register(FAQEntry, follow=["taggedfaqentry_set"])
