"""Unique slugs generated from titles."""

from django.utils.text import slugify


def unique_slug(instance, value, *, fallback, field_name="slug", also_taken=None):
    """Return a slug for `value` that no other row of the instance's model uses.

    Collisions get a numeric suffix ("toe-twitching-2"), kept within the
    field's max_length. A title with no sluggable characters falls back to
    `fallback`. `also_taken(prefix)`, if given, returns more slugs to avoid.
    The unique constraint on the column remains the guarantee;
    this only picks a free value.
    """
    model = type(instance)
    max_length = model._meta.get_field(field_name).max_length
    base = slugify(value)[:max_length].strip("-") or fallback
    others = model._default_manager.exclude(pk=instance.pk)
    # Suffixed candidates may be truncated, so look a little wider than `base`.
    prefix = base[: max_length - 8]
    taken = set(
        others.filter(**{f"{field_name}__startswith": prefix}).values_list(field_name, flat=True)
    )
    if also_taken is not None:
        taken |= also_taken(prefix)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate
