import uuid
from datetime import timedelta

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.db.models.functions import JSONObject, Lower
from django.utils import timezone
from taggit.models import Tag, TaggedItemBase

from healthsite.db import json_rows
from healthsite.markdown import MarkdownModel
from healthsite.slug_urls import slug_url
from healthsite.taggable import TaggableManager

from .ordering import position_validators
from .slugs import unique_slug

SEEK_HELP_FIELDS = ("seek_help_non_urgent", "seek_help_urgent", "seek_help_emergency")
# What a list of articles shows (includes/article_cards.html, the feed, search
# results). The rest of a row, its text and search vectors, is most of its size.
LISTED_FIELDS = ("title", "slug", "subtitle", "meta_description", "publish_at", "updated")
# An article's own fields that are its content: what its search vector, its
# indexed links and a sign-off's fingerprint are made from (see
# `articles.changes`). A save that changes none of them (a status, a publish
# time, a review date) leaves those as they are.
# (In this order: a sign-off's fingerprint hashes them so.)
MARKDOWN_FIELDS = ("summary", "faq_intro", "conclusion", *SEEK_HELP_FIELDS)
CONTENT_FIELDS = ("title", "subtitle", *MARKDOWN_FIELDS, "meta_description")
LOADED_FIELDS = ("slug", "status", *CONTENT_FIELDS)
# What the article page shows of its author and reviewer, and of the reviewer's
# profile (reviews.ReviewerProfile).
PERSON = ("id", "first_name", "last_name", "username")
PROFILE = ("id", "display_name", "credentials", "profession")


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Articles readers may see: published, with a publish time that has come.

        A scheduled article (published with a future publish time) appears by
        itself when its time comes; nothing has to run. `now` may be a
        `healthsite.db.Param`.
        """
        now = timezone.now() if now is None else now
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now)

    def review_overdue(self, today=None):
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def review_due_within(self, days, today=None):
        """Review due in the next `days` days (overdue ones included)."""
        today = today or timezone.localdate()
        return self.filter(next_review_due__lte=today + timedelta(days=days))

    def published_with_cause(self, cause):
        """Published articles listing this cause, newest first: one range of the
        cause's index of published listings (`ArticleCause.published_at`)."""
        return (
            self.filter(
                article_causes__cause=cause, article_causes__published_at__lte=timezone.now()
            )
            .order_by("-article_causes__published_at", "-pk")
            .only(*LISTED_FIELDS)
        )

    def published_with_tag(self, tag):
        """Published articles with this tag, newest first: one range of the tag's index
        of published articles (`TaggedArticle.published_at`, see tag_index.py)."""
        return (
            self.filter(taggedarticle__tag=tag, taggedarticle__published_at__lte=timezone.now())
            .order_by("-taggedarticle__published_at", "-pk")
            .only(*LISTED_FIELDS)
        )

    def without_text(self):
        """Leaves unread the columns no list of articles shows, and most of each row:
        the text, as written and as rendered, and the search columns."""
        written = self.model.markdown_fields
        return self.defer(
            *written, *(f"{name}_html" for name in written), "search_vector", "search_head"
        )

    def for_listing(self):
        """Newest first, with only the fields a listing shows."""
        return self.order_by("-publish_at", "-pk").only(*LISTED_FIELDS)

    def for_detail(self):
        """Everything the article page shows, in one query: the article, with its
        author and reviewer as JSON objects, and its causes, questions, tags,
        sources and pinned links as JSON lists (`articles.page.ArticleContent.from_saved`
        makes them objects again). One model's rows, so it can be `Prepared`."""
        from faq.models import FAQEntry  # faq.models imports this module
        from sources.models import ArticleSource  # so does sources.models

        def fields(relation, names):
            return JSONObject(**{name: F(f"{relation}__{name}") for name in names})

        # The search columns are most of an article's row, and the page shows neither.
        return self.defer("search_vector", "search_head").annotate(
            author_data=fields("author", PERSON),
            reviewer_data=fields("medical_reviewer", PERSON),
            reviewer_profile_data=fields("medical_reviewer__reviewer_profile", PROFILE),
            causes_data=json_rows(
                ArticleCause.objects.all(),
                "article",
                id="id",
                position="position",
                explanation="explanation",
                explanation_html="explanation_html",
                cause_id="cause_id",
                cause_name="cause__name",
                cause_slug="cause__slug",
                cause_description_html="cause__description_html",
            ),
            questions_data=json_rows(
                FAQEntry.objects.all(),
                "article",
                id="id",
                position="position",
                question="question",
                answer="answer",
                answer_html="answer_html",
            ),
            tags_data=json_rows(
                TaggedArticle.objects.all(),
                "content_object",
                id="tag_id",
                name="tag__name",
                slug="tag__slug",
            ),
            pinned_data=json_rows(
                RelatedLink.objects.filter(target__isnull=False),
                "article",
                position="position",
                target="target_id",
            ),
            sources_data=json_rows(
                ArticleSource.objects.all(),
                "article",
                position="position",
                id="source_id",
                title="source__title",
                publisher="source__publisher",
                url="source__url",
                doi="source__doi",
                pmid="source__pmid",
                accessed="source__accessed",
            ),
        )


class TaggedArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Taggings of articles readers may see (`ArticleQuerySet.published()`)."""
        return self.filter(published_at__lte=now or timezone.now())


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    # A copy of the article's publish time while it is published, else NULL, so
    # that tag pages and See also read one index (articles/tag_index.py keeps it).
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TaggedArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedarticle_unique_tag"
            ),
        ]
        indexes = [
            models.Index(
                fields=["tag", "-published_at", "-content_object"],
                name="taggedarticle_published_idx",
            ),
        ]


class TopicCount(models.Model):
    """How many published articles have a tag (scheduled ones included); see tag_index.py.

    A plain column, not a constraint, to the tag: counting never races a tag's
    deletion, and the tag's own deletion removes its count.
    """

    tag = models.OneToOneField(
        "taggit.Tag",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    published = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-published"], name="topiccount_published_idx")]

    def __str__(self):
        return f"{self.tag_id}: {self.published}"


class ArticleTotal(models.Model):
    """How many articles are published (scheduled ones included): one row, kept by
    tag_index.py, so that the A to Z list and the sitemap count no articles."""

    published = models.PositiveIntegerField(default=0)

    def __str__(self):
        return str(self.published)


def renew_edit_token(instance, save_kwargs):
    """Give `instance`, about to be saved with `save_kwargs`, a new `edit_token`,
    written even by a save of some fields only: an edit form opened before is
    then refused (`articles.admin_forms.EditTokenForm`)."""
    instance.edit_token = uuid.uuid4()
    if save_kwargs.get("update_fields") is not None:
        save_kwargs["update_fields"] = {*save_kwargs["update_fields"], "edit_token"}


class MergedTopic(models.Model):
    """A topic merged into another (`topic_merge.merge_topics`), and the topic
    it lives on as: a revision that tags something with it is restored with
    that topic instead (`topic_merge.merged_since`), not without a topic."""

    topic_id = models.IntegerField(primary_key=True)  # the topic's, deleted by the merge
    name = models.CharField(max_length=100)  # as it was when merged
    into = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # As a topic's delete page counts them: the topic deleted forgets them.
        verbose_name = "record of a topic merged into it"
        verbose_name_plural = "records of topics merged into it"

    def __str__(self):
        return f"{self.name} → {self.into_id}"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


# The workflow: draft → in review → published → archived, and back to draft.
TRANSITIONS = {
    ArticleStatus.DRAFT: {ArticleStatus.IN_REVIEW, ArticleStatus.PUBLISHED},
    ArticleStatus.IN_REVIEW: {ArticleStatus.DRAFT, ArticleStatus.PUBLISHED},
    ArticleStatus.PUBLISHED: {ArticleStatus.DRAFT, ArticleStatus.ARCHIVED},
    ArticleStatus.ARCHIVED: {ArticleStatus.DRAFT, ArticleStatus.PUBLISHED},
}
# Moving into or out of these needs the "publish_article" permission.
PUBLISHING_STATUSES = {ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED}


def status_change_refusal(user, old, new):
    """Why `user` may not move an article from status `old` to `new`, or None if they may."""
    old, new = ArticleStatus(old), ArticleStatus(new)
    if old == new:
        return None
    if new not in TRANSITIONS[old]:
        return f"An article cannot go from {old.label.lower()} to {new.label.lower()}."
    if {old, new} & PUBLISHING_STATUSES and not user.has_perm("articles.publish_article"):
        return "Only medical reviewers can publish, unpublish or archive articles."
    return None


class Article(MarkdownModel):
    Status = ArticleStatus

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=220,
        unique=True,
        blank=True,
        help_text="The page's address: /articles/<slug>/. Left blank, it is made from the title.",
    )
    subtitle = models.CharField(
        max_length=250, blank=True, help_text='Shown under the title, e.g. "Causes and remedies".'
    )
    summary = models.TextField(
        blank=True, help_text="The introduction at the top of the page. Markdown."
    )
    faq_intro = models.TextField(
        "introduction to the questions",
        blank=True,
        help_text="Shown above the common questions. Markdown.",
    )
    conclusion = models.TextField(blank=True, help_text="Closing paragraph(s). Markdown.")
    seek_help_non_urgent = models.TextField(
        "see a GP if",
        blank=True,
        help_text="Non-urgent: when to book an appointment with a GP. Markdown, usually a list.",
    )
    seek_help_urgent = models.TextField(
        "get advice now if",
        blank=True,
        help_text="Urgent: when to get medical advice today. Markdown, usually a list.",
    )
    seek_help_emergency = models.TextField(
        "call emergency services if",
        blank=True,
        help_text="Emergency: when to call emergency services now. Markdown, usually a list.",
    )
    needs_urgency_advice = models.BooleanField(
        "about a condition or symptom",
        default=True,
        help_text="Such articles must say when to get help, at all three levels, before they "
        "can be published. Untick only for articles that are not (e.g. on healthy eating).",
    )
    meta_description = models.CharField(
        max_length=300,
        blank=True,
        help_text="For search engines and link previews. Aim for 70 to 160 characters.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="When readers first see it. A future time schedules the article; "
        "left blank when publishing, it is set to now.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authored_articles",
    )
    medical_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_articles",
    )
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="Date of the last medical review."
    )
    next_review_due = models.DateField(
        null=True, blank=True, db_index=True, help_text="When the content must be reviewed again."
    )
    tags = TaggableManager(through=TaggedArticle, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # Kept current by articles.search on PostgreSQL; unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # Its title, subtitle, causes and tags part: small, kept in the row (see migration 0009).
    search_head = SearchVectorField(null=True, editable=False)
    # New on every save: a form that loaded another token is stale (see admin).
    edit_token = models.UUIDField(default=uuid.uuid4, editable=False)
    summary_html = models.TextField(editable=False, default="")
    faq_intro_html = models.TextField(editable=False, default="")
    conclusion_html = models.TextField(editable=False, default="")
    seek_help_non_urgent_html = models.TextField(editable=False, default="")
    seek_help_urgent_html = models.TextField(editable=False, default="")
    seek_help_emergency_html = models.TextField(editable=False, default="")

    objects = ArticleQuerySet.as_manager()

    markdown_fields = MARKDOWN_FIELDS

    class Meta:
        ordering = ["-publish_at", "-pk"]
        permissions = [
            ("publish_article", "Can publish, schedule, unpublish and archive articles"),
            ("review_article", "Can record a medical review"),
        ]
        indexes = [
            # Published articles, newest first, as the listings show them. With the id
            # in it, a page far down a listing finds its ids in this index alone
            # (healthsite/pagination.py), not by reading every row before it.
            models.Index(fields=["status", "-publish_at", "-id"], name="article_listing_idx"),
            # The sitemaps' last change: MAX(updated) reads one end of it, not every row.
            models.Index(fields=["updated"], name="article_updated_idx"),
            # The review counts (overdue, due soon, awaiting sign-off) read this
            # index alone, id included, not every published article's row.
            models.Index(fields=["status", "next_review_due", "id"], name="article_review_due_idx"),
            # The admin's list sorted by title or by publish time: its first page
            # from one end of these, not a sort of every article (0.25 s at 100,000).
            models.Index(fields=["title"], name="article_title_order_idx"),
            models.Index(fields=["publish_at"], name="article_publish_at_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("title"),
                name="article_title_ci_unique",
                violation_error_message="An article with this title already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="article_title_not_empty",
                violation_error_message="An article needs a title.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED) | Q(publish_at__isnull=False),
                name="article_published_has_time",
                violation_error_message="A published article needs a publish time.",
            ),
            models.CheckConstraint(
                condition=Q(last_reviewed__isnull=True)
                | Q(next_review_due__isnull=True)
                | Q(next_review_due__gt=F("last_reviewed")),
                name="article_review_due_after_reviewed",
                violation_error_message="The next review must be due after the last review.",
            ),
        ]

    def __str__(self):
        return self.title

    @classmethod
    def from_db(cls, db, field_names, values):
        article = super().from_db(db, field_names, values)
        # What the row held when loaded: a published article's old slug
        # redirects, and a save that changes none of its content is no edit.
        loaded = dict(zip(field_names, values, strict=True))
        article._loaded = {name: loaded[name] for name in LOADED_FIELDS if name in loaded}
        return article

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using, fields, from_queryset)
        # Read now: a deferred field on first use, or the whole row again.
        if (loaded := getattr(self, "_loaded", None)) is not None:
            read = LOADED_FIELDS if fields is None else set(LOADED_FIELDS).intersection(fields)
            loaded.update({name: self.__dict__[name] for name in read if name in self.__dict__})

    def save(self, *args, **kwargs):
        self.title = self.title.strip()
        if not self.slug:
            self.slug = unique_slug(
                self, self.title, fallback="article", also_taken=SlugRedirect.slugs_taken(self)
            )
        self._default_publish_time()
        renew_edit_token(self, kwargs)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._redirect_old_slug()
            RelatedLink.objects.resolve_pending(self)
        written = kwargs.get("update_fields")
        saved = {
            name: self.__dict__[name]
            for name in LOADED_FIELDS
            if name in self.__dict__ and (written is None or name in written)
        }
        self._loaded = {**getattr(self, "_loaded", {}), **saved}

    def content_edited(self):
        """Whether any of `CONTENT_FIELDS` differs from the row this article was
        loaded from (or last saved as); True for an article not loaded from
        the database (a new one, or one a revision restores)."""
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            return True
        return any(
            loaded[name] != self.__dict__[name] if name in loaded else name in self.__dict__
            for name in CONTENT_FIELDS
        )

    def get_absolute_url(self):
        return slug_url("articles:detail", self.slug)

    def clean(self):
        # Before constraint validation, so "publish now" needs no time typed in.
        self._default_publish_time()
        if self.status == self.Status.PUBLISHED and (refusal := self.publish_refusal()):
            raise ValidationError({"status": refusal})
        if self.slug:
            owner = SlugRedirect.objects.filter(old_slug=self.slug).exclude(article_id=self.pk)
            if target := owner.select_related("article").first():
                raise ValidationError(
                    {
                        "slug": f"/articles/{self.slug}/ is the old address of "
                        f"'{target.article}' and redirects there. Choose another slug, "
                        "or delete that redirect first."
                    }
                )

    def publish_refusal(self):
        """Why this article may not be published as it stands, or None."""
        if not (settings.REQUIRE_URGENCY_ADVICE and self.needs_urgency_advice):
            return None
        missing = [
            f"“{self._meta.get_field(name).verbose_name}”"
            for name in SEEK_HELP_FIELDS
            if not getattr(self, name).strip()
        ]
        if not missing:
            return None
        return (
            "Before publishing, say when to get help at all three levels; missing: "
            f"{', '.join(missing)}. If the article is not about a condition or symptom, "
            "untick “about a condition or symptom”."
        )

    def record_review(self, reviewer, today=None):
        """Stamp a medical review: who, when, and when the next one is due."""
        today = today or timezone.localdate()
        self.medical_reviewer = reviewer
        self.last_reviewed = today
        self.next_review_due = today + timedelta(days=settings.REVIEW_INTERVAL_DAYS)

    def _redirect_old_slug(self):
        loaded = getattr(self, "_loaded", None) or {}
        self.redirect_old_address(loaded.get("slug"), loaded.get("status"))

    def redirect_old_address(self, old_slug, old_status):
        """The article had the address `old_slug` (None: none) with the status
        `old_status`: a published article's old address redirects to it."""
        if old_slug and old_slug != self.slug:
            if old_status == self.Status.PUBLISHED:
                SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": self})
            # Taking back an old address: it no longer redirects (no loops).
            SlugRedirect.objects.filter(old_slug=self.slug, article=self).delete()

    def follow_restore(self, old_slug, old_status):
        """Do what `save()` does that a restore of a revision skipped: reversion
        writes the revision back "raw", and the admin's save after it finds
        nothing changed. The address it left redirects (as `redirect_old_address`),
        its waiting See-also links point at articles written since, and
        everything made from its texts is told (`articles.changes`)."""
        from .changes import articles_changed, batched

        with transaction.atomic(), batched():
            self.redirect_old_address(old_slug, old_status)
            for link in self.related_links.filter(target__isnull=True):
                link.save()  # resolved, if an article has its title now
            articles_changed([self.pk], texts_of=[self.pk])

    def _default_publish_time(self):
        if self.status == self.Status.PUBLISHED and self.publish_at is None:
            self.publish_at = timezone.now()

    @property
    def is_published(self):
        """The per-object twin of `Article.objects.published()`."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and not self.is_published


class CauseQuerySet(models.QuerySet):
    def tagged(self, tag):
        return self.filter(tags=tag)


class TaggedCause(TaggedItemBase):
    content_object = models.ForeignKey("Cause", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="taggedcause_unique_tag"
            ),
        ]


class Cause(MarkdownModel):
    """A reusable cause ("Dehydration") that many articles can list."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=140,
        unique=True,
        blank=True,
        help_text="The address of the page: /causes/<slug>/. Left blank, it is made from the name.",
    )
    description = models.TextField(
        blank=True,
        help_text="What this cause is, in general, for the cause page. Markdown. "
        "Each article explains it for its own topic.",
    )
    tags = TaggableManager(through=TaggedCause, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    description_html = models.TextField(editable=False, default="")
    # Renewed on every save: a form opened before is refused (as an article's).
    edit_token = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = CauseQuerySet.as_manager()

    markdown_fields = ("description",)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="cause_name_ci_unique",
                violation_error_message="A cause with this name already exists.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="cause_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        if not self.slug:
            self.slug = unique_slug(self, self.name, fallback="cause")
        renew_edit_token(self, kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:cause", self.slug)


class ArticleCauseQuerySet(models.QuerySet):
    def published(self, now=None):
        """Listings in articles readers may see (`ArticleQuerySet.published()`)."""
        return self.filter(published_at__lte=now or timezone.now())


class ArticleCause(MarkdownModel):
    """One numbered entry in an article's "Possible causes" list."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_causes")
    cause = models.ForeignKey(Cause, on_delete=models.PROTECT, related_name="article_causes")
    position = models.PositiveSmallIntegerField(
        validators=position_validators, help_text="Order in the list; left blank, it goes last."
    )
    explanation = models.TextField(
        blank=True,
        help_text="How this cause applies to this article's topic. Markdown. "
        "Left blank, the cause's general description is shown.",
    )
    explanation_html = models.TextField(editable=False, default="")
    # A copy of the article's publish time while it is published, else NULL, so
    # that a cause's page reads one index (articles/tag_index.py keeps it).
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    markdown_fields = ("explanation",)
    objects = ArticleCauseQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = "cause"
        indexes = [
            models.Index(
                fields=["cause", "-published_at", "-article"], name="articlecause_published_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"],
                name="articlecause_unique_position",
                violation_error_message="Two causes cannot share a position in one article.",
            ),
            models.UniqueConstraint(
                fields=["article", "cause"],
                name="articlecause_unique_cause",
                violation_error_message="This cause is already listed in the article.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.cause}"

    @property
    def anchor(self):
        return f"cause-{self.cause.slug}"

    @property
    def text_html(self):
        return self.explanation_html or self.cause.description_html


class RelatedLinkQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(target__isnull=True)

    def visible(self):
        """Links a reader may follow: resolved, to a published article."""
        return self.filter(
            target__status=Article.Status.PUBLISHED, target__publish_at__lte=timezone.now()
        )

    def resolve_pending(self, article):
        """Point pending links titled like `article` at it; keep titles of links to it current."""
        self.filter(target=article).exclude(target_title=article.title).update(
            target_title=article.title
        )
        waiting = (
            self.pending()
            .filter(target_title__iexact=article.title)
            .exclude(article=article)
            # A page that pins it already keeps this one waiting (one pin a target).
            .exclude(article__related_links__target=article)
        )
        # A page waiting for it in two links gets it in the first (one pin a target).
        first = waiting.order_by().values("article").annotate(first=Min("pk")).values("first")
        return self.filter(pk__in=first).update(target=article, target_title=article.title)


class RelatedLink(models.Model):
    """An editor-pinned "See also" link.

    Its target may not exist yet: the link then keeps the title, stays hidden
    from readers, and resolves when an article with that title is saved.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_links",
        help_text="The article to link to. Leave empty and give a title if it does not exist yet.",
    )
    target_title = models.CharField(
        "title",
        max_length=200,
        blank=True,
        help_text="Title of the linked article. Filled in from the target when there is one; "
        "otherwise the link waits for an article with this title.",
    )
    position = models.PositiveSmallIntegerField(
        validators=position_validators,
        help_text="Order among the See-also links; left blank, it goes last.",
    )

    objects = RelatedLinkQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = "See-also link"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"],
                name="relatedlink_unique_position",
                violation_error_message="Two See-also links cannot share a position.",
            ),
            models.UniqueConstraint(
                fields=["article", "target"],
                name="relatedlink_unique_target",
                violation_error_message="This article is already linked.",
            ),
            models.CheckConstraint(
                condition=~Q(target=F("article")),
                name="relatedlink_not_self",
                violation_error_message="An article cannot link to itself.",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(target_title=""),
                name="relatedlink_has_target",
                violation_error_message="Choose an article or give the title of one.",
            ),
        ]

    def __str__(self):
        state = "" if self.target_id else " (pending)"
        return f"See also: {self.target_title}{state}"

    def save(self, *args, **kwargs):
        if self.target_id is None:
            pinned = RelatedLink.objects.filter(article=self.article_id).exclude(pk=self.pk)
            self.target = (
                self.articles_titled(self.target_title, self.article_id)
                # A page that pins it already keeps this one waiting (one pin a target).
                .exclude(pk__in=pinned.filter(target__isnull=False).values("target"))
                .first()
            )
        if self.target is not None:
            self.target_title = self.target.title
        super().save(*args, **kwargs)

    def clean(self):
        self.target_title = self.target_title.strip()
        if self.target_id is None and not self.target_title:
            raise ValidationError("Choose an article or give the title of one.")
        # The article, saved or (on the add form) not yet: its form gives it.
        article = self.article if self.article_id or RelatedLink.article.is_cached(self) else None
        if article is not None:
            if self.target_id is not None and self.target_id == article.pk:
                raise ValidationError({"target": "An article cannot link to itself."})
            if self.target_id is None and self.target_title.casefold() == (
                article.title.strip().casefold()
            ):
                raise ValidationError({"target_title": "An article cannot link to itself."})

    @property
    def is_pending(self):
        return self.target_id is None

    @staticmethod
    def articles_titled(title, article_id):
        """The articles a waiting title names (the database's case-insensitive
        match), but the one linking: whichever a link titled so resolves to."""
        return Article.objects.filter(title__iexact=title.strip()).exclude(pk=article_id)


class SlugRedirect(models.Model):
    """The old address of a published article whose slug changed: answers 301.

    It points at the article, not at a slug, so however often the slug
    changes, every old address reaches the current one in one hop.
    """

    old_slug = models.SlugField(max_length=220, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"/articles/{self.old_slug}/ → {self.article}"

    @classmethod
    def slugs_taken(cls, article):
        """Old slugs an article may not be given automatically: they redirect elsewhere."""
        return lambda prefix: set(
            cls.objects.filter(old_slug__startswith=prefix)
            .exclude(article_id=article.pk)
            .values_list("old_slug", flat=True)
        )


# Pages of this site that readers cannot see (by URL name).
STAFF_ONLY_VIEWS = ("admin:", "articles:preview")


class InternalLinkQuerySet(models.QuerySet):
    def broken(self, now=None):
        """Links readers cannot follow: to an address no page has, a staff-only page, or
        an article, cause or topic that is missing (or, for an article, not published
        and not a redirect to one that is). Readers see these as plain words.

        A UNION ALL, a part for each kind of page, so each missing target is an
        anti-join: as one query with ORs, PostgreSQL looked up every link's
        target in an index, one at a time.
        """
        published = Article.objects.published(now)
        target = OuterRef("slug")
        old_slugs = SlugRedirect.objects.filter(article__in=published)
        staff_only = Q()
        for prefix in STAFF_ONLY_VIEWS:
            staff_only |= Q(view_name__startswith=prefix)
        first, *rest = [
            self.filter(view_name=""),
            self.filter(staff_only),
            self.filter(view_name="articles:detail")
            .exclude(Exists(published.filter(slug=target)))
            .exclude(Exists(old_slugs.filter(old_slug=target))),
            self.filter(view_name="articles:cause").exclude(
                Exists(Cause.objects.filter(slug=target))
            ),
            self.filter(view_name="articles:tag").exclude(Exists(Tag.objects.filter(slug=target))),
        ]
        return first.union(*rest, all=True)


class InternalLink(models.Model):
    """A link in an article's text to a page of this site: one row per link.

    Derived from the rendered text (`articles/links.py` keeps it on every save),
    so the broken-links report asks the database which targets are missing
    instead of reading every text. `view_name` and `slug` are where the path
    resolved when it was indexed; "" for a path no page has.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="internal_links")
    # Where in the article: one of its own fields, or a cause's explanation, or an answer.
    field = models.CharField(max_length=40)
    article_cause = models.ForeignKey(
        ArticleCause, on_delete=models.CASCADE, null=True, related_name="+"
    )
    faq_entry = models.ForeignKey(
        "faq.FAQEntry", on_delete=models.CASCADE, null=True, related_name="+"
    )
    path = models.TextField()
    view_name = models.CharField(max_length=100, blank=True)
    slug = models.CharField(max_length=255, blank=True)

    objects = InternalLinkQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["view_name", "slug"], name="internallink_target_idx")]

    def __str__(self):
        return self.path

    @property
    def where(self):
        """ "summary", "cause: Dehydration", "question: Is it serious?"…"""
        if self.article_cause_id:
            return f"cause: {self.article_cause.cause}"
        if self.faq_entry_id:
            return f"question: {self.faq_entry.question}"
        return self.field.replace("_", " ")


reversion.register(TaggedArticle)
reversion.register(ArticleCause)
reversion.register(RelatedLink)
reversion.register(
    Article,
    exclude=["search_vector"],  # derived; recomputed when a revision is restored
    follow=[
        "article_causes",
        "faq_entries",
        "related_links",
        "taggedarticle_set",
        "article_sources",
    ],
)
reversion.register(TaggedCause)
reversion.register(Cause, follow=["taggedcause_set", "cause_sources"])
