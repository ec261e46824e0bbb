from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Medical reviews"

    def ready(self):
        from . import receivers  # noqa: F401 (they connect signal receivers)
