"""Emails go out in the recipient's language when the portal knows it (a user who chose one),
else in the sender's: subject, plain text and HTML alike."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from apps.customers.models import DelegatedAdminGrant
from apps.invitations.services import delivery_send
from apps.partners.models import Role
from apps.partners.services import team_invite
from tests import factories

from .catalogs import LANGUAGES, translation_of

pytestmark = pytest.mark.django_db

CATALOGS = sorted(LANGUAGES)


def parts(message) -> tuple[str, str, str]:
    html = message.alternatives[0][0]
    return message.subject, message.body, html


def site_name(catalog: str) -> str:
    return translation_of(catalog, "Multichannel Partner Portal")


# ------------------------------------------------------------------------------
# Password reset: the requester is anonymous; the account says which language to use
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("catalog", CATALOGS)
def test_the_password_reset_email_is_in_the_accounts_language(
    client, catalog, django_capture_on_commit_callbacks
):
    factories.make_user("chen@northwind.test", language=LANGUAGES[catalog])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": "chen@northwind.test"},
            HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    subject, text, html = parts(message)
    assert subject == translation_of(catalog, "Reset your password for %(site_name)s") % {
        "site_name": site_name(catalog)
    }
    assert translation_of(catalog, "Choose a new password here (the link works once):") in text
    assert translation_of(catalog, "Choose a new password (the link works once)") in html
    assert f'<html lang="{LANGUAGES[catalog]}">' in html


@pytest.mark.parametrize("catalog", CATALOGS)
def test_without_a_preference_the_reset_email_follows_the_page(
    client, catalog, django_capture_on_commit_callbacks
):
    factories.make_user("nopreference@northwind.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:password_reset"),
            {"email": "nopreference@northwind.test"},
            HTTP_ACCEPT_LANGUAGE={"it": "it-IT,it", "zh_Hans": "zh-CN,zh"}[catalog],
        )
    (message,) = mail.outbox
    assert message.subject == translation_of(catalog, "Reset your password for %(site_name)s") % {
        "site_name": site_name(catalog)
    }


# ------------------------------------------------------------------------------
# Customer invitations (a delivery records the language it was written in)
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("catalog", CATALOGS)
def test_an_invitation_email_is_in_the_recipients_language(
    world, catalog, django_capture_on_commit_callbacks
):
    factories.make_user("admin@adventure.test", language=LANGUAGES[catalog])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        delivery_send(
            invitation=world.invitation,
            partner=world.cast.provider,
            by=world.cast.provider_admin,
            emails=["admin@adventure.test"],
        )
    (message,) = mail.outbox
    subject, text, html = parts(message)
    assert subject == translation_of(
        catalog, "%(partner)s invites you to a CSP partner relationship"
    ) % {"partner": "Contoso Distribution"}
    assert translation_of(catalog, "Open the invitation:") in text
    assert translation_of(catalog, "Hello,") in text  # the ready-made message, translated too
    assert translation_of(catalog, "Open the invitation") in html
    assert f'<html lang="{LANGUAGES[catalog]}">' in html


# ------------------------------------------------------------------------------
# Team invitations: a new address gets the sender's language, a known user their own
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("catalog", CATALOGS)
def test_a_team_invitation_to_a_new_address_is_in_the_senders_language(
    cast, catalog, django_capture_on_commit_callbacks
):
    with (
        translation.override(LANGUAGES[catalog]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        team_invite(
            partner=cast.provider,
            by=cast.provider_admin,
            acting_partner=cast.provider,
            email="new.colleague@contoso.test",
            role=Role.SALES_AGENT,
        )
    (message,) = mail.outbox
    subject, text, html = parts(message)
    assert subject == translation_of(catalog, "You are invited to join %(name)s") % {
        "name": "Contoso Distribution"
    }
    assert translation_of(catalog, "Open this link to accept (it works once):") in text
    assert translation_of(catalog, "Sales agent") in text  # the role, translated
    assert translation_of(catalog, "Accept the invitation") in html
    assert f'<html lang="{LANGUAGES[catalog]}">' in html


@pytest.mark.parametrize("catalog", CATALOGS)
def test_a_team_invitation_to_a_known_user_is_in_their_language(
    cast, catalog, django_capture_on_commit_callbacks
):
    factories.make_user("liu.yang@example.test", language=LANGUAGES[catalog])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        team_invite(
            partner=cast.provider,
            by=cast.provider_admin,
            acting_partner=cast.provider,
            email="Liu.Yang@example.test",
            role=Role.HELPDESK_AGENT,
        )
    (message,) = mail.outbox
    subject, text, _html = parts(message)
    assert subject == translation_of(catalog, "You are invited to join %(name)s") % {
        "name": "Contoso Distribution"
    }
    assert translation_of(catalog, "Helpdesk agent") in text


# ------------------------------------------------------------------------------
# Notices to several people: one message per language
# ------------------------------------------------------------------------------
def test_a_notice_to_several_people_reaches_each_in_their_own_language(
    world, client, django_capture_on_commit_callbacks
):
    """Fabrikam's two Global admins prefer Italian and Chinese; its contact address is nobody's
    account, so it gets the language of the customer admin who acted (English)."""
    cast = world.cast
    cast.reseller.contact_email = "hello@fabrikam.test"
    cast.reseller.save()
    cast.reseller_admin.language = "it"
    cast.reseller_admin.save()
    factories.make_member(
        cast.reseller, Role.GLOBAL_ADMIN, email="zh@fabrikam.test", language="zh-hans"
    )
    grant = DelegatedAdminGrant.objects.get(partner=cast.reseller)
    client.force_login(cast.customer_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("customers:grant_remove", args=[cast.customer.public_id, grant.pk]),
            {"note": "We manage Office 365 ourselves now."},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {
        ("hello@fabrikam.test",),
        ("admin@fabrikam.test",),
        ("zh@fabrikam.test",),
        ("admin@contoso.test",),  # the provider owning the relationship Fabrikam works through
    }
    msgid = "Delegated admin for %(service)s at %(customer)s was removed"
    values = {"service": "Office 365 operated by 21Vianet", "customer": "Northwind Traders"}
    assert by_recipient[("hello@fabrikam.test",)].subject == msgid % values
    # the service is named as the operator names it in the recipient's language
    operator_names = {
        "it": "Office 365 gestito da 21Vianet",
        "zh_Hans": "由世纪互联运营的 Office 365",
    }
    for recipient, catalog in [("admin@fabrikam.test", "it"), ("zh@fabrikam.test", "zh_Hans")]:
        message = by_recipient[(recipient,)]
        localized = {**values, "service": operator_names[catalog]}
        assert message.subject == translation_of(catalog, msgid) % localized
        reason = translation_of(catalog, "Removed by the customer")
        assert reason in message.body
        assert reason in message.alternatives[0][0]
        assert f'<html lang="{LANGUAGES[catalog]}">' in message.alternatives[0][0]


def test_the_invitation_email_dates_are_in_the_recipients_time_zone(
    world, django_capture_on_commit_callbacks
):
    """The invitation expires at 20:30 UTC on 31 March 2031: 1 April in Shanghai (the portal's
    default), still 31 March for a recipient in Rome."""
    factories.make_user("rome@adventure.test", language="it", time_zone="Europe/Rome")
    with django_capture_on_commit_callbacks(execute=True):
        delivery_send(
            invitation=world.invitation,
            partner=world.cast.provider,
            by=world.cast.provider_admin,
            emails=["rome@adventure.test", "new@adventure.test"],
        )
    bodies = {m.to[0]: m.body for m in mail.outbox}
    # the moment in the recipient's zone, with the zone named
    assert "31 Mar 2031, 22:30 CEST" in bodies["rome@adventure.test"]
    assert "1 Apr 2031, 04:30 CST" in bodies["new@adventure.test"]
