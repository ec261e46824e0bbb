"""The two editorial roles, as groups with their permissions.

Editors write and edit articles, causes and questions and submit them for
review; medical reviewers may also publish, schedule, unpublish, archive and
delete, and record medical reviews. Add staff users to a group in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = {
    "articles": [
        "add_article", "change_article", "view_article",
        "add_cause", "change_cause", "view_cause",
        "add_articlecause", "change_articlecause", "delete_articlecause", "view_articlecause",
        "add_relatedlink", "change_relatedlink", "delete_relatedlink", "view_relatedlink",
    ],
    "faq": ["add_faqentry", "change_faqentry", "delete_faqentry", "view_faqentry"],
    "taggit": ["view_tag"],
}  # fmt: skip
MEDICAL_REVIEWER = {
    "articles": [
        *EDITOR["articles"],
        "delete_article", "delete_cause", "publish_article", "review_article",
        "view_slugredirect", "delete_slugredirect",
    ],
    "faq": EDITOR["faq"],
    "taggit": ["view_tag", "add_tag", "change_tag", "delete_tag"],
    # To choose authors and reviewers (the admin's autocomplete needs it).
    "auth": ["view_user"],
}  # fmt: skip
GROUPS = {"Editor": EDITOR, "Medical reviewer": MEDICAL_REVIEWER}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make
    # sure they exist now, on a fresh database too.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, by_app in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in by_app.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            assert permissions.count() == len(set(codenames)), (app_label, codenames)
            group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_workflow"),
        ("faq", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
