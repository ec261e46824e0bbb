"""Database helpers that work the same on PostgreSQL and SQLite."""

from django.db.models import Aggregate, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject


class JSONArray(Aggregate):
    """The aggregated values as a JSON array (order not guaranteed)."""

    function = "JSON_GROUP_ARRAY"  # SQLite
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def json_rows(queryset, parent_field, **fields):
    """A subquery giving, for each outer row, its related rows as a JSON list of objects.

    `queryset` holds the related rows, `parent_field` is their foreign key to
    the outer row, and `fields` name what each object holds. Lets a page fetch
    several small lists with its main query instead of one query each.
    """
    rows = (
        queryset.filter(**{parent_field: OuterRef("pk")})
        .order_by()
        .values(parent_field)
        .annotate(data=JSONArray(JSONObject(**fields)))
        .values("data")
    )
    return Subquery(rows, output_field=JSONField())
