from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_article_total"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["status", "next_review_due", "id"], name="article_review_due_idx"
            ),
        ),
    ]
