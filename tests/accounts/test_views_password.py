"""Changing a password, and resetting a forgotten one by email (the link works once)."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from apps.audit.models import AuditEvent
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Secret-2026"
LINK = re.compile(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def test_a_user_changes_their_password(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_changed", actor=user).exists()
    # the session survives the change
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_changing_the_password_needs_the_old_one(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_new_password_is_refused(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def request_reset(client, email):
    """Ask for a reset link; the email leaves once the request's transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def test_the_password_reset_link_works_once(client):
    user = make_user("someone@example.test")

    response = request_reset(client, "SomeOne@Example.TEST")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["someone@example.test"]
    assert "Reset your password" in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = LINK.search(message.body).group(1)
    assert link in html

    # opening the link moves the token into the session and redirects to a URL without it
    opened = client.get(link)
    assert opened.status_code == 302
    set_password_url = opened["Location"]
    assert set_password_url.endswith("/set-password/")
    form = client.get(set_password_url)
    assert form.status_code == 200
    assert form.context["validlink"] is True

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_reset", actor=user).exists()

    # the new password signs in through the real form
    client.cookies.clear()
    signed_in = client.post(
        reverse("accounts:login"), {"username": "someone@example.test", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)

    # the same link is refused a second time
    client.post(reverse("accounts:logout"))
    again = client.get(link, follow=True)
    assert again.status_code == 200
    assert again.context["validlink"] is False
    assert "This password reset link is not valid" in again.content.decode()


def test_a_tampered_reset_link_is_refused(client):
    make_user("someone@example.test")
    request_reset(client, "someone@example.test")
    link = LINK.search(mail.outbox[0].body).group(1)
    response = client.get(link[:-3] + "zz/", follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_a_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = request_reset(client, "nobody@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_reset_link_uses_the_portal_address_not_the_host_header(client, settings):
    settings.PORTAL_BASE_URL = "https://partners.example.cn"
    make_user("someone@example.test")
    request_reset(client, "someone@example.test")
    assert "https://partners.example.cn/accounts/password/reset/" in mail.outbox[0].body
    assert "testserver" not in mail.outbox[0].body


def test_an_inactive_account_gets_no_reset_email(client):
    make_user("gone@example.test", is_active=False)
    request_reset(client, "gone@example.test")
    assert mail.outbox == []
