"""Admin inlines whose save asks the database nothing for the rows it has read.

When a change form is saved, Django's inline formsets ask the database about
every row, changed or not: the row's hidden id (`ModelChoiceField`, one
`get()` a row), and then the row's model validation, as if it were new (a
query for each foreign key, and one for each `CheckConstraint`, in a
savepoint of its own). An article with 14 causes and 14 questions cost about
260 queries to save with nothing but its summary changed.

Yet the formset has read every row already (`_existing_object`), and it saves
only rows that changed: an unchanged row is the stored one, which the
database held to every constraint when it was written. So here the id comes
from the rows read, and an unchanged row gets only its model's `clean()`
(which may depend on the parent: a link titled like the renamed article is
refused). Changed and new rows are validated in full, as before. An id that
is not among the rows read is looked up as Django does.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, construct_instance


class LoadedRowChoiceField(forms.ModelChoiceField):
    """The hidden id of a formset's row: found among the rows the formset read."""

    def __init__(self, queryset, *, formset, **kwargs):
        super().__init__(queryset, **kwargs)
        self.formset = formset

    def __deepcopy__(self, memo):
        field = super().__deepcopy__(memo)
        field.formset = self.formset  # shared, not copied with each form's fields
        return field

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, self.queryset.model):
            return super().to_python(value)
        try:
            key = self.formset._pk_field.to_python(value)
        except ValidationError:
            key = None
        row = key is not None and self.formset._existing_object(key)
        return row or super().to_python(value)


class StoredRowsFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        field = form.fields.get(name)
        if type(field) is forms.ModelChoiceField:  # the one Django adds for the id
            form.fields[name] = LoadedRowChoiceField(
                field.queryset,
                formset=self,
                initial=field.initial,
                required=False,
                widget=field.widget,
            )


class StoredRowForm(forms.ModelForm):
    """An inline row that skips the checks its stored, unchanged self has passed."""

    def _post_clean(self):
        if self.instance._state.adding or self.instance.pk is None or self.has_changed():
            super()._post_clean()
            return
        try:  # as Django does, with the parent's new values: no query
            opts = self._meta
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
            self.instance.clean()
        except ValidationError as error:
            self._update_errors(error)
