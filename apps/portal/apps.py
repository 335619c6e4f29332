from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The composition layer on top of every other app: the operator admin site and its
    cross-app links, the organizations' activity pages, the Auditors group and the demo data.
    It may import any app; no app imports it."""

    name = "apps.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from .auditors import grant_view_permissions_after_migrate

        # Every app's models, including ones added later, stay readable by the Auditors group.
        post_migrate.connect(
            grant_view_permissions_after_migrate, dispatch_uid="portal_grant_auditor_permissions"
        )
