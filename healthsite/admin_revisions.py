"""Whether a revision can still be restored: none of its rows may point at a row
deleted since.

Reversion writes a revision's rows back as they were, their foreign keys
included, and the database checks those only at commit: restoring an article
whose cause had been deleted since met the missing cause first while recording
the restore (a 500). The revision is checked before anything is written instead.
"""

from collections import defaultdict

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from reversion.errors import RevertError
from reversion.models import Version


def missing_reference(revision):
    """Why `revision` cannot be restored: a row of it that points at a row neither
    in the database nor in the revision itself. None if nothing is missing."""
    try:
        rows = [
            (version.content_type.model_class(), version, version.field_dict)
            for version in revision.version_set.select_related("content_type")
        ]
    except RevertError:
        return None  # data reversion cannot read: its own restore says so
    for (target, name), uses in _pointers(rows).items():
        there = {fields.get(name) for model, _, fields in rows if issubclass(model, target)}
        wanted = {value for *_, value in uses} - there
        there |= set(
            target._base_manager.filter(**{f"{name}__in": wanted}).values_list(name, flat=True)
        )
        for version, key, value in uses:
            if value not in there:
                return f"the {key.verbose_name} of “{version.object_repr}” has since been deleted"
    return None


def _pointers(rows):
    """What the rows point at, by model and field: [(version, key, value)].
    One query a model then finds which of them still exist."""
    pointers = defaultdict(list)
    for model, version, fields in rows:
        for key in model._meta.concrete_fields:
            value = fields.get(key.attname)
            if key.is_relation and value is not None:
                pointers[key.related_model, key.target_field.attname].append((version, key, value))
    return pointers


class CheckedVersionsMixin:
    """Reversion's pages for a model's history, given only its own versions
    and ids (a 404 otherwise).

    Reversion's recover page took any model's version (an article's, on the
    causes' page) and restored it; the comparison page asked the database for
    the cause "abc" (a ValueError, a 500).
    """

    def recover_view(self, request, version_id, extra_context=None):
        get_object_or_404(Version.objects.get_for_model(self.model), pk=version_id)
        return super().recover_view(request, version_id, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        versions = Version.objects.get_for_model(self.model)
        get_object_or_404(versions, pk=version_id, object_id=unquote(object_id))
        return super().revision_view(request, object_id, version_id, extra_context)

    def compare_view(self, request, object_id, extra_context=None):
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404(f"No {self.model._meta.verbose_name} has this id.") from None
        return super().compare_view(request, object_id, extra_context)
