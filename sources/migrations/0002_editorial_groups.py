"""Give the editorial groups (articles 0004) their permissions on sources.

Editors add, change and cite sources; medical reviewers may also delete them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "add_source", "change_source", "view_source",
    "add_articlesource", "change_articlesource", "delete_articlesource", "view_articlesource",
    "add_causesource", "change_causesource", "delete_causesource", "view_causesource",
]  # fmt: skip
GROUPS = {"Editor": EDITOR, "Medical reviewer": [*EDITOR, "delete_source"]}


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make
    # sure this app's exist now, on a fresh database too.
    app_config = apps.get_app_config("sources")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="sources", codename__in=codenames
        )
        assert permissions.count() == len(codenames), codenames
        group.permissions.add(*permissions)


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="sources")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0001_initial"),
        ("articles", "0004_editorial_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
