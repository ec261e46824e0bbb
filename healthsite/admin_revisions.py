"""Whether a revision can still be restored: none of its rows may point at a row
deleted since, but for a topic, which it is restored without.

Reversion writes a revision's rows back as they were, their foreign keys
included, and the database checks those only at commit: restoring an article
whose cause had been deleted since met the missing cause first while recording
the restore (a 500). The revision is checked before anything is written instead.
"""

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from reversion import is_registered
from reversion.errors import RevertError
from reversion.models import Revision, Version
from taggit.models import ItemBase


def missing_reference(revision, may_dangle=None):
    """Why `revision` cannot be restored: a row of it that points at a row neither
    in the database nor in the revision itself, but for a topic (see
    `topics_deleted_since`) and the keys `may_dangle(key)` allows. None if
    nothing is missing."""
    for version, key in dangling(revision):
        if not (_is_topic(key) or (may_dangle and may_dangle(key))):
            why = f"the {key.verbose_name} of “{version.object_repr}” has since been deleted"
            if _recoverable(key.related_model, version.field_dict[key.attname]):
                gone = key.related_model._meta.verbose_name_plural
                why += f"; recover it first (“Recover deleted {gone}” in the {gone}' list)"
            return why
    return None


def _recoverable(model, pk):
    """Whether the deleted row `pk` of `model` has a version to recover it from."""
    if not is_registered(model):
        return False
    return Version.objects.get_for_object_reference(model, pk).exists()


def topics_deleted_since(revision):
    """The versions of `revision` that tag a row with a topic deleted since.

    A topic files a page; it is not what the page says. A revision is restored
    without them (`restored_without`), where a cause deleted since refuses it."""
    return [version for version, key in dangling(revision) if _is_topic(key)]


def dangling(revision):
    """The rows of `revision` that point at a row neither in the database nor in
    the revision itself: [(version, key)]. One query a model finds which exist;
    kept on the revision, which a restore asks twice (`missing_reference` and
    `topics_deleted_since`)."""
    if (found := revision.__dict__.get("_dangling")) is None:
        found = revision._dangling = _find_dangling(revision)
    return found


def _find_dangling(revision):
    try:
        rows = [
            (version.content_type.model_class(), version, version.field_dict)
            for version in revision.version_set.select_related("content_type")
        ]
    except RevertError:
        return []  # data reversion cannot read: its own restore says so
    dangling = []
    for (target, name), uses in _pointers(rows).items():
        there = {fields.get(name) for model, _, fields in rows if issubclass(model, target)}
        wanted = {value for *_, value in uses} - there
        there |= set(
            target._base_manager.filter(**{f"{name}__in": wanted}).values_list(name, flat=True)
        )
        dangling += [(version, key) for version, key, value in uses if value not in there]
    return dangling


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


def _is_topic(key):
    return issubclass(key.model, ItemBase) and key.name == "tag"


class CheckedVersionsMixin:
    """Reversion's pages for a model's history, given only its own versions
    and ids (a 404 otherwise).

    Reversion's recover page took any model's version (an article's, on the
    causes' page) and restored it; the comparison page asked the database for
    the cause "abc" (a ValueError, a 500).
    """

    def recover_view(self, request, version_id, extra_context=None):
        version = get_object_or_404(Version.objects.get_for_model(self.model), pk=version_id)
        return self._checked_restore(
            request,
            version,
            lambda: super(CheckedVersionsMixin, self).recover_view(
                request, version_id, extra_context
            ),
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        versions = Version.objects.get_for_model(self.model)
        version = get_object_or_404(versions, pk=version_id, object_id=unquote(object_id))
        return self._checked_restore(
            request,
            version,
            lambda: super(CheckedVersionsMixin, self).revision_view(
                request, object_id, version_id, extra_context
            ),
        )

    def unrestorable(self, version):
        """Why `version` cannot be restored, or None."""
        return missing_reference(version.revision, self.may_dangle)

    def may_dangle(self, key):
        """Whether a restore may go on when a revision's row points, through the
        foreign key `key`, at a row deleted since (it is then `left_out_of` it)."""
        return False

    def topics_merged_since(self, taggings):
        """Of `taggings`, versions of rows tagged with topics deleted since, those
        whose topic lives on as another (merged into it): {version: (the topic's
        name, the topic now)}. They are restored with the topic now. None here."""
        return {}

    def merged_topics(self, version):
        """`topics_merged_since` of the revision's rows: kept on the revision,
        which a restore asks twice."""
        revision = version.revision
        if (found := revision.__dict__.get("_merged")) is None:
            found = revision._merged = self.topics_merged_since(topics_deleted_since(revision))
        return found

    def left_out_of(self, version):
        """What restoring `version` leaves out, and why: [(versions, why)], `why`
        a sentence naming them for the editor. Here, its rows tagged with topics
        deleted since (and not merged into another): reversion wrote them back,
        pointing at nothing, and the restore failed (a 500 for a cause's)."""
        merged = self.merged_topics(version)
        tagged = [row for row in topics_deleted_since(version.revision) if row not in merged]
        if not tagged:
            return []
        rows = ", ".join(f"“{row.object_repr}”" for row in tagged)
        why = "its topic has" if len(tagged) == 1 else "their topics have"
        return [(tagged, f"{rows}: {why} since been deleted")]

    def after_revert(self, request, version):
        """Write what restoring `version` needs besides its rows, once reversion
        has written them back: before the restore's own revision is recorded,
        which then holds it. Nothing here."""

    def _after_revert(self, request, version, merged):
        retag(merged)
        self.after_revert(request, version)

    def _checked_restore(self, request, version, view):
        """Show or restore `version` through reversion's `view`, unless it is
        `unrestorable`: then it is shown, as the editor may want to copy from it,
        but not restored. What it would restore that is `left_out_of` it is left
        out, and the editor told so."""
        if missing := self.unrestorable(version):
            if request.method == "POST":
                self.message_user(request, f"Not restored: {missing}.", messages.ERROR)
                opts = self.model._meta
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            message = f"This version cannot be restored: {missing}."
            self.message_user(request, message, messages.WARNING)
        left_out = self.left_out_of(version)
        left_out_rows = [row for rows, _ in left_out for row in rows]
        # A row left out (a question moved since) keeps its topics where it is.
        merged = {
            row: topic
            for row, topic in self.merged_topics(version).items()
            if row not in left_out_rows
        }
        renamed = dict.fromkeys(f"“{old}” is now “{new}”" for old, new in merged.values())
        renamed = f"the topics merged since their new names: {', '.join(renamed)}"
        if request.method != "POST" and not missing:
            for _, why in left_out:
                message = f"Restoring this version leaves out {why}."
                self.message_user(request, message, messages.WARNING)
            if merged:
                message = f"Restoring this version gives {renamed}."
                self.message_user(request, message, messages.WARNING)
        last_version = newest_version(self.model, version.object_id)
        then = partial(self._after_revert, request, version, merged)
        with restored_without([*left_out_rows, *merged], then=then):
            response = view()
        if newest_version(self.model, version.object_id) != last_version:
            for _, why in left_out:
                self.message_user(request, f"Restored without {why}.", messages.WARNING)
            if merged:
                self.message_user(request, f"Restored, giving {renamed}.", messages.WARNING)
        return response

    def compare_view(self, request, object_id, extra_context=None):
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404(f"No {self.model._meta.verbose_name} has this id.") from None
        return super().compare_view(request, object_id, extra_context)


# The ids of the versions that reversion's restore now in progress leaves out,
# and what to do once it has written the others back.
_left_out_default = (frozenset(), None)
_left_out = ContextVar("versions left out of a restore", default=_left_out_default)
_reversion_revert = Revision.revert


@contextmanager
def restored_without(versions, then=None):
    """Reversion restores a revision without `versions` while this lasts
    (`revert_unless_left_out`), and calls `then()` once it has written the rest
    back: before the restore's own revision is recorded, which then holds what
    `then` wrote. The history is not touched: it still holds them."""
    token = _left_out.set((frozenset(version.pk for version in versions), then))
    try:
        yield
    finally:
        _left_out.reset(token)


def in_a_restore():
    """Whether a restore (`CheckedVersionsMixin`) is under way in this request:
    its form is the revision's, written back, not one opened before a save."""
    return _left_out.get() != _left_out_default


def revert_unless_left_out(revision, delete=False):
    """Reversion's `Revision.revert`, over the versions `restored_without` does
    not leave out: they are neither written back nor counted as the revision's
    when it deletes what the restored rows hold now and the revision does not
    (a question moved to another article since kept its tags there). Put in its
    place by `HealthsiteConfig.ready`; reversion's reads only `version_set`."""
    left_out, then = _left_out.get()
    if left_out:
        revision = SimpleNamespace(version_set=revision.version_set.exclude(pk__in=left_out))
    _reversion_revert(revision, delete)
    if then:
        then()


def retag(merged):
    """Tag what each version of `merged` tagged, with a topic merged since, with
    the topic it was merged into (`CheckedVersionsMixin.topics_merged_since`):
    once, as a merge does. A row the revision did not bring back is left alone."""
    for version, (_, topic) in merged.items():
        through, tagged = version._model, version.field_dict["content_object_id"]
        owner = through._meta.get_field("content_object").related_model
        if owner._base_manager.filter(pk=tagged).exists():
            through.objects.get_or_create(content_object_id=tagged, tag=topic)


def newest_version(model, object_id):
    """The id of the newest version of a row: a restore that took records one."""
    versions = Version.objects.get_for_object_reference(model, object_id)
    return versions.order_by("-pk").values_list("pk", flat=True).first()
