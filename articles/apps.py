from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from . import search, topics  # noqa: F401 (they connect signal receivers)
