"""The invitation email: what a delivery says and to whom (apps.core.emails sends it)."""

from functools import partial

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.functional import lazy

from apps.core.emails import send_email

from .models import Delivery, Invitation
from .tokens import delivery_url


def default_message(*, invitation: Invitation, sender_partner, sender_name: str = "") -> str:
    """The ready email text a sender starts from (in the active language). The link is not
    part of it: the portal adds the link below the message, unchanged."""
    context = {
        "invitation": invitation,
        "service_names": ", ".join(s.name for s in invitation.services.all()),
        "sender_partner": sender_partner,
        "sender_name": sender_name,
    }
    return render_to_string("invitations/email/default_message.txt", context).strip()


def send_delivery_email(
    delivery: Delivery, *, purpose: str = "", ref: str = "", replace_queued: bool = False
) -> None:
    """The message for one delivery, written now in delivery.language (dates in the
    recipient's time zone when they are a user who chose one), into the outbox."""
    invitation = delivery.invitation
    language = delivery.language or settings.LANGUAGE_CODE
    sender = delivery.sent_by if delivery.sent_by_id else None
    sender_name = sender.get_full_name() if sender else ""
    # Lazy: the default text is written when the email is rendered, in the email's language.
    body_message = (
        delivery.message
        or lazy(
            partial(
                default_message,
                invitation=invitation,
                sender_partner=delivery.sent_by_partner,
                sender_name=sender_name,
            ),
            str,
        )()
    )
    send_email(
        template="invitations/email/invitation",
        to=delivery.email,
        context={
            "body_message": body_message,
            "delivery": delivery,
            "invitation": invitation,
            "services": list(invitation.services.all()),
            "link": delivery_url(delivery),
            "sender_partner": delivery.sent_by_partner,
            "site_name": settings.SITE_NAME,
            "LANGUAGE_CODE": language,
        },
        force_language=language,
        reply_to=[sender.email] if sender and sender.email else [],
        purpose=purpose,
        ref=ref,
        replace_queued=replace_queued,
    )
