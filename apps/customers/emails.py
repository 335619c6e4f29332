"""Notices about relationships and delegated admin: who hears about what.

Every notice goes through apps.notifications.services.notify (its kind is in
apps/notifications/registry.py): partner users get an in-portal notification and the email,
a partner's contact address the email only, each in its recipient's language, after the
change commits. Callers run inside the transaction of the change.
"""

from django.urls import reverse

from apps.notifications.services import Audience, notify
from apps.partners.models import Partner
from apps.partners.selectors import partner_audience

from .models import Customer, CustomerMembership, DelegatedAdminGrant, ResellerRelationship


def customer_audience(customer: Customer) -> Audience:
    """The customer's active admins."""
    memberships = (
        CustomerMembership.objects.filter(customer=customer, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    return Audience(users=[m.user for m in memberships])


def partner_customer_url(partner: Partner, customer: Customer) -> str:
    return reverse(
        "customers:partner_customer",
        kwargs={"partner_id": partner.public_id, "customer_id": customer.public_id},
    )


def customer_relationships_url(customer: Customer) -> str:
    return reverse("customers:relationships", kwargs={"customer_id": customer.public_id})


def notify_partner(*, kind: str, partner: Partner, context: dict, url: str = "", by=None) -> None:
    """The notice `kind` to `partner`'s Global admins and contact address."""
    audience = partner_audience(partner)
    notify(kind=kind, users=audience.users, emails=audience.emails, context=context, url=url, by=by)


def owning_provider(grant: DelegatedAdminGrant) -> Partner | None:
    """The provider owning the relationship through which the reseller holding `grant` works;
    None when a provider holds it itself."""
    if not grant.partner.is_reseller or grant.relationship_id is None:
        return None
    return grant.relationship.provider


def notify_grant(*, grant, kind: str, previous=None, successor=None, by=None) -> None:
    """Tell the partner holding `grant`: received, moved_away, updated or removed; and, when
    it is a reseller, the provider owning the relationship it works through (the
    `reseller_grant.*` kinds, with the customer's reason on removal)."""
    context = {
        "grant": grant,
        "customer": grant.customer,
        "service": grant.service,
        "partner": grant.partner,
        "previous": previous,
        "successor": successor,
        "change": kind,
    }
    notify_partner(
        kind=f"grant.{kind}",
        partner=grant.partner,
        context=context,
        url=partner_customer_url(grant.partner, grant.customer),
        by=by,
    )
    provider = owning_provider(grant)
    if provider is not None:
        notify_partner(
            kind=f"reseller_grant.{kind}",
            partner=provider,
            context={**context, "provider": provider},
            url=partner_customer_url(provider, grant.customer),
            by=by,
        )


def notify_grant_removed_to_customer(*, grant: DelegatedAdminGrant, by=None) -> None:
    """Tell the customer's admins that a partner lost delegated admin (removed by the operator
    or a partner, not by the customer itself)."""
    audience = customer_audience(grant.customer)
    notify(
        kind="customer_grant.removed",
        users=audience.users,
        context={
            "grant": grant,
            "customer": grant.customer,
            "service": grant.service,
            "partner": grant.partner,
        },
        url=customer_relationships_url(grant.customer),
        by=by,
    )


def notify_relationship_ended(
    *, relationship: ResellerRelationship, revoked: list, reason: str, by=None
) -> None:
    """Tell the provider, the attached reseller, every partner whose delegated admin ended,
    and the customer's admins."""
    context = {"relationship": relationship, "revoked": revoked, "reason": reason}
    concerned = {relationship.provider.pk: relationship.provider}
    if relationship.reseller is not None:
        concerned[relationship.reseller.pk] = relationship.reseller
    for grant in revoked:
        concerned.setdefault(grant.partner.pk, grant.partner)
    for partner in concerned.values():
        notify_partner(
            kind="relationship.ended",
            partner=partner,
            context={**context, "audience": partner.name},
            url=partner_customer_url(partner, relationship.customer),
            by=by,
        )
    audience = customer_audience(relationship.customer)
    notify(
        kind="relationship.ended",
        users=audience.users,
        context={**context, "audience": relationship.customer.name},
        url=customer_relationships_url(relationship.customer),
        by=by,
    )
