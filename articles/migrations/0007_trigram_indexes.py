"""Trigram indexes for the near-duplicate content check (PostgreSQL only)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS articlecause_explanation_trgm"
            " ON articles_articlecause USING gin (explanation gin_trgm_ops)"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS faqentry_answer_trgm"
            " ON faq_faqentry USING gin (answer gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS articlecause_explanation_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS faqentry_answer_trgm")


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_urgency_advice"), ("faq", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
