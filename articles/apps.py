from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from reversion.signals import post_revision_commit
        from taggit.models import Tag

        from . import changes, links, search, tag_index, topics  # noqa: F401 (links, search listen)
        from .revision_parts import split_by_owner

        changes.connect()
        tag_index.connect()
        post_revision_commit.connect(split_by_owner, dispatch_uid="one-owner-a-revision")
        Tag.slugify = topics.slugify_tag
        Tag.save = topics.save_tag
