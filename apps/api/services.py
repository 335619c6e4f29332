"""Writes of the automation API: API keys and webhook endpoints. Keyword-only, actor `by`,
one transaction with its audit event each (docs/api.md)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.partners.mixins import require_perm
from apps.partners.models import Partner, PartnerMembership
from apps.partners.permissions import Role

from . import keys
from .models import KEY_ACTOR_DOMAIN, ApiKey, WebhookDelivery, WebhookEndpoint
from .ssrf import validate_webhook_url

NAME_MAX_LENGTH = 100
MAX_KEY_DAYS = 2 * 366
MAX_ENDPOINTS_PER_PARTNER = 20


def _require_manager(*, partner: Partner, by) -> None:
    """Only the organization's Global admins manage its keys and webhooks (api.manage)."""
    membership = (
        PartnerMembership.objects.select_related("partner").filter(user=by, partner=partner).first()
        if getattr(by, "is_authenticated", False)
        else None
    )
    if membership is None:
        raise PermissionDenied(_("You do not act for this organization."))
    require_perm(membership, "api.manage")


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the key a name.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": [_("Keep the name under %(max)s characters.") % {"max": NAME_MAX_LENGTH}]}
        )
    return name


def _make_actor(prefix: str, name: str, *, staff: bool) -> User:
    """The key's own account: it cannot sign in (inactive, no password) and receives no mail."""
    actor = User.objects.create_user(
        f"{prefix}@{KEY_ACTOR_DOMAIN}",
        None,
        display_name=_("API key “%(name)s”") % {"name": name},
        is_active=False,
    )
    if staff:
        actor.is_staff = True
        actor.save(update_fields=["is_staff"])
    return actor


def api_key_create(
    *,
    partner: Partner,
    name: str,
    role: str,
    by,
    expires_on: datetime.date | None = None,
) -> tuple[ApiKey, str]:
    """A key for `partner` with a role, shown once: returns (key row, the secret)."""
    _require_manager(partner=partner, by=by)
    name = _clean_name(name)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a role.")]})
    expires_at = None
    if expires_on is not None:
        today = timezone.localdate()
        if not (today < expires_on <= today + datetime.timedelta(days=MAX_KEY_DAYS)):
            raise ValidationError(
                {"expires_on": [_("Choose a date after today and within two years.")]}
            )
        expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.min))
    secret, prefix, key_hash = keys.new_key()
    with transaction.atomic():
        actor = _make_actor(prefix, name, staff=False)
        PartnerMembership.objects.create(user=actor, partner=partner, role=role)
        key = ApiKey.objects.create(
            partner=partner,
            name=name,
            role=role,
            prefix=prefix,
            key_hash=key_hash,
            actor=actor,
            created_by=by,
            expires_at=expires_at,
        )
        audit_record(
            action="api_key.created",
            actor=by,
            acting_partner=partner,
            target=key,
            target_repr=str(key),
            partners=[partner],
            data={
                "prefix": prefix,
                "role": role,
                "expires_at": expires_at and expires_at.isoformat(),
            },
        )
    return key, secret


def staff_api_key_create(*, name: str, by=None) -> tuple[ApiKey, str]:
    """An operator key: read access to every organization's data (create_staff_api_key)."""
    if by is not None and not (getattr(by, "is_authenticated", False) and by.is_superuser):
        raise PermissionDenied(_("Only operator superusers create staff keys."))
    name = _clean_name(name)
    secret, prefix, key_hash = keys.new_key()
    with transaction.atomic():
        actor = _make_actor(prefix, name, staff=True)
        key = ApiKey.objects.create(
            name=name, prefix=prefix, key_hash=key_hash, actor=actor, created_by=by
        )
        audit_record(
            action="api_key.created",
            actor=by,
            target=key,
            target_repr=str(key),
            data={"prefix": prefix, "staff": True},
        )
    return key, secret


def api_key_revoke(*, key: ApiKey, by) -> ApiKey:
    """Stop a key at once (its next call gets 401). Revoking twice is refused."""
    if key.partner_id is not None:
        _require_manager(partner=key.partner, by=by)
    elif not (getattr(by, "is_authenticated", False) and by.is_superuser):
        raise PermissionDenied(_("Only operator superusers revoke staff keys."))
    with transaction.atomic():
        locked = (
            ApiKey.objects.select_for_update(of=("self",)).select_related("partner").get(pk=key.pk)
        )
        if locked.revoked_at is not None:
            raise ValidationError(_("This key is already revoked."), code="revoked")
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        # The actor can no longer act through the membership either (belt and braces)
        PartnerMembership.objects.filter(user_id=locked.actor_id).delete()
        audit_record(
            action="api_key.revoked",
            actor=by,
            acting_partner=locked.partner,
            target=locked,
            target_repr=str(locked),
            partners=[locked.partner] if locked.partner else [],
            data={"prefix": locked.prefix},
        )
    return locked


# ------------------------------------------------------------------------------
# Webhook endpoints
# ------------------------------------------------------------------------------
def webhook_endpoint_create(
    *, partner: Partner, url: str, event_types: list[str], by, description: str = ""
) -> WebhookEndpoint:
    from .events import EVENT_TYPES

    _require_manager(partner=partner, by=by)
    errors: dict[str, list] = {}
    url = (url or "").strip()
    try:
        validate_webhook_url(url)
    except ValidationError as exc:
        errors["url"] = exc.messages
    event_types = sorted(set(event_types or []))
    if not event_types or any(t not in EVENT_TYPES for t in event_types):
        errors["event_types"] = [_("Choose at least one event type from the list.")]
    description = (description or "").strip()
    if len(description) > 200:
        errors["description"] = [_("Keep the description under 200 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=partner.pk)
        if WebhookEndpoint.objects.filter(partner=partner).count() >= MAX_ENDPOINTS_PER_PARTNER:
            raise ValidationError(
                _("An organization has at most %(max)s webhook endpoints.")
                % {"max": MAX_ENDPOINTS_PER_PARTNER}
            )
        endpoint = WebhookEndpoint.objects.create(
            partner=partner,
            url=url,
            description=description,
            event_types=event_types,
            created_by=by,
        )
        audit_record(
            action="webhook.endpoint_created",
            actor=by,
            acting_partner=partner,
            target=endpoint,
            target_repr=url[:255],
            partners=[partner],
            data={"url": url, "event_types": event_types},
        )
    return endpoint


def webhook_endpoint_remove(*, endpoint: WebhookEndpoint, by) -> None:
    """Delete an endpoint and its log (nothing more is sent to it)."""
    _require_manager(partner=endpoint.partner, by=by)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        if locked is None:
            raise ValidationError(_("This endpoint was already removed."))
        audit_record(
            action="webhook.endpoint_removed",
            actor=by,
            acting_partner=endpoint.partner,
            target=locked,
            target_repr=locked.url[:255],
            partners=[endpoint.partner],
            data={"url": locked.url},
        )
        locked.delete()


def webhook_delivery_resend(*, delivery: WebhookDelivery, by) -> WebhookDelivery:
    """Send a failed delivery again (same message ID, so a receiver can deduplicate)."""
    from .webhooks import schedule

    _require_manager(partner=delivery.endpoint.partner, by=by)
    with transaction.atomic():
        locked = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint__partner")
            .get(pk=delivery.pk)
        )
        if locked.status != WebhookDelivery.Status.FAILED:
            raise ValidationError(_("Only a failed delivery can be sent again."), code="not_failed")
        locked.status = WebhookDelivery.Status.PENDING
        locked.attempts = 0
        locked.error = ""
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "attempts", "error", "next_attempt_at"])
        audit_record(
            action="webhook.resent",
            actor=by,
            acting_partner=locked.endpoint.partner,
            target=locked,
            target_repr=f"{locked.event_type} {locked.message_id}",
            partners=[locked.endpoint.partner],
            data={"message_id": locked.message_id},
        )
        schedule(locked)
    return locked
