"""Writes for an organization's team: invitations by email (sent, resent, revoked, accepted,
declined) and memberships (added by operator staff, role changes, removal). An organization
always keeps at least one Global admin; concurrent changes queue on the partner's row lock."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.audit.services import audit_record
from apps.core.emails import send_email

from ..links import (
    link_url,
    new_token,
    problem_message,
    team_invitation_problem,
)
from ..models import Partner, PartnerMembership, Role, TeamInvitation
from .common import (
    NewAccount,
    _link_expiry,
    _lock_partner,
    _normalize_email,
    joining_user,
)


def _global_admin_count(partner_id: int) -> int:
    # An API key's membership (apps/api, reached by relation name) is not a Global admin person
    return PartnerMembership.objects.filter(
        partner_id=partner_id, role=Role.GLOBAL_ADMIN, user__api_key__isnull=True
    ).count()


LAST_GLOBAL_ADMIN_MESSAGE = gettext_lazy(
    "An organization always keeps at least one Global admin. Make another member Global admin "
    "first."
)


def _team_invitation_create(
    *,
    partner: Partner,
    email: str,
    role: str,
    by,
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
                invited_by=by,
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
        actor=by,
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
    by,
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
            by=by,
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
    *, invitation_id: int, by=None, new_account: NewAccount | None = None
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
        by = joining_user(invited_email=invitation.email, by=by, new_account=new_account)
        partner = invitation.partner
        if PartnerMembership.objects.filter(partner=partner, user=by).exists():
            raise ValidationError(
                _("You are already a member of %(name)s.") % {"name": partner.name}
            )
        membership = PartnerMembership.objects.create(
            user=by, partner=partner, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = by
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            action="team.joined",
            actor=by,
            acting_partner=partner,
            target=membership,
            partners=[partner],
            data={
                "email": by.email,
                "role": invitation.role,
                "invitation": invitation.pk,
                "new_account": new_account is not None,
            },
        )
    return membership


def team_invitation_decline(*, invitation_id: int, by=None) -> TeamInvitation:
    with transaction.atomic():
        invitation = _lock_team_invitation(invitation_id)
        problem = team_invitation_problem(invitation)
        if problem:
            raise ValidationError(problem_message(problem))
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])
        audit_record(
            action="team.invitation_declined",
            actor=by,
            target=invitation,
            partners=[invitation.partner],
            data={"email": invitation.email},
        )
    return invitation


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
