"""Every kind of notification the portal sends, in one place.

A kind says what happened (its code, e.g. "grant.moved_away"), how the portal names it to a
person (label, description, and the title of one notification), who receives it (`audience`:
documentation only — the domain services compute the recipients and call
`apps.notifications.services.notify`), whether the email can be turned off, and which email
template carries it.

Notifications are stored as their kind and a few plain-text parameters (names of the
organizations and services concerned) and their title is written when it is displayed, so a
person who switches language reads their whole list in the new language.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Params = Callable[[dict], dict[str, str]]


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: Promise
    description: Promise
    audience: Promise
    # "%(name)s" placeholders filled from the notification's parameters when displayed
    title: Promise
    email_template: str
    # essential: the email cannot be turned off (security, your own organization's access)
    essential: bool
    # the plain-text parameters the title needs, taken from the email's context
    params: Params
    # a second line, shown when every parameter it names is non-empty
    summary: Promise | None = None

    def format(self, text: Promise | None, params: dict) -> str:
        if text is None:
            return ""
        names = re.findall(r"%\((\w+)\)s", str(text))
        if not all(params.get(name) for name in names):
            return ""
        return str(text) % {name: params[name] for name in names}


def _name(obj) -> str:
    return getattr(obj, "name", "") or ""


def _grant_params(context: dict) -> dict[str, str]:
    grant = context["grant"]
    return {
        "service": _name(grant.service),
        "customer": _name(grant.customer),
        "partner": _name(grant.partner),
        "reason": grant.revoke_note or "",
    }


def _expiry_params(context: dict) -> dict[str, str]:
    grant = context["grant"]
    return {
        **_grant_params(context),
        "date": grant.ends_at.date().isoformat() if grant.ends_at else "",
        "days": str(context.get("days", "")),
    }


def _request_params(context: dict) -> dict[str, str]:
    request = context["dap_request"]
    return {
        "customer": _name(request.customer),
        "partner": _name(request.partner),
        "services": ", ".join(s.name for s in context.get("services", [])),
        "status": str(request.get_status_display()),
    }


def _relationship_params(context: dict) -> dict[str, str]:
    relationship = context["relationship"]
    return {
        "customer": _name(relationship.customer),
        "provider": _name(relationship.provider),
        "reason": context.get("reason", ""),
        "services": ", ".join(g.service.name for g in context.get("revoked", [])),
    }


def _invitation_params(context: dict) -> dict[str, str]:
    invitation = context["invitation"]
    return {
        "provider": _name(invitation.provider),
        "customer": _name(context.get("customer")),
    }


def _claim_params(context: dict) -> dict[str, str]:
    customer = context["customer"]
    return {
        "customer": _name(customer),
        "domain": customer.tenant_domain,
        "reason": str(context.get("reason", "")),
    }


def _partnership_params(context: dict) -> dict[str, str]:
    partnership = context["partnership"]
    return {
        "provider": _name(partnership.provider),
        "reseller": _name(partnership.reseller),
        "reason": partnership.end_reason or "",
    }


def _link_request_params(context: dict) -> dict[str, str]:
    link_request = context["link_request"]
    return {
        "provider": _name(link_request.provider),
        "reseller": _name(link_request.reseller),
        "message": link_request.message[:200],
    }


_HOLDER = _("The partner holding delegated admin: its Global admins and its contact address.")
_OWNER = _(
    "The provider owning the customer's relationship through which the reseller holding "
    "delegated admin works: its Global admins and its contact address."
)

_KINDS = [
    NotificationKind(
        code="grant.received",
        label=_("Delegated admin received"),
        description=_("A customer gave your organization delegated admin for a service."),
        audience=_HOLDER,
        title=_("%(customer)s gave you delegated admin for %(service)s"),
        email_template="customers/email/grant_received",
        essential=True,
        params=_grant_params,
    ),
    NotificationKind(
        code="grant.moved_away",
        label=_("Delegated admin moved away"),
        description=_("A customer moved your delegated admin for a service to another partner."),
        audience=_HOLDER,
        title=_("%(customer)s moved delegated admin for %(service)s to another partner"),
        email_template="customers/email/grant_moved_away",
        essential=True,
        params=_grant_params,
    ),
    NotificationKind(
        code="grant.updated",
        label=_("Delegated admin changed"),
        description=_("A customer changed the scopes of your delegated admin."),
        audience=_HOLDER,
        title=_("%(customer)s changed your delegated admin for %(service)s"),
        email_template="customers/email/grant_updated",
        essential=True,
        params=_grant_params,
    ),
    NotificationKind(
        code="grant.removed",
        label=_("Delegated admin removed"),
        description=_("Your organization no longer holds delegated admin for a customer."),
        audience=_HOLDER,
        title=_("Delegated admin for %(service)s at %(customer)s was removed"),
        summary=_("Reason: %(reason)s"),
        email_template="customers/email/grant_removed",
        essential=True,
        params=_grant_params,
    ),
    NotificationKind(
        code="reseller_grant.received",
        label=_("A reseller received delegated admin"),
        description=_(
            "A customer of yours gave one of your resellers delegated admin for a service."
        ),
        audience=_OWNER,
        title=_("%(customer)s gave %(partner)s delegated admin for %(service)s"),
        email_template="notifications/email/reseller_grant",
        essential=False,
        params=_grant_params,
    ),
    NotificationKind(
        code="reseller_grant.moved_away",
        label=_("A reseller's delegated admin moved away"),
        description=_("A customer of yours moved a reseller's delegated admin to another partner."),
        audience=_OWNER,
        title=_("%(customer)s moved delegated admin for %(service)s away from %(partner)s"),
        email_template="notifications/email/reseller_grant",
        essential=False,
        params=_grant_params,
    ),
    NotificationKind(
        code="reseller_grant.updated",
        label=_("A reseller's delegated admin changed"),
        description=_("A customer of yours changed the scopes of a reseller's delegated admin."),
        audience=_OWNER,
        title=_("%(customer)s changed the delegated admin of %(partner)s for %(service)s"),
        email_template="notifications/email/reseller_grant",
        essential=False,
        params=_grant_params,
    ),
    NotificationKind(
        code="reseller_grant.removed",
        label=_("A reseller's delegated admin removed"),
        description=_("A reseller of yours no longer holds delegated admin for your customer."),
        audience=_OWNER,
        title=_("%(partner)s no longer holds delegated admin for %(service)s at %(customer)s"),
        summary=_("Reason: %(reason)s"),
        email_template="notifications/email/reseller_grant",
        essential=False,
        params=_grant_params,
    ),
    NotificationKind(
        code="customer_grant.removed",
        label=_("A partner lost delegated admin"),
        description=_(
            "A partner's delegated admin for your organization was removed by the operator "
            "or the partner's provider."
        ),
        audience=_("The customer's admins."),
        title=_("%(partner)s no longer holds delegated admin for %(service)s"),
        summary=_("Reason: %(reason)s"),
        email_template="notifications/email/customer_grant_removed",
        essential=True,
        params=_grant_params,
    ),
    NotificationKind(
        code="grant.expiring",
        label=_("Delegated admin ends soon"),
        description=_(
            "Delegated admin your organization holds reaches its end date in 30, 7 or 1 days."
        ),
        audience=_HOLDER,
        title=_("Delegated admin for %(service)s at %(customer)s ends on %(date)s"),
        email_template="customers/email/grant_expiring",
        essential=True,
        params=_expiry_params,
    ),
    NotificationKind(
        code="reseller_grant.expiring",
        label=_("A reseller's delegated admin ends soon"),
        description=_("A reseller's delegated admin for your customer reaches its end date soon."),
        audience=_OWNER,
        title=_("Delegated admin of %(partner)s for %(service)s at %(customer)s ends on %(date)s"),
        email_template="customers/email/grant_expiring",
        essential=False,
        params=_expiry_params,
    ),
    NotificationKind(
        code="customer_grant.expiring",
        label=_("A partner's delegated admin ends soon"),
        description=_(
            "Delegated admin you gave a partner reaches its end date in 30, 7 or 1 days."
        ),
        audience=_("The customer's admins."),
        title=_("Delegated admin of %(partner)s for %(service)s ends on %(date)s"),
        email_template="customers/email/grant_expiring",
        essential=True,
        params=_expiry_params,
    ),
    NotificationKind(
        code="grant.extended",
        label=_("Delegated admin extended"),
        description=_("Delegated admin your organization holds has a later end date."),
        audience=_HOLDER,
        title=_("Delegated admin for %(service)s at %(customer)s now ends on %(date)s"),
        email_template="customers/email/grant_extended",
        essential=True,
        params=_expiry_params,
    ),
    NotificationKind(
        code="customer_grant.extended",
        label=_("A partner's delegated admin extended automatically"),
        description=_(
            "Delegated admin you gave a partner reached its end date and was extended, as you "
            "chose."
        ),
        audience=_("The customer's admins."),
        title=_("Delegated admin of %(partner)s for %(service)s now ends on %(date)s"),
        email_template="customers/email/grant_extended",
        essential=True,
        params=_expiry_params,
    ),
    NotificationKind(
        code="dap_request.received",
        label=_("Delegated admin requested"),
        description=_("A partner asks your organization for delegated admin."),
        audience=_("The customer's admins."),
        title=_("%(partner)s asks for delegated admin for %(services)s"),
        email_template="customers/email/dap_request_received",
        essential=True,
        params=_request_params,
    ),
    NotificationKind(
        code="dap_request.asked",
        label=_("A customer asks you to take delegated admin"),
        description=_(
            "A customer entered your partner ID and asks your organization to hold delegated admin."
        ),
        audience=_("The partner the customer named: its Global admins and its contact address."),
        title=_("%(customer)s asks you to hold delegated admin for %(services)s"),
        email_template="customers/email/dap_request_asked",
        essential=True,
        params=_request_params,
    ),
    NotificationKind(
        code="dap_request.answered",
        label=_("Delegated admin request answered"),
        description=_("A delegated admin request you made was approved or declined."),
        audience=_(
            "The side that asked: the partner's Global admins and contact address, or the "
            "customer's admins."
        ),
        title=_("Delegated admin request between %(customer)s and %(partner)s: %(status)s"),
        email_template="customers/email/dap_request_answered",
        essential=True,
        params=_request_params,
    ),
    NotificationKind(
        code="relationship.ended",
        label=_("Relationship ended"),
        description=_(
            "A reseller relationship with a customer ended, with the delegated admin obtained "
            "through it."
        ),
        audience=_(
            "The provider, the attached reseller and every partner whose delegated admin ended "
            "(Global admins and contact address), and the customer's admins."
        ),
        title=_("The relationship between %(customer)s and %(provider)s ended"),
        summary=_("Delegated admin that ended with it: %(services)s"),
        email_template="customers/email/relationship_ended",
        essential=True,
        params=_relationship_params,
    ),
    NotificationKind(
        code="invitation.issued",
        label=_("Invitation issued for you"),
        description=_("A provider issued a customer invitation for your organization to forward."),
        audience=_(
            "The reseller the invitation is issued for: its Global admins and its contact address."
        ),
        title=_("%(provider)s issued an invitation for you to forward"),
        email_template="notifications/email/invitation_issued",
        essential=False,
        params=_invitation_params,
    ),
    NotificationKind(
        code="invitation.accepted",
        label=_("Invitation accepted"),
        description=_("A customer accepted an invitation your organization issued or forwarded."),
        audience=_(
            "The provider, the reseller it is issued for and the partner that forwarded it "
            "(Global admins and contact address)."
        ),
        title=_("%(customer)s accepted an invitation from %(provider)s"),
        email_template="customers/email/invitation_accepted",
        essential=False,
        params=_invitation_params,
    ),
    NotificationKind(
        code="invitation.declined",
        label=_("Invitation declined"),
        description=_("A customer declined an invitation your organization issued or forwarded."),
        audience=_(
            "The provider, the reseller it is issued for and the partner that forwarded it "
            "(Global admins and contact address)."
        ),
        title=_("An invitation from %(provider)s was declined"),
        email_template="customers/email/invitation_declined",
        essential=False,
        params=_invitation_params,
    ),
    NotificationKind(
        code="customer.claim_closed",
        label=_("Tenant claim closed"),
        description=_(
            "Your organization's unverified claim on a tenant domain was closed: another "
            "organization verified the domain first, or it was not verified in time."
        ),
        audience=_("The members of the customer organization whose claim was closed."),
        title=_("The claim of %(customer)s on %(domain)s was closed"),
        summary=_("Reason: %(reason)s"),
        email_template="customers/email/claim_closed",
        essential=True,
        params=_claim_params,
    ),
    NotificationKind(
        code="partnership.suspended",
        label=_("Partnership suspended"),
        description=_("A reseller partnership was suspended."),
        audience=_(
            "The side of the partnership that did not act (the reseller; both when the operator "
            "acted): Global admins and contact address."
        ),
        title=_("The partnership between %(provider)s and %(reseller)s was suspended"),
        email_template="notifications/email/partnership_changed",
        essential=True,
        params=_partnership_params,
    ),
    NotificationKind(
        code="partnership.reactivated",
        label=_("Partnership reactivated"),
        description=_("A suspended reseller partnership is active again."),
        audience=_(
            "The side of the partnership that did not act (the reseller; both when the operator "
            "acted): Global admins and contact address."
        ),
        title=_("The partnership between %(provider)s and %(reseller)s is active again"),
        email_template="notifications/email/partnership_changed",
        essential=True,
        params=_partnership_params,
    ),
    NotificationKind(
        code="partnership.ended",
        label=_("Partnership ended"),
        description=_("A reseller partnership ended."),
        audience=_(
            "The side of the partnership that did not act (both when the operator acted): "
            "Global admins and contact address."
        ),
        title=_("The partnership between %(provider)s and %(reseller)s ended"),
        summary=_("Reason: %(reason)s"),
        email_template="notifications/email/partnership_changed",
        essential=True,
        params=_partnership_params,
    ),
    NotificationKind(
        code="invitation.link_requested",
        label=_("Invitation link requested"),
        description=_("A reseller asked your organization for a customer invitation link."),
        audience=_(
            "The provider asked: its members who create invitations (Global admins, Admin "
            "agents, Sales agents) and its contact address."
        ),
        title=_("%(reseller)s asked you for an invitation link"),
        summary=_("Their message: %(message)s"),
        email_template="notifications/email/link_requested",
        essential=False,
        params=_link_request_params,
    ),
]

KINDS: dict[str, NotificationKind] = {kind.code: kind for kind in _KINDS}


def get_kind(code: str) -> NotificationKind:
    """The kind registered under `code`; LookupError for an unknown code."""
    try:
        return KINDS[code]
    except KeyError:
        raise LookupError(f"unknown notification kind {code!r}") from None


def optional_kinds() -> list[NotificationKind]:
    """The kinds whose email a person may turn off."""
    return [kind for kind in _KINDS if not kind.essential]
