"""Database helpers that work the same on PostgreSQL and SQLite."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.db.models import Aggregate, Expression, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.db.models.query import ModelIterable, ValuesListIterable


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


class Param(Expression):
    """A value that a `Prepared` query is given each time it runs, as in
    `filter(slug=Param("slug", SlugField()))`: in its SQL, a placeholder."""

    def __init__(self, name, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self):
        return f"{self.__class__.__name__}({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def db_value(self, values, connection):
        """This run's value, as its field would give it to the database."""
        return self.output_field.get_db_prep_value(values[self.name], connection)


class Prepared:
    """A queryset's SQL, built once per database, then run with each run's `Param` values.

    For a query run on every page view whose SQL takes longer to build than to
    run: the article page's took a millisecond of its eight. It runs as a raw
    query (`Manager.raw()`): a list of the model's instances, with the
    queryset's columns (others are deferred) and its annotations, converted
    as the ORM converts them. Rows of other models come as annotations:
    select_related and prefetch_related are refused.
    """

    def __init__(self, queryset):
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            raise TypeError("A prepared query gives model instances, or values_list() rows.")
        if queryset.query.select_related or queryset._prefetch_related_lookups:
            raise TypeError("A prepared query reads one model's rows: use annotations.")
        self.queryset = queryset
        self._sql = {}

    def _query(self, values):
        """(the connection, the SQL, this run's parameters)."""
        connection = connections[self.queryset.db]
        if connection.alias not in self._sql:
            # Built on a copy: building changes a query's state, and threads share this one.
            compiler = self.queryset.query.chain().get_compiler(connection=connection)
            self._sql[connection.alias] = compiler.as_sql()
        sql, params = self._sql[connection.alias]
        params = [p.db_value(values, connection) if isinstance(p, Param) else p for p in params]
        return connection, sql, params

    def rows(self, **values):
        """For a `values_list()` queryset (a union of them, too): its rows as tuples,
        as the database gives them (not converted: for text and numbers)."""
        if self.queryset._iterable_class is not ValuesListIterable:
            raise TypeError("rows() is for a values_list() query; run() gives instances.")
        connection, sql, params = self._query(values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def run(self, **values):
        if self.queryset._iterable_class is not ModelIterable:
            raise TypeError("run() gives model instances; rows() is for values_list().")
        connection, sql, params = self._query(values)
        manager = self.queryset.model._default_manager
        rows = list(manager.raw(sql, params, using=connection.alias))
        annotations = self.queryset.query.annotation_select.items()
        for row in rows:
            for name, expression in annotations:
                setattr(row, name, _converted(getattr(row, name), expression, connection))
        return rows


def loaded(model, db, values):
    """An instance of `model` from {attname: value}, as the ORM makes one from a row
    it has read (`Model.from_db`): its other fields deferred, not defaults. For
    rows a query brought as JSON objects or annotations."""
    # from_db() takes the values in the model's order of fields.
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def _converted(value, expression, connection):
    """A value read from the database as the ORM converts an annotation's
    (`SQLCompiler.get_converters`): the backend's converters, then the field's."""
    converters = connection.ops.get_db_converters(expression)
    for converter in converters + expression.get_db_converters(connection):
        value = converter(value, expression, connection)
    return value


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


# PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"


@contextmanager
def statement_time_limit(seconds):
    """Queries run inside are cancelled by PostgreSQL after `seconds` each, raising
    `TimedOut`; the transaction goes on as before. Elsewhere (SQLite) a no-op.

    The limit is `SET LOCAL` in a savepoint: a cancelled query rolls back to it,
    which undoes the limit too, and otherwise it is put back before the block
    ends, so the queries after it (the rest of a page) have none.
    """
    if connection.vendor != "postgresql":
        yield
        return
    milliseconds = f"{max(1, round(seconds * 1000))}ms"
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('statement_timeout'), "
                    "set_config('statement_timeout', %s, true)",
                    [milliseconds],
                )
                before = cursor.fetchone()[0]
            yield
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == QUERY_CANCELED:
            raise TimedOut from error
        raise


class TimedOut(Exception):
    """A query ran past `statement_time_limit()` and was cancelled."""


def can_hold(field, value):
    """Whether the column of `field` could hold `value` ("abc" or a number past
    64 bits cannot be an id): asked before the database is, which would raise."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True
