"""Admin inlines for rows ordered by a `position` that is unique per parent.

Editors type positions. A blank position goes after the highest one given,
and after any row saved meanwhile through another form (whose position a
given one may not take).
Rows may swap positions in one save: the database refuses two rows at one
position even for an instant, so rows that move (or are deleted) are first
parked above `MAX_POSITION`, then saved in their new places. Rows may swap
what they point to as well (two causes, two See-also articles, two
references), or take that of a row deleted in the same save: the database
refuses one cause twice in an article even for an instant too, and there is
nowhere to park a cause, so rows deleted are deleted first, and rows that
point elsewhere are taken out first and written again, under the same id.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator

from healthsite.admin_inline_rows import StoredRowsFormSet

MAX_POSITION = 9999
PARKING_START = MAX_POSITION + 1

position_validators = [MaxValueValidator(MAX_POSITION)]


class PositionedInlineFormSet(StoredRowsFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["position"].required = False

    def clean(self):
        live = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not self._should_delete_form(form)
        ]
        given = [form.cleaned_data.get("position") for form in live]
        # Rows new or moved here, which rows saved through another form since
        # this one was opened may be in the way of.
        placed = [f for f in live if f.instance.pk is None or "position" in f.changed_data]
        held = self._positions_held_elsewhere() if placed else set()
        next_position = max((p for p in [*given, *held] if p is not None), default=0) + 1
        for form in live:
            if form.cleaned_data.get("position") is None:
                if next_position > MAX_POSITION:  # above it, rows are parked (see `save`)
                    raise ValidationError(
                        "Positions go up to %(max)s: give each row a position of its own.",
                        params={"max": MAX_POSITION},
                        code="no_position_left",
                    )
                form.cleaned_data["position"] = form.instance.position = next_position
                next_position += 1
        if taken := sorted({form.cleaned_data["position"] for form in placed} & held):
            raise ValidationError(
                "Since this page was opened, another %(row)s has been saved at position "
                "%(positions)s: reload the page to see it, or give another position.",
                params={
                    "row": self.model._meta.verbose_name,
                    "positions": ", ".join(map(str, taken)),
                },
                code="position_taken_since",
            )
        repeated = sorted(
            p for p, n in Counter(f.cleaned_data["position"] for f in live).items() if n > 1
        )
        if repeated:
            raise ValidationError(
                "Each row needs its own position; these are used twice: %(positions)s.",
                params={"positions": ", ".join(map(str, repeated))},
                code="duplicate_position",
            )
        super().clean()

    def _positions_held_elsewhere(self):
        """Positions of the parent's stored rows that this form does not show:
        saved since it was opened, through another form (a question's own).
        Django checks a row's position against the other rows of the form
        alone: a blank position took the one after those shown, and a given one
        was not checked, and the database refused either (a 500, the whole
        save lost)."""
        if self.instance.pk is None:
            return set()
        shown = [form.instance.pk for form in self.initial_forms if form.instance.pk]
        rows = self.model._default_manager.filter(**{self.fk.name: self.instance})
        return set(rows.exclude(pk__in=shown).values_list("position", flat=True))

    def save(self, commit=True):
        if commit:
            self._park_moving_rows()
            self._take_out_rows_in_the_way()
        return super().save(commit=commit)

    def delete_existing(self, obj, commit=True):
        if obj.pk not in self._taken_out:
            super().delete_existing(obj, commit=commit)

    _taken_out = frozenset()

    def _take_out_rows_in_the_way(self):
        """Delete the rows to delete, and the stored rows of those that point
        elsewhere, before anything is saved: the formset saves them (again,
        under their ids) or not at all, one by one, and each step must leave
        no cause (article, source) twice in the article."""
        pointers = self._pointers()
        out = [
            form.instance.pk
            for form in self.initial_forms
            if form.instance.pk
            and (self._should_delete_form(form) or self._changed(form) & pointers)
        ]
        if out:
            self.model._default_manager.filter(pk__in=out).delete()
        self._taken_out = frozenset(out)

    def _pointers(self):
        """The fields that, with the parent, the database holds unique (but the position)."""
        fields = set()
        for constraint in self.model._meta.constraints:
            names = set(getattr(constraint, "fields", ()))
            if self.fk.name in names:
                fields |= names - {self.fk.name, "position"}
        return fields

    def _park_moving_rows(self):
        moving = [
            form.instance.pk
            for form in self.initial_forms
            if form.instance.pk
            and (self._should_delete_form(form) or "position" in self._changed(form))
        ]
        park(self.model._default_manager.filter(pk__in=moving))

    @staticmethod
    def _changed(form):
        """The fields of a row the formset will save. A row the user may only view
        has none: its form has no data (every field "changed" from its initial
        value), and Django's `has_changed()` says no, so it is not saved."""
        return set(form.changed_data) if form.has_changed() else set()


def park(queryset):
    """Move rows above every real position, so others can take theirs."""
    manager = queryset.model._default_manager
    for offset, pk in enumerate(queryset.values_list("pk", flat=True)):
        manager.filter(pk=pk).update(position=PARKING_START + offset)
