"""No change to the database: the tags fields' class, whose form field refuses a
tag name longer than a tag holds, and whose form value uses tags already
prefetched (healthsite/taggable.py), as the questions' already did."""

import healthsite.taggable
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0016_internal_links'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.AlterField(
            model_name='article',
            name='tags',
            field=healthsite.taggable.TaggableManager(blank=True, help_text='A comma-separated list of tags.', through='articles.TaggedArticle', to='taggit.Tag', verbose_name='Tags'),
        ),
        migrations.AlterField(
            model_name='cause',
            name='tags',
            field=healthsite.taggable.TaggableManager(blank=True, help_text='A comma-separated list of tags.', through='articles.TaggedCause', to='taggit.Tag', verbose_name='Tags'),
        ),
    ]
