"""Autocomplete fields in admin inlines without a query for each row.

Django's `AutocompleteSelect` renders only the chosen option, and asks the
database for it in every form: an article's change form asked once for each of
its causes and pinned links. An inline that reads the chosen rows with its own
(`select_related`) hands each form's widget the object its instance already
holds, and the widget shows that instead of asking
(`ChosenAutocompleteInlineMixin` does both). When the form shows another
value (a re-displayed form with errors), the widget asks, as Django's does.
On save, the field takes the same object for the same value, rather than
asking for it again (`ChosenModelChoiceField`).

Every autocomplete field of the project's admin uses that widget
(`ChosenAutocompleteMixin`), which shows a form sent back with a value no row
can have ("abc") without its option, beside the field's "Select a valid choice".
"""

from django.contrib.admin.widgets import AutocompleteSelect
from django.forms import ModelChoiceField

from .admin_inline_rows import StoredRowForm, StoredRowsFormSet
from .db import can_hold


class ChosenAutocompleteSelect(AutocompleteSelect):
    chosen = None  # the related object the form's instance holds, if it was read

    def optgroups(self, name, value, attr=None):
        value = self.possible(value)
        chosen = self.chosen
        to_field = self.field.remote_field.get_related_field().attname
        chosen_value = chosen and getattr(chosen, to_field)
        shown = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if chosen is None or shown != [str(chosen_value)]:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(chosen)
        options.append(self.create_option(name, chosen_value, label, True, len(options)))
        return [(None, options, 0)]

    def possible(self, values):
        """The values a row could have: Django asked the database for any other
        ("abc"; on SQLite, a number past 64 bits) and raised, a 500 where the
        form only meant to say "Select a valid choice"."""
        target = self.field.remote_field.get_related_field()
        return [value for value in values if can_hold(target, value)]


class ChosenModelChoiceField(ModelChoiceField):
    chosen = None  # as the widget's

    def to_python(self, value):
        chosen = self.chosen
        if chosen is not None and value not in self.empty_values:
            key = self.to_field_name or "pk"
            if str(value) == str(getattr(chosen, key)):
                return chosen
        return super().to_python(value)


class ChosenFromInstanceForm(StoredRowForm):
    """Gives each `ChosenAutocompleteSelect`, and its field, the related object
    the instance holds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # unwrapped from the admin's
            if not isinstance(widget, ChosenAutocompleteSelect):
                continue
            related = self._meta.model._meta.get_field(name)
            if related.is_cached(self.instance):
                widget.chosen = getattr(self.instance, name)
                if isinstance(field, ChosenModelChoiceField):
                    field.chosen = widget.chosen


class ChosenAutocompleteMixin:
    """An admin whose autocomplete fields use `ChosenAutocompleteSelect`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ChosenAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs.setdefault("form_class", ChosenModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ChosenAutocompleteInlineMixin(ChosenAutocompleteMixin):
    """An inline that reads its autocomplete fields' chosen rows with its own and
    shows them from there."""

    form = ChosenFromInstanceForm
    formset = StoredRowsFormSet

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.get_autocomplete_fields(request))
