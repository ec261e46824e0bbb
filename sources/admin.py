from django.contrib import admin, messages
from django.db import models

from articles.admin_forms import EditTokenForm
from articles.ordering import PositionedInlineFormSet
from healthsite.admin_autocomplete import ChosenAutocompleteInlineMixin

from .checker import check_sources
from .models import ArticleSource, CauseSource, Source

# The check action runs inside a web request: keep it well within the
# app server's timeout. `manage.py check_sources` checks any number.
ACTION_LIMIT = 16
ACTION_TIMEOUT = 5


class LinkStatusFilter(admin.SimpleListFilter):
    title = "link status"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [("broken", "Broken"), ("ok", "OK"), ("unchecked", "Never checked")]

    def queryset(self, request, queryset):
        match self.value():
            case "broken":
                return queryset.broken()
            case "ok":
                return queryset.ok()
            case "unchecked":
                return queryset.unchecked()
        return queryset


class SourceAdminForm(EditTokenForm):
    """A source is cited by many articles and causes: of two editors' forms
    open at once, the second save undid the first's changes unseen."""

    class Meta:
        model = Source
        # The admin's fieldsets choose the fields; its `formfield_overrides`
        # make the addresses' (left out here) take https when none is typed.
        fields = ["title", "publisher", "accessed", "doi", "pmid"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm
    list_display = ["title", "publisher", "url", "last_status", "last_checked", "broken"]
    list_filter = [LinkStatusFilter]
    search_fields = ["title", "publisher", "url", "doi", "pmid"]
    fieldsets = [
        (None, {"fields": ["title", "publisher", "url", "accessed", "loaded_token"]}),
        ("Identifiers", {"fields": ["doi", "pmid"]}),
        ("Link check", {"fields": ["last_checked", "last_status", "last_error", "final_url"]}),
    ]
    readonly_fields = ["last_checked", "last_status", "last_error", "final_url"]
    # An address pasted without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["check_now"]

    @admin.display(boolean=True, description="broken")
    def broken(self, obj):
        return obj.is_broken if obj.last_checked else None

    @admin.action(description="Check selected sources now", permissions=["change"])
    def check_now(self, request, queryset):
        if queryset.count() > ACTION_LIMIT:
            self.message_user(
                request,
                f"Select at most {ACTION_LIMIT} sources to check at once.",
                messages.ERROR,
            )
            return
        summary = check_sources(queryset, timeout=ACTION_TIMEOUT)
        level = messages.WARNING if summary.broken else messages.SUCCESS
        self.message_user(request, str(summary), level)


class SourceChoiceInlineMixin(ChosenAutocompleteInlineMixin):
    autocomplete_fields = ["source"]
    extra = 1
    verbose_name_plural = "References"


class ArticleSourceInline(SourceChoiceInlineMixin, admin.TabularInline):
    model = ArticleSource
    formset = PositionedInlineFormSet
    fields = ["position", "source"]


class CauseSourceInline(SourceChoiceInlineMixin, admin.TabularInline):
    model = CauseSource
    fields = ["source"]
