import pytest

from apps.customers.services import relationship_get_or_create
from tests import factories


@pytest.fixture
def tailspin(cast):
    """A second reseller of Contoso (active partnership)."""
    reseller = factories.make_reseller(
        "Tailspin Cloud Services", contact_email="hello@tailspin.test"
    )
    factories.make_partnership(cast.provider, reseller)
    factories.make_member(reseller, email="admin@tailspin.test")
    return reseller


@pytest.fixture
def relationship(cast):
    """Northwind's relationship owned by Contoso, with Fabrikam attached."""
    rel, _ = relationship_get_or_create(
        customer=cast.customer,
        provider=cast.provider,
        reseller=cast.reseller,
        by=cast.customer_admin,
    )
    return rel
