"""Notices about relationships and delegated admin: who hears about what.

Each notice is templates/customers/email/<name>_subject.txt / .txt / .html, rendered and sent
by apps.core.emails (in each recipient's language, after the change commits).
"""

from apps.core.emails import send_email, unique_addresses
from apps.partners.models import Partner, PartnerMembership, Role

from .models import Customer, CustomerMembership


def partner_recipients(partner: Partner) -> list[str]:
    """Who hears about a partner's customers: its contact address and its Global admins."""
    emails = [partner.contact_email] if partner.contact_email else []
    emails += PartnerMembership.objects.filter(
        partner=partner, role=Role.GLOBAL_ADMIN, user__is_active=True
    ).values_list("user__email", flat=True)
    return unique_addresses(emails)


def customer_recipients(customer: Customer) -> list[str]:
    return unique_addresses(
        CustomerMembership.objects.filter(customer=customer, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


def send_notice_on_commit(*, name: str, recipients: list[str], context: dict) -> None:
    """The notice `name` to `recipients`, rendered now and sent after commit."""
    send_email(template=f"customers/email/{name}", to=recipients, context=context)


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
