from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "apps.invitations"
    label = "invitations"
    verbose_name = _("Invitations")

    def ready(self):
        from . import signals

        # Invitation emails go through the outbox; their outcome is recorded on the Delivery.
        signals.connect()
