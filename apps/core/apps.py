from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared plumbing every portal app uses. Imports no other portal app."""

    name = "apps.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # The outbox's admin lives in its own module (apps/core/admin.py is the shared admin
        # plumbing: mixins); registering it here keeps one place that wires it.
        # The idle-session clock starts at sign-in (a user_logged_in receiver in middleware.py).
        from . import admin_outbox, middleware  # noqa: F401
        from .converters import register

        # Path converters that check an id's shape before any view runs (before URLconfs load).
        register()
