"""Notices about relationships and delegated admin, sent after the change commits.

Every notice has a plain-text and an HTML part rendered from
templates/customers/email/<name>.txt / .html, with the subject in <name>_subject.txt.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from apps.accounts.email_locale import EmailLocale, locales_for
from apps.partners.models import Partner, PartnerMembership, Role

from .models import Customer, CustomerMembership


def partner_recipients(partner: Partner) -> list[str]:
    """Who hears about a partner's customers: its contact address and its Global admins."""
    emails = [partner.contact_email] if partner.contact_email else []
    emails += PartnerMembership.objects.filter(
        partner=partner, role=Role.GLOBAL_ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    return _unique(emails)


def customer_recipients(customer: Customer) -> list[str]:
    return _unique(
        CustomerMembership.objects.filter(customer=customer, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


def _unique(emails: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for email in emails:
        if email:
            seen.setdefault(email.lower(), None)
    return list(seen)


def send_notice_on_commit(*, name: str, recipients: list[str], context: dict) -> None:
    """Render now (inside the transaction, with the data as it is) and send after commit.

    Recipients who chose a language get it (one message per language and time zone);
    everyone else gets the language of the person acting.
    """
    if not recipients:
        return
    full_context = {
        "SITE_NAME": settings.SITE_NAME,
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        **context,
    }
    groups: dict[EmailLocale, list[str]] = {}
    for email, locale in locales_for(recipients).items():
        groups.setdefault(locale, []).append(email)
    messages = []
    for locale, to in groups.items():
        with locale.active():
            subject = " ".join(
                render_to_string(f"customers/email/{name}_subject.txt", full_context).split()
            )
            message = EmailMultiAlternatives(
                subject=subject,
                body=render_to_string(f"customers/email/{name}.txt", full_context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=to,
            )
            message.attach_alternative(
                render_to_string(f"customers/email/{name}.html", full_context), "text/html"
            )
        messages.append(message)

    def send():
        for message in messages:
            message.send()

    transaction.on_commit(send)


def notify_grant(*, grant, kind: str, previous=None, successor=None) -> None:
    """Tell the partner holding `grant`: received, moved_away, updated or removed."""
    send_notice_on_commit(
        name=f"grant_{kind}",
        recipients=partner_recipients(grant.partner),
        context={
            "grant": grant,
            "customer": grant.customer,
            "service": grant.service,
            "partner": grant.partner,
            "previous": previous,
            "successor": successor,
        },
    )
