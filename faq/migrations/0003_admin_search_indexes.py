"""Trigram indexes for the admin's search of questions (PostgreSQL only).

Django's `icontains` is `UPPER(column) LIKE UPPER(%s)` on PostgreSQL, so the
indexes are on `UPPER(column)`, as for articles (articles/0014): a word in
`FAQEntryAdmin.search_fields` is then looked up in them, not in every row.
At 1,000,000 questions they take 70 MB (question) and 160 MB (answer).
"""

from django.db import migrations

FIELDS = ["question", "answer"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for field in FIELDS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS faq_{field}_upper_trgm"
                f" ON faq_faqentry USING gin (UPPER({field}) gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for field in FIELDS:
            schema_editor.execute(f"DROP INDEX IF EXISTS faq_{field}_upper_trgm")


class Migration(migrations.Migration):
    # articles/0005 made the pg_trgm extension.
    dependencies = [("faq", "0002_tagged_entry_names"), ("articles", "0005_search_vector")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
