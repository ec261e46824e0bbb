"""Admin reports for editors: broken links, and content checks."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from .integrity import as_problems, broken_internal_links, broken_see_also_rows, see_also_problems
from .lints import lint_article, report
from .models import Article

REPORT_PAGE_SIZE = 50
LINKS_PAGE_SIZE = 100


class ReportsAdminMixin:
    """Adds /links/ and /checks/ report pages, and a "Content checks" box to the change form."""

    def get_urls(self):
        return [
            path("links/", self.admin_site.admin_view(self.links_view), name="articles_links"),
            path("checks/", self.admin_site.admin_view(self.checks_view), name="articles_checks"),
            *super().get_urls(),
        ]

    @admin.display(description="content checks")
    def content_checks(self, obj):
        if obj is None or obj.pk is None:
            return "Checked once the article is saved."
        warnings = lint_article(obj)
        if not warnings:
            return "No problems found."
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((w,) for w in warnings))
        )

    def links_view(self, request):
        self._check_view_permission(request)
        internal = Paginator(broken_internal_links(), LINKS_PAGE_SIZE)
        page = internal.get_page(request.GET.get("page"))
        see_also = Paginator(broken_see_also_rows(), LINKS_PAGE_SIZE)
        see_also_page = see_also.get_page(request.GET.get("see_also_page"))
        context = {
            "title": "Broken links",
            "see_also": list(see_also_problems(see_also_page)),
            "see_also_page": see_also_page,
            "internal": list(as_problems(page)),
            "page": page,
        }
        return self._render(request, "admin/articles/article/links_report.html", context)

    def checks_view(self, request):
        """Content checks for published articles, a page at a time (each costs queries)."""
        self._check_view_permission(request)
        articles = Article.objects.published().order_by("title", "pk")
        page = Paginator(articles, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
        found = list(report(page))  # the page's near-duplicate checks share one budget
        context = {"title": "Content checks", "page": page, "found": found}
        return self._render(request, "admin/articles/article/checks_report.html", context)

    def _check_view_permission(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def _render(self, request, template, context):
        context = {**self.admin_site.each_context(request), "opts": self.opts, **context}
        return TemplateResponse(request, template, context)
