from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "apps.invitations"
    label = "invitations"
    verbose_name = _("Invitations")

    def ready(self):
        from apps.partners.home import register_home_section

        from . import signals
        from .selectors import home_section

        register_home_section(home_section)

        # Invitation emails go through the outbox; their outcome is recorded on the Delivery.
        signals.connect()
