"""Two-step verification (MFA) on django-otp: an authenticator app (TOTP), passkeys (WebAuthn,
django-otp-webauthn) and recovery codes.

django-otp plugs into the portal's own sign-in: the password step signs the user in as before,
and `OTPMiddleware` makes `request.user.is_verified()` true once a second factor has been passed
in this session (`django_otp.login`; for a passkey, django-otp-webauthn's authentication
views, mounted by passkey_views.py). `MFAMiddleware` (middleware.py) keeps a user who has a
second factor on the verification page until then; the pages of an organization that requires
MFA, and the admin for operator staff, also send users without one to set it up.

Recovery codes are django-otp static tokens, but the database only ever holds a hash of each
code (16 characters of SHA-256 over an 80-bit random code): the codes are shown once.
"""

import base64
import hashlib
import secrets

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery"


class MFARequired(Exception):
    """Raised where a page needs a verified second factor (an organization that requires MFA);
    MFAMiddleware turns it into a redirect to set it up or to pass it."""


def has_mfa(user) -> bool:
    """Whether `user` has a confirmed second factor (an authenticator app or a passkey). The
    services keep
    `User.mfa_enabled` in step with the devices, so this costs no query."""
    return bool(getattr(user, "is_authenticated", False) and user.mfa_enabled)


def is_verified(user) -> bool:
    """Whether this session has passed a second factor (set by OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def staff_must_enrol(user) -> bool:
    return bool(settings.MFA_REQUIRED_FOR_STAFF and getattr(user, "is_staff", False))


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def hash_recovery_code(code: str) -> str:
    digest = hashlib.sha256(normalize_recovery_code(code).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 16 chars, 80 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


def passkeys_of(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def has_second_factor_device(user) -> bool:
    """Whether `user` still has an authenticator app or a passkey (recovery codes alone are not
    a second factor): what `User.mfa_enabled` mirrors."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists() or passkeys_of(user).exists()
    )


def webauthn_rp_name(request) -> str:
    """The relying party name authenticators show (OTP_WEBAUTHN_RP_NAME_CALLABLE)."""
    return str(getattr(settings, "PORTAL_WEBAUTHN_RP_NAME", "") or settings.SITE_NAME)
