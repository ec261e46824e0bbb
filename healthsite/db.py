"""Database helpers that work the same on PostgreSQL and SQLite."""

from contextlib import contextmanager

from django.db import connection
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
    return CompiledOnce(rows, output_field=JSONField())


class CompiledOnce(Subquery):
    """A subquery whose SQL is built once per database, then reused.

    Building the SQL of a subquery with a dozen joined columns costs more than
    running it; a queryset built once (a view's `queryset`) and filtered per
    request shares its annotations, so their SQL can be kept. Any copy (a
    re-resolved or relabelled subquery, another query using it) builds anew.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sql = {}

    def copy(self):
        clone = super().copy()
        clone._sql = {}
        return clone

    def as_sql(self, compiler, connection, *args, **kwargs):
        if args or kwargs:
            return super().as_sql(compiler, connection, *args, **kwargs)
        if connection.alias not in self._sql:
            self._sql[connection.alias] = super().as_sql(compiler, connection)
        return self._sql[connection.alias]


@contextmanager
def plans_for_their_parameters():
    """PostgreSQL plans each query run inside for the values it is given, every time.

    A statement prepared on a connection (settings.py) gets one generic plan after
    its fifth run if PostgreSQL expects it to cost about the same. That suits a
    lookup by slug, not a search, whose best plan depends on how many articles
    its words match: search's generic plans ran 3 to 40 times slower at 100,000
    articles. So psycopg prepares nothing inside (no query to the server, no
    transaction); SQLite keeps no plans.
    """
    if connection.vendor != "postgresql":
        yield
        return
    # The connection the search will use: replaced first if the health check
    # (settings.py) finds it dead, as the first query would otherwise do inside.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    psycopg_connection = connection.connection
    threshold = psycopg_connection.prepare_threshold
    psycopg_connection.prepare_threshold = None
    try:
        yield
    finally:
        psycopg_connection.prepare_threshold = threshold
