from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log's write side: a leaf every app may call (`audit_record`)."""

    name = "apps.audit"
    label = "audit"
    verbose_name = _("Audit")
