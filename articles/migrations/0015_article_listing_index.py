from django.db import migrations, models


class Migration(migrations.Migration):
    """The listings' index takes the id, after the publish time it was sorted by."""

    dependencies = [
        ("articles", "0014_admin_search_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="article", name="article_status_publish_idx"),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "-publish_at", "-id"], name="article_listing_idx"),
        ),
    ]
