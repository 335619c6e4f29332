"""Dates and numbers are written the way the language writes them; times are shown in the
signed-in user's time zone (the portal's, Asia/Shanghai, by default)."""

import pytest
from django.urls import reverse

from .catalogs import page_text

pytestmark = pytest.mark.django_db

# The relationship started at 20:30 UTC on 31 March 2026 (tests/i18n/conftest.py): in Shanghai
# that is already 1 April. Northwind has 2,500 seats of Office 365.
IN_SHANGHAI = {
    # one date format everywhere (apps/core/dates.py): day, short month, year
    "en": ("1 Apr 2026", "2,500"),
    "it": ("1 Apr 2026", "2.500"),
    # Chinese groups digits by ten thousands, so 2500 has no separator
    "zh-hans": ("2026年4月1日", "2500"),
}


def customer_page(client, world, user):
    client.force_login(user)
    url = reverse(
        "customers:partner_customer",
        args=[world.cast.provider.public_id, world.cast.customer.public_id],
    )
    return page_text(client.get(url))


@pytest.mark.parametrize("language", sorted(IN_SHANGHAI))
def test_dates_and_numbers_follow_the_language(client, world, language):
    user = world.cast.provider_admin
    user.language = language
    user.save()
    text = customer_page(client, world, user)
    date, seats = IN_SHANGHAI[language]
    assert date in text
    assert f"<td>{seats}</td>" in text


def test_the_partner_relationships_page_counts_seats_in_the_language(client, world):
    user = world.cast.customer_admin
    user.language = "it"
    user.save()
    client.force_login(user)
    text = page_text(
        client.get(reverse("customers:relationships", args=[world.cast.customer.public_id]))
    )
    assert "2.500 postazioni" in text
    assert "1 Apr 2026" in text


def test_times_are_shown_in_the_users_time_zone(client, world):
    user = world.cast.provider_admin
    user.language = "it"
    user.time_zone = "Europe/Rome"
    user.save()
    text = customer_page(client, world, user)
    assert "31 Mar 2026" in text
    assert "1 Apr 2026" not in text


def test_date_and_time_on_the_invitation_page_use_language_and_time_zone(client, world):
    """The invitation expires at 20:30 UTC on 31 March 2031."""
    user = world.cast.provider_admin
    client.force_login(user)
    url = reverse(
        "invitations:detail", args=[world.cast.provider.public_id, world.invitation.public_id]
    )
    for language, time_zone, expected in [
        ("it", "", "Martedì 01 Aprile 2031 04:30"),
        ("it", "Europe/Rome", "Lunedì 31 Marzo 2031 22:30"),
        ("zh-hans", "", "2031年4月1日 04:30"),
        ("en", "America/New_York", "March 31, 2031, 4:30 p.m."),
    ]:
        user.language, user.time_zone = language, time_zone
        user.save()
        assert expected in page_text(client.get(url)), (language, time_zone)


def test_visitors_who_are_not_signed_in_see_the_portals_time_zone(client, world, settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    response = client.get(reverse("accounts:login"))
    assert response.context["TIME_ZONE"] == "Asia/Shanghai"


def test_the_time_zone_is_set_on_the_profile(client, world):
    user = world.cast.provider_admin
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Chen Wei", "language": "zh-hans", "time_zone": "Europe/Rome"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.language, user.time_zone) == ("zh-hans", "Europe/Rome")
    assert "2026年3月31日" in customer_page(client, world, user)
