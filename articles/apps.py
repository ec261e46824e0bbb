from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from . import topics  # noqa: F401 (connects its signal receiver)
