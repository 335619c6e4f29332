from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.invitations.models import Delivery, Invitation
from apps.invitations.tokens import (
    SESSION_KEY,
    delivery_token,
    invitation_token,
    link_path,
)

from .builders import make_delivery, make_invitation

LANDING = reverse("invitations:landing")


def open_link(client, token):
    return client.get(link_path(token))


def row_counts():
    """Rows in every table of our apps, to prove that a GET changes nothing."""
    labels = ("accounts", "partners", "customers", "invitations")
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


# ------------------------------------------------------------------------------
# The token leaves the URL
# ------------------------------------------------------------------------------
def test_opening_a_link_moves_the_token_into_the_session_and_redirects(dap_invitation, client):
    token = invitation_token(dap_invitation)
    response = open_link(client, token)
    assert response.status_code == 302
    assert response["Location"] == LANDING
    assert token not in response["Location"]
    assert client.session[SESSION_KEY] == token
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_the_landing_sends_referrers_only_to_itself_and_is_not_cached(dap_invitation, client):
    # not no-referrer: browsers would then send `Origin: null` with the accept form's POST,
    # and Django's CSRF check would refuse it (the landing URL holds no token anyway)
    open_link(client, invitation_token(dap_invitation))
    response = client.get(LANDING)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_anonymous_visitors_see_the_landing_without_signing_in(dap_invitation, client):
    response = client.get(link_path(invitation_token(dap_invitation)), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(LANDING, 302)]


def test_a_signed_in_user_sees_it_too(dap_invitation, cast, client):
    client.force_login(cast.customer_admin)
    assert client.get(link_path(invitation_token(dap_invitation)), follow=True).status_code == 200


# ------------------------------------------------------------------------------
# What the landing shows
# ------------------------------------------------------------------------------
def test_the_landing_shows_what_the_invitation_offers(dap_invitation, client):
    open_link(client, invitation_token(dap_invitation))
    response = client.get(LANDING)
    body = response.content.decode()
    assert "Invitation from Contoso Distribution" in body
    assert "Fabrikam Solutions" in body  # the reseller it came through
    assert "Office 365 operated by 21Vianet" in body
    assert "Azure operated by 21Vianet" in body
    assert "Requested for Fabrikam Solutions, with these scopes: provisioning, support." in body
    assert "Welcome aboard" in body
    assert "Valid until" in body
    assert body.count("<h1") == 1
    assert "invitations/_accept_panel.html" in [t.name for t in response.templates]
    assert response.context["invitation"] == dap_invitation
    assert response.context["delivery"] is None


def test_an_own_link_without_dap_says_so(own_invitation, client):
    open_link(client, invitation_token(own_invitation))
    body = client.get(LANDING).content.decode()
    assert "None: you would work with the provider directly." in body
    assert "Not requested." in body


# ------------------------------------------------------------------------------
# The landing changes nothing but the first-opened time
# ------------------------------------------------------------------------------
def test_the_first_open_of_a_delivery_is_recorded_once(dap_invitation, cast, client):
    delivery = make_delivery(dap_invitation, cast.reseller)
    open_link(client, delivery_token(delivery))
    response = client.get(LANDING)
    assert response.context["delivery"] == delivery
    first = Delivery.objects.get(pk=delivery.pk).first_opened_at
    assert first is not None
    open_link(client, delivery_token(delivery))
    client.get(LANDING)
    client.get(LANDING)
    assert Delivery.objects.get(pk=delivery.pk).first_opened_at == first
    assert AuditEvent.objects.filter(action="invitation.opened").count() == 1


def test_the_landing_changes_nothing_else(dap_invitation, client):
    delivery = make_delivery(dap_invitation)
    open_link(client, delivery_token(delivery))
    client.get(LANDING)  # records the first opening
    before = row_counts()
    events = AuditEvent.objects.count()
    invitation_row = Invitation.objects.filter(pk=dap_invitation.pk).values().get()
    client.get(LANDING)
    open_link(client, invitation_token(dap_invitation))
    client.get(LANDING)
    assert row_counts() == before
    assert AuditEvent.objects.count() == events
    assert Invitation.objects.filter(pk=dap_invitation.pk).values().get() == invitation_row


def test_the_invitations_own_link_records_no_open(dap_invitation, client):
    open_link(client, invitation_token(dap_invitation))
    client.get(LANDING)
    assert not AuditEvent.objects.filter(action="invitation.opened").exists()


# ------------------------------------------------------------------------------
# Dead, tampered and unknown links
# ------------------------------------------------------------------------------
def _revoke(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.REVOKED, revoked_at=timezone.now()
    )


def _expire(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )


@pytest.mark.parametrize(
    "spoil, heading, action",
    [
        (_revoke, "This invitation was revoked", "invitation.revoked_link_used"),
        (_expire, "This invitation has expired", "invitation.expired_link_used"),
    ],
)
def test_a_revoked_or_expired_link_says_which_and_records_each_attempt(
    dap_invitation, cast, client, spoil, heading, action
):
    delivery = make_delivery(dap_invitation)
    spoil(dap_invitation)
    response = client.get(link_path(delivery_token(delivery)), follow=True)
    assert response.status_code == 410
    body = response.content.decode()
    assert heading in body
    assert "Contoso" not in body and "Fabrikam" not in body
    assert response["Referrer-Policy"] == "same-origin"
    assert AuditEvent.objects.filter(action=action).count() == 1
    event = AuditEvent.objects.get(action=action)
    assert set(event.partner_links.values_list("partner_id", flat=True)) == {
        cast.provider.pk,
        cast.reseller.pk,
    }
    assert event.data["delivery_id"] == delivery.pk
    # reloading the page is the same attempt; opening the link again is a new one
    client.get(LANDING)
    assert AuditEvent.objects.filter(action=action).count() == 1
    client.get(link_path(delivery_token(delivery)), follow=True)
    assert AuditEvent.objects.filter(action=action).count() == 2
    # a dead link never counts as opened
    assert Delivery.objects.get(pk=delivery.pk).first_opened_at is None


def test_a_link_revoked_after_it_was_opened_stops_working(dap_invitation, client):
    open_link(client, invitation_token(dap_invitation))
    assert client.get(LANDING).status_code == 200
    _revoke(dap_invitation)
    response = client.get(LANDING)
    assert response.status_code == 410
    assert AuditEvent.objects.filter(action="invitation.revoked_link_used").count() == 1


def test_a_used_up_link_says_so_without_an_event(cast, client):
    invitation = make_invitation(cast.provider, max_uses=1, use_count=1)
    response = client.get(link_path(invitation_token(invitation)), follow=True)
    assert response.status_code == 410
    assert "This invitation was already used" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_a_tampered_link_says_it_is_damaged(dap_invitation, client):
    token = invitation_token(dap_invitation)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get(link_path(tampered), follow=True)
    assert response.status_code == 404
    body = response.content.decode()
    assert "This invitation link is damaged" in body
    assert "Contoso" not in body
    assert not AuditEvent.objects.exclude(action="invitation.created").exists()


@pytest.mark.parametrize(
    "token",
    ["nothing", "iUNKNOWNKEY.signature", "d.x", "." * 5, "i" + "x" * 300],
)
def test_an_unknown_link_says_it_is_not_valid(db, client, token):
    response = client.get(link_path(token), follow=True)
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_the_landing_without_any_link_is_not_valid(db, client):
    response = client.get(LANDING)
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_only_get_is_allowed(dap_invitation, client):
    assert client.post(link_path(invitation_token(dap_invitation))).status_code in (403, 405)
    assert client.post(LANDING).status_code in (403, 405)
