from django.apps import AppConfig


class HealthsiteConfig(AppConfig):
    name = "healthsite"
