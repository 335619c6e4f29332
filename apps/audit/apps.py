from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        from .auditors import grant_view_permissions_after_migrate

        # Every app's models, including ones added later, stay readable by the Auditors group.
        post_migrate.connect(
            grant_view_permissions_after_migrate, dispatch_uid="audit_grant_auditor_permissions"
        )
