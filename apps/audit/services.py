"""Writing the audit log. Every service that changes something calls audit_record inside
its own transaction, so the change and its record commit or roll back together."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from .auditors import AUDITORS_GROUP, grant_view_permissions
from .context import get_request_context
from .models import AuditEvent, AuditEventPartner

SECRET_KEY_PARTS = ("password", "token", "secret", "key", "signature", "link")
MASK = "***"


def mask_secrets(value: Any) -> Any:
    """Replace values whose key names a secret; recurse into dicts and lists."""
    if isinstance(value, dict):
        return {
            k: (
                MASK
                if any(part in str(k).lower() for part in SECRET_KEY_PARTS)
                else mask_secrets(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_secrets(v) for v in value]
    return value


def audit_record(
    *,
    action: str,
    actor=None,
    acting_partner=None,
    acting_customer=None,
    target: models.Model | None = None,
    target_repr: str | None = None,
    partners: Iterable = (),
    customer=None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction of the change it records."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    ctx = get_request_context()
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=actor.email if actor else "",
        acting_partner=acting_partner,
        acting_customer=acting_customer,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr if target_repr is not None else str(target or ""))[:255],
        customer=customer,
        data=mask_secrets(data or {}),
        ip_address=ctx.ip_address,
        request_id=ctx.request_id,
    )
    partner_ids = {p.pk for p in partners if p is not None}
    if acting_partner is not None:
        partner_ids.add(acting_partner.pk)
    AuditEventPartner.objects.bulk_create(
        [AuditEventPartner(event=event, partner_id=pid) for pid in sorted(partner_ids)]
    )
    return event


def auditor_add(
    *, email: str, display_name: str = "", password: str | None = None, added_by=None
) -> tuple[Any, bool]:
    """Make someone an operator auditor: staff (may sign in to the admin), in the Auditors group
    (view-only), never a superuser. Creates the user when the email is new; a new user without
    a password gets an unguessable one and sets their own through "Forgot your password?".

    Returns (user, created). Raises ValidationError for an invalid email or a superuser (a
    superuser can change everything, so group membership would not make them read-only).
    """
    User = get_user_model()
    email = User.objects.normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("“%(email)s” is not a valid email address."), params={"email": email}
        ) from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        created = user is None
        if created:
            if password:
                validate_password(password, User(email=email, display_name=display_name))
            user = User.objects.create_user(
                email, password or get_random_string(48), display_name=display_name
            )
        elif user.is_superuser:
            raise ValidationError(
                _(
                    "%(email)s is a superuser and can change everything; remove superuser "
                    "status first to make them a read-only auditor."
                ),
                params={"email": email},
            )
        group = grant_view_permissions()
        was_auditor = user.is_staff and user.groups.filter(pk=group.pk).exists()
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(group)
        if not was_auditor:
            audit_record(
                action="auditor.added",
                actor=added_by,
                target=user,
                data={"group": AUDITORS_GROUP, "created": created},
            )
    return user, created
