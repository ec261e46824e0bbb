from contextlib import contextmanager

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Lower
from django.forms import Textarea
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import ngettext
from reversion import set_comment
from reversion.errors import RevertError
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin
from taggit.admin import TagAdmin as TaggitTagAdmin  # imported first, so it is registered
from taggit.forms import MergeTagsForm
from taggit.models import Tag

from faq.models import FAQEntry, TaggedFAQEntry
from healthsite.admin_autocomplete import ChosenAutocompleteInlineMixin, ChosenAutocompleteMixin
from healthsite.admin_deletion import CountedDeletionMixin
from healthsite.admin_inline_rows import StoredRowForm
from healthsite.admin_revisions import CheckedVersionsMixin, dangling, newest_version
from healthsite.admin_search import IndexedSearchMixin
from healthsite.admin_site import chosen_rows
from healthsite.db import can_hold
from healthsite.pagination import CappedCountPaginator, IndexedPaginator
from reviews.admin import SignOffAdminMixin, SignOffFilter
from sources.admin import ArticleSourceInline, CauseSourceInline
from sources.models import ArticleSource

from .admin_forms import ArticleAdminForm, CauseAdminForm, RelatedLinkFormSet
from .admin_import import ArticleImportView
from .admin_reports import ReportsAdminMixin
from .changes import batched
from .models import (
    PUBLISHING_STATUSES,
    Article,
    ArticleCause,
    Cause,
    RelatedLink,
    SlugRedirect,
    TaggedArticle,
    status_change_refusal,
)
from .ordering import PositionedInlineFormSet, park
from .tag_index import recounts_batched
from .topic_merge import (
    merge_target,
    merge_topics,
    merged_since,
    survives_editing,
    tagged_with,
)

compact_text = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 60})}}


# An article chooser (an autocomplete field) waits for this many characters: a
# word shorter than three matches most articles, and no trigram index serves
# it, so at 100,000 articles "a" took 3 to 4 s, asked as the editor types.
CHOOSER_MIN_LENGTH = 3


class ArticleChooserMixin:
    """Autocomplete fields that choose an article ask for three characters first."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.related_model is Article and db_field.name in self.autocomplete_fields:
            field.widget.attrs["data-minimum-input-length"] = CHOOSER_MIN_LENGTH  # Select2's
        return field


class TagListMixin:
    """A "tags" column without a query per row."""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))


class ArticleCauseInline(ChosenAutocompleteInlineMixin, admin.TabularInline):
    model = ArticleCause
    formset = PositionedInlineFormSet
    fields = ["position", "cause", "explanation"]
    autocomplete_fields = ["cause"]
    formfield_overrides = compact_text
    extra = 1


class FAQEntryInline(admin.StackedInline):
    model = FAQEntry
    form = StoredRowForm
    formset = PositionedInlineFormSet
    fields = [("position", "question"), "answer", "tags"]
    formfield_overrides = compact_text
    extra = 1

    def get_queryset(self, request):
        # Every question's tags in one query (faq.models.FAQEntry.tags uses them).
        return super().get_queryset(request).prefetch_related("tags")


class RelatedLinkInline(ChosenAutocompleteInlineMixin, ArticleChooserMixin, admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    formset = RelatedLinkFormSet
    fields = ["position", "target", "target_title"]
    autocomplete_fields = ["target"]
    extra = 1
    verbose_name_plural = "See-also links (pinned, shown first)"

    def get_queryset(self, request):
        # Each chosen article is shown by its title: nothing else of it is read.
        links = super().get_queryset(request)
        return links.only(*(f.name for f in RelatedLink._meta.concrete_fields), "target__title")


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review_due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("30", "Within 30 days"),
            ("90", "Within 90 days"),
            ("none", "No date set"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "overdue":
                return queryset.review_overdue()
            case "30" | "90":  # coming up: overdue ones have their own choice
                upcoming = queryset.exclude(next_review_due__lt=timezone.localdate())
                return upcoming.review_due_within(days=int(self.value()))
            case "none":
                return queryset.filter(next_review_due__isnull=True)
        return queryset


class ReviewerFilter(admin.RelatedFieldListFilter):
    """The medical reviewers of some article, each found through the foreign
    key's index: `RelatedOnlyFieldListFilter` read every article (a DISTINCT
    over 100,000 rows) on every page of the list, and every list action."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        reviews = Q(Exists(Article.objects.filter(medical_reviewer=OuterRef("pk"))))
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=reviews)


class ArticleChangeList(ChangeList):
    """The article list reads only what its columns show: at 100 rows a page, the
    articles' text and search columns were most of what it read."""

    def get_results(self, request):
        # Not in get_queryset: actions get that queryset, and may need the text.
        self.queryset = self.queryset.without_text()
        super().get_results(request)


def to_the_millisecond(when):
    """A time as a revision keeps it (Django's JSON serializer drops the microseconds)."""
    return when and when.replace(microsecond=when.microsecond // 1000 * 1000)


@contextmanager
def rows_read_for_the_revision(*articles):
    """django-reversion follows an article's rows into the revision as the
    article is saved, and names each one for its list (a cause listing by its
    cause, a tagging by its tag), reading each question's tags too: two
    queries a row. Here they are read together (six queries, for any number
    of articles) for those saves alone, then forgotten: the inlines write the
    rows next, and must not count or list this copy. (None: a new article.)"""
    articles = [article for article in articles if article is not None]
    if not articles:
        yield
        return
    questions = FAQEntry.objects.prefetch_related(
        Prefetch("taggedfaqentry_set", queryset=TaggedFAQEntry.objects.select_related("tag"))
    )
    prefetches = [  # the follow names of its registration (articles/models.py)
        Prefetch("article_causes", queryset=ArticleCause.objects.select_related("cause")),
        Prefetch("faq_entries", queryset=questions),
        Prefetch("related_links", queryset=RelatedLink.objects.all()),
        Prefetch("taggedarticle_set", queryset=TaggedArticle.objects.select_related("tag")),
        Prefetch("article_sources", queryset=ArticleSource.objects.select_related("source")),
    ]
    names = [prefetch.prefetch_to for prefetch in prefetches]
    kept = []  # (an article's cache, what it held under those names before)
    for article in articles:
        cached = article.__dict__.setdefault("_prefetched_objects_cache", {})
        kept.append((cached, {name: cached.pop(name) for name in names if name in cached}))
    prefetch_related_objects(articles, *prefetches)
    try:
        yield
    finally:
        for cached, before in kept:
            for name in names:
                cached.pop(name, None)
            cached.update(before)


@admin.register(Article)
class ArticleAdmin(
    ChosenAutocompleteMixin,
    CountedDeletionMixin,
    IndexedSearchMixin,
    ReportsAdminMixin,
    SignOffAdminMixin,
    TagListMixin,
    CheckedVersionsMixin,
    CompareVersionAdmin,
):
    form = ArticleAdminForm
    list_display = [
        "title",
        "status",
        "publish_at",
        "medical_reviewer",
        "next_review_due",
        "tag_list",
        "updated",
        "signed_off",
    ]
    list_filter = [
        "status",
        ReviewDueFilter,
        ("medical_reviewer", ReviewerFilter),
        "tags",
        SignOffFilter,
    ]
    list_select_related = ["medical_reviewer"]
    # A filtered list says "Show all", not how many there are in all: that was
    # one more count of every article on each filtered page.
    show_full_result_count = False
    # And tag names: see get_search_results.
    search_fields = ["title", "subtitle", "slug"]
    ordering = ["-updated"]
    # Far pages read their ids first (healthsite/pagination.py): page 900 of
    # 100,000 articles, 0.19 s to read, now 0.12 s.
    paginator = IndexedPaginator
    # The most articles one action takes (healthsite.admin_site): a workflow
    # action saves each as by hand (a revision, its search and link indexes, the
    # page cache), 50 to 60 ms an article at 100,000 articles; "Select all" of
    # the 4,900 drafts would have run past gunicorn's 30 s timeout, and moved none.
    action_limit = 200
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "medical_reviewer"]

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "subtitle",
                    "summary",
                    "faq_intro",
                    "conclusion",
                    "tags",
                    "loaded_token",
                    "loaded_review",
                ]
            },
        ),
        (
            "When to seek help",
            {
                "fields": [
                    "needs_urgency_advice",
                    "seek_help_non_urgent",
                    "seek_help_urgent",
                    "seek_help_emergency",
                ]
            },
        ),
        ("Publishing", {"fields": ["status", "publish_at", "author"]}),
        (
            "Medical review",
            {"fields": ["medical_reviewer", "last_reviewed", "next_review_due"]},
        ),
        ("Search engines", {"fields": ["meta_description"]}),
        ("Content checks", {"fields": ["content_checks"]}),
        ("History", {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]
    inlines = [ArticleCauseInline, FAQEntryInline, RelatedLinkInline, ArticleSourceInline]
    actions = ["submit_for_review", "publish", "unpublish", "archive", "sign_off"]
    change_list_template = "admin/articles/article/change_list.html"
    history_latest_first = True

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def create_revision(self, request):
        """Reversion's revision block for a request to the admin, but none around
        the list: its actions make their own (`_move`; `sign_off`, for an
        article with no revision yet). Inside reversion's block around the
        whole list, sign-off's revision was saved only as the list's request
        ended, after the sign-off had looked for it: it signed no version."""
        if getattr(request.resolver_match, "url_name", None) == "articles_article_changelist":
            return transaction.atomic()  # all of an action, or none of it, as before
        return super().create_revision(request)

    def get_search_results(self, request, queryset, search_term):
        """Over `search_fields` and tag names (healthsite/admin_search.py), each
        field one trigram index's (migration 0014): Django's OR with its join
        to tags read every article (0.35 s a search at 100,000 articles)."""
        too_short = search_term and len(search_term.strip()) < CHOOSER_MIN_LENGTH
        if too_short and self._is_chooser(request):
            return queryset.none(), False  # as the chooser says: type three characters
        return super().get_search_results(request, queryset, search_term)

    def get_queryset(self, request):
        if self._is_chooser(request):
            # Each article is offered by its title: nothing else of it is read,
            # annotated (signed off?) or prefetched (tags), nor counted past a
            # few pages (`CappedCountPaginator`).
            articles = self.model._default_manager.only("title")
            return articles.order_by(*self.get_ordering(request))
        return super().get_queryset(request)

    def get_paginator(self, request, queryset, per_page, *args, **kwargs):
        if self._is_chooser(request):
            return CappedCountPaginator(queryset, per_page, *args, **kwargs)
        return super().get_paginator(request, queryset, per_page, *args, **kwargs)

    @staticmethod
    def _is_chooser(request):
        return getattr(request.resolver_match, "url_name", None) == "autocomplete"

    def search_elsewhere(self, word):
        tagged = TaggedArticle.objects.filter(tag__name__icontains=word)
        return {"pk__in": tagged.values_list("content_object_id", flat=True)}

    def get_urls(self):
        import_view = self.admin_site.admin_view(ArticleImportView.as_view(model_admin=self))
        return [
            path("import/", import_view, name="articles_article_import"),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # One search-index refresh for the article and all its rows, not one per row.
        with batched():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        readonly = ["created", "updated", "content_checks"]
        if not self.has_publish_permission(request):
            readonly.append("publish_at")
        if not request.user.has_perm("articles.review_article"):
            readonly += ["author", "medical_reviewer", "last_reviewed", "next_review_due"]
        return readonly

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def view_on_site(self, obj):
        # Drafts have no public page yet; offer the link only where it works.
        return obj.get_absolute_url() if obj.is_published else None

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        review_typed = {"last_reviewed", "next_review_due"} & set(form.changed_data)
        if (
            "status" in form.changed_data
            and obj.status == Article.Status.PUBLISHED
            and request.user.has_perm("articles.review_article")
            and not review_typed
        ):
            obj.record_review(request.user)
        with rows_read_for_the_revision(obj if change and reversion.is_active() else None):
            super().save_model(request, obj, form, change)

    # -- actions: each article moves through the workflow as if saved by hand --

    @admin.action(description="Submit selected articles for medical review")
    def submit_for_review(self, request, queryset):
        self._move(request, queryset, Article.Status.IN_REVIEW, "submitted for review")

    @admin.action(
        description="Publish selected articles (keeps a scheduled time)",
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        self._move(request, queryset, Article.Status.PUBLISHED, "published")

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        self._move(request, queryset, Article.Status.DRAFT, "moved back to draft")

    @admin.action(description="Archive selected articles", permissions=["publish"])
    def archive(self, request, queryset):
        self._move(request, queryset, Article.Status.ARCHIVED, "archived")

    def _move(self, request, queryset, status, done):
        moved, refused = 0, []
        # One revision block; saved, it becomes one revision an article (revision_parts).
        with reversion.create_revision():
            reversion.set_user(request.user)
            set_comment(f"{capfirst(done)} from the article list.")
            # Locked first, in one order: an editor saving one of them meanwhile
            # waits for this, rather than both waiting for each other.
            articles = list(queryset.select_for_update(of=("self",)).order_by("pk"))
            to_save = []
            for article in articles:
                refusal = status_change_refusal(request.user, article.status, status)
                if not refusal and status == Article.Status.PUBLISHED:
                    refusal = article.publish_refusal()
                if refusal:
                    refused.append(f"{article}: {refusal}")
                    continue
                if article.status != status:
                    to_save.append(article)
                moved += 1
            reviewed = status == Article.Status.PUBLISHED and request.user.has_perm(
                "articles.review_article"
            )
            with rows_read_for_the_revision(*to_save), recounts_batched():
                for article in to_save:
                    if reviewed:
                        article.record_review(request.user)
                    article.status = status
                    article.save()
        message = ngettext("%(count)d article %(done)s.", "%(count)d articles %(done)s.", moved)
        self.message_user(request, message % {"count": moved, "done": done}, messages.SUCCESS)
        for refusal in refused:
            self.message_user(request, f"Not changed: {refusal}", messages.ERROR)

    # -- history: restoring a revision or a deleted article --------------------

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = self._article_version(version_id, object_id=unquote(object_id))
        return self._restore(
            request,
            version,
            lambda: super(ArticleAdmin, self).revision_view(
                request, object_id, version_id, extra_context
            ),
        )

    def recover_view(self, request, version_id, extra_context=None):
        version = self._article_version(version_id)
        return self._restore(
            request,
            version,
            lambda: super(ArticleAdmin, self).recover_view(request, version_id, extra_context),
        )

    @staticmethod
    def _article_version(version_id, **lookups):
        """An article's version, or a 404. Reversion's views take any model's: a
        cause's restored that cause (or failed, a 500) after the rows of the article
        with its id were moved aside; and a page asked for the article "abc" was a
        500 before reversion's own 404 (a version's object id is text)."""
        return get_object_or_404(Version.objects.get_for_model(Article), pk=version_id, **lookups)

    def _restore(self, request, version, view):
        """Run a reversion restore, with the workflow's rules applied to its outcome.

        The article is locked first, as an editor's save locks it, and read: a
        publish meanwhile is seen, not written over unseen. Its rows are parked
        out of their positions, so a revision whose rows stood in another order
        can take them back; a restore that would publish, unpublish or retime
        it is refused to those who may not; and what reversion's "raw" writes
        skip of a save is done after (`Article.follow_restore`).
        (`unrestorable` versions are refused by `CheckedVersionsMixin`, within.)
        """
        article_id = version.object_id
        shown = ("status", "publish_at", "slug")
        with transaction.atomic():
            # Showing a revision writes it too (then rolls it back): locked alike.
            stored = Article.objects.select_for_update().filter(pk=article_id)
            before = stored.values(*shown).first()  # None: a deleted article, recovered
            last_version = newest_version(Article, article_id)  # none is saved meanwhile
            for rows in (ArticleCause, FAQEntry, RelatedLink, ArticleSource):
                park(rows.objects.filter(article_id=article_id))
            response = view()
            if not (
                request.method == "POST"
                and response.status_code == 302
                and newest_version(Article, article_id) != last_version
            ):
                # Only showing the revision; or reversion could not restore it: it
                # undid its own changes and redirects with a message, and the rows
                # parked here go back as well.
                transaction.set_rollback(True)
                return response
            article = Article.objects.get(pk=article_id)
            refusal = self._restore_refusal(request, before, article)
            if refusal:
                transaction.set_rollback(True)
            else:
                before = before or {}
                article.follow_restore(before.get("slug"), before.get("status"))
        if refusal:
            list(messages.get_messages(request))  # drop the "changed successfully" message
            self.message_user(request, f"Not restored: {refusal}", messages.ERROR)
            return redirect("admin:articles_article_changelist")
        return response

    def _restore_refusal(self, request, before, restored):
        """Why the workflow refuses a restore that made the article `restored`
        from `before` (its row's status, publish time and slug; None for a
        recovered one), or None."""
        may_publish = self.has_publish_permission(request)
        if before is None:  # recovered: as it was, if the editor may publish it so
            if restored.status in PUBLISHING_STATUSES and not may_publish:
                return "Only medical reviewers can publish, unpublish or archive articles."
            return None
        if refusal := status_change_refusal(request.user, before["status"], restored.status):
            return refusal
        retimed = to_the_millisecond(before["publish_at"]) != restored.publish_at
        if retimed and not may_publish:
            return "Only medical reviewers can change when an article is published."
        return None

    def unrestorable(self, version):
        return super().unrestorable(version) or self._taken_since(version)

    def may_dangle(self, key):
        return key is RelatedLink._meta.get_field("target")

    def after_revert(self, request, version):
        """The See-also links left out of a restore, pinning articles deleted
        since, come back waiting for their titles: when the restore is made,
        not when it is shown (the form shown would post a link that is not
        there), and within its revision (written after it, they were not, and
        restoring that revision deleted them)."""
        if request.method != "POST":
            return
        for row in self._links_to_deleted(version):
            fields = row.field_dict
            RelatedLink.objects.create(
                article_id=version.object_id,
                target_title=fields["target_title"],
                position=fields["position"],
            )

    topics_merged_since = staticmethod(merged_since)

    def left_out_of(self, version):
        left_out = super().left_out_of(version)
        if links := self._links_to_deleted(version):
            rows = ", ".join(f"“{row.field_dict['target_title']}”" for row in links)
            if len(links) == 1:
                why = f"the deleted article {rows} from its See-also link, which waits"
                why += " for an article of that title"
            else:
                why = f"the deleted articles {rows} from their See-also links, which wait"
                why += " for articles of those titles"
            left_out.append((links, why))
        questions, taggings = self._questions_moved_since(version)
        if questions:
            rows = ", ".join(f"“{row.object_repr}”" for row in questions)
            one = len(questions) == 1
            what, why = ("question", "it is") if one else ("questions", "they are")
            where = "on another article's page or among the site-wide questions"
            left_out.append(([*questions, *taggings], f"the {what} {rows}: {why} {where} now"))
        return left_out

    @staticmethod
    def _links_to_deleted(version):
        """The versions of the revision's See-also links whose article has been
        deleted since: they are restored as links waiting for its title."""
        target = RelatedLink._meta.get_field("target")
        return [row for row, key in dangling(version.revision) if key is target]

    @staticmethod
    def _questions_moved_since(version):
        """The versions of the revision's questions that have moved since to
        another article or to the site-wide questions, and of their tags: a
        restore wrote them back, taking the question from where it is now."""
        kinds = {FAQEntry: [], TaggedFAQEntry: []}
        for row in version.revision.version_set.select_related("content_type"):
            kinds.get(row.content_type.model_class(), []).append(row)
        questions, taggings = kinds[FAQEntry], kinds[TaggedFAQEntry]
        ids = [int(row.object_id) for row in questions]
        elsewhere = FAQEntry.objects.filter(pk__in=ids).exclude(article_id=version.object_id)
        moved = set(elsewhere.values_list("pk", flat=True))
        if not moved:
            return [], []
        try:
            taggings = [row for row in taggings if row.field_dict["content_object_id"] in moved]
            questions = sorted(  # as the revision listed them
                (row for row in questions if int(row.object_id) in moved),
                key=lambda row: (row.field_dict["position"], int(row.object_id)),
            )
        except RevertError:
            return [], []  # data reversion cannot read: its own restore says so
        return questions, taggings

    @staticmethod
    def _taken_since(version):
        """Whether another article has taken the version's address or title since
        (reversion could only say "Could not save … missing dependency")."""
        try:
            fields = version.field_dict
        except RevertError:
            return None  # data reversion cannot read: its own restore says so
        others = Article.objects.exclude(pk=version.object_id)
        slug, title = fields.get("slug", ""), fields.get("title", "")
        if others.filter(slug=slug).exists():
            return f"another article has its address, /articles/{slug}/, since"
        if others.annotate(lower=Lower("title")).filter(lower=Lower(Value(title))).exists():
            return f"another article is titled “{title}” since"
        return None


@admin.register(Cause)
class CauseAdmin(TagListMixin, CheckedVersionsMixin, CompareVersionAdmin):
    list_display = ["name", "slug", "article_count", "tag_list"]
    search_fields = ["name", "description", "tags__name"]
    list_filter = ["tags"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    form = CauseAdminForm
    fields = ["name", "slug", "description", "tags", "loaded_token"]
    inlines = [CauseSourceInline]
    topics_merged_since = staticmethod(merged_since)

    def get_queryset(self, request):
        # Counted for the causes on the page alone, in the cause's index; a join
        # grouped every listing of every cause, counts included (1 s at 100,000
        # articles).
        listings = ArticleCause.objects.filter(cause=OuterRef("pk")).order_by()
        counted = listings.values("cause").annotate(n=Count("*")).values("n")
        return super().get_queryset(request).annotate(article_count=Coalesce(Subquery(counted), 0))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(SlugRedirect)
class SlugRedirectAdmin(ArticleChooserMixin, ChosenAutocompleteMixin, admin.ModelAdmin):
    list_display = ["old_slug", "article", "created"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__title"]
    autocomplete_fields = ["article"]


admin.site.unregister(Tag)

# Where the merge page finds the topics ticked in the list.
MERGE_SESSION_KEY = "topics_to_merge"


class MergeTopicsForm(MergeTagsForm):
    def clean_new_tag_name(self):
        name = self.cleaned_data["new_tag_name"]
        refuse_split_name(name)
        return name


def refuse_split_name(name):
    """A topic's name must come back as itself from a tags field (`survives_editing`)."""
    if not survives_editing(name):
        raise ValidationError(
            "A topic's name cannot have quotation marks: a tags field would split it."
        )


class TopicForm(forms.ModelForm):
    """A topic's own form: a name that an article's tags field keeps as it is.
    A name with quotation marks came back from the next save of an article
    split in three ("Knee", "runner", "pain"), and one another topic has in
    other capitals moved the article to that topic (tags are matched
    regardless of case)."""

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        refuse_split_name(name)
        others = Tag.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if other := others.first():
            raise ValidationError(
                "The topic “%(other)s” has this name in other capitals: merge the two "
                "(“Merge selected topics” in the list) rather than give them one name.",
                params={"other": other.name},
            )
        return name


def merged_message(names, target):
    """What a merge did: `names`, {id: name} of the topics chosen, as they were."""
    merged = ", ".join(f"“{name}”" for pk, name in names.items() if pk != target.pk)
    if merged:
        return f"Merged {merged} into “{target}”."
    if names[target.pk] != target.name:
        return f"Renamed “{names[target.pk]}” to “{target}”."
    return f"Nothing to merge: “{target}” was the only topic chosen."


@admin.register(Tag)
class TagAdmin(CountedDeletionMixin, TaggitTagAdmin):
    """django-taggit's, with a delete page that counts the articles, causes and
    questions a topic is taken from instead of listing each (and querying for it)."""

    form = TopicForm

    def delete_model(self, request, obj):
        with batched():  # the articles it is taken from are refreshed once, not one by one
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with batched():
            super().delete_queryset(request, queryset)

    # The most taggings (of articles, questions and causes) one delete or merge
    # takes along: each costs 1.5 to 2.5 ms at 100,000 articles (a topic on
    # 5,309 articles: 5 to 8 s to delete), so "Select all" of the topics ran
    # past gunicorn's 30 s timeout, and deleted none.
    taggings_limit = 8_000

    def response_action(self, request, queryset):
        if refusal := self._too_much_tagged(chosen_rows(self, request, queryset)):
            self.message_user(request, f"{refusal} No topics have been changed.", messages.ERROR)
            return None  # Django's changelist_view redirects back to the list
        return super().response_action(request, queryset)

    def _too_much_tagged(self, tags):
        limit = self.taggings_limit
        if tagged_with(tags, limit) > limit:
            return (
                f"These topics are on more than {limit:,} articles, questions and causes, "
                "more than one change can take at once. Choose fewer."
            )
        return None

    # -- merging topics (taggit's moved the rows of a model this site does not use) --

    def has_merge_permission(self, request):
        """A merge changes one topic and deletes the others (taggit asked for neither)."""
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description="Merge selected topics", permissions=["merge"])
    def render_tag_form(self, request, queryset):
        """taggit's action, by name: the selection is kept for the merge page.
        (taggit's sent a searched list to "?q=kneemerge-tags/".)"""
        request.session[MERGE_SESSION_KEY] = list(queryset.values_list("pk", flat=True))
        return redirect("admin:taggit_tag_merge_tags")

    def merge_tags_view(self, request):
        """The topics ticked (kept in the session), and the name to merge them
        into. The form carries their ids: merging in another tab changes what
        the session holds, not what this page showed."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            chosen = [pk for pk in request.POST.getlist("topic") if can_hold(Tag._meta.pk, pk)]
        else:
            chosen = request.session.get(MERGE_SESSION_KEY) or []
        found = Tag.objects.filter(pk__in=chosen)
        tags = list(found.order_by("name"))
        if not tags:
            self.message_user(request, "Select the topics to merge first.", messages.WARNING)
            return redirect("admin:taggit_tag_changelist")
        if refusal := self._too_much_tagged(found):
            self.message_user(request, f"{refusal} Nothing has been merged.", messages.ERROR)
            return redirect("admin:taggit_tag_changelist")
        form = MergeTopicsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            name = form.cleaned_data["new_tag_name"]
            if merge_target(tags, name) is None and not self.has_add_permission(request):
                form.add_error("new_tag_name", "You may merge into an existing topic only.")
            else:
                names = {tag.pk: tag.name for tag in tags}
                target = merge_topics(tags, name)
                request.session.pop(MERGE_SESSION_KEY, None)
                self.message_user(request, merged_message(names, target), messages.SUCCESS)
                return redirect("admin:taggit_tag_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge topics",
            "opts": self.opts,
            "form": form,
            "tags": tags,
        }
        return TemplateResponse(request, "admin/taggit/merge_tags_form.html", context)
