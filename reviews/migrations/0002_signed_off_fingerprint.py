from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    """Each state gets its article's latest sign-off fingerprint (SignOff's own ordering)."""
    ArticleReviewState = apps.get_model("reviews", "ArticleReviewState")
    SignOff = apps.get_model("reviews", "SignOff")
    latest = (
        SignOff.objects.filter(article=OuterRef("article"))
        .order_by("-signed_at", "-pk")
        .values("fingerprint")[:1]
    )
    ArticleReviewState.objects.update(
        signed_off_fingerprint=Coalesce(Subquery(latest), Value(""))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="articlereviewstate",
            name="signed_off_fingerprint",
            field=models.CharField(
                default="", help_text="The fingerprint of the latest sign-off.", max_length=64
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
