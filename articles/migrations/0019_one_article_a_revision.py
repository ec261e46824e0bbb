"""Split each revision that holds several articles into one revision an article.

The article list's actions saved every article they changed in one revision,
and restoring one article's version from it restored all of them: what
editors had changed in the others since was undone. Revisions saved since are
split as they are saved (`articles.revision_parts`); this splits those saved
before. Each part keeps the revision's time, user and comment.
"""

from django.db import migrations
from django.db.models import Count


def split_shared_revisions(apps, schema_editor):
    from articles.revision_parts import ARTICLE, split, versions_by_article

    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("reversion", "Revision")
    Version = apps.get_model("reversion", "Version")
    kinds = {
        pk: (app_label, model)
        for pk, app_label, model in ContentType.objects.using(db).values_list(
            "pk", "app_label", "model"
        )
    }
    articles = [pk for pk, kind in kinds.items() if kind == ARTICLE]
    shared = (
        Version.objects.using(db)
        .filter(content_type__in=articles)
        .values("revision_id")
        .annotate(articles=Count("pk"))
        .filter(articles__gt=1)
        .values_list("revision_id", flat=True)
    )
    for revision_id in sorted(shared):  # read first: splitting writes the tables read
        revision = Revision.objects.using(db).get(pk=revision_id)
        versions = list(Version.objects.using(db).filter(revision=revision).order_by("pk"))
        parts = versions_by_article(versions, lambda version: kinds.get(version.content_type_id))
        split(revision, parts, Revision.objects.using(db), Version.objects.using(db))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_admin_list_sort_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.RunPython(split_shared_revisions, migrations.RunPython.noop, elidable=True),
    ]
