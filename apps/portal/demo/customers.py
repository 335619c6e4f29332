"""Demo data for customers: Northwind's subscriptions (one bought from the operator, one through
CSP with Contoso as partner of record), its relationship with Contoso through Fabrikam with
delegated admin for Office 365 and Azure, and Power BI delegated to Tailspin. Safe to run again.

The relationship comes from accepting the invitations demo's invitation when it exists (so the
acceptance is attributed to its delivery), otherwise straight from the services.
"""

from apps.customers.models import DelegatedAdminGrant, ResellerRelationship, Service, Subscription
from apps.customers.services import grant_set, relationship_get_or_create, subscription_import
from apps.invitations.acceptance import invitation_accept
from apps.invitations.models import Invitation


def _subscriptions(*, partners, customer, stdout) -> None:
    rows = [
        {
            "customer": customer.tenant_domain,
            "service": "office365",
            "subscription_id": "NW-O365-0001",
            "offer": "Office 365 E3",
            "seats": "120",
            "purchase_channel": Subscription.Channel.OPERATOR_DIRECT,
            "start_date": "2024-04-01",
        },
        {
            "customer": customer.tenant_domain,
            "service": "azure",
            "subscription_id": "NW-AZ-0001",
            "offer": "Azure plan",
            "seats": "1",
            "purchase_channel": Subscription.Channel.CSP,
            "partner_of_record": partners["contoso"].public_id,
            "start_date": "2025-02-15",
        },
    ]
    existing = set(
        Subscription.objects.filter(
            external_id__in=[r["subscription_id"] for r in rows]
        ).values_list("external_id", flat=True)
    )
    rows = [r for r in rows if r["subscription_id"] not in existing]
    if rows:
        subscription_import(rows=rows)
    stdout.write(f"Customers: {len(rows)} Northwind subscription(s) imported.")


def _accept_demo_invitation(*, partners, customer, admin) -> bool:
    """Accept the invitations demo's invitation for Fabrikam, if it seeded one."""
    invitation = (
        Invitation.objects.filter(
            provider=partners["contoso"], reseller=partners["fabrikam"], requests_dap=True
        )
        .order_by("created_at")
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return False
    delivery = invitation.deliveries.filter(email__iexact=admin.email).first()
    invitation_accept(invitation=invitation, delivery=delivery, by=admin, customer=customer)
    return True


def seed(*, partners, customer, stdout) -> None:
    _subscriptions(partners=partners, customer=customer, stdout=stdout)
    contoso, fabrikam, tailspin = partners["contoso"], partners["fabrikam"], partners["tailspin"]
    membership = customer.memberships.select_related("user").order_by("pk").first()
    admin = membership.user if membership else None
    if ResellerRelationship.objects.active().filter(customer=customer, provider=contoso).exists():
        stdout.write("Customers: Northwind already works with Contoso.")
    elif admin is not None and _accept_demo_invitation(
        partners=partners, customer=customer, admin=admin
    ):
        stdout.write("Customers: Northwind accepted Contoso's invitation through Fabrikam.")
    else:
        relationship, _ = relationship_get_or_create(
            customer=customer, provider=contoso, reseller=fabrikam, by=admin
        )
        for code in ("office365", "azure"):
            grant_set(
                customer=customer,
                service=Service.objects.get(code=code),
                partner=fabrikam,
                provisioning=True,
                support=True,
                by=admin,
                relationship=relationship,
                acting_customer=customer,
            )
        stdout.write("Customers: Northwind works with Contoso through Fabrikam.")
    powerbi = Service.objects.filter(code="powerbi").first()
    if (
        powerbi is not None
        and not DelegatedAdminGrant.objects.active()
        .filter(customer=customer, service=powerbi)
        .exists()
    ):
        grant_set(
            customer=customer,
            service=powerbi,
            partner=tailspin,
            provisioning=False,
            support=True,
            by=admin,
            acting_customer=customer,
        )
        stdout.write("Customers: Power BI support delegated to Tailspin.")
