"""Two-step verification (django-otp): setting up an authenticator app, signing in with it or
a recovery code, staff before the admin, and an organization's requirement."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import services as account_services
from apps.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def totp_code(device, steps_ahead=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.drift += steps_ahead
    return f"{totp.token():0{device.digits}d}"


def unthrottle(user):
    """django-otp makes each wrong code wait longer before the next try; tests skip the wait."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    """Set up an authenticator app through the pages; returns the device and recovery codes."""
    client.force_login(user)
    page = client.get(reverse("accounts:mfa_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:mfa_setup"), {"code": totp_code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    return TOTPDevice.objects.get(pk=device.pk), codes


def sign_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


def test_setup_shows_a_qr_code_inline_and_confirms_with_a_code(client, user):
    client.force_login(user)
    page = client.get(reverse("accounts:mfa_setup"))
    content = page.content.decode()
    assert 'src="data:image/svg+xml' in content  # no external service, no script
    assert re.search(r'<label\s+for="id_code"', content)
    assert content.count("<h1") == 1
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("accounts:mfa_setup"), {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed

    unthrottle(user)
    response = client.post(reverse("accounts:mfa_setup"), {"code": totp_code(device)})
    device.refresh_from_db()
    user.refresh_from_db()
    assert device.confirmed and user.mfa_enabled
    codes = response.context["codes"]
    assert len(codes) == 10
    for code in codes:
        assert code in response.content.decode()
    # the database holds only hashes of the recovery codes
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {c.replace("-", "") for c in codes} and not stored & set(codes)
    assert AuditEvent.objects.filter(action="mfa.enrolled", actor=user).count() == 1
    assert AuditEvent.objects.filter(action="mfa.recovery_codes_issued", actor=user).count() == 1


def test_sign_in_needs_the_second_factor_before_any_page(client, user):
    device, _codes = enrol(client, user)
    client.logout()

    response = sign_in(client, user)
    assert response.status_code == 302
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(reverse("accounts:mfa_verify"))
    assert client.get(reverse("accounts:profile")).status_code == 302

    wrong = client.post(reverse("accounts:mfa_verify"), {"code": "123456"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert client.get(reverse("dashboard")).status_code == 302

    unthrottle(user)
    ok = client.post(
        reverse("accounts:mfa_verify"), {"code": totp_code(device, 1), "next": "/accounts/profile/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/accounts/profile/"
    assert client.get(reverse("dashboard")).status_code == 200


def test_verify_refuses_an_outside_next_url(client, user):
    device, _codes = enrol(client, user)
    client.logout()
    sign_in(client, user)
    ok = client.post(
        reverse("accounts:mfa_verify"),
        {"code": totp_code(device, 1), "next": "https://evil.example/"},
    )
    assert ok["Location"] == reverse("dashboard")


def test_a_recovery_code_works_once(client, user):
    _device, codes = enrol(client, user)
    client.logout()
    sign_in(client, user)
    used = client.post(reverse("accounts:mfa_verify"), {"code": codes[0].upper()})
    assert used.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.recovery_code_used", actor=user).count() == 1

    client.logout()
    sign_in(client, user)
    again = client.post(reverse("accounts:mfa_verify"), {"code": codes[0]})
    assert again.status_code == 200 and again.context["form"].errors
    assert client.get(reverse("dashboard")).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_new_recovery_codes_replace_the_old_ones(client, user):
    _device, codes = enrol(client, user)
    response = client.post(reverse("accounts:mfa_recovery_codes"))
    new_codes = response.context["codes"]
    assert set(new_codes).isdisjoint(codes)
    client.logout()
    sign_in(client, user)
    assert client.post(reverse("accounts:mfa_verify"), {"code": codes[1]}).status_code == 200
    unthrottle(user)
    assert client.post(reverse("accounts:mfa_verify"), {"code": new_codes[1]}).status_code == 302


def test_removing_it_is_audited_and_sign_in_no_longer_asks(client, user):
    enrol(client, user)
    response = client.post(reverse("accounts:mfa_remove"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.mfa_enabled
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="mfa.removed", actor=user).count() == 1
    client.logout()
    sign_in(client, user)
    assert client.get(reverse("dashboard")).status_code == 200


def test_staff_without_mfa_can_use_the_admin_when_the_setting_is_off(client, cast, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(cast.staff)
    assert client.get(reverse("admin:index")).status_code == 200


@override_settings(MFA_REQUIRED_FOR_STAFF=True)
def test_staff_set_it_up_before_any_admin_page(client, cast):
    client.force_login(cast.staff)
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:mfa_setup"))
    # the portal's own pages stay open, and so does the setup page
    assert client.get(reverse("dashboard")).status_code == 200

    device, _codes = enrol(client, cast.staff)
    assert client.get(reverse("admin:index")).status_code == 200

    # a new session has to pass it again
    client.logout()
    sign_in(client, cast.staff)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    client.post(reverse("accounts:mfa_verify"), {"code": totp_code(device, 1)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_organization_requirement_sends_members_to_set_it_up(client, cast):
    cast.provider.require_mfa = True
    cast.provider.save(update_fields=["require_mfa"])
    home = reverse("partners:home", kwargs={"partner_id": cast.provider.public_id})

    client.force_login(cast.provider_agent)
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_setup"))
    # the user's own pages are not affected (the dashboard of a one-organization member goes
    # to that organization, so it too asks for the second factor)
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.force_login(cast.reseller_admin)
    reseller_home = reverse("partners:home", kwargs={"partner_id": cast.reseller.public_id})
    assert client.get(reseller_home).status_code == 200
    # outsiders still learn nothing: 404 before any MFA question
    assert client.get(home).status_code == 404

    device, _codes = enrol(client, cast.provider_agent)
    assert client.get(home).status_code == 200
    client.logout()
    sign_in(client, cast.provider_agent)
    response = client.get(home)
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    client.post(reverse("accounts:mfa_verify"), {"code": totp_code(device, 1)})
    assert client.get(home).status_code == 200


def test_a_global_admin_turns_the_requirement_on_and_it_is_audited(client, cast):
    url = reverse("partners:profile_mfa", kwargs={"partner_id": cast.provider.public_id})
    client.force_login(cast.provider_admin)
    profile = client.get(
        reverse("partners:profile", kwargs={"partner_id": cast.provider.public_id})
    )
    assert re.search(r'<label[^>]+for="id_require_mfa"', profile.content.decode())

    # without a second factor of their own, they cannot lock themselves out
    client.post(url, {"require_mfa": "on"})
    cast.provider.refresh_from_db()
    assert not cast.provider.require_mfa

    enrol(client, cast.provider_admin)
    response = client.post(url, {"require_mfa": "on"})
    assert response.status_code == 302
    cast.provider.refresh_from_db()
    assert cast.provider.require_mfa
    event = AuditEvent.objects.get(action="partner.mfa_requirement_changed")
    assert event.actor == cast.provider_admin and event.data["require_mfa"] is True

    client.post(url, {})
    cast.provider.refresh_from_db()
    assert not cast.provider.require_mfa


@pytest.mark.parametrize("role", ["provider_agent", "provider_sales", "provider_helpdesk"])
def test_only_a_global_admin_may_change_the_requirement(client, cast, role):
    member = getattr(cast, role)
    enrol(client, member)
    url = reverse("partners:profile_mfa", kwargs={"partner_id": cast.provider.public_id})
    assert client.post(url, {"require_mfa": "on"}).status_code == 403
    cast.provider.refresh_from_db()
    assert not cast.provider.require_mfa
    client.force_login(cast.outsider)
    assert client.post(url, {"require_mfa": "on"}).status_code == 404


def test_the_service_refuses_a_wrong_code_and_someone_elses_device(user, cast):
    device = TOTPDevice.objects.create(user=user, name="x", confirmed=False)
    assert account_services.mfa_totp_confirm(by=user, device=device, token="000000") is None
    assert (
        account_services.mfa_totp_confirm(
            by=cast.provider_admin, device=device, token=totp_code(device)
        )
        is None
    )
    device.refresh_from_db()
    assert not device.confirmed
