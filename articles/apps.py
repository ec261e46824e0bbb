from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from . import changes, links, search, tag_index, topics  # noqa: F401 (links, search, topics listen)

        changes.connect()
        tag_index.connect()
