"""Activity pages: each organization reads (and exports) its own audit events."""

from . import LOGIN, Route, expect

# Partner activity needs "activity.view": Global admins and Admin agents.
PARTNER_ACTIVITY = expect(
    404,
    anonymous=LOGIN,
    provider_admin=200,
    provider_agent=200,
    provider_sales=403,
    provider_helpdesk=403,
)
CUSTOMER_ACTIVITY = expect(404, anonymous=LOGIN, customer_admin=200)


def _provider(cast):
    return {"partner_id": cast.provider.public_id}


def _customer(cast):
    return {"customer_id": cast.customer.public_id}


ROWS = [
    Route("portal:partner_activity", PARTNER_ACTIVITY, kwargs=_provider),
    Route("portal:partner_activity_export", PARTNER_ACTIVITY, kwargs=_provider),
    Route("portal:customer_activity", CUSTOMER_ACTIVITY, kwargs=_customer),
    Route("portal:customer_activity_export", CUSTOMER_ACTIVITY, kwargs=_customer),
]
