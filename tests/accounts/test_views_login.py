"""Signing in and out through the real login form (django-axes needs the request)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra})


def test_the_login_page_labels_its_fields(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r'<label\s+for="id_username"', content)
    assert re.search(r'<label\s+for="id_password"', content)
    assert content.count("<h1") == 1


@pytest.mark.parametrize(
    "typed", ["someone@example.test", "SomeOne@Example.TEST", "  SOMEONE@EXAMPLE.TEST "]
)
def test_it_signs_in_by_email_in_any_letter_case(client, typed):
    user = make_user("someone@example.test")
    response = sign_in(client, typed)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.session[SESSION_KEY] == str(user.pk)
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Welcome" in dashboard.content.decode()


def test_it_says_clearly_when_email_and_password_do_not_match(client):
    make_user("someone@example.test")
    response = sign_in(client, "someone@example.test", "wrong-password")
    assert response.status_code == 200
    assert "That email and password do not match an account" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_it_gives_an_unknown_email_the_same_message(client):
    response = sign_in(client, "nobody@example.test", "whatever-123")
    assert response.status_code == 200
    assert "That email and password do not match an account" in response.content.decode()


def test_it_refuses_an_inactive_account(client):
    make_user("gone@example.test", is_active=False)
    response = sign_in(client, "gone@example.test")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_it_locks_the_account_out_after_too_many_failures(client):
    make_user("someone@example.test")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "someone@example.test", "wrong-password").status_code == 200
    locked = sign_in(client, "someone@example.test", "wrong-password")
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert "Too many sign-in attempts" in locked.content.decode()
    # even the right password is refused while locked out
    again = sign_in(client, "someone@example.test")
    assert again.status_code == 429
    assert SESSION_KEY not in client.session


def test_changing_the_letter_case_does_not_buy_new_attempts(client):
    make_user("someone@example.test")
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "someone@example.test".upper() if i % 2 else "someone@example.test", "x")
    response = sign_in(client, "SomeOne@Example.Test")
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_does_not_touch_other_accounts(client):
    make_user("someone@example.test")
    make_user("other@example.test")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "someone@example.test", "wrong-password")
    assert sign_in(client, "other@example.test").status_code == 302


def test_a_success_resets_the_failure_count(client):
    make_user("someone@example.test")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "someone@example.test", "wrong-password")
    assert sign_in(client, "someone@example.test").status_code == 302
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "someone@example.test", "wrong-password").status_code == 200


def test_it_follows_a_safe_next_address(client):
    make_user("someone@example.test")
    response = sign_in(client, "someone@example.test", next=reverse("accounts:profile"))
    assert response["Location"] == reverse("accounts:profile")


def test_it_ignores_a_next_address_on_another_site(client):
    make_user("someone@example.test")
    response = sign_in(client, "someone@example.test", next="https://evil.example/")
    assert response["Location"] == reverse("dashboard")


def test_a_signed_in_user_is_sent_from_the_login_page_to_the_dashboard(client, user):
    client.force_login(user)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_signing_out_takes_a_post_and_ends_the_session(client, user):
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert SESSION_KEY not in client.session
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.parametrize("name", ["dashboard", "accounts:profile", "accounts:password_change"])
def test_pages_send_anonymous_visitors_to_the_login_page(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={url}"


@pytest.mark.parametrize(
    "name", ["accounts:login", "accounts:password_reset", "accounts:password_reset_done", "healthz"]
)
def test_public_pages_open_without_signing_in(client, name):
    assert client.get(reverse(name)).status_code == 200
