"""Account changes worth a record in the audit log."""

from django.contrib.auth import password_validation
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.audit.services import audit_record

from .mfa import (
    RECOVERY_CODE_COUNT,
    RECOVERY_DEVICE_NAME,
    hash_recovery_code,
    new_recovery_code,
    normalize_recovery_code,
    recovery_codes_left,
    recovery_device,
)
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


# ------------------------------------------------------------------------------
# Two-step verification (apps/accounts/mfa.py)
# ------------------------------------------------------------------------------


def mfa_recovery_codes_issue(*, by: User) -> list[str]:
    """Replace `by`'s recovery codes with new ones; returns the codes (shown once, stored
    hashed)."""
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=by, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=hash_recovery_code(code)) for code in codes
        )
        audit_record(
            action="mfa.recovery_codes_issued",
            actor=by,
            target=by,
            target_repr=by.email,
            data={"count": len(codes)},
        )
    return codes


def mfa_totp_confirm(*, by: User, device, token: str) -> list[str] | None:
    """Confirm a new authenticator app with a code it shows. Returns the recovery codes to
    show (new ones when the user had none), or None when the code is wrong."""
    if device.user_id != by.pk or device.confirmed:
        return None
    if not device.verify_token(token):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        User.objects.filter(pk=by.pk).update(mfa_enabled=True)
        by.mfa_enabled = True
        audit_record(
            action="mfa.enrolled",
            actor=by,
            target=by,
            target_repr=by.email,
            data={"method": "totp", "device": device.name},
        )
    if recovery_codes_left(by) == 0:
        return mfa_recovery_codes_issue(by=by)
    return []


def mfa_remove(*, by: User) -> None:
    """Remove every second factor of `by` (authenticator apps and recovery codes)."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=by, confirmed=True).count()
        TOTPDevice.objects.filter(user=by).delete()
        StaticDevice.objects.filter(user=by).delete()
        User.objects.filter(pk=by.pk).update(mfa_enabled=False)
        by.mfa_enabled = False
        if removed:
            audit_record(
                action="mfa.removed",
                actor=by,
                target=by,
                target_repr=by.email,
                data={"method": "totp"},
            )


def mfa_verify(*, by: User, code: str):
    """The device that accepts `code` for `by` (an authenticator app's code, or a recovery
    code, which is then used up and audited), or None."""
    code = (code or "").strip().replace(" ", "")
    if code.isdigit():
        for device in TOTPDevice.objects.devices_for_user(by, confirmed=True):
            if device.verify_token(code):
                return device
        return None
    device = recovery_device(by)
    if device is None or not normalize_recovery_code(code):
        return None
    with transaction.atomic():
        if not device.verify_token(hash_recovery_code(code)):
            return None
        audit_record(
            action="mfa.recovery_code_used",
            actor=by,
            target=by,
            target_repr=by.email,
            data={"codes_left": device.token_set.count()},
        )
    return device
