from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "apps.invitations"
    label = "invitations"
    verbose_name = _("Invitations")

    def ready(self):
        from apps.accounts.signups import register_signup_purpose

        from . import signals
        from .views_accept import CUSTOMER_SIGNUP, complete_customer_signup

        register_signup_purpose(CUSTOMER_SIGNUP, complete_customer_signup)

        # Invitation emails go through the outbox; their outcome is recorded on the Delivery.
        signals.connect()
