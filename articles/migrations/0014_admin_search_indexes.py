"""Trigram indexes for the admin's article search (PostgreSQL only).

Django's `icontains` is `UPPER(column) LIKE UPPER(%s)` on PostgreSQL, so the
indexes are on `UPPER(column)`: each field of `ArticleAdmin.search_fields` is
then one index lookup, not a read of every article.
"""

from django.db import migrations

FIELDS = ["title", "subtitle", "slug"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for field in FIELDS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS article_{field}_upper_trgm"
                f" ON articles_article USING gin (UPPER({field}) gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for field in FIELDS:
            schema_editor.execute(f"DROP INDEX IF EXISTS article_{field}_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_review_due_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
