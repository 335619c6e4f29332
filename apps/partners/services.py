"""Writes for partner organizations, their teams and provider–reseller partnerships.

Every function runs in one transaction, validates with clear messages (ValidationError), and
records one audit event per change inside that transaction. Emails go out on commit. Rows two
requests can race for (an invitation being accepted, a partner's memberships while a Global
admin is demoted or removed) are locked with select_for_update().
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.services import audit_record
from apps.core.emails import send_email

from .links import (
    link_url,
    new_token,
    partnership_invitation_problem,
    problem_message,
    team_invitation_problem,
)
from .models import Partner, PartnerMembership, ResellerPartnership, Role, TeamInvitation

User = get_user_model()


@dataclass(frozen=True)
class NewAccount:
    """An account to create while accepting a link (sign-up and acceptance are one step)."""

    display_name: str
    email: str
    password: str


def _normalize_email(email: str) -> str:
    return User.objects.normalize_email(email)


def _link_expiry():
    return timezone.now() + timedelta(days=settings.TEAM_INVITATION_DAYS)


def _create_account(account: NewAccount):
    email = _normalize_email(account.email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this email already exists. Sign in instead."))
    return User.objects.create_user(email, account.password, display_name=account.display_name)


def _lock_partner(partner_id: int) -> Partner:
    """Lock the partner row: every change to who holds which role queues up behind it."""
    return Partner.objects.select_for_update().get(pk=partner_id)


def _global_admin_count(partner_id: int) -> int:
    return PartnerMembership.objects.filter(partner_id=partner_id, role=Role.GLOBAL_ADMIN).count()


LAST_GLOBAL_ADMIN_MESSAGE = gettext_lazy(
    "An organization always keeps at least one Global admin. Make another member Global admin "
    "first."
)


# ------------------------------------------------------------------------------
# Partner organizations
# ------------------------------------------------------------------------------
def partner_create(
    *,
    name: str,
    kind: str,
    first_admin_email: str,
    contact_email: str = "",
    country: str = "CN",
    status: str = Partner.Status.ACTIVE,
    created_by=None,
) -> tuple[Partner, TeamInvitation]:
    """Create a partner organization and invite its first Global admin (operator staff).

    The invitee gets an email with a one-time link where they set a password (or sign in) and
    land in the organization.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Enter the organization's name."))
    if kind not in Partner.Kind.values:
        raise ValidationError(
            _("Choose a kind: indirect provider, indirect reseller or direct partner.")
        )
    if status not in (Partner.Status.ACTIVE, Partner.Status.PENDING):
        raise ValidationError(_("A new organization is either active or pending approval."))
    first_admin_email = _normalize_email(first_admin_email)
    if not first_admin_email:
        raise ValidationError(_("Enter the email address of the first Global admin."))
    with transaction.atomic():
        partner = Partner.objects.create(
            name=name,
            kind=kind,
            status=status,
            contact_email=_normalize_email(contact_email) or first_admin_email,
            country=(country or "CN").upper(),
        )
        audit_record(
            action="partner.created",
            actor=created_by,
            target=partner,
            partners=[partner],
            data={"kind": kind, "status": status, "first_admin_email": first_admin_email},
        )
        invitation = _team_invitation_create(
            partner=partner,
            email=first_admin_email,
            role=Role.GLOBAL_ADMIN,
            invited_by=created_by,
            acting_partner=None,
            email_template="partners/email/first_admin",
        )
    return partner, invitation


def partner_approve(*, partner: Partner, by=None) -> Partner:
    """Operator staff approve a pending organization (or reinstate a suspended one)."""
    with transaction.atomic():
        locked = _lock_partner(partner.pk)
        if locked.status == Partner.Status.ACTIVE:
            raise ValidationError(_("%(name)s is already active.") % {"name": locked.name})
        previous = locked.status
        locked.status = Partner.Status.ACTIVE
        locked.save(update_fields=["status"])
        audit_record(
            action="partner.approved",
            actor=by,
            target=locked,
            partners=[locked],
            data={"from": previous},
        )
    partner.status = locked.status
    return locked


def partner_suspend(*, partner: Partner, by=None, reason: str = "") -> Partner:
    """Operator staff suspend an organization: its members keep read access, but every
    capability that changes something is gone until it is approved again."""
    with transaction.atomic():
        locked = _lock_partner(partner.pk)
        if locked.status == Partner.Status.SUSPENDED:
            raise ValidationError(_("%(name)s is already suspended.") % {"name": locked.name})
        previous = locked.status
        locked.status = Partner.Status.SUSPENDED
        locked.save(update_fields=["status"])
        audit_record(
            action="partner.suspended",
            actor=by,
            target=locked,
            partners=[locked],
            data={"from": previous, "reason": reason},
        )
    partner.status = locked.status
    return locked


def partner_update(
    *,
    partner: Partner,
    by=None,
    acting_partner: Partner | None = None,
    name: str,
    contact_email: str,
    country: str | None = None,
) -> Partner:
    """Change the organization's profile (a Global admin, or operator staff in admin)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Enter the organization's name."))
    with transaction.atomic():
        locked = _lock_partner(partner.pk)
        new_values = {"name": name, "contact_email": _normalize_email(contact_email)}
        if country:
            new_values["country"] = country.upper()
        changes = {
            field: {"from": getattr(locked, field), "to": value}
            for field, value in new_values.items()
            if getattr(locked, field) != value
        }
        if not changes:
            return locked
        for field, value in new_values.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(new_values))
        audit_record(
            action="partner.updated",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked],
            data={"changes": changes},
        )
    for field, value in new_values.items():
        setattr(partner, field, value)
    return locked


# ------------------------------------------------------------------------------
# Team: invitations
# ------------------------------------------------------------------------------
def _team_invitation_create(
    *,
    partner: Partner,
    email: str,
    role: str,
    invited_by,
    acting_partner: Partner | None,
    email_template: str = "partners/email/team_invitation",
) -> TeamInvitation:
    if role not in Role.values:
        raise ValidationError(_("Choose a role."))
    if PartnerMembership.objects.filter(partner=partner, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s is already a member of %(name)s. Nothing was sent.")
            % {"email": email, "name": partner.name}
        )
    if TeamInvitation.objects.open().filter(partner=partner, email__iexact=email).exists():
        raise ValidationError(
            _(
                "An invitation to %(email)s is already open. Resend or revoke it on the Team "
                "page instead."
            )
            % {"email": email}
        )
    token, token_hash = new_token()
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = TeamInvitation.objects.create(
                partner=partner,
                email=email,
                role=role,
                token_hash=token_hash,
                invited_by=invited_by,
                created_at=now,
                last_sent_at=now,
                expires_at=_link_expiry(),
            )
    except IntegrityError:
        # another request invited the same address a moment ago
        raise ValidationError(
            _("An invitation to %(email)s is already open.") % {"email": email}
        ) from None
    audit_record(
        action="team.invited",
        actor=invited_by,
        acting_partner=acting_partner,
        target=invitation,
        partners=[partner],
        data={"email": email, "role": role},
    )
    _send_team_invitation(invitation, token, email_template)
    return invitation


def _send_team_invitation(invitation: TeamInvitation, token: str, template: str) -> None:
    invitation.link_url = link_url(token)  # not stored; for the email (and tests)
    send_email(
        template=template,
        to=invitation.email,
        context={
            "invitation": invitation,
            "partner": invitation.partner,
            "role": Role(invitation.role).label,  # lazy: rendered in the recipient's language
            "invited_by": invitation.invited_by,
            "link": invitation.link_url,
            "expires_at": invitation.expires_at,
        },
    )


def team_invite(
    *,
    partner: Partner,
    invited_by,
    email: str,
    role: str,
    acting_partner: Partner | None = None,
) -> TeamInvitation:
    """A Global admin (acting for `partner`) or operator staff (no acting partner) invites
    someone by email with a role. Refuses current members and addresses that already have an
    open invitation, creating nothing."""
    email = _normalize_email(email)
    if not email:
        raise ValidationError(_("Enter an email address."))
    with transaction.atomic():
        return _team_invitation_create(
            partner=partner,
            email=email,
            role=role,
            invited_by=invited_by,
            acting_partner=acting_partner,
        )


def _lock_team_invitation(invitation_id: int) -> TeamInvitation:
    try:
        return (
            TeamInvitation.objects.select_for_update(of=("self",))
            .select_related("partner", "invited_by")
            .get(pk=invitation_id)
        )
    except TeamInvitation.DoesNotExist:
        raise ValidationError(problem_message("unknown")) from None


def team_invitation_resend(
    *, invitation: TeamInvitation, by, acting_partner: Partner | None = None
) -> TeamInvitation:
    """Send the invitation again with a new link (the old one stops working) and a new expiry."""
    with transaction.atomic():
        locked = _lock_team_invitation(invitation.pk)
        if not locked.is_open:
            raise ValidationError(
                _("This invitation is %(status)s and cannot be resent.")
                % {"status": locked.get_status_display().lower()}
            )
        token, locked.token_hash = new_token()
        locked.last_sent_at = timezone.now()
        locked.expires_at = _link_expiry()
        locked.send_count += 1
        locked.save(update_fields=["token_hash", "last_sent_at", "expires_at", "send_count"])
        audit_record(
            action="team.invitation_resent",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.partner],
            data={"email": locked.email, "times_sent": locked.send_count},
        )
        _send_team_invitation(locked, token, "partners/email/team_invitation")
    return locked


def team_invitation_revoke(
    *, invitation: TeamInvitation, by, acting_partner: Partner | None = None
) -> TeamInvitation:
    with transaction.atomic():
        locked = _lock_team_invitation(invitation.pk)
        if not locked.is_open:
            raise ValidationError(
                _("This invitation is %(status)s and cannot be revoked.")
                % {"status": locked.get_status_display().lower()}
            )
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action="team.invitation_revoked",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.partner],
            data={"email": locked.email},
        )
    return locked


def team_invitation_accept(
    *, invitation_id: int, user=None, new_account: NewAccount | None = None
) -> PartnerMembership:
    """Join the organization with the invited role. The signed-in user's email must be the
    invited address; `new_account` creates that account in the same transaction. A second,
    concurrent acceptance waits for the first and then finds the link used: it creates nothing.
    """
    with transaction.atomic():
        invitation = _lock_team_invitation(invitation_id)
        problem = team_invitation_problem(invitation)
        if problem:
            raise ValidationError(problem_message(problem))
        if new_account is not None:
            if _normalize_email(new_account.email) != invitation.email.lower():
                raise ValidationError(
                    _("This invitation was sent to %(email)s; sign up with that address.")
                    % {"email": invitation.email}
                )
            user = _create_account(new_account)
        if user is None or not user.is_authenticated:
            raise ValidationError(_("Sign in or create an account to accept."))
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(
                _(
                    "This invitation was sent to %(invited)s, but you are signed in as "
                    "%(current)s. Sign out and sign in with the invited address."
                )
                % {"invited": invitation.email, "current": user.email}
            )
        partner = invitation.partner
        if PartnerMembership.objects.filter(partner=partner, user=user).exists():
            raise ValidationError(
                _("You are already a member of %(name)s.") % {"name": partner.name}
            )
        membership = PartnerMembership.objects.create(
            user=user, partner=partner, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            action="team.joined",
            actor=user,
            acting_partner=partner,
            target=membership,
            partners=[partner],
            data={
                "email": user.email,
                "role": invitation.role,
                "invitation": invitation.pk,
                "new_account": new_account is not None,
            },
        )
    return membership


def team_invitation_decline(*, invitation_id: int, user=None) -> TeamInvitation:
    with transaction.atomic():
        invitation = _lock_team_invitation(invitation_id)
        problem = team_invitation_problem(invitation)
        if problem:
            raise ValidationError(problem_message(problem))
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])
        audit_record(
            action="team.invitation_declined",
            actor=user,
            target=invitation,
            partners=[invitation.partner],
            data={"email": invitation.email},
        )
    return invitation


# ------------------------------------------------------------------------------
# Team: members
# ------------------------------------------------------------------------------
def _lock_membership(partner_id: int, membership_id: int) -> PartnerMembership:
    try:
        return (
            PartnerMembership.objects.select_for_update(of=("self",))
            .select_related("user", "partner")
            .get(pk=membership_id, partner_id=partner_id)
        )
    except PartnerMembership.DoesNotExist:
        raise ValidationError(_("This person is no longer a member of the organization.")) from None


def membership_add(*, partner: Partner, user, role: str, by=None) -> PartnerMembership:
    """Operator staff add an existing user directly (Django admin)."""
    if role not in Role.values:
        raise ValidationError(_("Choose a role."))
    with transaction.atomic():
        _lock_partner(partner.pk)
        if PartnerMembership.objects.filter(partner=partner, user=user).exists():
            raise ValidationError(
                _("%(email)s is already a member of %(name)s.")
                % {"email": user.email, "name": partner.name}
            )
        membership = PartnerMembership.objects.create(partner=partner, user=user, role=role)
        audit_record(
            action="team.member_added",
            actor=by,
            target=membership,
            partners=[partner],
            data={"email": user.email, "role": role},
        )
    return membership


def membership_change_role(
    *, membership: PartnerMembership, role: str, by, acting_partner: Partner | None = None
) -> PartnerMembership:
    """Give a member another role. The last Global admin cannot be demoted; concurrent
    demotions queue on the partner's lock, so two admins cannot demote each other at once."""
    if role not in Role.values:
        raise ValidationError(_("Choose a role."))
    with transaction.atomic():
        _lock_partner(membership.partner_id)
        locked = _lock_membership(membership.partner_id, membership.pk)
        if locked.role == role:
            raise ValidationError(
                _("%(email)s already has the role %(role)s.")
                % {"email": locked.user.email, "role": locked.get_role_display()}
            )
        if locked.role == Role.GLOBAL_ADMIN and _global_admin_count(locked.partner_id) <= 1:
            raise ValidationError(LAST_GLOBAL_ADMIN_MESSAGE)
        previous = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        audit_record(
            action="team.role_changed",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.partner],
            data={"email": locked.user.email, "from": previous, "to": role},
        )
    membership.role = role
    return locked


def membership_remove(
    *, membership: PartnerMembership, by, acting_partner: Partner | None = None
) -> None:
    """Remove a member. The last Global admin can never be removed."""
    with transaction.atomic():
        _lock_partner(membership.partner_id)
        locked = _lock_membership(membership.partner_id, membership.pk)
        if locked.role == Role.GLOBAL_ADMIN and _global_admin_count(locked.partner_id) <= 1:
            raise ValidationError(LAST_GLOBAL_ADMIN_MESSAGE)
        audit_record(
            action="team.member_removed",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.partner],
            data={"email": locked.user.email, "role": locked.role},
        )
        locked.delete()


# ------------------------------------------------------------------------------
# Provider–reseller partnerships
# ------------------------------------------------------------------------------
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
