from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from apps.customers.models import DelegatedAdminGrant, Subscription
from apps.customers.services import relationship_get_or_create
from apps.invitations.models import Invitation
from tests.invitations.builders import make_invitation

from .catalogs import compile_catalogs

# 20:30 UTC on 31 March 2026: already 1 April in Shanghai (04:30), still 31 March in Rome
# (22:30, summer time) – so a page shows which time zone it used.
WHEN = datetime(2026, 3, 31, 20, 30, tzinfo=UTC)
# the same moment five years on, for the invitation's expiry (it must still be usable)
LATER = datetime(2031, 3, 31, 20, 30, tzinfo=UTC)
SEATS = 2500


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Pages in Italian and Chinese need the compiled catalogs (make install builds them)."""
    compile_catalogs()


@dataclass
class World:
    cast: object
    relationship: object
    subscription: Subscription
    invitation: Invitation


@pytest.fixture
def world(cast, services) -> World:
    """Northwind works with Contoso through Fabrikam: Fabrikam holds delegated admin for
    Office 365, Contoso bills 2,500 seats of it, and Contoso issued one invitation."""
    relationship, _ = relationship_get_or_create(
        customer=cast.customer,
        provider=cast.provider,
        reseller=cast.reseller,
        by=cast.customer_admin,
    )
    relationship.started_at = WHEN
    relationship.save(update_fields=["started_at"])
    DelegatedAdminGrant.objects.create(
        customer=cast.customer,
        service=services["office365"],
        partner=cast.reseller,
        relationship=relationship,
        provisioning=True,
        support=True,
        granted_at=WHEN,
    )
    subscription = Subscription.objects.create(
        customer=cast.customer,
        service=services["office365"],
        external_id="SUB-I18N-1",
        seats=SEATS,
        purchase_channel=Subscription.Channel.CSP,
        partner_of_record=cast.provider,
    )
    invitation = make_invitation(
        cast.provider,
        reseller=cast.reseller,
        requests_dap=True,
        dap_provisioning=True,
        services=[services["office365"]],
        expires_at=LATER,
    )
    return World(
        cast=cast, relationship=relationship, subscription=subscription, invitation=invitation
    )
