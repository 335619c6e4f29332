"""Writes for customer invitations: create, send (deliver or forward), resend, revoke, and what
opening a link records. Views, the admin and the demo seeding all call these functions."""

import logging
import re
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.core.emails import locales_for
from apps.customers.emails import notify_partner
from apps.customers.models import Service
from apps.customers.services import validate_duration_days
from apps.notifications.services import notify
from apps.partners.mixins import DENIED_MESSAGES, require_perm
from apps.partners.models import Partner, PartnerMembership, ResellerPartnership
from apps.partners.permissions import ROLE_PERMISSIONS

from .emails import default_message, send_delivery_email
from .models import Delivery, Invitation, LinkRequest
from .signals import DELIVERY_EMAIL_PURPOSE
from .tokens import LinkProblem

logger = logging.getLogger(__name__)

MAX_RECIPIENTS_PER_SEND = 20
MAX_USES_LIMIT = 100_000
MESSAGE_MAX_LENGTH = 2000
DELIVERY_MESSAGE_MAX_LENGTH = 4000

UNUSABLE_MESSAGES = {
    "revoked": gettext_lazy("This invitation has been revoked, so it can no longer be sent."),
    "expired": gettext_lazy("This invitation has expired, so it can no longer be sent."),
    "used": gettext_lazy("This invitation has reached its use limit, so it can no longer be sent."),
}


# ------------------------------------------------------------------------------
# Who may do what
# ------------------------------------------------------------------------------
def _require_partner_perm(
    *, by, partner: Partner, perm: str, operator_perm: str | None = None
) -> None:
    """Members act through their role (PartnerMembership.has_perm, the one place); operator
    staff who are not members act through Django admin with the model permission
    `operator_perm` (None: members only)."""
    membership = (
        PartnerMembership.objects.select_related("partner").filter(user=by, partner=partner).first()
        if by is not None and by.is_authenticated
        else None
    )
    if membership is not None:
        require_perm(membership, perm)
        return
    if (
        operator_perm
        and by is not None
        and by.is_authenticated
        and by.is_staff
        and by.has_perm(operator_perm)
    ):
        return
    raise PermissionDenied(_("You do not act for this organization."))


def _require_provider(provider: Partner) -> None:
    if not provider.is_provider:
        raise ValidationError(DENIED_MESSAGES["invitations.create"], code="not_a_provider")
    if not provider.is_active:
        raise ValidationError(
            _("This organization is not active, so it cannot make changes."), code="inactive"
        )


def _concerned(invitation: Invitation) -> list[Partner]:
    return [p for p in (invitation.provider, invitation.reseller) if p is not None]


# ------------------------------------------------------------------------------
# Create
# ------------------------------------------------------------------------------
def _clean_email(value: str) -> str:
    email = User.objects.normalize_email(value)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("“%(email)s” is not a valid email address.") % {"email": value}, code="email"
        ) from None
    return email


def invitation_create(
    *,
    provider: Partner,
    by,
    kind: str = Invitation.Kind.OPEN,
    reseller: Partner | None = None,
    recipient_email: str = "",
    requests_dap: bool = False,
    services: Iterable[Service] = (),
    dap_provisioning: bool = False,
    dap_support: bool = False,
    dap_duration_days: int | None = None,
    dap_auto_extend: bool = False,
    valid_days: int | None = None,
    max_uses: int | None = None,
    message: str = "",
    send_to_recipient: bool = False,
) -> Invitation:
    """Issue an invitation. Only providers (indirect providers, direct partners) issue them;
    a reseller is refused with the same message the portal shows.

    `send_to_recipient` (personal invitations) also emails the recipient, after commit.
    """
    _require_provider(provider)
    _require_partner_perm(
        by=by,
        partner=provider,
        perm="invitations.create",
        operator_perm="invitations.add_invitation",
    )
    errors: dict[str, list] = {}

    if kind not in Invitation.Kind.values:
        errors.setdefault("kind", []).append(_("Choose open or personal."))
    recipient_email = (recipient_email or "").strip()
    if kind == Invitation.Kind.PERSONAL:
        if not recipient_email:
            errors.setdefault("recipient_email", []).append(
                _("A personal invitation needs the recipient's email address.")
            )
        else:
            try:
                recipient_email = _clean_email(recipient_email)
            except ValidationError as exc:
                errors.setdefault("recipient_email", []).extend(exc.messages)
        if max_uses not in (None, 1):
            errors.setdefault("max_uses", []).append(
                _("A personal invitation can be used once; leave the use limit empty.")
            )
        max_uses = 1
    else:
        if recipient_email:
            errors.setdefault("recipient_email", []).append(
                _("An open invitation is not for one recipient; leave the email empty.")
            )
        if max_uses is not None and not (1 <= max_uses <= MAX_USES_LIMIT):
            errors.setdefault("max_uses", []).append(
                _("The use limit must be between 1 and %(max)s, or empty for no limit.")
                % {"max": MAX_USES_LIMIT}
            )
        if send_to_recipient:
            errors.setdefault("send_to_recipient", []).append(
                _("Only a personal invitation has a recipient to send it to.")
            )

    services = list(services or [])
    if requests_dap:
        if not services:
            errors.setdefault("services", []).append(
                _("Choose the services you ask delegated admin privileges for.")
            )
        if not (dap_provisioning or dap_support):
            errors.setdefault("dap_provisioning", []).append(
                _("Choose at least one scope: provisioning or support.")
            )
        try:
            dap_duration_days = validate_duration_days(dap_duration_days)
        except ValidationError as exc:
            errors.setdefault("dap_duration_days", []).extend(exc.messages)
        if dap_auto_extend and dap_provisioning and dap_support:
            errors.setdefault("dap_auto_extend", []).append(
                _(
                    "Delegated admin with both provisioning and support never extends itself: "
                    "clear auto-extend or ask for one scope."
                )
            )
        inactive = [s.name for s in services if not s.is_active]
        if inactive:
            errors.setdefault("services", []).append(
                _("These services are no longer offered: %(names)s.")
                % {"names": ", ".join(inactive)}
            )
    elif services or dap_provisioning or dap_support:
        errors.setdefault("requests_dap", []).append(
            _(
                "You chose services or scopes but did not ask for delegated admin privileges. "
                "Tick “Request delegated admin privileges”, or clear the services and scopes."
            )
        )

    if valid_days is None:
        valid_days = settings.INVITATION_DEFAULT_DAYS
    if not (1 <= valid_days <= settings.INVITATION_MAX_DAYS):
        errors.setdefault("valid_days", []).append(
            _("An invitation is valid for 1 to %(max)s days.")
            % {"max": settings.INVITATION_MAX_DAYS}
        )
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        errors.setdefault("message", []).append(
            _("Keep the message under %(max)s characters.") % {"max": MESSAGE_MAX_LENGTH}
        )

    with transaction.atomic():
        if reseller is not None:
            # Lock the partnership so it cannot end between this check and the insert.
            partnership = (
                ResellerPartnership.objects.select_for_update()
                .filter(
                    provider=provider, reseller=reseller, state=ResellerPartnership.State.ACTIVE
                )
                .first()
            )
            if partnership is None:
                errors.setdefault("reseller", []).append(
                    _("%(reseller)s is not an active reseller of %(provider)s.")
                    % {"reseller": reseller.name, "provider": provider.name}
                )
        if errors:
            raise ValidationError(errors)

        now = timezone.now()
        invitation = Invitation.objects.create(
            provider=provider,
            reseller=reseller,
            kind=kind,
            recipient_email=recipient_email,
            requests_dap=requests_dap,
            dap_provisioning=requests_dap and dap_provisioning,
            dap_support=requests_dap and dap_support,
            dap_duration_days=(
                dap_duration_days if requests_dap else settings.DAP_DEFAULT_DURATION_DAYS
            ),
            dap_auto_extend=requests_dap and dap_auto_extend,
            message=message,
            expires_at=now + timedelta(days=valid_days),
            max_uses=max_uses,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            created_at=now,
        )
        if requests_dap:
            invitation.services.set(services)
        audit_record(
            action="invitation.created",
            actor=by,
            acting_partner=provider if _is_member(by, provider) else None,
            target=invitation,
            target_repr=str(invitation),
            partners=_concerned(invitation),
            data={
                "kind": kind,
                "reseller": reseller.public_id if reseller else None,
                "recipient_email": recipient_email,
                "requests_dap": requests_dap,
                "services": sorted(s.code for s in services) if requests_dap else [],
                "provisioning": invitation.dap_provisioning,
                "support": invitation.dap_support,
                "dap_recipient": invitation.dap_recipient.public_id,
                "dap_duration_days": invitation.dap_duration_days if requests_dap else None,
                "dap_auto_extend": invitation.dap_auto_extend,
                "expires_at": invitation.expires_at.isoformat(),
                "max_uses": max_uses,
            },
        )
        if reseller is not None:
            _notify_reseller(invitation, by=by)
        if send_to_recipient:
            _create_deliveries(
                invitation=invitation,
                partner=provider,
                by=by,
                emails=[recipient_email],
                message=_default_delivery_message(invitation, provider, by=by),
            )
    return invitation


def _notify_reseller(invitation: Invitation, *, by) -> None:
    """Tell the reseller an invitation was issued for it to forward."""
    url = reverse(
        "invitations:detail",
        kwargs={"partner_id": invitation.reseller.public_id, "invitation_id": invitation.public_id},
    )
    notify_partner(
        kind="invitation.issued",
        partner=invitation.reseller,
        context={
            "invitation": invitation,
            "provider": invitation.provider,
            "reseller": invitation.reseller,
            "url": url,
        },
        url=url,
        by=by,
    )


def _is_member(user, partner: Partner) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return PartnerMembership.objects.filter(user=user, partner=partner).exists()


# ------------------------------------------------------------------------------
# Send, forward, resend
# ------------------------------------------------------------------------------
def parse_email_list(value: str | Iterable[str]) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or new lines; lower-cased, each once,
    in the order given. Raises ValidationError naming every bad address."""
    if isinstance(value, str):
        raw = [part for part in re.split(r"[\s,;]+", value) if part]
    else:
        raw = [part.strip() for part in value if part and part.strip()]
    emails: list[str] = []
    bad: list[str] = []
    for item in raw:
        try:
            email = _clean_email(item)
        except ValidationError:
            bad.append(item)
            continue
        if email not in emails:
            emails.append(email)
    if bad:
        raise ValidationError(
            _("These are not valid email addresses: %(emails)s.") % {"emails": ", ".join(bad)},
            code="email",
        )
    if not emails:
        raise ValidationError(_("Enter at least one email address."), code="required")
    if len(emails) > MAX_RECIPIENTS_PER_SEND:
        raise ValidationError(
            _("Send to at most %(max)s addresses at a time.") % {"max": MAX_RECIPIENTS_PER_SEND},
            code="too_many",
        )
    return emails


def _default_delivery_message(invitation: Invitation, partner: Partner, *, by) -> str:
    name = by.get_full_name() if getattr(by, "is_authenticated", False) else ""
    return default_message(invitation=invitation, sender_partner=partner, sender_name=name)


def _lock_usable(invitation: Invitation) -> Invitation:
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("provider", "reseller")
        .get(pk=invitation.pk)
    )
    status = locked.effective_status
    if status != "active":
        raise ValidationError(UNUSABLE_MESSAGES[status], code=status)
    return locked


def _require_can_send(*, invitation: Invitation, partner: Partner, by) -> None:
    _require_partner_perm(
        by=by,
        partner=partner,
        perm="invitations.send",
    )
    if not Invitation.objects.visible_to(partner).filter(pk=invitation.pk).exists():
        raise PermissionDenied(_("This invitation was not issued by or for your organization."))


def _create_deliveries(
    *, invitation: Invitation, partner: Partner, by, emails: list[str], message: str
) -> list[Delivery]:
    """Rows and their emails in the outbox, in one transaction: a mail server that is down
    loses nothing, and the request never waits on it."""
    # A recipient who is a user gets their language; anyone else the sender's.
    locales = locales_for(emails, fallback_language=getattr(by, "language", ""))
    forward = partner.pk != invitation.provider_id
    user = by if getattr(by, "is_authenticated", False) else None
    deliveries = []
    for email in emails:
        delivery = Delivery.objects.create(
            invitation=invitation,
            email=email,
            sent_by=user,
            sent_by_partner=partner,
            message=message,
            language=locales[email].language,
        )
        delivery.invitation = invitation
        deliveries.append(delivery)
        audit_record(
            action="invitation.forwarded" if forward else "invitation.delivered",
            actor=user,
            acting_partner=partner,
            target=invitation,
            target_repr=str(invitation),
            partners=_concerned(invitation),
            data={"delivery_id": delivery.pk, "email": email, "language": delivery.language},
        )
        delivery_queue_email(delivery=delivery)
    return deliveries


def delivery_send(
    *,
    invitation: Invitation,
    partner: Partner,
    by,
    emails: str | Iterable[str],
    message: str = "",
) -> list[Delivery]:
    """Email an invitation to one or more addresses, each a Delivery with its own link.

    The provider's staff deliver; a reseller's staff forward (Delivery.sent_by_partner is the
    reseller). The emails go through the outbox; the outcome is recorded on the delivery.
    """
    _require_can_send(invitation=invitation, partner=partner, by=by)
    addresses = parse_email_list(emails)
    message = (message or "").strip()
    if len(message) > DELIVERY_MESSAGE_MAX_LENGTH:
        raise ValidationError(
            _("Keep the message under %(max)s characters.") % {"max": DELIVERY_MESSAGE_MAX_LENGTH},
            code="message",
        )
    with transaction.atomic():
        locked = _lock_usable(invitation)
        if locked.is_personal:
            others = [e for e in addresses if e != locked.recipient_email]
            if others:
                raise ValidationError(
                    _(
                        "This personal invitation is for %(recipient)s only; it cannot be sent "
                        "to %(others)s."
                    )
                    % {"recipient": locked.recipient_email, "others": ", ".join(others)},
                    code="personal",
                )
        return _create_deliveries(
            invitation=locked, partner=partner, by=by, emails=addresses, message=message
        )


def delivery_resend(*, delivery: Delivery, partner: Partner, by) -> Delivery:
    """Send one delivery again (same link), e.g. after the mail server failed."""
    _require_can_send(invitation=delivery.invitation, partner=partner, by=by)
    if delivery.sent_by_partner_id != partner.pk:
        raise PermissionDenied(_("Only the organization that sent this email can resend it."))
    with transaction.atomic():
        invitation = _lock_usable(delivery.invitation)
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        user = by if getattr(by, "is_authenticated", False) else None
        audit_record(
            action="invitation.resent",
            actor=user,
            acting_partner=partner,
            target=invitation,
            target_repr=str(invitation),
            partners=_concerned(invitation),
            data={
                "delivery_id": locked.pk,
                "email": locked.email,
                "attempts": locked.send_attempts,
            },
        )
        locked.invitation = invitation
        delivery_queue_email(delivery=locked)
    return locked


def delivery_queue_email(*, delivery: Delivery) -> None:
    """Render the delivery's email now and put it in the outbox, in the caller's transaction.

    A worker sends it (with retries); apps/invitations/signals.py records the outcome on the
    delivery (sent_at, send_attempts, last_error). A resend replaces a copy still waiting for
    its next automatic attempt, so the recipient does not get both.
    """
    send_delivery_email(
        delivery, purpose=DELIVERY_EMAIL_PURPOSE, ref=str(delivery.pk), replace_queued=True
    )


# ------------------------------------------------------------------------------
# Revoke
# ------------------------------------------------------------------------------
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    """Make the invitation (and every delivery's link) unusable at once."""
    _require_partner_perm(
        by=by,
        partner=invitation.provider,
        perm="invitations.manage",
        operator_perm="invitations.change_invitation",
    )
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("provider", "reseller")
            .get(pk=invitation.pk)
        )
        if locked.status == Invitation.Status.REVOKED:
            raise ValidationError(_("This invitation is already revoked."), code="revoked")
        locked.status = Invitation.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = by if getattr(by, "is_authenticated", False) else None
        locked.save(update_fields=["status", "revoked_at", "revoked_by"])
        audit_record(
            action="invitation.revoked",
            actor=by,
            acting_partner=locked.provider if _is_member(by, locked.provider) else None,
            target=locked,
            target_repr=str(locked),
            partners=_concerned(locked),
            data={"use_count": locked.use_count},
        )
    return locked


# ------------------------------------------------------------------------------
# Extend
# ------------------------------------------------------------------------------
def invitation_extend(*, invitation: Invitation, by, days: int) -> Invitation:
    """Give the invitation `days` more from now (1 to INVITATION_MAX_DAYS), also when it has
    expired: its links work again until then. Revoked and used-up invitations stay dead."""
    _require_partner_perm(
        by=by,
        partner=invitation.provider,
        perm="invitations.manage",
        operator_perm="invitations.change_invitation",
    )
    if not (1 <= days <= settings.INVITATION_MAX_DAYS):
        raise ValidationError(
            _("An invitation can be valid for 1 to %(max)s days.")
            % {"max": settings.INVITATION_MAX_DAYS},
            code="invalid_days",
        )
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("provider", "reseller")
            .get(pk=invitation.pk)
        )
        if locked.status == Invitation.Status.REVOKED:
            raise ValidationError(_("This invitation is already revoked."), code="revoked")
        if locked.is_used_up:
            raise ValidationError(
                _("This invitation has been used as often as it may be."), code="used"
            )
        before = locked.expires_at
        locked.expires_at = timezone.now() + timedelta(days=days)
        locked.save(update_fields=["expires_at"])
        audit_record(
            action="invitation.extended",
            actor=by,
            acting_partner=locked.provider if _is_member(by, locked.provider) else None,
            target=locked,
            target_repr=str(locked),
            partners=_concerned(locked),
            data={
                "expires_before": before.isoformat(),
                "expires_at": locked.expires_at.isoformat(),
            },
        )
    return locked


# ------------------------------------------------------------------------------
# What opening a link records
# ------------------------------------------------------------------------------
def delivery_record_open(*, delivery: Delivery, by=None) -> bool:
    """Set the delivery's first-opened time, once; True (and one audit event) the first time."""
    with transaction.atomic():
        now = timezone.now()
        updated = Delivery.objects.filter(pk=delivery.pk, first_opened_at__isnull=True).update(
            first_opened_at=now
        )
        if not updated:
            return False
        delivery.first_opened_at = now
        invitation = delivery.invitation
        audit_record(
            action="invitation.opened",
            actor=by,
            target=invitation,
            target_repr=str(invitation),
            partners=[*_concerned(invitation), delivery.sent_by_partner],
            data={"delivery_id": delivery.pk},
        )
    return True


DEAD_LINK_ACTIONS = {
    LinkProblem.REVOKED: "invitation.revoked_link_used",
    LinkProblem.EXPIRED: "invitation.expired_link_used",
}


def invitation_record_dead_link_use(
    *, invitation: Invitation, problem: str, delivery: Delivery | None = None, by=None
) -> bool:
    """One audit event for an attempt to use a revoked or expired link (other problems
    record nothing: an unknown or tampered link names no invitation we could attribute)."""
    action = DEAD_LINK_ACTIONS.get(problem)
    if action is None:
        return False
    with transaction.atomic():
        audit_record(
            action=action,
            actor=by,
            target=invitation,
            target_repr=str(invitation),
            partners=_concerned(invitation),
            data={"delivery_id": delivery.pk if delivery else None},
        )
    return True


# ------------------------------------------------------------------------------
# Link requests: a reseller asks its provider for an invitation (issue 16)
# ------------------------------------------------------------------------------
MAX_OPEN_LINK_REQUESTS = 20  # per reseller and provider: a request is a message, not a queue


def _link_request_audience(provider: Partner) -> tuple[list, list[str]]:
    """The provider's members who can answer (they create invitations) and its contact."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if "invitations.create" in perms]
    users = [
        m.user
        for m in PartnerMembership.objects.filter(
            partner=provider, role__in=roles, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]
    return users, [provider.contact_email] if provider.contact_email else []


def link_request_create(*, partnership: ResellerPartnership, by, message: str) -> LinkRequest:
    """The reseller of `partnership` asks its provider for a customer invitation link.

    Resellers still never create invitations (docs/product.md rule 2): this is a message that
    lands in the provider's pending work, with an in-portal notice and an email to the people
    there who can create one. Only over an active partnership.
    """
    reseller = partnership.reseller
    _require_partner_perm(by=by, partner=reseller, perm="invitations.send")
    message = (message or "").strip()
    if not message:
        raise ValidationError(
            {"message": _("Say which customer the link is for, and what it should ask.")},
            code="required",
        )
    with transaction.atomic():
        locked = (
            ResellerPartnership.objects.select_for_update(of=("self",))
            .select_related("provider", "reseller")
            .get(pk=partnership.pk)
        )
        if locked.state != ResellerPartnership.State.ACTIVE:
            raise ValidationError(
                _("You can ask for a link only while the partnership is active."),
                code="inactive_partnership",
            )
        open_count = LinkRequest.objects.open().filter(provider=locked.provider, reseller=reseller)
        if open_count.count() >= MAX_OPEN_LINK_REQUESTS:
            raise ValidationError(
                _(
                    "%(provider)s has %(count)s of your requests still open. Wait for an "
                    "answer, or contact them directly."
                )
                % {"provider": locked.provider.name, "count": MAX_OPEN_LINK_REQUESTS},
                code="too_many",
            )
        link_request = LinkRequest.objects.create(
            provider=locked.provider, reseller=reseller, requested_by=by, message=message
        )
        audit_record(
            action="invitation.link_requested",
            actor=by,
            acting_partner=reseller,
            target=link_request,
            target_repr=str(link_request),
            partners=[locked.provider, reseller],
            data={"length": len(message)},
        )
        url = reverse("invitations:link_requests", kwargs={"partner_id": locked.provider.public_id})
        users, emails = _link_request_audience(locked.provider)
        notify(
            kind="invitation.link_requested",
            users=users,
            emails=emails,
            context={"link_request": link_request, "url": url},
            url=url,
            by=by,
        )
    return link_request


def link_request_handle(*, link_request: LinkRequest, by) -> LinkRequest:
    """Someone at the provider marks a reseller's request handled (it leaves pending work)."""
    _require_partner_perm(by=by, partner=link_request.provider, perm="invitations.create")
    with transaction.atomic():
        locked = (
            LinkRequest.objects.select_for_update(of=("self",))
            .select_related("provider", "reseller")
            .get(pk=link_request.pk)
        )
        if locked.status == LinkRequest.Status.HANDLED:
            raise ValidationError(_("This request is already handled."), code="handled")
        locked.status = LinkRequest.Status.HANDLED
        locked.handled_at = timezone.now()
        locked.handled_by = by
        locked.save(update_fields=["status", "handled_at", "handled_by"])
        audit_record(
            action="invitation.link_request_handled",
            actor=by,
            acting_partner=locked.provider,
            target=locked,
            target_repr=str(locked),
            partners=[locked.provider, locked.reseller],
        )
    return locked
