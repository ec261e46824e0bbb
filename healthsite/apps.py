from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HealthsiteConfig(AppConfig):
    name = "healthsite"

    def ready(self):
        from reversion.models import Revision

        from .admin_revisions import revert_unless_left_out
        from .page_cache import connect_receivers

        connect_receivers()
        Revision.revert = revert_unless_left_out


class HealthsiteAdminConfig(admin_apps.AdminConfig):
    # Not this package's own config: INSTALLED_APPS names it in place of django.contrib.admin.
    default = False
    default_site = "healthsite.admin_site.HealthsiteAdminSite"
