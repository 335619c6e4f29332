"""Sign-up by email confirmation (issue 15, defect 7b).

Every sign-up form answers the same whether or not the address has an account: only the
mailbox learns which. The emailed link works once, expires, and creates the account, which then
completes what the sign-up was for (reseller partnership, customer organization).
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import SignupRequest, User
from apps.audit.models import AuditEvent
from apps.invitations import tokens
from apps.partners import services as partner_services
from apps.partners.models import PartnerMembership, ResellerPartnership, Role
from tests import factories
from tests.invitations.builders import make_invitation

PASSWORD = "Long-enough-2026"
NEW = "new.person@adventure.test"
CONFIRM = "/accounts/signup/confirm/"
ACCEPT_SIGNUP = reverse("invitations:accept_signup")
PARTNERSHIP_JOIN = reverse("partners:partnership_join")
TEAM_JOIN = reverse("partners:team_join")
TEAM_OR_PARTNERSHIP_LINK = re.compile(r"http://testserver(/t/[A-Za-z0-9_-]{20,}/)")


def normalized(response) -> str:
    """The page without what differs on every request (the CSRF token)."""
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", html)


def last_link(address: str) -> str:
    message = [m for m in mail.outbox if address in m.to][-1]
    return TEAM_OR_PARTNERSHIP_LINK.search(message.body).group(1)


# The sign-up forms, each as: open the link in a fresh browser, then the form's URL and data.


def invitation_signup_form(cast, capture):
    invitation = make_invitation(cast.provider)

    def start(email):
        client = Client()
        client.get(tokens.link_path(tokens.invitation_token(invitation)))
        data = {
            "account-display_name": "Someone",
            "account-email": email,
            "account-password1": PASSWORD,
            "account-password2": PASSWORD,
            "organization-organization_name": "Adventure Works",
            "organization-tenant_domain": "adventure.partner.onmschina.cn",
        }
        return client, ACCEPT_SIGNUP, data

    return start


def reseller_signup_form(cast, capture):
    with capture(execute=True):
        partner_services.partnership_invite(
            provider=cast.provider,
            by=cast.provider_admin,
            email="owner@tailspin.test",
            acting_partner=cast.provider,
        )
    path = last_link("owner@tailspin.test")

    def start(email):
        client = Client()
        client.get(path)
        data = {
            "action": "accept",
            "organization_name": "Tailspin Toys",
            "display_name": "Someone",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        return client, PARTNERSHIP_JOIN, data

    return start


SIGN_UP_FORMS = {"invitation": invitation_signup_form, "reseller": reseller_signup_form}


@pytest.mark.parametrize("form", SIGN_UP_FORMS)
def test_a_sign_up_form_answers_the_same_for_a_registered_and_a_new_address(
    form, cast, django_capture_on_commit_callbacks
):
    start = SIGN_UP_FORMS[form](cast, django_capture_on_commit_callbacks)
    answers = {}
    for email in (cast.outsider.email, NEW):
        client, url, data = start(email)
        with django_capture_on_commit_callbacks(execute=True):
            answers[email] = client.post(url, data)
    registered, new = answers[cast.outsider.email], answers[NEW]
    assert registered.status_code == new.status_code == 200
    assert normalized(registered) == normalized(new)
    assert "Check your email" in new.content.decode()
    assert "already exists" not in registered.content.decode()
    # only the mailbox learns which: a link for the new address, a note for the registered one
    (to_registered,) = [m for m in mail.outbox if cast.outsider.email in m.to]
    assert "already has an account" in to_registered.body
    assert "/accounts/signup/" not in to_registered.body
    assert "/accounts/login/?next=" in to_registered.body
    (to_new,) = [m for m in mail.outbox if NEW in m.to]
    assert "/accounts/signup/" in to_new.body
    # nothing was created for either
    assert not User.objects.filter(email=NEW).exists()
    assert SignupRequest.objects.get().email == NEW


@pytest.mark.parametrize("form", SIGN_UP_FORMS)
def test_an_invalid_form_still_answers_the_same_for_both_addresses(
    form, cast, django_capture_on_commit_callbacks
):
    start = SIGN_UP_FORMS[form](cast, django_capture_on_commit_callbacks)
    answers = []
    sent = len(mail.outbox)
    for email in (cast.outsider.email, NEW):
        client, url, data = start(email)
        with django_capture_on_commit_callbacks(execute=True):
            mismatched = {k: "other" if k.endswith("password2") else v for k, v in data.items()}
            answers.append(client.post(url, mismatched))
    assert [a.status_code for a in answers] == [400, 400]
    assert normalized(answers[0]).replace(cast.outsider.email, NEW) == normalized(answers[1])
    assert len(mail.outbox) == sent


def test_the_team_sign_up_takes_no_address_from_the_form(
    cast, client, django_capture_on_commit_callbacks
):
    """A team link is only ever emailed to the invited address and the account's address is
    that one: a posted email is ignored, so the form cannot probe other addresses."""
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.team_invite(
            partner=cast.provider, by=cast.provider_admin, email=NEW, role=Role.SALES_AGENT
        )
    client.get(last_link(NEW))
    response = client.post(
        TEAM_JOIN,
        {
            "action": "accept",
            "display_name": "New",
            "email": cast.outsider.email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert PartnerMembership.objects.get(user__email=NEW).partner == cast.provider


# ------------------------------------------------------------------------------
# The confirmation link
# ------------------------------------------------------------------------------


@pytest.fixture
def signed_up(cast, django_capture_on_commit_callbacks):
    """A new person signed up from Contoso's open invitation; returns the emailed link path."""
    client, url, data = invitation_signup_form(cast, django_capture_on_commit_callbacks)(NEW)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 200
    return factories.signup_link_in_email(NEW)


def test_opening_the_link_moves_it_into_the_session_and_changes_nothing(client, signed_up):
    response = client.get(signed_up)
    assert response.status_code == 302
    assert response["Location"] == CONFIRM
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(CONFIRM)
    assert page.status_code == 200
    assert f"Create the account for {NEW}" in page.content.decode()
    assert not User.objects.filter(email=NEW).exists()


def test_confirming_creates_the_account_once_and_records_it(
    client, signed_up, django_capture_on_commit_callbacks
):
    client.get(signed_up)
    assert client.post(CONFIRM).status_code == 302
    user = User.objects.get(email=NEW)
    assert client.session["_auth_user_id"] == str(user.pk)
    event = AuditEvent.objects.get(action="account.signed_up")
    assert event.actor == user and event.data == {"purpose": "invitations.customer"}
    signup = SignupRequest.objects.get()
    assert signup.used_at and signup.user == user and signup.password == ""
    # the same link again (a double submit, or the link opened twice) creates nothing
    other = Client()
    other.get(signed_up)
    response = other.post(CONFIRM)
    assert response.status_code == 410
    page = response.content.decode()
    assert "This confirmation link was already used" in page
    assert "invitation" not in page.lower().split("<main", 1)[-1]  # the page's own words
    assert User.objects.filter(email=NEW).count() == 1


def test_an_expired_link_creates_nothing(client, signed_up):
    SignupRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.get(signed_up)
    response = client.get(CONFIRM)
    assert response.status_code == 410
    assert "This confirmation link has expired" in response.content.decode()
    assert client.post(CONFIRM).status_code == 410
    assert not User.objects.filter(email=NEW).exists()


def test_an_unknown_or_changed_link_creates_nothing(client, signed_up):
    client.get(signed_up[:-3] + "xx/")
    assert client.post(CONFIRM).status_code == 404
    # a hand-made POST without any link in the session
    assert Client().post(CONFIRM).status_code == 404
    assert not User.objects.filter(email=NEW).exists()


def test_an_account_created_meanwhile_is_not_duplicated(client, signed_up):
    factories.make_user(NEW)
    client.get(signed_up)
    response = client.post(CONFIRM, follow=True)
    assert "An account with this email already exists. Sign in instead." in (
        response.content.decode()
    )
    assert User.objects.filter(email=NEW).count() == 1
    assert "_auth_user_id" not in client.session


def test_the_confirmation_needs_csrf(signed_up):
    client = Client(enforce_csrf_checks=True)
    client.get(signed_up)
    assert client.post(CONFIRM).status_code == 403
    assert not User.objects.filter(email=NEW).exists()


def test_a_reseller_sign_up_for_a_link_revoked_meanwhile_accepts_nothing(
    cast, client, django_capture_on_commit_callbacks
):
    start = reseller_signup_form(cast, django_capture_on_commit_callbacks)
    browser, url, data = start(NEW)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url, data)
    partnership = ResellerPartnership.objects.get(invited_email="owner@tailspin.test")
    partner_services.partnership_invitation_revoke(partnership=partnership, by=cast.provider_admin)
    response = factories.confirm_signup(client, NEW)
    assert response.status_code == 410
    assert "This invitation was revoked" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.state == ResellerPartnership.State.REVOKED
    assert partnership.reseller is None
