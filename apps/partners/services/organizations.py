"""Writes for partner organizations: creation (with the first Global admin's invitation),
approval, suspension and profile changes (operator staff, or a Global admin for the profile)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.audit.services import audit_record

from ..models import Partner, Role, TeamInvitation
from .common import _lock_partner, _normalize_email
from .team import _team_invitation_create


def partner_create(
    *,
    name: str,
    kind: str,
    first_admin_email: str,
    contact_email: str = "",
    country: str = "CN",
    status: str = Partner.Status.ACTIVE,
    by=None,
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
            actor=by,
            target=partner,
            partners=[partner],
            data={"kind": kind, "status": status, "first_admin_email": first_admin_email},
        )
        invitation = _team_invitation_create(
            partner=partner,
            email=first_admin_email,
            role=Role.GLOBAL_ADMIN,
            by=by,
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


def partner_set_mfa_required(
    *, partner: Partner, by, acting_partner: Partner | None = None, required: bool
) -> Partner:
    """Turn the organization's two-step verification requirement on or off (a Global admin).

    Turning it on needs the person doing it to have two-step verification themselves, so that
    the change cannot lock its author out of the organization's pages."""
    if required and by is not None and not getattr(by, "mfa_enabled", False):
        raise ValidationError(
            _("Set up two-step verification for your own account before requiring it.")
        )
    with transaction.atomic():
        locked = _lock_partner(partner.pk)
        if locked.require_mfa != required:
            locked.require_mfa = required
            locked.save(update_fields=["require_mfa"])
            audit_record(
                action="partner.mfa_requirement_changed",
                actor=by,
                acting_partner=acting_partner,
                target=locked,
                partners=[locked],
                data={"require_mfa": required},
            )
    partner.require_mfa = locked.require_mfa
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
