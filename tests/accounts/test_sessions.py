"""Session hygiene (issue 15): idle sessions end (30 minutes for operator staff, 8 hours for
everyone else, configurable), and changing or resetting a password signs out every other
session of the account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")
PROFILE = reverse("accounts:profile")
LOGIN = reverse("accounts:login")
NEW_PASSWORD = "Brand-New-Secret-2026"
RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_signed_in(client) -> bool:
    response = client.get(PROFILE)
    if response.status_code == 302:
        assert response["Location"].startswith(LOGIN)
        return False
    assert response.status_code == 200
    return True


# ------------------------------------------------------------------------------
# Idle timeout
# ------------------------------------------------------------------------------
def test_an_idle_partner_user_is_signed_out_after_eight_hours(user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(user)
        assert is_signed_in(client)
        clock.shift(timedelta(hours=7, minutes=59))
        assert is_signed_in(client)
        # activity restarts the clock
        clock.shift(timedelta(hours=7, minutes=59))
        assert is_signed_in(client)
        clock.shift(timedelta(hours=8, minutes=1))
        response = client.get(PROFILE, follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "signed out after 480 minutes without activity" in response.content.decode()
    assert AuditEvent.objects.filter(action="account.signed_out", actor=user).exists()


def test_operator_staff_are_signed_out_after_thirty_idle_minutes(db):
    staff = make_user("operator@example.test", is_staff=True)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in(staff)
        assert is_signed_in(client)
        clock.shift(timedelta(minutes=29))
        assert is_signed_in(client)
        clock.shift(timedelta(minutes=31))
        assert not is_signed_in(client)


def test_the_idle_timeouts_are_settings(settings, user):
    settings.PORTAL_IDLE_TIMEOUT = 5 * 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in(user)
        assert is_signed_in(client)
        clock.shift(timedelta(minutes=6))
        assert not is_signed_in(client)


def test_an_active_session_is_written_at_most_once_a_minute(user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in(user)
        client.get(PROFILE)
        first = client.session["_portal_last_activity"]
        clock.shift(timedelta(seconds=30))
        client.get(PROFILE)
        assert client.session["_portal_last_activity"] == first
        clock.shift(timedelta(seconds=31))
        client.get(PROFILE)
        assert client.session["_portal_last_activity"] == first + 61


# ------------------------------------------------------------------------------
# Other sessions end with a password change or reset
# ------------------------------------------------------------------------------
def test_changing_the_password_signs_out_the_other_sessions_only(user):
    laptop, phone = Client(), Client()
    for client in (laptop, phone):
        assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302
        assert is_signed_in(client)
    response = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_resetting_the_password_signs_out_every_session(user):
    phone = Client()
    assert phone.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302
    assert is_signed_in(phone)
    browser = Client()
    with TestCase.captureOnCommitCallbacks(execute=True):
        browser.post(reverse("accounts:password_reset"), {"email": user.email})
    link = RESET_LINK.search(mail.outbox[-1].body).group(1)
    set_password_url = browser.get(link)["Location"]
    done = browser.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert not is_signed_in(phone)
    assert not is_signed_in(browser)  # a reset does not sign in either


def test_the_idle_clock_starts_at_sign_in_so_the_first_page_writes_no_session(user):
    client = Client()
    assert client.post(LOGIN, {"username": user.email, "password": PASSWORD}).status_code == 302
    assert "_portal_last_activity" in client.session
    key = client.session.session_key
    client.get(PROFILE)
    assert client.session.session_key == key
