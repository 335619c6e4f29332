"""The main pages speak Italian and Simplified Chinese: chosen by the browser's Accept-Language,
or by the signed-in user's preference (which beats the browser)."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from apps.invitations.tokens import invitation_token, link_path
from tests import factories

from .catalogs import LANGUAGES, page_text, translation_of

pytestmark = pytest.mark.django_db

CATALOGS = sorted(LANGUAGES)
# What browsers really send
ACCEPT_LANGUAGE = {
    "it": "it-IT,it;q=0.9,en-US;q=0.7,en;q=0.5",
    "zh_Hans": "zh-CN,zh;q=0.9,en-US;q=0.7,en;q=0.5",
}
ENGLISH_BROWSER = "en-US,en;q=0.9"


@dataclass
class Page:
    name: str
    url: Callable
    user: Callable | None  # who signs in (None: anonymous)
    msgids: list[str]  # English source strings the page must show translated
    status: int = 200
    follow: bool = False


PAGES = [
    Page(
        "login",
        lambda w: reverse("accounts:login"),
        None,
        ["Forgot your password?", "Skip to main content", "Language"],
    ),
    Page(
        "dashboard",
        lambda w: reverse("dashboard"),
        lambda w: factories.add_second_organization(w.cast.provider_admin, w.cast.reseller),
        ["Your organizations", "Sign out", "Organizations", "Indirect provider"],
    ),
    Page(
        "partner home",
        lambda w: reverse("partners:home", args=[w.cast.provider.public_id]),
        lambda w: w.cast.provider_admin,
        ["Next steps", "Invite your team", "Your role", "Global admin", "Indirect provider"],
    ),
    Page(
        "invitation list",
        lambda w: reverse("invitations:list", args=[w.cast.provider.public_id]),
        lambda w: w.cast.provider_admin,
        [
            "Invitations your organization issued, for your own customers or handed to your "
            "resellers.",
            "Filter invitations",
            "Active",
        ],
    ),
    Page(
        "partner relationships",
        lambda w: reverse("customers:relationships", args=[w.cast.customer.public_id]),
        lambda w: w.cast.customer_admin,
        [
            "Partner relationships",
            "Delegated admin by service",
            "Subscriptions and partner of record",
        ],
    ),
    Page(
        "partner's customer",
        lambda w: reverse(
            "customers:partner_customer",
            args=[w.cast.provider.public_id, w.cast.customer.public_id],
        ),
        lambda w: w.cast.provider_admin,
        ["Subscriptions", "Seats", "Partner of record", "Relationships"],
    ),
    Page(
        "invitation landing",
        lambda w: link_path(invitation_token(w.invitation)),
        None,
        ["What this invitation asks", "Owns the reseller relationship if you accept."],
        follow=True,
    ),
    Page(
        "page not found",
        lambda w: "/no/such/page/",
        lambda w: w.cast.provider_admin,
        ["Page not found", "There is no page at this address, or you do not have access to it."],
        status=404,
    ),
]
SIGNED_IN_PAGES = [p for p in PAGES if p.user is not None]


def assert_page_in(catalog: str, response, page: Page) -> None:
    assert response.status_code == page.status, page.name
    text = page_text(response)
    assert f'<html lang="{LANGUAGES[catalog]}">' in text
    assert response["Content-Language"] == LANGUAGES[catalog]
    for msgid in page.msgids:
        translated = translation_of(catalog, msgid)
        assert translated != msgid, f"{msgid!r} is not translated into {catalog}"
        assert translated in text, f"{page.name}: {translated!r} ({msgid!r}) not on the page"
    # the switcher is on the page, offering each language in its own name
    assert f'action="{reverse("set_language")}"' in text
    assert ">Italiano<" in text and ">简体中文<" in text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("catalog", CATALOGS)
def test_main_pages_follow_the_browsers_language(client, world, catalog, page):
    if page.user:
        client.force_login(page.user(world))
    response = client.get(
        page.url(world), HTTP_ACCEPT_LANGUAGE=ACCEPT_LANGUAGE[catalog], follow=page.follow
    )
    assert_page_in(catalog, response, page)


@pytest.mark.parametrize("page", SIGNED_IN_PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("catalog", CATALOGS)
def test_a_signed_in_users_preference_beats_the_browsers_language(client, world, catalog, page):
    user = page.user(world)
    user.language = LANGUAGES[catalog]
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(page.url(world), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER, follow=page.follow)
    assert_page_in(catalog, response, page)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_an_english_browser_gets_english(client, world, page):
    if page.user:
        client.force_login(page.user(world))
    response = client.get(page.url(world), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER, follow=page.follow)
    assert response.status_code == page.status
    text = page_text(response)
    assert '<html lang="en">' in text
    for msgid in page.msgids:
        assert msgid in text


def test_a_language_the_portal_does_not_offer_falls_back_to_english(client, world):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert '<html lang="en">' in page_text(response)


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_dashboard_greets_the_user_in_their_language(client, world, catalog):
    user = factories.add_second_organization(world.cast.provider_admin, world.cast.reseller)
    user.display_name = "Marco Rossi"
    user.language = LANGUAGES[catalog]
    user.save()
    client.force_login(user)
    text = page_text(client.get(reverse("dashboard")))
    assert translation_of(catalog, "Welcome, %(name)s") % {"name": "Marco Rossi"} in text


@pytest.mark.parametrize("catalog", CATALOGS)
def test_form_labels_and_validation_errors_are_translated(client, world, catalog):
    response = client.post(
        reverse("accounts:login"),
        {"username": "nobody@example.test", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE=ACCEPT_LANGUAGE[catalog],
    )
    text = page_text(response)
    assert translation_of(catalog, "Email") in text
    assert (
        translation_of(
            catalog,
            "That email and password do not match an account. Check both and try again.",
        )
        in text
    )


@pytest.mark.parametrize("catalog", CATALOGS)
def test_messages_after_an_action_are_translated(client, world, catalog):
    user = world.cast.provider_admin
    user.language = LANGUAGES[catalog]
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Chen Wei", "language": LANGUAGES[catalog], "time_zone": ""},
        follow=True,
    )
    assert translation_of(catalog, "Your profile was saved.") in page_text(response)


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_site_name_is_translated_unless_the_operator_set_one(client, world, catalog, settings):
    headers = {"HTTP_ACCEPT_LANGUAGE": ACCEPT_LANGUAGE[catalog]}
    text = page_text(client.get(reverse("accounts:login"), **headers))
    assert translation_of(catalog, "Multichannel Partner Portal") in text
    settings.SITE_NAME = "Contoso Partner Hub"
    assert "Contoso Partner Hub" in page_text(client.get(reverse("accounts:login"), **headers))


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_operator_admin_labels_of_our_models_are_translated(client, world, catalog):
    staff = world.cast.staff
    staff.language = LANGUAGES[catalog]
    staff.save()
    client.force_login(staff)
    text = page_text(client.get(reverse("admin:customers_delegatedadmingrant_changelist")))
    for msgid in ["delegated admin grant", "Customers"]:
        assert translation_of(catalog, msgid) in text
    text = page_text(
        client.get(reverse("admin:customers_subscription_change", args=[world.subscription.pk]))
    )
    for msgid in ["purchase channel", "partner of record", "seats"]:
        translated = translation_of(catalog, msgid)
        assert translated[0].upper() + translated[1:] in text, msgid


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_server_error_page_is_translated(rf, catalog):
    from django.utils import translation

    from config.views import server_error

    with translation.override(LANGUAGES[catalog]):
        response = server_error(rf.get("/"))
    text = page_text(response)
    assert response.status_code == 500
    assert f'<html lang="{LANGUAGES[catalog]}">' in text
    assert translation_of(catalog, "Something went wrong") in text
    assert translation_of(catalog, "Multichannel Partner Portal") in text


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_operator_admin_has_the_language_switcher_too(client, world, catalog):
    client.force_login(world.cast.staff)
    text = page_text(
        client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=ACCEPT_LANGUAGE[catalog])
    )
    assert f'action="{reverse("set_language")}"' in text
    assert f'<label for="admin-language">{translation_of(catalog, "Language")}</label>' in text


@pytest.mark.parametrize("catalog", CATALOGS)
def test_help_texts_with_numbers_are_translated(client, world, catalog):
    user = world.cast.provider_admin
    user.language = LANGUAGES[catalog]
    user.save()
    client.force_login(user)
    url = reverse(
        "invitations:detail", args=[world.cast.provider.public_id, world.invitation.public_id]
    )
    msgid = "One or more email addresses, separated by commas or new lines (at most %(max)s)."
    assert translation_of(catalog, msgid) % {"max": 20} in page_text(client.get(url))


@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_message_after_suspending_a_partnership_is_translated(client, world, catalog):
    from apps.partners.models import ResellerPartnership

    user = world.cast.provider_admin
    user.language = LANGUAGES[catalog]
    user.save()
    client.force_login(user)
    partnership = ResellerPartnership.objects.get(
        provider=world.cast.provider, reseller=world.cast.reseller
    )
    response = client.post(
        reverse(
            "partners:partnership_suspend", args=[world.cast.provider.public_id, partnership.pk]
        ),
        follow=True,
    )
    assert translation_of(catalog, "The partnership is suspended.") in page_text(response)
