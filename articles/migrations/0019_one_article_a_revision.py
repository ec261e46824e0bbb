"""Split each revision that holds several articles or causes into one revision
for each, with its rows.

The article list's actions saved every article they changed in one revision,
and the importer saved the causes it made in the article's; restoring one
article's version restored all of them, undoing what editors had changed in
the others since. Revisions saved since are split as they are saved
(`articles.revision_parts`); this splits those saved before. Each part keeps
the revision's time, user and comment.
"""

from django.db import migrations
from django.db.models import Count


def split_shared_revisions(apps, schema_editor):
    from articles.revision_parts import OWNERS, split, versions_by_owner

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
    owners = [pk for pk, kind in kinds.items() if kind in OWNERS]
    shared = (
        Version.objects.using(db)
        .filter(content_type__in=owners)
        .values("revision_id")
        .annotate(owners=Count("pk"))
        .filter(owners__gt=1)
        .values_list("revision_id", flat=True)
    )
    for revision_id in sorted(shared):  # read first: splitting writes the tables read
        revision = Revision.objects.using(db).get(pk=revision_id)
        versions = list(Version.objects.using(db).filter(revision=revision).order_by("pk"))
        parts = versions_by_owner(versions, lambda version: kinds.get(version.content_type_id))
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
