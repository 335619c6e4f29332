"""The footer's language switcher works from any page and the choice sticks: in a cookie for
visitors, on the account for signed-in users (so it follows them to other browsers)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories

from .catalogs import LANGUAGES, page_text, translation_of

pytestmark = pytest.mark.django_db

CATALOGS = sorted(LANGUAGES)
ENGLISH_BROWSER = "en-US,en;q=0.9"


def switch(client, language: str, next_url: str):
    return client.post(
        reverse("set_language"),
        {"language": language, "next": next_url},
        HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER,
    )


def get(client, url: str, accept_language: str = ENGLISH_BROWSER) -> str:
    return page_text(client.get(url, HTTP_ACCEPT_LANGUAGE=accept_language))


@pytest.mark.parametrize("catalog", CATALOGS)
def test_a_visitors_choice_sticks_across_pages_over_the_browsers_language(client, catalog):
    login = reverse("accounts:login")
    response = switch(client, LANGUAGES[catalog], login)
    assert response.status_code == 302 and response["Location"] == login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == LANGUAGES[catalog]
    assert translation_of(catalog, "Forgot your password?") in get(client, login)
    reset = get(client, reverse("accounts:password_reset"))
    assert translation_of(catalog, "Send the link") in reset
    # another page, still the chosen language; back to English when asked
    switch(client, "en", login)
    assert "Forgot your password?" in get(client, login)


@pytest.mark.parametrize("catalog", CATALOGS)
def test_a_signed_in_users_choice_is_kept_on_the_account_and_follows_them(cast, catalog):
    user = factories.add_second_organization(cast.provider_admin, cast.reseller)
    first_browser = Client()
    first_browser.force_login(user)
    partner_home = reverse("partners:home", args=[cast.provider.public_id])
    response = switch(first_browser, LANGUAGES[catalog], partner_home)
    assert response["Location"] == partner_home
    user.refresh_from_db()
    assert user.language == LANGUAGES[catalog]
    assert translation_of(catalog, "Next steps") in get(first_browser, partner_home)
    # a second browser without the cookie, asking for the other language, still gets it
    other_browser_language = "it-IT,it" if catalog == "zh_Hans" else "zh-CN,zh"
    second_browser = Client()
    second_browser.force_login(user)
    text = get(second_browser, reverse("dashboard"), other_browser_language)
    assert translation_of(catalog, "Your organizations") in text


def test_switching_back_to_english_replaces_the_stored_preference(client, cast):
    user = cast.customer_admin
    user.language = "it"
    user.save()
    client.force_login(user)
    relationships = reverse("customers:relationships", args=[cast.customer.public_id])
    assert translation_of("it", "Partner relationships") in get(client, relationships)
    switch(client, "en", relationships)
    user.refresh_from_db()
    assert user.language == "en"
    assert "Delegated admin by service" in get(client, relationships, "it-IT,it")


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_switcher_works_from_an_error_page(client, cast, catalog):
    client.force_login(cast.provider_helpdesk)
    missing = "/no/such/page/"
    assert 'name="next" value="/no/such/page/"' in get(client, missing)
    switch(client, LANGUAGES[catalog], missing)
    assert translation_of(catalog, "Page not found") in get(client, missing)


def test_a_preference_left_empty_follows_the_browser_again(client, cast):
    user = factories.add_second_organization(cast.provider_sales, cast.reseller)
    user.language = "it"
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "Li Na", "language": "", "time_zone": ""}
    )
    assert response.status_code == 302
    text = get(client, reverse("dashboard"), "zh-CN,zh")
    assert translation_of("zh_Hans", "Your organizations") in text
