from django.contrib import admin

from reviews.lifecycle import review_counts


class HealthsiteAdminSite(admin.AdminSite):
    """The admin, with the medical review counts on its index page."""

    def index(self, request, extra_context=None):
        if request.user.has_perm("articles.view_article"):
            extra_context = {"review_counts": review_counts(), **(extra_context or {})}
        return super().index(request, extra_context)
