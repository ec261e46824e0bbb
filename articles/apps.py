from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from taggit.models import Tag

        from . import changes, links, search, tag_index, topics  # noqa: F401 (links, search listen)

        changes.connect()
        tag_index.connect()
        Tag.slugify = topics.slugify_tag
        Tag.save = topics.save_tag
