from django.db import migrations, models


class Migration(migrations.Migration):
    """The listings' index takes the id, after the publish time it was sorted by.

    The new index is built before the old one is dropped: on PostgreSQL, dropping
    an index locks its table against reads until the transaction ends, and the
    build should not happen inside that lock.
    """

    dependencies = [
        ("articles", "0014_admin_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "-publish_at", "-id"], name="article_listing_idx"),
        ),
        migrations.RemoveIndex(model_name="article", name="article_status_publish_idx"),
    ]
