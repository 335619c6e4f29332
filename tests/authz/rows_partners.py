"""Partner pages: team, resellers (provider side), providers (reseller side), profile, and the
public one-time link pages. Outsiders get 404, members without the capability 403; POST-only
buttons answer GET with 405 for the roles allowed to press them."""

from datetime import timedelta

from django.utils import timezone

from apps.partners.links import new_token
from apps.partners.models import PartnerMembership, ResellerPartnership, Role, TeamInvitation

from . import LOGIN, Route, expect

PROVIDER_MEMBERS = ("provider_admin", "provider_agent", "provider_sales", "provider_helpdesk")


def provider_members(status, admin=None):
    """Every provider member gets `status` (the provider admin `admin`, if given)."""
    result = dict.fromkeys(PROVIDER_MEMBERS, status)
    if admin is not None:
        result["provider_admin"] = admin
    return result


def provider_page(status_for_members, admin=None):
    return expect(404, anonymous=LOGIN, **provider_members(status_for_members, admin))


def reseller_page(status):
    return expect(404, anonymous=LOGIN, reseller_admin=status)


def provider_kw(cast):
    return {"partner_id": cast.provider.public_id}


def reseller_kw(cast):
    return {"partner_id": cast.reseller.public_id}


def helpdesk_membership_kw(cast):
    membership = PartnerMembership.objects.get(user=cast.provider_helpdesk, partner=cast.provider)
    return {**provider_kw(cast), "membership_id": membership.pk}


def team_invitation_kw(cast):
    invitation = TeamInvitation.objects.create(
        partner=cast.provider,
        email="new.agent@contoso.test",
        role=Role.SALES_AGENT,
        token_hash=new_token()[1],
        expires_at=timezone.now() + timedelta(days=7),
    )
    return {**provider_kw(cast), "invitation_id": invitation.pk}


def partnership(cast) -> ResellerPartnership:
    return ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)


def partnership_kw(cast):
    return {**provider_kw(cast), "pk": partnership(cast).pk}


def provider_partnership_kw(cast):
    return {**reseller_kw(cast), "pk": partnership(cast).pk}


ROWS = [
    # Team
    Route("partners:team", provider_page(200), kwargs=provider_kw),
    Route("partners:team", reseller_page(200), kwargs=reseller_kw),
    Route("partners:team_invite", provider_page(403, admin=200), kwargs=provider_kw),
    Route("partners:member_role", provider_page(403, admin=405), kwargs=helpdesk_membership_kw),
    Route("partners:member_remove", provider_page(403, admin=200), kwargs=helpdesk_membership_kw),
    Route(
        "partners:team_invitation_resend",
        provider_page(403, admin=405),
        kwargs=team_invitation_kw,
    ),
    Route(
        "partners:team_invitation_revoke",  # GET: the confirmation page
        provider_page(403, admin=200),
        kwargs=team_invitation_kw,
    ),
    # Resellers: providers only
    Route("partners:resellers", provider_page(200), kwargs=provider_kw),
    Route("partners:resellers", reseller_page(403), kwargs=reseller_kw),
    Route("partners:reseller_invite", provider_page(403, admin=200), kwargs=provider_kw),
    Route("partners:reseller_invite", reseller_page(403), kwargs=reseller_kw),
    Route("partners:reseller_detail", provider_page(200), kwargs=partnership_kw),
    Route("partners:partnership_suspend", provider_page(403, admin=405), kwargs=partnership_kw),
    Route("partners:partnership_reactivate", provider_page(403, admin=405), kwargs=partnership_kw),
    Route("partners:partnership_resend", provider_page(403, admin=405), kwargs=partnership_kw),
    Route("partners:partnership_revoke", provider_page(403, admin=200), kwargs=partnership_kw),
    Route("partners:partnership_end", provider_page(403, admin=200), kwargs=partnership_kw),
    # Providers: resellers only
    Route("partners:providers", reseller_page(200), kwargs=reseller_kw),
    Route("partners:providers", provider_page(403), kwargs=provider_kw),
    Route("partners:provider_end", reseller_page(200), kwargs=provider_partnership_kw),
    # Organization profile
    Route("partners:profile", provider_page(200), kwargs=provider_kw),
    Route("partners:profile_edit", provider_page(403, admin=200), kwargs=provider_kw),
    Route("partners:profile_edit", reseller_page(200), kwargs=reseller_kw),
    # the team's two-step verification requirement: a POST-only form, Global admins only
    Route("partners:profile_mfa", provider_page(403, admin=405), kwargs=provider_kw),
    # One-time links: public; without a link in the session (or with an unknown token) the
    # page says the link is not valid
    Route("partners:team_join", expect(404)),
    Route("partners:partnership_join", expect(404)),
    Route("partners:link", expect(404), kwargs=lambda cast: {"token": "x" * 43}),
]
