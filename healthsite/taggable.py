"""taggit's `TaggableManager`, whose value in a form is the tags already prefetched,
and whose form field refuses a tag name longer than a tag can hold.

taggit's `value_from_object()` asks the database every time (django-taggit
reads `names()` and `slugs()` past the prefetch cache too: issue #936), so an
inline with a tags field asked once for each row: 14 queries for the questions
of the sample article's change form. With the rows' tags prefetched, it asks
none; without, it asks as taggit does.
"""

from django import forms
from taggit import managers
from taggit.forms import TagField
from taggit.models import Tag


class TagsField(TagField):
    """taggit's tags field, refusing a name longer than `Tag.name` holds: taggit
    stored it as it was, a 500 on PostgreSQL ("value too long") and, on SQLite,
    a topic whose page was not found."""

    def clean(self, value):
        names = super().clean(value)
        limit = Tag._meta.get_field("name").max_length
        too_long = [name for name in names if len(name) > limit]
        if too_long:
            raise forms.ValidationError(
                "A tag can be at most %(limit)d characters long: “%(name)s…” has %(length)d.",
                code="max_length",
                params={"limit": limit, "name": too_long[0][:30], "length": len(too_long[0])},
            )
        return names


class TaggableManager(managers.TaggableManager):
    def formfield(self, form_class=TagsField, **kwargs):
        return super().formfield(form_class=form_class, **kwargs)

    def value_from_object(self, obj):
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(self.name)
        if prefetched is not None:
            return list(prefetched)
        return super().value_from_object(obj)
