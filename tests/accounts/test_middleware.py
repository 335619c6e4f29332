"""Request id, user preferences and login-required middleware."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from apps.accounts.middleware import UserPreferencesMiddleware

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_new_request_id(client):
    first = client.get(reverse("accounts:login"))["X-Request-ID"]
    second = client.get(reverse("accounts:login"))["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="lb-7f3a9c21.trace_01")
    assert response["X-Request-ID"] == "lb-7f3a9c21.trace_01"


@pytest.mark.parametrize("incoming", ["short", "has spaces in it", "<script>x</script>", "a" * 65])
def test_a_malformed_incoming_request_id_is_replaced(client, incoming):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def current_time_zone_for(user) -> str:
    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone_name()
        return None

    request = RequestFactory().get("/")
    request.user = user
    UserPreferencesMiddleware(view)(request)
    return seen["tz"]


def test_a_signed_in_user_sees_times_in_their_time_zone(user, settings):
    user.time_zone = "Europe/Rome"
    assert current_time_zone_for(user) == "Europe/Rome"


def test_others_see_the_portal_time_zone(user, settings):
    assert current_time_zone_for(user) == settings.TIME_ZONE
    assert current_time_zone_for(AnonymousUser()) == settings.TIME_ZONE


def test_a_stored_time_zone_that_no_longer_exists_falls_back(user, settings):
    user.time_zone = "Mars/Olympus"
    assert current_time_zone_for(user) == settings.TIME_ZONE


def test_login_required_is_the_default_for_every_page(client):
    response = client.get(reverse("accounts:password_change_done"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_address_gets_the_404_page_without_signing_in(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
