"""Account changes worth a record in the audit log."""

from django.contrib.auth import password_validation
from django.db import transaction

from apps.audit.services import audit_record

from .models import User


def user_set_password(*, user: User, password: str, via_reset: bool = False) -> User:
    """Give `user` a new password and record that it changed (never the password itself).

    `via_reset` says the person proved themselves with an emailed link rather than the old
    password. Raises ValidationError when the password is too weak.
    """
    password_validation.validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            action="account.password_reset" if via_reset else "account.password_changed",
            actor=user,
            target=user,
            target_repr=user.email,
        )
    return user
