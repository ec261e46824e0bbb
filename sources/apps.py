from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"

    def ready(self):
        from . import checks  # noqa: F401  (registers them)
