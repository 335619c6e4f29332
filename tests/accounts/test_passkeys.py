"""Passkeys (django-otp-webauthn) as a second factor: the pages load the library's scripts as
static files, the JSON ceremony endpoints answer signed-in users only, and the services keep
`mfa_enabled` and the audit log in step. The browser ceremonies themselves need an
authenticator: tests/browser/test_passkeys_browser.py uses Chromium's virtual one."""

import json
import os

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from apps.accounts import services as account_services
from apps.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.test_content_security_policy import inline_code_in

pytestmark = pytest.mark.django_db


def add_passkey(user, name="Laptop") -> WebAuthnCredential:
    """A stored credential as the library saves it after a ceremony, recorded by the service."""
    credential_id = os.urandom(32)
    device = WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_type="public-key",
        credential_id=credential_id,
        public_key=os.urandom(77),
        credential_id_sha256=WebAuthnCredential.get_credential_id_sha256(credential_id),
    )
    account_services.mfa_passkey_added(by=user, device=device)
    return device


def test_adding_a_passkey_turns_mfa_on_and_is_audited(user):
    assert not user.mfa_enabled
    device = add_passkey(user)
    user.refresh_from_db()
    assert user.mfa_enabled
    event = AuditEvent.objects.get(action="mfa.passkey_added", actor=user)
    assert event.data["device"] == device.name


def test_removing_the_last_passkey_turns_mfa_off(client, user):
    first = add_passkey(user, "Laptop")
    second = add_passkey(user, "Phone")
    client.force_login(user)
    # a user with a second factor passes it first
    page = client.get(reverse("accounts:mfa"))
    assert page.status_code == 302 and page.url.startswith(reverse("accounts:mfa_verify"))

    assert account_services.mfa_passkey_remove(by=user, passkey_id=first.pk)
    user.refresh_from_db()
    assert user.mfa_enabled
    assert account_services.mfa_passkey_remove(by=user, passkey_id=second.pk)
    user.refresh_from_db()
    assert not user.mfa_enabled
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="mfa.passkey_removed", actor=user).count() == 2


def test_a_user_cannot_remove_someone_elses_passkey(client, user):
    from tests.factories import make_user

    other = make_user()
    device = add_passkey(other)
    client.force_login(user)
    response = client.post(reverse("accounts:mfa_passkey_remove", args=[device.pk]))
    assert response.status_code == 302
    assert WebAuthnCredential.objects.filter(pk=device.pk).exists()
    other.refresh_from_db()
    assert other.mfa_enabled


def test_removing_mfa_removes_passkeys_too(user):
    add_passkey(user)
    account_services.mfa_recovery_codes_issue(by=user)
    account_services.mfa_remove(by=user)
    user.refresh_from_db()
    assert not user.mfa_enabled
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="mfa.removed", actor=user).count() == 1


def test_a_user_whose_only_factor_is_a_passkey_is_asked_to_verify(client, user):
    add_passkey(user)
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:mfa_verify"))
    content = response.content.decode()
    assert 'id="passkey-verification-button"' in content
    assert "django_otp_webauthn/otp_webauthn_auth.js" in content
    assert inline_code_in(content) == []
    # the authentication ceremony is open to the unverified user; other pages are not
    begin = client.post(reverse("otp_webauthn:credential-authentication-begin"))
    assert begin.status_code == 200
    options = begin.json()
    assert options["challenge"]
    assert len(options["allowCredentials"]) == 1
    assert client.get(reverse("dashboard")).status_code == 302
    # registering another passkey needs the second factor first
    register = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert register.status_code in (302, 403)
    # a bad answer to the ceremony does not verify the session
    bad = client.post(
        reverse("otp_webauthn:credential-authentication-complete"),
        data=json.dumps({"id": "x"}),
        content_type="application/json",
    )
    assert bad.status_code >= 400
    assert client.get(reverse("dashboard")).status_code == 302


def test_overview_page_offers_a_passkey_with_static_scripts_only(client, user):
    client.force_login(user)
    response = client.get(reverse("accounts:mfa"))
    content = response.content.decode()
    assert 'id="passkey-registration-placeholder"' in content
    assert 'id="passkey-register-button"' in content
    assert "django_otp_webauthn/otp_webauthn_register.js" in content
    assert "js/passkeys.js" in content
    assert inline_code_in(content) == []
    catalog = client.get(reverse("otp_webauthn:js-i18n-catalog"))
    assert catalog.status_code == 200


@override_settings(PORTAL_WEBAUTHN_RP_NAME="Acme Partners")
def test_begin_registration_returns_options_for_a_signed_in_user(client, user, settings):
    client.force_login(user)
    response = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert response.status_code == 200
    options = response.json()
    assert options["rp"] == {"id": settings.OTP_WEBAUTHN_RP_ID, "name": "Acme Partners"}
    assert options["user"]["name"]
    assert options["challenge"]
    assert "no-store" in response.get("Cache-Control", "") or "no-cache" in response.get(
        "Cache-Control", ""
    )


def test_ceremony_endpoints_refuse_anonymous_users(client):
    for name in (
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
    ):
        response = client.post(reverse(name))
        assert response.status_code in (302, 403), name
        if response.status_code == 302:
            assert response.url.startswith(reverse("accounts:login"))


def test_relying_party_comes_from_the_portal_url():
    from django.conf import settings

    assert settings.OTP_WEBAUTHN_RP_ID
    assert not settings.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN
