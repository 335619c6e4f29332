"""The invitation email: plain text and HTML, in the delivery's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from apps.accounts.email_locale import EmailLocale, locale_for

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


def build_invitation_email(delivery: Delivery) -> EmailMultiAlternatives:
    """The message for one delivery, rendered in delivery.language (or the site default),
    with dates in the recipient's time zone when they are a user who chose one."""
    invitation = delivery.invitation
    language = delivery.language or settings.LANGUAGE_CODE
    recipient = EmailLocale(language=language, time_zone=locale_for(delivery.email).time_zone)
    with recipient.active():
        sender_name = delivery.sent_by.get_full_name() if delivery.sent_by_id else ""
        body_message = delivery.message or default_message(
            invitation=invitation, sender_partner=delivery.sent_by_partner, sender_name=sender_name
        )
        context = {
            "body_message": body_message,
            "invitation": invitation,
            "delivery": delivery,
            "services": list(invitation.services.all()),
            "link": delivery_url(delivery),
            "sender_partner": delivery.sent_by_partner,
            "site_name": settings.SITE_NAME,
            "LANGUAGE_CODE": language,
        }
        subject = _("%(partner)s invites you to a CSP partner relationship") % {
            "partner": invitation.provider.name
        }
        text = render_to_string("invitations/email/invitation.txt", context)
        html = render_to_string("invitations/email/invitation.html", context)
    reply_to = [delivery.sent_by.email] if delivery.sent_by_id and delivery.sent_by.email else []
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
        reply_to=reply_to,
    )
    message.attach_alternative(html, "text/html")
    return message
