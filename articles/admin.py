from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.db.models.functions import Coalesce, Now
from django.forms import Textarea
from django.urls import path
from django.utils.translation import ngettext

from faq.models import FAQEntry

from .admin_import import ArticleImportView
from .models import Article, ArticleCause, Cause, RelatedLink
from .ordering import PositionedInlineFormSet

compact_text = {models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 60})}}


class TagListMixin:
    """A "tags" column without a query per row."""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(sorted(tag.name for tag in obj.tags.all()))


class ArticleCauseInline(admin.TabularInline):
    model = ArticleCause
    formset = PositionedInlineFormSet
    fields = ["position", "cause", "explanation"]
    autocomplete_fields = ["cause"]
    formfield_overrides = compact_text
    extra = 1


class FAQEntryInline(admin.StackedInline):
    model = FAQEntry
    formset = PositionedInlineFormSet
    fields = [("position", "question"), "answer", "tags"]
    formfield_overrides = compact_text
    extra = 1


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    formset = PositionedInlineFormSet
    fields = ["position", "target", "target_title"]
    autocomplete_fields = ["target"]
    extra = 1
    verbose_name_plural = "See-also links (pinned, shown first)"


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
            case "30" | "90":
                return queryset.review_due_within(days=int(self.value()))
            case "none":
                return queryset.filter(next_review_due__isnull=True)
        return queryset


@admin.register(Article)
class ArticleAdmin(TagListMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "publish_at",
        "medical_reviewer",
        "next_review_due",
        "tag_list",
        "updated",
    ]
    list_filter = [
        "status",
        ReviewDueFilter,
        ("medical_reviewer", admin.RelatedOnlyFieldListFilter),
        "tags",
    ]
    list_select_related = ["medical_reviewer"]
    search_fields = ["title", "subtitle", "slug", "tags__name"]
    ordering = ["-updated"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author", "medical_reviewer"]
    readonly_fields = ["created", "updated"]
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
                ]
            },
        ),
        (
            "When to seek help",
            {"fields": ["seek_help_non_urgent", "seek_help_urgent", "seek_help_emergency"]},
        ),
        ("Publishing", {"fields": ["status", "publish_at", "author"]}),
        (
            "Medical review",
            {"fields": ["medical_reviewer", "last_reviewed", "next_review_due"]},
        ),
        ("Search engines", {"fields": ["meta_description"]}),
        ("History", {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]
    inlines = [ArticleCauseInline, FAQEntryInline, RelatedLinkInline]
    actions = ["publish", "unpublish", "archive"]
    change_list_template = "admin/articles/article/change_list.html"

    def get_urls(self):
        import_view = self.admin_site.admin_view(ArticleImportView.as_view(model_admin=self))
        return [
            path("import/", import_view, name="articles_article_import"),
            *super().get_urls(),
        ]

    def view_on_site(self, obj):
        # Drafts have no public page yet; offer the link only where it works.
        return obj.get_absolute_url() if obj.is_published else None

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.action(description="Publish selected articles (keeps a scheduled time)")
    def publish(self, request, queryset):
        count = queryset.update(
            status=Article.Status.PUBLISHED, publish_at=Coalesce("publish_at", Now())
        )
        self._report(request, count, "published")

    @admin.action(description="Unpublish selected articles (back to draft)")
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT)
        self._report(request, count, "moved back to draft")

    @admin.action(description="Archive selected articles")
    def archive(self, request, queryset):
        count = queryset.update(status=Article.Status.ARCHIVED)
        self._report(request, count, "archived")

    def _report(self, request, count, done):
        message = ngettext("%(count)d article %(done)s.", "%(count)d articles %(done)s.", count)
        self.message_user(request, message % {"count": count, "done": done}, messages.SUCCESS)


@admin.register(Cause)
class CauseAdmin(TagListMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count", "tag_list"]
    search_fields = ["name", "description", "tags__name"]
    list_filter = ["tags"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("article_causes"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count
