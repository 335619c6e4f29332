import pytest

from apps.customers.services import grant_set, relationship_get_or_create


@pytest.fixture
def relationship(cast):
    """Northwind works with Contoso (provider) through Fabrikam (reseller)."""
    rel, _ = relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    return rel


@pytest.fixture
def give(cast, services, relationship):
    def give(partner=None, code="office365", **kwargs):
        kwargs.setdefault("provisioning", True)
        kwargs.setdefault("support", False)
        return grant_set(
            customer=cast.customer,
            service=services[code],
            partner=partner or cast.reseller,
            by=cast.customer_admin,
            acting_customer=cast.customer,
            **kwargs,
        )

    return give
