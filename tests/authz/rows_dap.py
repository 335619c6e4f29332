"""Delegated admin with a lifetime: requests, end dates, giving up, ending soon."""

from datetime import timedelta

from django.utils import timezone

from apps.customers.models import DelegatedAdminRequest
from tests import factories

from . import LOGIN, Route, expect
from .rows_customers import (
    CUSTOMER_ONLY,
    PROVIDER_STAFF,
    _customer,
    _grant,
    _provider_customer,
    _relationship,
    _reseller_customer,
)

MANAGERS = {
    "provider_admin": 200,
    "provider_agent": 200,
    "provider_sales": 403,
    "provider_helpdesk": 403,
}


def _request(cast) -> DelegatedAdminRequest:
    _relationship(cast)
    request, created = DelegatedAdminRequest.objects.get_or_create(
        customer=cast.customer,
        partner=cast.provider,
        defaults={
            "origin": DelegatedAdminRequest.Origin.PARTNER,
            "provisioning": True,
            "duration_days": 30,
            "expires_at": timezone.now() + timedelta(days=30),
        },
    )
    if created:
        request.services.set([factories.ensure_service_catalog()["office365"]])
    return request


ROWS = [
    Route(
        "customers:grant_lifetime",
        CUSTOMER_ONLY,
        kwargs=lambda cast: {**_customer(cast), "grant_id": _grant(cast).pk},
    ),
    Route("customers:dap_requests", CUSTOMER_ONLY, kwargs=_customer),
    Route("customers:dap_request_create", CUSTOMER_ONLY, kwargs=_customer),
    Route(
        "customers:dap_request",
        CUSTOMER_ONLY,
        kwargs=lambda cast: {**_customer(cast), "request_id": _request(cast).public_id},
    ),
    # the link moves its token into the session, for anyone (the landing page decides)
    Route(
        "customers:dap_request_link",
        expect(302),
        kwargs=lambda cast: {"token": "r" + "A" * 22 + ".signature"},
    ),
    # no link in the session: the link-problem page (unknown link)
    Route("customers:dap_request_landing", expect(404, anonymous=LOGIN)),
    Route(
        "customers:partner_dap_request_create",
        expect(404, anonymous=LOGIN, **MANAGERS),
        kwargs=_provider_customer,
    ),
    Route(
        "customers:partner_dap_request_create",
        expect(404, anonymous=LOGIN, reseller_admin=200),
        kwargs=_reseller_customer,
    ),
    Route(
        "customers:grant_relinquish",
        expect(404, anonymous=LOGIN, reseller_admin=200),
        kwargs=lambda cast: {**_reseller_customer(cast), "grant_id": _grant(cast).pk},
    ),
    # a provider does not give up a grant its reseller holds
    Route(
        "customers:grant_relinquish",
        expect(404, anonymous=LOGIN, provider_sales=403, provider_helpdesk=403),
        kwargs=lambda cast: {**_provider_customer(cast), "grant_id": _grant(cast).pk},
    ),
    Route(
        "customers:partner_dap_requests",
        expect(404, anonymous=LOGIN, **PROVIDER_STAFF),
        kwargs=lambda cast: {"partner_id": cast.provider.public_id},
    ),
    Route(
        "customers:partner_dap_request",
        expect(404, anonymous=LOGIN, **MANAGERS),
        kwargs=lambda cast: {
            "partner_id": cast.provider.public_id,
            "request_id": _request(cast).public_id,
        },
    ),
    Route(
        "customers:grants_expiring",
        expect(404, anonymous=LOGIN, **PROVIDER_STAFF),
        kwargs=lambda cast: {"partner_id": cast.provider.public_id},
    ),
    Route(
        "customers:grants_expiring",
        expect(404, anonymous=LOGIN, reseller_admin=200),
        kwargs=lambda cast: {"partner_id": cast.reseller.public_id},
    ),
]
