from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from . import changes, search, tag_index, topics  # noqa: F401 (search and topics listen)

        changes.connect()
        tag_index.connect()
