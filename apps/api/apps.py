from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"
    verbose_name = _("Automation API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Webhooks react to the audit event stream (apps/audit/signals.py)
        from . import webhooks  # noqa: F401
