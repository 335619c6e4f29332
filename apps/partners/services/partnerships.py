"""Writes for provider–reseller partnerships: the provider's invitation (sent, resent, revoked)
and the partnership's life (accepted or declined by the reseller, suspended, reactivated, ended)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import audit_record

from ..emails import send_on_commit
from ..links import (
    link_url,
    new_token,
    partnership_invitation_problem,
    problem_message,
)
from ..models import Partner, PartnerMembership, ResellerPartnership, Role
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
    send_on_commit(
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
    invited_by,
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
                    invited_by=invited_by,
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
            actor=invited_by,
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


def partnership_invitation_revoke(
    *, partnership: ResellerPartnership, by, acting_partner: Partner | None = None
) -> ResellerPartnership:
    with transaction.atomic():
        locked = _lock_partnership(partnership.pk)
        _check_side(locked, acting_partner, reseller_may=False)
        if locked.state != ResellerPartnership.State.INVITED:
            raise ValidationError(_("Only an open invitation can be revoked."))
        now = timezone.now()
        locked.state = ResellerPartnership.State.REVOKED
        locked.ended_at = locked.changed_at = now
        locked.ended_by = by
        locked.ended_by_partner = acting_partner
        locked.save(
            update_fields=["state", "ended_at", "changed_at", "ended_by", "ended_by_partner"]
        )
        audit_record(
            action="partnership.invitation_revoked",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.provider, locked.reseller],
            data={"email": locked.invited_email},
        )
    return locked


def partnership_accept(
    *,
    partnership_id: int,
    user=None,
    reseller: Partner | None = None,
    new_reseller_name: str = "",
    new_account: NewAccount | None = None,
) -> ResellerPartnership:
    """Accept a partnership invitation for `reseller` (which the user administers as Global
    admin), or for a new reseller organization named `new_reseller_name` (pending the
    operator's approval, with the user as its Global admin). `new_account` signs the user up in
    the same transaction. A second, concurrent acceptance finds the link used."""
    with transaction.atomic():
        partnership = _lock_partnership(partnership_id)
        problem = partnership_invitation_problem(partnership)
        if problem:
            raise ValidationError(problem_message(problem))
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
            user = _create_account(new_account)
        if user is None or not user.is_authenticated:
            raise ValidationError(_("Sign in or create an account to accept."))
        if reseller is None:
            if partnership.reseller_id:
                raise ValidationError(
                    _("This invitation is for %(name)s; only its Global admins can accept it.")
                    % {"name": partnership.reseller.name}
                )
            reseller = _reseller_signup(name=new_reseller_name.strip(), user=user)
        else:
            if partnership.reseller_id and partnership.reseller_id != reseller.pk:
                raise ValidationError(
                    _("This invitation is for %(name)s; only its Global admins can accept it.")
                    % {"name": partnership.reseller.name}
                )
            if not PartnerMembership.objects.filter(
                partner=reseller, user=user, role=Role.GLOBAL_ADMIN
            ).exists():
                raise ValidationError(
                    _("Only a Global admin of %(name)s can accept for it.")
                    % {"name": reseller.name}
                )
        _refuse_pairing(provider, reseller, exclude_pk=partnership.pk)
        if reseller.status == Partner.Status.SUSPENDED:
            raise ValidationError(
                _("%(name)s is suspended by the operator, so it cannot accept partnerships.")
                % {"name": reseller.name}
            )
        now = timezone.now()
        partnership.reseller = reseller
        partnership.state = ResellerPartnership.State.ACTIVE
        partnership.responded_by = user
        partnership.responded_at = partnership.activated_at = partnership.changed_at = now
        try:
            with transaction.atomic():
                partnership.save(
                    update_fields=[
                        "reseller",
                        "state",
                        "responded_by",
                        "responded_at",
                        "activated_at",
                        "changed_at",
                    ]
                )
        except IntegrityError:
            raise ValidationError(
                _("%(reseller)s is already a reseller of %(provider)s.")
                % {"reseller": reseller.name, "provider": provider.name}
            ) from None
        audit_record(
            action="partnership.accepted",
            actor=user,
            acting_partner=reseller,
            target=partnership,
            partners=[provider, reseller],
            data={"reseller": reseller.public_id, "provider": provider.public_id},
        )
    return partnership


def _reseller_signup(*, name: str, user) -> Partner:
    """A new reseller organization created while accepting a provider's invitation. It waits
    for the operator's approval (pending) before it can change anything."""
    reseller = Partner.objects.create(
        name=name,
        kind=Partner.Kind.INDIRECT_RESELLER,
        status=Partner.Status.PENDING,
        contact_email=user.email,
    )
    audit_record(
        action="partner.created",
        actor=user,
        target=reseller,
        partners=[reseller],
        data={"kind": reseller.kind, "status": reseller.status, "via": "partnership_invitation"},
    )
    membership = PartnerMembership.objects.create(
        user=user, partner=reseller, role=Role.GLOBAL_ADMIN
    )
    audit_record(
        action="team.joined",
        actor=user,
        acting_partner=reseller,
        target=membership,
        partners=[reseller],
        data={"email": user.email, "role": Role.GLOBAL_ADMIN, "founder": True},
    )
    return reseller


def partnership_decline(*, partnership_id: int, user=None) -> ResellerPartnership:
    with transaction.atomic():
        partnership = _lock_partnership(partnership_id)
        problem = partnership_invitation_problem(partnership)
        if problem:
            raise ValidationError(problem_message(problem))
        now = timezone.now()
        partnership.state = ResellerPartnership.State.DECLINED
        partnership.responded_by = user if user is not None and user.is_authenticated else None
        partnership.responded_at = partnership.changed_at = now
        partnership.save(update_fields=["state", "responded_by", "responded_at", "changed_at"])
        audit_record(
            action="partnership.declined",
            actor=user,
            target=partnership,
            partners=[partnership.provider, partnership.reseller],
            data={"email": partnership.invited_email},
        )
    return partnership


def partnership_suspend(
    *, partnership: ResellerPartnership, by, acting_partner: Partner | None = None
) -> ResellerPartnership:
    """The provider pauses a partnership: the reseller immediately stops seeing and forwarding
    the provider's invitations."""
    with transaction.atomic():
        locked = _lock_partnership(partnership.pk)
        _check_side(locked, acting_partner, reseller_may=False)
        if locked.state != ResellerPartnership.State.ACTIVE:
            raise ValidationError(_("Only an active partnership can be suspended."))
        now = timezone.now()
        locked.state = ResellerPartnership.State.SUSPENDED
        locked.suspended_at = locked.changed_at = now
        locked.suspended_by = by
        locked.save(update_fields=["state", "suspended_at", "changed_at", "suspended_by"])
        audit_record(
            action="partnership.suspended",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.provider, locked.reseller],
        )
    return locked


def partnership_reactivate(
    *, partnership: ResellerPartnership, by, acting_partner: Partner | None = None
) -> ResellerPartnership:
    with transaction.atomic():
        locked = _lock_partnership(partnership.pk)
        _check_side(locked, acting_partner, reseller_may=False)
        if locked.state != ResellerPartnership.State.SUSPENDED:
            raise ValidationError(_("Only a suspended partnership can be reactivated."))
        locked.state = ResellerPartnership.State.ACTIVE
        locked.changed_at = timezone.now()
        locked.save(update_fields=["state", "changed_at"])
        audit_record(
            action="partnership.reactivated",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.provider, locked.reseller],
        )
    return locked


def partnership_end(
    *,
    partnership: ResellerPartnership,
    by,
    acting_partner: Partner | None = None,
    reason: str = "",
) -> ResellerPartnership:
    """End an active or suspended partnership, from either side. Customer relationships that
    came through the reseller are not changed by this."""
    with transaction.atomic():
        locked = _lock_partnership(partnership.pk)
        _check_side(locked, acting_partner, reseller_may=True)
        if locked.state not in (
            ResellerPartnership.State.ACTIVE,
            ResellerPartnership.State.SUSPENDED,
        ):
            raise ValidationError(_("Only an active or suspended partnership can be ended."))
        now = timezone.now()
        previous = locked.state
        locked.state = ResellerPartnership.State.ENDED
        locked.ended_at = locked.changed_at = now
        locked.ended_by = by
        locked.ended_by_partner = acting_partner
        locked.end_reason = (reason or "").strip()[:500]
        locked.save(
            update_fields=[
                "state",
                "ended_at",
                "changed_at",
                "ended_by",
                "ended_by_partner",
                "end_reason",
            ]
        )
        audit_record(
            action="partnership.ended",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.provider, locked.reseller],
            data={"from": previous, "reason": locked.end_reason},
        )
    return locked
