"""Writes for provider–reseller partnerships: the provider's invitation (sent, resent, revoked)
and the partnership's life (accepted or declined by the reseller, suspended, reactivated, ended)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.services import audit_record
from apps.core.emails import send_email
from apps.notifications.services import notify

from ..links import (
    link_url,
    new_token,
    partnership_invitation_problem,
    problem_message,
)
from ..models import Partner, PartnerMembership, ResellerPartnership, Role
from ..selectors import partner_audience
from .common import NewAccount, _create_account, _link_expiry, _normalize_email


def _refuse_pairing(provider: Partner, reseller: Partner, *, exclude_pk: int | None = None):
    """The rules for who may partner with whom, with messages that say why."""
    if reseller.pk == provider.pk:
        raise ValidationError(_("An organization cannot be its own reseller."))
    if not reseller.is_reseller:
        raise ValidationError(
            _("%(name)s is an organization of kind %(kind)s, not an indirect reseller.")
            % {"name": reseller.name, "kind": reseller.get_kind_display()}
        )
    existing = (
        ResellerPartnership.objects.live()
        .filter(provider=provider, reseller=reseller)
        .exclude(pk=exclude_pk)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            {
                ResellerPartnership.State.INVITED: _(
                    "%(reseller)s already has an open invitation from %(provider)s. Resend or "
                    "revoke it instead."
                ),
                ResellerPartnership.State.ACTIVE: _(
                    "%(reseller)s is already a reseller of %(provider)s."
                ),
                ResellerPartnership.State.SUSPENDED: _(
                    "The partnership between %(provider)s and %(reseller)s is suspended. "
                    "%(provider)s can reactivate it."
                ),
            }[existing.state]
            % {"provider": provider.name, "reseller": reseller.name}
        )


def _send_partnership_invitation(partnership: ResellerPartnership, token: str) -> None:
    partnership.link_url = link_url(token)  # not stored; for the email (and tests)
    send_email(
        template="partners/email/partnership_invitation",
        to=partnership.invited_email,
        context={
            "partnership": partnership,
            "provider": partnership.provider,
            "reseller": partnership.reseller,
            "invited_by": partnership.invited_by,
            "link": partnership.link_url,
            "expires_at": partnership.expires_at,
        },
    )


def partnership_invite(
    *,
    provider: Partner,
    by,
    email: str,
    reseller: Partner | None = None,
    acting_partner: Partner | None = None,
) -> ResellerPartnership:
    """A provider's Global admin (acting for `provider`) or operator staff invites a reseller by
    email. The recipient signs up a new reseller organization or picks one they administer;
    naming `reseller` restricts the invitation to that organization."""
    email = _normalize_email(email)
    if not email:
        raise ValidationError(_("Enter an email address."))
    if not provider.is_provider:
        raise ValidationError(_("Only indirect providers and direct partners have resellers."))
    with transaction.atomic():
        if reseller is not None:
            _refuse_pairing(provider, reseller)
        open_invitation = (
            ResellerPartnership.objects.filter(
                provider=provider,
                state=ResellerPartnership.State.INVITED,
                invited_email__iexact=email,
            )
            .order_by("-invited_at")
            .first()
        )
        if open_invitation is not None:
            raise ValidationError(
                _(
                    "%(email)s already has an open invitation to become your reseller. Resend or "
                    "revoke it on the Resellers page."
                )
                % {"email": email}
            )
        token, token_hash = new_token()
        now = timezone.now()
        try:
            with transaction.atomic():
                partnership = ResellerPartnership.objects.create(
                    provider=provider,
                    reseller=reseller,
                    state=ResellerPartnership.State.INVITED,
                    invited_email=email,
                    token_hash=token_hash,
                    invited_by=by,
                    invited_at=now,
                    last_sent_at=now,
                    expires_at=_link_expiry(),
                    changed_at=now,
                )
        except IntegrityError:
            raise ValidationError(
                _("%(reseller)s already has an open invitation from %(provider)s.")
                % {"reseller": reseller.name if reseller else email, "provider": provider.name}
            ) from None
        audit_record(
            action="partnership.invited",
            actor=by,
            acting_partner=acting_partner,
            target=partnership,
            partners=[provider, reseller],
            data={"email": email, "reseller": reseller.public_id if reseller else ""},
        )
        _send_partnership_invitation(partnership, token)
    return partnership


def _lock_partnership(partnership_id: int) -> ResellerPartnership:
    try:
        return (
            ResellerPartnership.objects.select_for_update(of=("self",))
            .select_related("provider", "reseller", "invited_by")
            .get(pk=partnership_id)
        )
    except ResellerPartnership.DoesNotExist:
        raise ValidationError(problem_message("unknown")) from None


def _check_side(
    partnership: ResellerPartnership, acting_partner: Partner | None, *, reseller_may: bool
) -> None:
    """Operator staff (no acting partner) may do anything; a provider may act on its own
    partnerships; a reseller only where `reseller_may`."""
    if acting_partner is None or acting_partner.pk == partnership.provider_id:
        return
    if reseller_may and acting_partner.pk == partnership.reseller_id:
        return
    raise ValidationError(_("Only the provider can do this."))


def partnership_invitation_resend(
    *, partnership: ResellerPartnership, by, acting_partner: Partner | None = None
) -> ResellerPartnership:
    with transaction.atomic():
        locked = _lock_partnership(partnership.pk)
        _check_side(locked, acting_partner, reseller_may=False)
        if locked.state != ResellerPartnership.State.INVITED:
            raise ValidationError(_("Only an open invitation can be resent."))
        token, locked.token_hash = new_token()
        locked.last_sent_at = timezone.now()
        locked.expires_at = _link_expiry()
        locked.save(update_fields=["token_hash", "last_sent_at", "expires_at"])
        audit_record(
            action="partnership.invitation_resent",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.provider, locked.reseller],
            data={"email": locked.invited_email},
        )
        _send_partnership_invitation(locked, token)
    return locked


# ------------------------------------------------------------------------------
# The partnership's life: one table of allowed transitions, one function that applies them
# ------------------------------------------------------------------------------
State = ResellerPartnership.State


class Who:
    """Who may take an action. Operator staff (acting for no organization) may take the
    provider's and either side's actions."""

    PROVIDER = "provider"
    EITHER_SIDE = "either side"
    LINK_HOLDER = "link holder"  # whoever opened the invitation's link: accept or decline


# (state now, action) -> state after. Whatever is not here is refused.
PARTNERSHIP_TRANSITIONS: dict[tuple[str, str], str] = {
    (State.INVITED, "accept"): State.ACTIVE,
    (State.INVITED, "decline"): State.DECLINED,
    (State.INVITED, "revoke"): State.REVOKED,
    (State.ACTIVE, "suspend"): State.SUSPENDED,
    (State.SUSPENDED, "reactivate"): State.ACTIVE,
    (State.ACTIVE, "end"): State.ENDED,
    (State.SUSPENDED, "end"): State.ENDED,
}


def _email_data(partnership: ResellerPartnership, previous: str) -> dict:
    return {"email": partnership.invited_email}


def _accepted_data(partnership: ResellerPartnership, previous: str) -> dict:
    return {"reseller": partnership.reseller.public_id, "provider": partnership.provider.public_id}


def _ended_data(partnership: ResellerPartnership, previous: str) -> dict:
    return {"from": previous, "reason": partnership.end_reason}


@dataclass(frozen=True)
class PartnershipAction:
    """Who may take an action, what it stamps and how the audit log records it."""

    audit_action: str
    who: str
    # Why the table refuses the action in the current state. None for the link holder's
    # actions: they get the message of the link's own problem (expired, revoked, used...).
    refused: Promise | None
    stamp_time: tuple[str, ...] = ()  # set to the moment of the change (changed_at always is)
    stamp_user: tuple[str, ...] = ()  # set to the user who took the action
    stamp_partner: tuple[str, ...] = ()  # set to the organization they acted for
    audit_data: Callable[[ResellerPartnership, str], dict] | None = None  # (row, previous state)
    # Message when saving would make a second live partnership of the same pair.
    conflict: Promise | None = None
    # The notification kind (apps/notifications/registry.py) the side that did not act gets.
    notify: str | None = None


PARTNERSHIP_ACTIONS: dict[str, PartnershipAction] = {
    "accept": PartnershipAction(
        audit_action="partnership.accepted",
        who=Who.LINK_HOLDER,
        refused=None,
        stamp_time=("responded_at", "activated_at"),
        stamp_user=("responded_by",),
        audit_data=_accepted_data,
        conflict=gettext_lazy("%(reseller)s is already a reseller of %(provider)s."),
    ),
    "decline": PartnershipAction(
        audit_action="partnership.declined",
        who=Who.LINK_HOLDER,
        refused=None,
        stamp_time=("responded_at",),
        stamp_user=("responded_by",),
        audit_data=_email_data,
    ),
    "revoke": PartnershipAction(
        audit_action="partnership.invitation_revoked",
        who=Who.PROVIDER,
        refused=gettext_lazy("Only an open invitation can be revoked."),
        stamp_time=("ended_at",),
        stamp_user=("ended_by",),
        stamp_partner=("ended_by_partner",),
        audit_data=_email_data,
    ),
    "suspend": PartnershipAction(
        audit_action="partnership.suspended",
        who=Who.PROVIDER,
        refused=gettext_lazy("Only an active partnership can be suspended."),
        stamp_time=("suspended_at",),
        stamp_user=("suspended_by",),
        notify="partnership.suspended",
    ),
    "reactivate": PartnershipAction(
        audit_action="partnership.reactivated",
        who=Who.PROVIDER,
        refused=gettext_lazy("Only a suspended partnership can be reactivated."),
        notify="partnership.reactivated",
    ),
    "end": PartnershipAction(
        audit_action="partnership.ended",
        who=Who.EITHER_SIDE,
        refused=gettext_lazy("Only an active or suspended partnership can be ended."),
        stamp_time=("ended_at",),
        stamp_user=("ended_by",),
        stamp_partner=("ended_by_partner",),
        audit_data=_ended_data,
        notify="partnership.ended",
    ),
}


@dataclass(frozen=True)
class Prepared:
    """What an action's own preparation settled: who took it, for which organization, and
    further fields to set."""

    by: object
    acting_partner: Partner | None
    values: dict = field(default_factory=dict)


def _refuse_unless_allowed(
    partnership: ResellerPartnership, action: str, acting_partner: Partner | None
) -> None:
    """Raise ValidationError, saying why, unless `acting_partner`'s side may take `action` and
    the table allows it from the partnership's state."""
    rule = PARTNERSHIP_ACTIONS[action]
    if rule.who == Who.LINK_HOLDER:
        # an invitation past its expiry is still "invited": its link's problem says why not
        problem = partnership_invitation_problem(partnership)
        if problem:
            raise ValidationError(problem_message(problem))
    else:
        _check_side(partnership, acting_partner, reseller_may=rule.who == Who.EITHER_SIDE)
    if (partnership.state, action) not in PARTNERSHIP_TRANSITIONS:
        raise ValidationError(rule.refused)


def partnership_transition(
    *,
    partnership_id: int,
    action: str,
    by,
    acting_partner: Partner | None = None,
    values: dict | None = None,
    prepare: Callable[[ResellerPartnership], Prepared] | None = None,
) -> ResellerPartnership:
    """Take `action` on a partnership as PARTNERSHIP_TRANSITIONS and PARTNERSHIP_ACTIONS say,
    in one transaction: lock the row, refuse (ValidationError, nothing changed) what the table
    or the acting side does not allow, then set the new state and `values`, stamp when and by
    whom, save, and record the audit event. `prepare(locked)` runs once the action is allowed,
    for the checks and changes of its own (accepting picks or creates the reseller)."""
    rule = PARTNERSHIP_ACTIONS[action]
    with transaction.atomic():
        locked = _lock_partnership(partnership_id)
        _refuse_unless_allowed(locked, action, acting_partner)
        previous = locked.state
        changes = dict(values or {})
        if prepare is not None:
            prepared = prepare(locked)
            by, acting_partner = prepared.by, prepared.acting_partner
            changes.update(prepared.values)
        now = timezone.now()
        user = by if by is not None and by.is_authenticated else None
        changes["state"] = PARTNERSHIP_TRANSITIONS[(previous, action)]
        changes["changed_at"] = now
        changes.update(dict.fromkeys(rule.stamp_time, now))
        changes.update(dict.fromkeys(rule.stamp_user, user))
        changes.update(dict.fromkeys(rule.stamp_partner, acting_partner))
        for name, value in changes.items():
            setattr(locked, name, value)
        _save_transition(locked, rule, fields=list(changes))
        audit_record(
            action=rule.audit_action,
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.provider, locked.reseller],
            data=rule.audit_data(locked, previous) if rule.audit_data else None,
        )
        if rule.notify:
            _notify_other_side(locked, kind=rule.notify, acting_partner=acting_partner, by=by)
    return locked


def _notify_other_side(
    partnership: ResellerPartnership, *, kind: str, acting_partner: Partner | None, by
) -> None:
    """Tell the side of the partnership that did not act (both when the operator acted)."""
    sides = [
        (partnership.reseller, "partners:providers"),
        (partnership.provider, "partners:resellers"),
    ]
    for partner, page in sides:
        if partner is None or (acting_partner is not None and partner.pk == acting_partner.pk):
            continue
        audience = partner_audience(partner)
        notify(
            kind=kind,
            users=audience.users,
            emails=audience.emails,
            context={"partnership": partnership, "change": kind.split(".")[-1]},
            url=reverse(page, kwargs={"partner_id": partner.public_id}),
            by=by,
        )


def _save_transition(locked: ResellerPartnership, rule: PartnershipAction, *, fields) -> None:
    if rule.conflict is None:
        locked.save(update_fields=fields)
        return
    try:
        with transaction.atomic():
            locked.save(update_fields=fields)
    except IntegrityError:
        # another live partnership of the same pair was saved a moment ago
        raise ValidationError(
            rule.conflict % {"reseller": locked.reseller.name, "provider": locked.provider.name}
        ) from None


# ------------------------------------------------------------------------------
# The actions, as thin calls to the table
# ------------------------------------------------------------------------------
def partnership_invitation_revoke(
    *, partnership: ResellerPartnership, by, acting_partner: Partner | None = None
) -> ResellerPartnership:
    return partnership_transition(
        partnership_id=partnership.pk, action="revoke", by=by, acting_partner=acting_partner
    )


def partnership_accept(
    *,
    partnership_id: int,
    by=None,
    reseller: Partner | None = None,
    new_reseller_name: str = "",
    new_account: NewAccount | None = None,
) -> ResellerPartnership:
    """Accept a partnership invitation for `reseller` (which the user administers as Global
    admin), or for a new reseller organization named `new_reseller_name` (pending the
    operator's approval, with the user as its Global admin). `new_account` signs the user up in
    the same transaction. A second, concurrent acceptance finds the link used."""

    def prepare(partnership: ResellerPartnership) -> Prepared:
        return _accept_prepare(
            partnership,
            by=by,
            reseller=reseller,
            new_reseller_name=new_reseller_name,
            new_account=new_account,
        )

    return partnership_transition(
        partnership_id=partnership_id, action="accept", by=by, prepare=prepare
    )


def _accept_prepare(
    partnership: ResellerPartnership,
    *,
    by,
    reseller: Partner | None,
    new_reseller_name: str,
    new_account: NewAccount | None,
) -> Prepared:
    """Who accepts, for which reseller organization (signing both up if asked), and whether
    the pair may partner: checked on the locked row, before it changes."""
    provider = partnership.provider
    if provider.status == Partner.Status.SUSPENDED:
        raise ValidationError(
            _("%(name)s is suspended by the operator, so its invitations cannot be accepted.")
            % {"name": provider.name}
        )
    if reseller is None and not (new_reseller_name or "").strip():
        raise ValidationError(
            _("Choose the reseller organization to accept for, or name a new one.")
        )
    if new_account is not None:
        by = _create_account(new_account)
    if by is None or not by.is_authenticated:
        raise ValidationError(_("Sign in or create an account to accept."))
    if reseller is None:
        if partnership.reseller_id:
            raise ValidationError(
                _("This invitation is for %(name)s; only its Global admins can accept it.")
                % {"name": partnership.reseller.name}
            )
        reseller = _reseller_signup(name=new_reseller_name.strip(), by=by)
    else:
        if partnership.reseller_id and partnership.reseller_id != reseller.pk:
            raise ValidationError(
                _("This invitation is for %(name)s; only its Global admins can accept it.")
                % {"name": partnership.reseller.name}
            )
        if not PartnerMembership.objects.filter(
            partner=reseller, user=by, role=Role.GLOBAL_ADMIN
        ).exists():
            raise ValidationError(
                _("Only a Global admin of %(name)s can accept for it.") % {"name": reseller.name}
            )
    _refuse_pairing(provider, reseller, exclude_pk=partnership.pk)
    if reseller.status == Partner.Status.SUSPENDED:
        raise ValidationError(
            _("%(name)s is suspended by the operator, so it cannot accept partnerships.")
            % {"name": reseller.name}
        )
    return Prepared(by=by, acting_partner=reseller, values={"reseller": reseller})


def _reseller_signup(*, name: str, by) -> Partner:
    """A new reseller organization created while accepting a provider's invitation. It waits
    for the operator's approval (pending) before it can change anything."""
    reseller = Partner.objects.create(
        name=name,
        kind=Partner.Kind.INDIRECT_RESELLER,
        status=Partner.Status.PENDING,
        contact_email=by.email,
    )
    audit_record(
        action="partner.created",
        actor=by,
        target=reseller,
        partners=[reseller],
        data={"kind": reseller.kind, "status": reseller.status, "via": "partnership_invitation"},
    )
    membership = PartnerMembership.objects.create(user=by, partner=reseller, role=Role.GLOBAL_ADMIN)
    audit_record(
        action="team.joined",
        actor=by,
        acting_partner=reseller,
        target=membership,
        partners=[reseller],
        data={"email": by.email, "role": Role.GLOBAL_ADMIN, "founder": True},
    )
    return reseller


def partnership_decline(*, partnership_id: int, by=None) -> ResellerPartnership:
    return partnership_transition(partnership_id=partnership_id, action="decline", by=by)


def partnership_suspend(
    *, partnership: ResellerPartnership, by, acting_partner: Partner | None = None
) -> ResellerPartnership:
    """The provider pauses a partnership: the reseller immediately stops seeing and forwarding
    the provider's invitations."""
    return partnership_transition(
        partnership_id=partnership.pk, action="suspend", by=by, acting_partner=acting_partner
    )


def partnership_reactivate(
    *, partnership: ResellerPartnership, by, acting_partner: Partner | None = None
) -> ResellerPartnership:
    return partnership_transition(
        partnership_id=partnership.pk, action="reactivate", by=by, acting_partner=acting_partner
    )


def partnership_end(
    *,
    partnership: ResellerPartnership,
    by,
    acting_partner: Partner | None = None,
    reason: str = "",
) -> ResellerPartnership:
    """End an active or suspended partnership, from either side. Customer relationships that
    came through the reseller are not changed by this."""
    return partnership_transition(
        partnership_id=partnership.pk,
        action="end",
        by=by,
        acting_partner=acting_partner,
        values={"end_reason": (reason or "").strip()[:500]},
    )
