from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from . import changes, search, topics  # noqa: F401 (search and topics listen)

        changes.connect()
