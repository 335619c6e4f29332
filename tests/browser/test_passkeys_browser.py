"""A person adds a passkey and signs in with it (Chromium's virtual WebAuthn authenticator)."""

import re

import pytest
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from apps.audit.models import AuditEvent
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_a_user_adds_a_passkey_and_signs_in_with_it(page, live_server, console_messages, settings):
    # browsers refuse passkeys on an IP address: use the live server through "localhost"
    base = live_server.url.replace("127.0.0.1", "localhost")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [base]
    user = make_user("pat@example.test")

    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    def sign_in():
        page.goto(base + reverse("accounts:login"))
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: reverse("accounts:login") not in url)

    sign_in()
    page.goto(base + reverse("accounts:mfa"))
    page.get_by_role("button", name="Add a passkey").click()
    # a first second factor: the user is offered recovery codes next
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:mfa_recovery_codes"))))
    user.refresh_from_db()
    assert user.mfa_enabled
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="mfa.passkey_added", actor=user).count() == 1

    page.get_by_role("button", name="Sign out").first.click()
    sign_in()
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:mfa_verify"))))
    page.get_by_role("button", name="Verify with a passkey").click()
    expect(page).to_have_url(base + reverse("dashboard"))
    page.goto(base + reverse("accounts:mfa"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step verification")
    assert not [m for m in console_messages if "Content Security Policy" in m]
