"""Operator-side services of the portal: making someone a read-only auditor of the admin."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from apps.audit.services import audit_record

from .auditors import AUDITORS_GROUP, grant_view_permissions


def auditor_add(
    *, email: str, display_name: str = "", password: str | None = None, by=None
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
                actor=by,
                target=user,
                data={"group": AUDITORS_GROUP, "created": created},
            )
    return user, created
