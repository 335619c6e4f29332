"""An operator resets the two-step verification of a user who lost it (issue 15): staff who may
change users only, never their own, recorded, and the user is told by email."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import services as account_services
from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.portal.services import auditor_add
from tests import factories

from .test_mfa import enrol, sign_in, totp_code

CHANGELIST = reverse("admin:accounts_user_changelist")


@pytest.fixture
def admin_client(client, cast, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(cast.staff)
    return client


def reset_action(client, *users):
    return client.post(
        CHANGELIST,
        {"action": "reset_mfa", "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_an_operator_resets_a_lost_second_factor_and_the_user_is_told(
    admin_client, cast, django_capture_on_commit_callbacks
):
    member = cast.provider_admin
    other = factories.make_user("other@example.test")
    device, _codes = enrol(Client(), member)
    assert User.objects.get(pk=member.pk).mfa_enabled
    with django_capture_on_commit_callbacks(execute=True):
        response = reset_action(admin_client, member)
    assert "Two-step verification was reset for 1 user" in response.content.decode()
    member.refresh_from_db()
    assert not member.mfa_enabled
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(action="mfa.reset_by_operator")
    assert event.actor == cast.staff and event.target_id == str(member.pk)
    assert event.data == {"authenticator_apps": 1, "webauthn_devices": 0, "recovery_codes": 10}
    (message,) = [m for m in mail.outbox if member.email in m.to]
    assert "Two-step verification was reset" in message.subject
    assert "/accounts/password/reset/" in message.body
    # the user signs in with the password alone again
    browser = Client()
    sign_in(browser, member)
    assert browser.get(reverse("dashboard")).status_code == 200
    assert browser.session["_auth_user_id"] == str(member.pk)
    # someone without a second factor: nothing to reset, nothing recorded
    response = reset_action(admin_client, other)
    assert "has no two-step verification to reset" in response.content.decode()
    assert AuditEvent.objects.filter(action="mfa.reset_by_operator").count() == 1
    # the old authenticator's codes no longer get anyone in
    assert account_services.mfa_verify(by=member, code=totp_code(device, 1)) is None


def test_an_operator_cannot_reset_their_own(cast):
    enrol(Client(), cast.staff)
    with pytest.raises(ValidationError, match="cannot reset your own"):
        account_services.mfa_reset_by_operator(user=cast.staff, by=cast.staff)
    assert User.objects.get(pk=cast.staff.pk).mfa_enabled
    assert not AuditEvent.objects.filter(action="mfa.reset_by_operator").exists()


def test_an_auditor_cannot_reset_it(client, cast, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    auditor, _created = auditor_add(
        email="auditor@example.test", display_name="Ada Auditor", password=factories.PASSWORD
    )
    enrol(Client(), cast.provider_admin)
    client.force_login(auditor)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "reset_mfa" not in page.content.decode()
    response = client.post(
        CHANGELIST, {"action": "reset_mfa", "_selected_action": [cast.provider_admin.pk]}
    )
    assert response.status_code in (302, 403)
    assert User.objects.get(pk=cast.provider_admin.pk).mfa_enabled
    with pytest.raises(ValidationError):
        account_services.mfa_reset_by_operator(user=cast.provider_admin, by=auditor)
    # nor can a partner user, through the service
    with pytest.raises(ValidationError):
        account_services.mfa_reset_by_operator(user=cast.provider_admin, by=cast.reseller_admin)
    assert User.objects.get(pk=cast.provider_admin.pk).mfa_enabled
