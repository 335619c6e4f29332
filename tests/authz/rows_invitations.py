"""Customer invitations: partner pages (provider and reseller side) and the public link."""

from tests.invitations.builders import make_delivery, make_invitation

from . import LOGIN, Route, expect

# Provider staff who may see invitations (helpdesk agents may not: 403).
PROVIDER_VIEWERS = {
    "provider_admin": 200,
    "provider_agent": 200,
    "provider_sales": 200,
    "provider_helpdesk": 403,
}


def _provider_invitation(cast):
    return {
        "partner_id": cast.provider.public_id,
        "invitation_id": make_invitation(cast.provider, cast.reseller).public_id,
    }


def _reseller_invitation(cast):
    return {
        "partner_id": cast.reseller.public_id,
        "invitation_id": make_invitation(cast.provider, cast.reseller).public_id,
    }


def _provider_delivery(cast):
    invitation = make_invitation(cast.provider, cast.reseller)
    return {
        "partner_id": cast.provider.public_id,
        "invitation_id": invitation.public_id,
        "delivery_id": make_delivery(invitation).pk,
    }


def _reseller_delivery(cast):
    invitation = make_invitation(cast.provider, cast.reseller)
    return {
        "partner_id": cast.reseller.public_id,
        "invitation_id": invitation.public_id,
        "delivery_id": make_delivery(invitation, cast.reseller).pk,
    }


def _provider(cast):
    return {"partner_id": cast.provider.public_id}


def _reseller(cast):
    return {"partner_id": cast.reseller.public_id}


def _reseller_partnership(cast):
    from apps.partners.models import ResellerPartnership

    partnership = ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)
    return {"partner_id": cast.reseller.public_id, "partnership_id": partnership.pk}


def _provider_partnership(cast):
    kwargs = _reseller_partnership(cast)
    return {**kwargs, "partner_id": cast.provider.public_id}


def _provider_link_request(cast):
    from apps.invitations.models import LinkRequest

    link_request = LinkRequest.objects.create(
        provider=cast.provider, reseller=cast.reseller, message="For Northwind"
    )
    return {"partner_id": cast.provider.public_id, "request_id": link_request.pk}


ROWS = [
    # the customer's received invitations (Readers see it too)
    Route(
        "invitations:received",
        expect(404, anonymous=LOGIN, customer_admin=200),
        kwargs=lambda cast: {"customer_id": cast.customer.public_id},
    ),
    # The public link: anyone; the token goes into the session and the browser to /i/.
    Route("invitations:link", expect(302), kwargs=lambda cast: {"token": "i" + "x" * 22 + ".sig"}),
    # The landing without a link opened in this session: "not valid".
    Route("invitations:landing", expect(404)),
    # Provider side
    Route("invitations:list", expect(404, anonymous=LOGIN, **PROVIDER_VIEWERS), kwargs=_provider),
    Route("invitations:create", expect(404, anonymous=LOGIN, **PROVIDER_VIEWERS), kwargs=_provider),
    Route(
        "invitations:detail",
        expect(404, anonymous=LOGIN, **PROVIDER_VIEWERS),
        kwargs=_provider_invitation,
    ),
    Route(
        "invitations:send",  # POST only
        expect(
            404,
            anonymous=LOGIN,
            provider_admin=405,
            provider_agent=405,
            provider_sales=405,
            provider_helpdesk=403,
        ),
        kwargs=_provider_invitation,
    ),
    Route(
        "invitations:revoke",  # GET: the confirmation page; sales agents do not manage
        expect(
            404,
            anonymous=LOGIN,
            provider_admin=200,
            provider_agent=200,
            provider_sales=403,
            provider_helpdesk=403,
        ),
        kwargs=_provider_invitation,
    ),
    Route(
        "invitations:resend",  # POST only
        expect(
            404,
            anonymous=LOGIN,
            provider_admin=405,
            provider_agent=405,
            provider_sales=405,
            provider_helpdesk=403,
        ),
        kwargs=_provider_delivery,
    ),
    # Reseller side: sees and forwards, never creates or revokes
    Route("invitations:list", expect(404, anonymous=LOGIN, reseller_admin=200), kwargs=_reseller),
    Route("invitations:create", expect(404, anonymous=LOGIN, reseller_admin=403), kwargs=_reseller),
    Route(
        "invitations:create",
        expect(404, anonymous=LOGIN, reseller_admin=403),
        kwargs=_reseller,
        method="post",
        data=lambda cast: {"kind": "open", "valid_days": 30},
    ),
    Route(
        "invitations:detail",
        expect(404, anonymous=LOGIN, reseller_admin=200),
        kwargs=_reseller_invitation,
    ),
    Route(
        "invitations:send",
        expect(404, anonymous=LOGIN, reseller_admin=405),
        kwargs=_reseller_invitation,
    ),
    Route(
        "invitations:revoke",
        expect(404, anonymous=LOGIN, reseller_admin=403),
        kwargs=_reseller_invitation,
    ),
    Route(
        "invitations:bulk",  # POST only; sales agents and resellers do not manage
        expect(
            404,
            anonymous=LOGIN,
            provider_admin=405,
            provider_agent=405,
            provider_sales=403,
            provider_helpdesk=403,
        ),
        kwargs=lambda cast: {"partner_id": cast.provider.public_id},
    ),
    Route(
        "invitations:bulk",
        expect(404, anonymous=LOGIN, reseller_admin=403),
        kwargs=lambda cast: {"partner_id": cast.reseller.public_id},
    ),
    Route(
        "invitations:resend",
        expect(404, anonymous=LOGIN, reseller_admin=405),
        kwargs=_reseller_delivery,
    ),
    # Link requests: a reseller asks (its own partnerships only), the provider answers
    Route(
        "invitations:link_request",
        expect(404, anonymous=LOGIN, reseller_admin=200),
        kwargs=_reseller_partnership,
    ),
    Route(
        "invitations:link_request",  # a provider has no providers: no such partnership
        expect(404, anonymous=LOGIN, provider_helpdesk=403),
        kwargs=_provider_partnership,
    ),
    Route(
        "invitations:link_requests",
        expect(404, anonymous=LOGIN, **PROVIDER_VIEWERS),
        kwargs=_provider,
    ),
    Route(
        "invitations:link_requests",
        expect(404, anonymous=LOGIN, reseller_admin=403),
        kwargs=_reseller,
    ),
    Route(
        "invitations:link_request_handle",  # POST only
        expect(
            404,
            anonymous=LOGIN,
            provider_admin=405,
            provider_agent=405,
            provider_sales=405,
            provider_helpdesk=403,
        ),
        kwargs=_provider_link_request,
    ),
]
