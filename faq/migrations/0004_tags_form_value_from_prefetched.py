"""No change to the database: the tags field's class, whose form value uses tags
already prefetched (healthsite/taggable.py)."""

import healthsite.taggable
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('faq', '0003_admin_search_indexes'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.AlterField(
            model_name='faqentry',
            name='tags',
            field=healthsite.taggable.TaggableManager(blank=True, help_text='A comma-separated list of tags.', through='faq.TaggedFAQEntry', to='taggit.Tag', verbose_name='Tags'),
        ),
    ]
