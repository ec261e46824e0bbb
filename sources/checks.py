"""System checks: a malformed setting stops `manage.py check` (and a deploy),
not an editor's link check later."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def check_allowed_networks(app_configs, **kwargs):
    from .checker import allowed_networks

    try:
        allowed_networks()
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                str(error),
                hint="Comma-separated networks in DJANGO_SOURCE_CHECK_ALLOWED_NETWORKS, "
                "e.g. 10.0.0.5/32.",
                id="sources.E001",
            )
        ]
    return []
