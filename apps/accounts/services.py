"""Account changes worth a record in the audit log."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from apps.audit.services import audit_record
from apps.core.emails import send_email

from .mfa import (
    RECOVERY_CODE_COUNT,
    RECOVERY_DEVICE_NAME,
    has_second_factor_device,
    hash_recovery_code,
    new_recovery_code,
    normalize_recovery_code,
    recovery_codes_left,
    recovery_device,
)
from .models import SignupRequest, User
from .signups import SIGNUP_LINK_HOURS, signup_purpose


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
# Profile and privileges (issue 15, defect 4): every change recorded with old -> new values
# ------------------------------------------------------------------------------

PROFILE_FIELDS = ("email", "display_name", "language", "time_zone")
PRIVILEGE_FLAGS = ("is_active", "is_staff", "is_superuser")


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def user_update_profile(*, user: User, by, **values) -> dict:
    """Change `user`'s profile (any of PROFILE_FIELDS) and record what changed, old -> new.
    Returns {field: [old, new]} (empty, and nothing written, when nothing changed)."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(user)
        changes = {
            name: [getattr(locked, name), value]
            for name, value in values.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return {}
        for name, (_old, new) in changes.items():
            setattr(locked, name, new)
            setattr(user, name, new)
        locked.save(update_fields=list(changes))
        audit_record(
            action="account.profile_changed",
            actor=by,
            target=locked,
            target_repr=locked.email,
            data={"changes": changes},
        )
    return changes


def _permission_names(permissions) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


def privileges_of(user: User) -> dict:
    """A user's privileges as the audit log records them: flags, group names, permissions."""
    return {
        **{flag: getattr(user, flag) for flag in PRIVILEGE_FLAGS},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": _permission_names(user.user_permissions.select_related("content_type")),
    }


def user_set_privileges(
    *,
    user: User,
    by,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
    groups=None,
    permissions=None,
) -> dict:
    """Set what `user` may do (None leaves a value as it is) and record every change, old ->
    new, in one transaction. Returns {what: [old, new]}; nothing is written when nothing
    changed."""
    flags = {"is_active": is_active, "is_staff": is_staff, "is_superuser": is_superuser}
    with transaction.atomic():
        locked = _lock(user)
        before = privileges_of(locked)
        changed_flags = [n for n, v in flags.items() if v is not None and getattr(locked, n) != v]
        for name in changed_flags:
            setattr(locked, name, flags[name])
            setattr(user, name, flags[name])
        if changed_flags:
            locked.save(update_fields=changed_flags)
        if groups is not None:
            locked.groups.set(groups)
        if permissions is not None:
            locked.user_permissions.set(permissions)
        after = privileges_of(locked)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if changes:
            audit_record(
                action="account.privileges_changed",
                actor=by,
                target=locked,
                target_repr=locked.email,
                data={"changes": changes},
            )
    return changes


def user_admin_set_password(*, user: User, by, password: str | None) -> User:
    """An operator sets `user`'s password (None: disables password sign-in). Recorded, never
    the password itself. The admin's form has validated the password already."""
    with transaction.atomic():
        locked = _lock(user)
        if password is None:
            locked.set_unusable_password()
        else:
            locked.set_password(password)
        locked.save(update_fields=["password"])
        user.password = locked.password
        audit_record(
            action="account.password_set",
            actor=by,
            target=locked,
            target_repr=locked.email,
            data={"usable": password is not None},
        )
    return user


def user_admin_record_created(*, user: User, by) -> None:
    """Record that an operator created `user` in the admin, with or without a password they
    set (never the password). Call inside the transaction that saved the user."""
    audit_record(
        action="account.password_set",
        actor=by,
        target=user,
        target_repr=user.email,
        data={"usable": user.has_usable_password(), "new_account": True},
    )


def group_record_change(*, group, by, before: dict | None, deleted: bool = False) -> dict:
    """Record a permission group's creation, change (name, permissions: old -> new) or
    deletion. Call inside the transaction of the change; `before` is `group_state(group)`
    taken before it (None for a new group)."""
    after = None if deleted else group_state(group)
    if before == after:
        return {}
    keys = ("name", "permissions")
    changes = {
        k: [before[k] if before else None, after[k] if after else None]
        for k in keys
        if (before or {}).get(k) != (after or {}).get(k)
    }
    audit_record(
        action="group.deleted" if deleted else "group.changed",
        actor=by,
        target=group,
        target_repr=group.name,
        data={"changes": changes, "members": group.user_set.count()},
    )
    return changes


def group_state(group) -> dict:
    return {
        "name": group.name,
        "permissions": _permission_names(group.permissions.select_related("content_type")),
    }


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
    """Remove every second factor of `by` (authenticator apps, passkeys and recovery codes)."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=by, confirmed=True).count()
        passkeys = WebAuthnCredential.objects.filter(user=by).count()
        TOTPDevice.objects.filter(user=by).delete()
        WebAuthnCredential.objects.filter(user=by).delete()
        StaticDevice.objects.filter(user=by).delete()
        User.objects.filter(pk=by.pk).update(mfa_enabled=False)
        by.mfa_enabled = False
        if removed or passkeys:
            data = {"method": "totp"} if removed else {"method": "passkey"}
            if passkeys:
                data["passkeys"] = passkeys
            audit_record(
                action="mfa.removed",
                actor=by,
                target=by,
                target_repr=by.email,
                data=data,
            )


def mfa_reset_by_operator(*, user: User, by: User) -> bool:
    """Operator staff remove every second factor of `user`, who lost them (phone, security
    key and recovery codes). The user is told by email and sets two-step verification up
    again at the next sign-in where it is required. An operator cannot reset their own (another
    operator must, so a stolen staff session cannot strip its own second factor). Returns False
    when `user` had nothing to reset."""
    if not by.is_staff or not by.has_perm("accounts.change_user"):
        raise ValidationError(_("Only operator staff who may change users can do this."))
    if user.pk == by.pk:
        raise ValidationError(
            _("You cannot reset your own two-step verification. Ask another operator.")
        )
    with transaction.atomic():
        locked = _lock(user)
        totp = TOTPDevice.objects.filter(user=locked, confirmed=True).count()
        passkeys = WebAuthnCredential.objects.filter(user=locked).count()
        recovery = recovery_codes_left(locked)
        if not (totp or passkeys or recovery or locked.mfa_enabled):
            return False
        TOTPDevice.objects.filter(user=locked).delete()
        WebAuthnCredential.objects.filter(user=locked).delete()
        StaticDevice.objects.filter(user=locked).delete()
        User.objects.filter(pk=locked.pk).update(mfa_enabled=False)
        user.mfa_enabled = False
        audit_record(
            action="mfa.reset_by_operator",
            actor=by,
            target=locked,
            target_repr=locked.email,
            data={
                "authenticator_apps": totp,
                "webauthn_devices": passkeys,
                "recovery_codes": recovery,
            },
        )
        send_email(
            template="accounts/email/mfa_reset",
            to=locked.email,
            context={
                "user": locked,
                "login_url": settings.PORTAL_BASE_URL + reverse(settings.LOGIN_URL),
                "reset_url": settings.PORTAL_BASE_URL + reverse("accounts:password_reset"),
            },
        )
    return True


def _mfa_enabled_sync(*, by: User) -> None:
    """Set `by.mfa_enabled` from the devices left (inside the caller's transaction)."""
    enabled = has_second_factor_device(by)
    User.objects.filter(pk=by.pk).update(mfa_enabled=enabled)
    by.mfa_enabled = enabled


def mfa_passkey_register(*, by: User, helper, state: dict, data: dict):
    """Finish registering a passkey for `by` (django-otp-webauthn's helper checks the
    authenticator's answer against `state` and saves the credential); the credential, the
    `mfa_enabled` flag and the audit event are one transaction. Returns the credential."""
    with transaction.atomic():
        device = helper.register_complete(user=by, state=state, data=data)
        return mfa_passkey_added(by=by, device=device)


def mfa_passkey_added(*, by: User, device) -> object:
    """Record a passkey `by` has just registered (call inside the transaction that saved it)."""
    with transaction.atomic():
        _mfa_enabled_sync(by=by)
        audit_record(
            action="mfa.passkey_added",
            actor=by,
            target=by,
            target_repr=by.email,
            data={"method": "passkey", "device": device.name},
        )
    return device


def mfa_passkey_remove(*, by: User, passkey_id: int) -> bool:
    """Remove one of `by`'s passkeys; `mfa_enabled` turns off when it was the last second
    factor (the recovery codes go with it). False when `by` has no such passkey."""
    with transaction.atomic():
        device = (
            WebAuthnCredential.objects.select_for_update().filter(user=by, pk=passkey_id).first()
        )
        if device is None:
            return False
        name = device.name
        device.delete()
        _mfa_enabled_sync(by=by)
        if not by.mfa_enabled:
            StaticDevice.objects.filter(user=by).delete()
        audit_record(
            action="mfa.passkey_removed",
            actor=by,
            target=by,
            target_repr=by.email,
            data={"method": "passkey", "device": name, "mfa_enabled": by.mfa_enabled},
        )
    return True


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


# ------------------------------------------------------------------------------
# Sign-up by email confirmation (issue 15, defect 7b; apps/accounts/signups.py)
# ------------------------------------------------------------------------------


def signup_token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def signup_request(
    *,
    email: str,
    display_name: str,
    password: str,
    purpose: str,
    payload: dict,
    return_path: str = "",
) -> None:
    """Someone asked for an account for `email` (to complete `purpose` with `payload`).

    Answers nothing, whatever the address: the mailbox gets either a one-time link that
    creates the account and completes the purpose, or, when the address already has an
    account, a note to sign in instead (back to `return_path`). The password is validated by
    the form and kept only hashed; it never travels in the link.
    """
    if signup_purpose(purpose) is None:
        raise ValueError(f"unknown sign-up purpose: {purpose}")
    email = User.objects.normalize_email(email)
    login_url = settings.PORTAL_BASE_URL + reverse(settings.LOGIN_URL)
    if return_path.startswith("/") and not return_path.startswith("//"):
        login_url += "?" + urlencode({"next": return_path})
    with transaction.atomic():
        # Requests dead for a week go (with their password hashes): nothing needs them then.
        SignupRequest.objects.filter(expires_at__lt=timezone.now() - timedelta(days=7)).delete()
        if User.objects.filter(email__iexact=email).exists():
            send_email(
                template="accounts/email/signup_account_exists",
                to=email,
                context={
                    "login_url": login_url,
                    "reset_url": settings.PORTAL_BASE_URL + reverse("accounts:password_reset"),
                },
            )
            return
        token = secrets.token_urlsafe(32)
        expires_at = timezone.now() + timedelta(hours=SIGNUP_LINK_HOURS)
        SignupRequest.objects.create(
            token_hash=signup_token_hash(token),
            email=email,
            display_name=display_name.strip(),
            password=make_password(password),
            purpose=purpose,
            payload=payload,
            expires_at=expires_at,
        )
        send_email(
            template="accounts/email/signup_confirm",
            to=email,
            context={
                "link": settings.PORTAL_BASE_URL
                + reverse("accounts:signup_link", kwargs={"token": token}),
                "expires_at": expires_at,
            },
        )


def signup_request_problem(signup: SignupRequest | None) -> str:
    """What is wrong with a confirmation link ("" when it works): a LinkProblem value."""
    if signup is None:
        return "unknown"
    if signup.used_at is not None:
        return "used"
    if signup.is_expired:
        return "expired"
    return ""


def signup_confirm(*, token_hash: str) -> tuple[User, SignupRequest]:
    """Create the account a confirmation link stands for; the link works once (the request
    row is locked, so a double submit creates one account). Raises ValidationError with code
    unknown / used / expired, or account_exists when the address got an account meanwhile."""
    with transaction.atomic():
        signup = SignupRequest.objects.select_for_update().filter(token_hash=token_hash).first()
        problem = signup_request_problem(signup)
        if problem:
            raise ValidationError(problem, code=problem)
        if User.objects.filter(email__iexact=signup.email).exists():
            raise ValidationError(
                _("An account with this email already exists. Sign in instead."),
                code="account_exists",
            )
        user = User.objects.create_user(signup.email, None, display_name=signup.display_name)
        user.password = signup.password
        user.save(update_fields=["password"])
        signup.used_at = timezone.now()
        signup.user = user
        signup.password = ""
        signup.save(update_fields=["used_at", "user", "password"])
        audit_record(
            action="account.signed_up",
            actor=user,
            target=user,
            target_repr=user.email,
            data={"purpose": signup.purpose},
        )
    return user, signup
