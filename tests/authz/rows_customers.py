"""Customer pages (Partner relationships, delegated admin) and partner customer pages."""

from apps.customers.models import DelegatedAdminGrant, ResellerRelationship
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


CUSTOMER_ONLY = expect(404, anonymous=LOGIN, customer_admin=200)
PROVIDER_STAFF = {
    "provider_admin": 200,
    "provider_agent": 200,
    "provider_sales": 200,
    "provider_helpdesk": 200,
}

ROWS = [
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
        data=lambda cast: {"reason": "Contract ended"},
    ),
    # A reseller never ends a relationship, even one it is attached to.
    Route(
        "customers:relationship_end",
        expect(404, anonymous=LOGIN, reseller_admin=403),
        kwargs=_reseller_relationship,
    ),
]
