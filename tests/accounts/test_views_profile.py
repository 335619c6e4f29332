"""The dashboard and the profile page."""

import pytest
from django.urls import reverse

from apps.partners.models import Role
from tests.factories import make_member, make_provider

pytestmark = pytest.mark.django_db


def test_the_dashboard_lists_the_organizations_a_user_acts_for(client):
    provider = make_provider("Contoso Distribution")
    user = make_member(provider, Role.SALES_AGENT, email="sales@contoso.test")
    make_member(make_provider("Litware Distribution"), Role.SALES_AGENT, user=user)
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Contoso Distribution" in content and "Litware Distribution" in content
    assert "not a member of any organization" not in content


def test_the_dashboard_tells_a_user_without_organizations_what_to_do(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert "not a member of any organization yet" in response.content.decode()


def test_a_user_saves_their_profile(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Ada Lovelace", "language": "it", "time_zone": "Europe/Rome"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    assert "Your profile was saved." in response.content.decode()
    user.refresh_from_db()
    assert (user.display_name, user.language, user.time_zone) == (
        "Ada Lovelace",
        "it",
        "Europe/Rome",
    )
    # the preferred language applies from the next page on
    assert '<html lang="it">' in response.content.decode()


def test_empty_preferences_fall_back_to_the_defaults(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "Ada", "language": "", "time_zone": ""}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.language, user.time_zone) == ("", "")


def test_an_unknown_time_zone_is_refused_and_nothing_changes(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Someone else", "language": "en", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "someone"
    assert user.time_zone == ""


def test_the_profile_page_cannot_change_the_email_or_staff_flags(client, user):
    client.force_login(user)
    client.post(
        reverse("accounts:profile"),
        {"display_name": "Ada", "email": "evil@example.test", "is_staff": "on"},
    )
    user.refresh_from_db()
    assert user.email == "someone@example.test"
    assert user.is_staff is False
