from django.contrib import admin, messages
from django.contrib.admin import helpers

from reviews.lifecycle import review_counts

from .db import can_hold


class CheckedSelectionMixin:
    """An action is refused, with a message, when what is ticked is not all ids,
    or is more than `action_limit` rows.

    Django filters the list by the ticked values as they come: a hand-made
    "abc" was a ValueError, and an id past the column's range an OverflowError
    on SQLite (a 500 either way). As when nothing is ticked, nothing changes
    and the editor is sent back to the list.
    """

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        names = self.model._meta.verbose_name_plural
        if not all(map(self._is_an_id, selected)):
            message = f"Only {names} of this list can be selected. No items have been changed."
            self.message_user(request, message, messages.WARNING)
            return None  # Django's changelist_view redirects back to the list
        # The most rows one action may take ("Select all" of a long list), set by
        # an admin whose rows each cost enough that more would run past the
        # server's timeout. (Not a default here: this mixin comes first.)
        if (limit := getattr(self, "action_limit", None)) is not None:
            # Counted no further than the limit: "all" of a long list is many.
            chosen = chosen_rows(self, request, queryset).order_by().values("pk")
            if chosen[: limit + 1].count() > limit:
                message = (
                    f"At most {limit} {names} can be changed by one action: none has been "
                    "changed. Tick fewer, or narrow the list first."
                )
                self.message_user(request, message, messages.ERROR)
                return None
        return super().response_action(request, queryset)

    def _is_an_id(self, value):
        pk = self.model._meta.pk
        field = pk.target_field if pk.is_relation else pk  # a one-to-one key: its target's range
        return can_hold(field, value)


def chosen_rows(model_admin, request, queryset):
    """The rows of the list `queryset` that an action takes, as Django's
    `response_action` chooses them: all of them for "Select all" (read as Django
    reads it: "true" or "on" say so as well as "1"), else those ticked."""
    field = model_admin.action_form.base_fields["select_across"]
    if field.to_python(request.POST.get("select_across")):
        return queryset
    return queryset.filter(pk__in=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))


class PlainLookupsMixin:
    """A list's query string may filter by a field's value, not by a pattern the
    database must compile: `?title__regex=(` was a database error (a 500); it is
    refused as Django refuses any lookup it does not allow (a 400)."""

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.rsplit("__", 1)[-1] in ("regex", "iregex"):
            return False
        return super().lookup_allowed(lookup, value, request)


class CheckedInputMixin(CheckedSelectionMixin, PlainLookupsMixin):
    """What every admin checks of a list's input before the database sees it."""


class HealthsiteAdminSite(admin.AdminSite):
    """The admin, with the medical review counts on its index page."""

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model's admin, the project's and those of the apps it uses, is
        given `CheckedInputMixin`: one forgotten admin would be one more 500."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedInputMixin):
            attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
            admin_class = type(admin_class.__name__, (CheckedInputMixin, admin_class), attrs)
        super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        if request.user.has_perm("articles.view_article"):
            extra_context = {"review_counts": review_counts(), **(extra_context or {})}
        return super().index(request, extra_context)
