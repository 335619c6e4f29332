"""The language switcher in the footer (POST only, safe redirect, remembered on the account)."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("set_language")


def test_a_signed_in_user_keeps_the_language_on_their_account(client, user):
    client.force_login(user)
    response = client.post(URL, {"language": "zh-hans", "next": reverse("accounts:profile")})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.language == "zh-hans"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    page = client.get(reverse("accounts:profile"))
    assert '<html lang="zh-hans">' in page.content.decode()


def test_the_stored_language_follows_the_user_to_a_new_browser(client, user):
    user.language = "it"
    user.save()
    client.force_login(user)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="it">' in page.content.decode()


def test_an_anonymous_visitor_switches_by_cookie(client):
    response = client.post(URL, {"language": "it", "next": reverse("accounts:login")})
    assert response["Location"] == reverse("accounts:login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"
    assert '<html lang="it">' in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", ""]
)
def test_it_never_redirects_to_another_site(client, next_url):
    response = client.post(URL, {"language": "it", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_language_changes_nothing(client, user):
    client.force_login(user)
    response = client.post(URL, {"language": "xx", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_it_takes_only_post(client):
    assert client.get(URL).status_code == 405
