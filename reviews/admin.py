from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from healthsite.admin_autocomplete import ChosenAutocompleteMixin

from .lifecycle import DUE_SOON_DAYS, review_sections
from .models import (
    ChangedSinceShown,
    ReviewerProfile,
    record_sign_off,
    record_sign_offs,
    sign_off_state,
    with_sign_off_state,
)

DASHBOARD_ROWS = 100  # per section; the section links to the full, filtered list


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(ChosenAutocompleteMixin, admin.ModelAdmin):
    list_display = ["display_name", "credentials", "profession", "user"]
    list_select_related = ["user"]
    search_fields = [
        "display_name",
        "credentials",
        "user__username",
        "user__first_name",
        "user__last_name",
    ]
    autocomplete_fields = ["user"]


class SignOffFilter(admin.SimpleListFilter):
    """Needs the `content_signed_off` annotation that `SignOffAdminMixin` adds."""

    title = "Sign-off"
    parameter_name = "sign_off"

    def lookups(self, request, model_admin):
        return [("signed", "Signed off"), ("awaiting", "Awaiting sign-off")]

    def queryset(self, request, queryset):
        match self.value():
            case "signed":
                return queryset.filter(content_signed_off=True)
            case "awaiting":
                return queryset.filter(content_signed_off=False)
        return queryset


class SignOffAdminMixin:
    """Medical sign-off and the review dashboard, for `ArticleAdmin`.

    Adds a sign-off view (POST, from the change form), a "Sign off" action,
    a "signed off" column and filter, the sign-off status on the change form,
    and the review dashboard at `reviews/`.
    """

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "reviews/",
                self.admin_site.admin_view(self.reviews_view),
                name="{}_{}_reviews".format(*info),
            ),
            path(
                "<path:object_id>/sign-off/",
                self.admin_site.admin_view(require_POST(self.sign_off_view)),
                name="{}_{}_sign_off".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return with_sign_off_state(super().get_queryset(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is not None:
            extra_context = {"sign_off_state": sign_off_state(article), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_review_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.review_article")

    @admin.display(boolean=True, description="signed off", ordering="content_signed_off")
    def signed_off(self, obj):
        return obj.content_signed_off

    def sign_off_view(self, request, object_id):
        if not self.has_review_permission(request):
            raise PermissionDenied
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        try:
            # Only the content the reviewer was shown: not an edit saved since.
            record_sign_off(article, request.user, shown=request.POST.get("fingerprint", ""))
        except ChangedSinceShown:
            self.message_user(
                request,
                f"Not signed off: “{article}” has changed since this page was opened. "
                "Read it as it is now, then sign it off.",
                messages.ERROR,
            )
            return redirect(reverse("admin:articles_article_change", args=[article.pk]))
        self.log_change(request, article, "Signed off.")
        self.message_user(
            request,
            f"You signed off “{article}” as it stands now. Any change readers would see "
            "will need a new sign-off.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))

    @admin.action(description="Sign off selected articles", permissions=["review"])
    def sign_off(self, request, queryset):
        with transaction.atomic():
            signed = [sign_off.article for sign_off in record_sign_offs(queryset, request.user)]
            LogEntry.objects.log_actions(request.user.pk, signed, CHANGE, "Signed off.")
        message = ngettext(
            "%(count)d article signed off.", "%(count)d articles signed off.", len(signed)
        )
        self.message_user(request, message % {"count": len(signed)}, messages.SUCCESS)

    def reviews_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:articles_article_changelist")
        found = review_sections()
        headings = {
            # The list as the section counts it: published articles only.
            "overdue": ("Review overdue", "?status__exact=published&review_due=overdue"),
            "due_soon": (
                f"Review due within {DUE_SOON_DAYS} days",
                f"?status__exact=published&review_due={DUE_SOON_DAYS}",
            ),
            "in_review": ("In review", "?status__exact=review"),
            "awaiting_sign_off": (
                "Published, awaiting sign-off of their current content",
                "?status__exact=published&sign_off=awaiting",
            ),
        }
        sections = []
        for name, (heading, query) in headings.items():
            articles = found[name].select_related("medical_reviewer").without_text()
            rows = list(articles[:DASHBOARD_ROWS])
            count = len(rows) if len(rows) < DASHBOARD_ROWS else articles.count()
            sections.append(
                {
                    "name": name,
                    "heading": heading,
                    "articles": rows,
                    "count": count,
                    "list_url": changelist + query,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Medical reviews",
            "opts": self.opts,
            "sections": sections,
        }
        return TemplateResponse(request, "admin/reviews/dashboard.html", context)
