"""Customer pages (Partner relationships, delegated admin) and partner customer pages."""

from datetime import timedelta

from django.utils import timezone

from apps.customers.models import (
    CustomerMembership,
    CustomerTeamInvitation,
    DelegatedAdminGrant,
    ResellerRelationship,
)
from apps.customers.services import customer_access_refresh
from tests import factories

from . import LOGIN, Route, expect


def _relationship(cast) -> ResellerRelationship:
    """Contoso owns a relationship with Northwind, Fabrikam attached."""
    relationship, _ = ResellerRelationship.objects.get_or_create(
        customer=cast.customer,
        provider=cast.provider,
        reseller=cast.reseller,
        state=ResellerRelationship.State.ACTIVE,
    )
    # made without the services: bring the customer-visibility link up to date ourselves
    customer_access_refresh(customer_ids=[cast.customer.pk])
    return relationship


def _grant(cast) -> DelegatedAdminGrant:
    relationship = _relationship(cast)
    service = factories.ensure_service_catalog()["office365"]
    grant, _ = DelegatedAdminGrant.objects.get_or_create(
        customer=cast.customer,
        service=service,
        revoked_at=None,
        defaults={"partner": cast.reseller, "relationship": relationship, "provisioning": True},
    )
    customer_access_refresh(customer_ids=[cast.customer.pk])
    return grant


def _customer(cast):
    return {"customer_id": cast.customer.public_id}


def _provider_customer(cast):
    _relationship(cast)
    return {"partner_id": cast.provider.public_id, "customer_id": cast.customer.public_id}


def _reseller_customer(cast):
    _relationship(cast)
    return {"partner_id": cast.reseller.public_id, "customer_id": cast.customer.public_id}


def _provider_relationship(cast):
    rel = _relationship(cast)
    return {**_provider_customer(cast), "relationship_id": rel.pk}


def _reseller_relationship(cast):
    rel = _relationship(cast)
    return {**_reseller_customer(cast), "relationship_id": rel.pk}


def _team_invitation(cast):
    invitation, _ = CustomerTeamInvitation.objects.get_or_create(
        customer=cast.customer,
        email="colleague@contoso.test",
        defaults={
            "role": "reader",
            "token_hash": "0" * 64,
            "expires_at": timezone.now() + timedelta(days=7),
        },
    )
    return {**_customer(cast), "invitation_id": invitation.pk}


def _membership(cast):
    membership = CustomerMembership.objects.get(customer=cast.customer, user=cast.customer_admin)
    return {**_customer(cast), "membership_id": membership.pk}


CUSTOMER_ONLY = expect(404, anonymous=LOGIN, customer_admin=200)
PROVIDER_STAFF = {
    "provider_admin": 200,
    "provider_agent": 200,
    "provider_sales": 200,
    "provider_helpdesk": 200,
}

ROWS = [
    # tenant verification and the customer's team (Readers: tests/customers/test_team_views.py)
    Route("customers:verify", expect(404, anonymous=LOGIN, customer_admin=302), kwargs=_customer),
    Route("customers:team", CUSTOMER_ONLY, kwargs=_customer),
    Route("customers:team_invite", CUSTOMER_ONLY, kwargs=_customer),
    Route(
        "customers:team_invitation_revoke",
        expect(404, anonymous=LOGIN, customer_admin=405),
        kwargs=_team_invitation,
    ),
    Route("customers:member_remove", CUSTOMER_ONLY, kwargs=_membership),
    # customer-team links: public; without a link in the session the page says it is not valid
    Route("customers:team_join", expect(404)),
    Route("customers:team_link", expect(404), kwargs=lambda cast: {"token": "x" * 43}),
    Route("customers:relationships", CUSTOMER_ONLY, kwargs=_customer),
    Route("customers:grant_set", CUSTOMER_ONLY, kwargs=_customer),
    Route(
        "customers:grant_remove",
        CUSTOMER_ONLY,
        kwargs=lambda cast: {**_customer(cast), "grant_id": _grant(cast).pk},
    ),
    Route(
        "customers:partner_customers",
        expect(404, anonymous=LOGIN, **PROVIDER_STAFF),
        kwargs=lambda cast: {"partner_id": cast.provider.public_id},
    ),
    Route(
        "customers:partner_customers",
        expect(404, anonymous=LOGIN, reseller_admin=200),
        kwargs=lambda cast: {"partner_id": cast.reseller.public_id},
    ),
    Route(
        "customers:partner_customers_export",
        expect(404, anonymous=LOGIN, **PROVIDER_STAFF),
        kwargs=lambda cast: {"partner_id": cast.provider.public_id},
    ),
    Route(
        "customers:partner_customers_export",
        expect(404, anonymous=LOGIN, reseller_admin=200),
        kwargs=lambda cast: {"partner_id": cast.reseller.public_id},
    ),
    Route(
        "customers:partner_customer",
        expect(404, anonymous=LOGIN, **PROVIDER_STAFF),
        kwargs=_provider_customer,
    ),
    Route(
        "customers:partner_customer",
        expect(404, anonymous=LOGIN, reseller_admin=200),
        kwargs=_reseller_customer,
    ),
    # Ending a relationship: the provider's Global admins and Admin agents only.
    Route(
        "customers:relationship_end",
        expect(
            404,
            anonymous=LOGIN,
            provider_admin=200,
            provider_agent=200,
            provider_sales=403,
            provider_helpdesk=403,
        ),
        kwargs=_provider_relationship,
    ),
    Route(
        "customers:relationship_end",
        expect(
            404,
            anonymous=LOGIN,
            provider_admin=302,
            provider_agent=302,
            provider_sales=403,
            provider_helpdesk=403,
        ),
        kwargs=_provider_relationship,
        method="post",
        data=lambda cast: {"reason": "Contract ended", "confirm": "yes"},
    ),
    # A reseller never ends a relationship, even one it is attached to.
    Route(
        "customers:relationship_end",
        expect(404, anonymous=LOGIN, reseller_admin=403),
        kwargs=_reseller_relationship,
    ),
]
