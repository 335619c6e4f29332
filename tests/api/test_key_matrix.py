"""The authorization matrix of the API, by key: each route as each kind of key gets what the
same person would get on the pages (outsiders 404 for another organization's objects, a role
without the permission 403, staff keys read everything and write nothing)."""

import pytest

from apps.api.services import staff_api_key_create
from apps.customers.models import ResellerRelationship
from apps.partners.permissions import Role
from tests.invitations.builders import make_invitation

from .conftest import KeyClient, make_key

KEYS = (
    "provider_admin",
    "provider_agent",
    "provider_sales",
    "provider_helpdesk",
    "reseller_admin",
    "outsider",
    "staff",
)


def _clients(cast) -> dict[str, KeyClient]:
    specs = {
        "provider_admin": (cast.provider, cast.provider_admin, Role.GLOBAL_ADMIN),
        "provider_agent": (cast.provider, cast.provider_admin, Role.ADMIN_AGENT),
        "provider_sales": (cast.provider, cast.provider_admin, Role.SALES_AGENT),
        "provider_helpdesk": (cast.provider, cast.provider_admin, Role.HELPDESK_AGENT),
        "reseller_admin": (cast.reseller, cast.reseller_admin, Role.GLOBAL_ADMIN),
        "outsider": (cast.other_provider, cast.outsider, Role.GLOBAL_ADMIN),
    }
    clients = {name: KeyClient(make_key(*spec)[1]) for name, spec in specs.items()}
    clients["staff"] = KeyClient(staff_api_key_create(name="ops", by=cast.staff)[1])
    return clients


def _all(status, **overrides):
    return {**dict.fromkeys(KEYS, status), **overrides}


INVITATION_READERS = _all(200, provider_helpdesk=403, outsider=404)

MATRIX = [
    ("get", "/api/v1/me/", _all(200)),
    ("get", "/api/v1/invitations/", _all(200, provider_helpdesk=403)),
    ("get", "/api/v1/invitations/{invitation}/", INVITATION_READERS),
    ("get", "/api/v1/invitations/{invitation}/deliveries/", INVITATION_READERS),
    ("get", "/api/v1/customers/", _all(200)),
    ("get", "/api/v1/customers/{customer}/", _all(200, outsider=404)),
    ("get", "/api/v1/relationships/", _all(200)),
    ("get", "/api/v1/grants/", _all(200)),
    ("get", "/api/v1/partnerships/", _all(200)),
    (
        "get",
        "/api/v1/audit-events/",
        _all(200, provider_sales=403, provider_helpdesk=403),
    ),
    (
        "post",
        "/api/v1/invitations/",
        _all(201, provider_helpdesk=403, reseller_admin=403, staff=403),
    ),
    (
        "post",
        "/api/v1/invitations/{invitation}/revoke/",
        _all(403, provider_admin=200, provider_agent=200, outsider=404),
    ),
    (
        "post",
        "/api/v1/invitations/{invitation}/deliveries/",
        _all(201, provider_helpdesk=403, outsider=404, staff=403),
    ),
]


@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=lambda v: str(v)[:40])
def test_key_matrix(cast, method, path, expected):
    ResellerRelationship.objects.create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    clients = _clients(cast)
    got = {}
    for name in KEYS:
        invitation = make_invitation(cast.provider, cast.reseller)
        url = path.format(invitation=invitation.public_id, customer=cast.customer.public_id)
        body = {"emails": ["it@northwind.test"]} if url.endswith("deliveries/") else {}
        response = getattr(clients[name], method)(url, body, format="json")
        got[name] = response.status_code
    assert got == expected
