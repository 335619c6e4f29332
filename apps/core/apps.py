from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared plumbing every portal app uses. Imports no other portal app."""

    name = "apps.core"
    label = "core"
    verbose_name = _("Core")
