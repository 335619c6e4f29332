"""The public one-time link pages: /t/<token>/ and its token-free landing pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.partners import services
from apps.partners.links import SESSION_PARTNERSHIP_LINK, SESSION_TEAM_LINK, hash_token
from apps.partners.models import (
    Partner,
    PartnerMembership,
    ResellerPartnership,
    Role,
    TeamInvitation,
)
from tests import factories

TEAM_JOIN = reverse("partners:team_join")
PARTNERSHIP_JOIN = reverse("partners:partnership_join")
PASSWORD = "Very-Long-Pass-2026"


def link(token: str) -> str:
    return reverse("partners:link", kwargs={"token": token})


# ------------------------------------------------------------------------------
# Opening a link
# ------------------------------------------------------------------------------
def test_opening_a_team_link_moves_it_into_the_session_and_drops_the_token_from_the_url(
    cast, client, invite_member
):
    invitation, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    events_before = AuditEvent.objects.count()
    response = client.get(link(token))
    assert response.status_code == 302
    assert response["Location"] == TEAM_JOIN
    # the session keeps the hash, never the token itself
    assert client.session[SESSION_TEAM_LINK] == hash_token(token)
    assert token not in str(dict(client.session))
    page = client.get(TEAM_JOIN)
    assert page.status_code == 200
    assert token not in page.content.decode()
    # opening changes nothing
    assert AuditEvent.objects.count() == events_before
    assert TeamInvitation.objects.get(pk=invitation.pk).status == TeamInvitation.Status.PENDING


def test_opening_a_partnership_link_goes_to_its_landing_page(cast, client, invite_reseller):
    _, token = invite_reseller(cast.provider, cast.provider_admin, "boss@tailspin.test")
    response = client.get(link(token))
    assert response["Location"] == PARTNERSHIP_JOIN
    assert client.session[SESSION_PARTNERSHIP_LINK] == hash_token(token)


def test_an_unknown_link_gets_a_page_that_says_so(db, client):
    response = client.get(link("n0t-a-real-token-but-long-enough-to-look-real"))
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_a_landing_page_without_a_link_in_the_session_says_the_link_is_not_valid(db, client):
    for url in (TEAM_JOIN, PARTNERSHIP_JOIN):
        response = client.get(url)
        assert response.status_code == 404
        assert "This invitation link is not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("spoil", "title"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "This invitation has expired"),
        ({"revoked_at": timezone.now()}, "This invitation was revoked"),
        ({"accepted_at": timezone.now()}, "This invitation was already used"),
        ({"declined_at": timezone.now()}, "This invitation was declined"),
    ],
)
def test_a_team_link_that_no_longer_works_says_which_problem_it_has(
    cast, client, invite_member, spoil, title
):
    invitation, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    TeamInvitation.objects.filter(pk=invitation.pk).update(**spoil)
    response = client.get(link(token), follow=True)
    assert response.status_code == 410
    assert title in response.content.decode()


@pytest.mark.parametrize(
    ("state", "title"),
    [
        (ResellerPartnership.State.REVOKED, "This invitation was revoked"),
        (ResellerPartnership.State.DECLINED, "This invitation was declined"),
    ],
)
def test_a_partnership_link_that_no_longer_works_says_which_problem_it_has(
    cast, client, invite_reseller, state, title
):
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "b@tailspin.test")
    ResellerPartnership.objects.filter(pk=partnership.pk).update(state=state)
    response = client.get(link(token), follow=True)
    assert response.status_code == 410
    assert title in response.content.decode()


def test_a_resent_team_link_replaces_the_old_one(
    cast, client, invite_member, django_capture_on_commit_callbacks
):
    invitation, old_token = invite_member(cast.provider, cast.provider_admin, "n@contoso.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.team_invitation_resend(invitation=invitation, by=cast.provider_admin)
    assert client.get(link(old_token)).status_code == 404


# ------------------------------------------------------------------------------
# Team invitation landing page
# ------------------------------------------------------------------------------
def test_a_new_person_sets_a_password_and_lands_in_the_organization(cast, client, invite_member):
    _, token = invite_member(
        cast.provider, cast.provider_admin, "new@contoso.test", Role.ADMIN_AGENT
    )
    client.get(link(token))
    page = client.get(TEAM_JOIN)
    assert "Create account and join" in page.content.decode()
    response = client.post(
        TEAM_JOIN,
        {
            "action": "accept",
            "display_name": "New Agent",
            "email": "someone-else@evil.test",  # ignored: the field is fixed to the invited one
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:home", args=[cast.provider.public_id])
    membership = PartnerMembership.objects.get(user__email="new@contoso.test")
    assert membership.role == Role.ADMIN_AGENT
    # signed in: the organization opens
    assert client.get(response["Location"]).status_code == 200
    assert SESSION_TEAM_LINK not in client.session


def test_a_sign_up_with_mismatched_passwords_shows_the_form_again_and_creates_nothing(
    cast, client, invite_member
):
    _, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    client.get(link(token))
    response = client.post(
        TEAM_JOIN,
        {"action": "accept", "display_name": "N", "password1": PASSWORD, "password2": "other"},
    )
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert not PartnerMembership.objects.filter(user__email="new@contoso.test").exists()


def test_someone_with_an_account_is_sent_to_sign_in_and_back(cast, client, invite_member):
    user = factories.make_user("new@contoso.test")
    _, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    client.get(link(token))
    page = client.get(TEAM_JOIN).content.decode()
    assert "Sign in to accept" in page
    response = client.post(TEAM_JOIN, {"action": "accept"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=%2Ft%2Fteam%2F" in response["Location"]
    # signing in keeps the link in the session
    client.force_login(user)
    response = client.post(TEAM_JOIN, {"action": "accept"})
    assert response.status_code == 302
    assert PartnerMembership.objects.filter(user=user, partner=cast.provider).exists()


def test_a_signed_in_user_with_another_address_cannot_accept(cast, client, invite_member):
    _, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    client.force_login(cast.outsider)
    client.get(link(token))
    page = client.get(TEAM_JOIN).content.decode()
    assert "but you are signed in as admin@litware.test" in page
    response = client.post(TEAM_JOIN, {"action": "accept"}, follow=True)
    assert "signed in as admin@litware.test" in response.content.decode()
    assert not PartnerMembership.objects.filter(user=cast.outsider, partner=cast.provider).exists()


def test_a_second_submit_of_the_same_link_creates_nothing_and_says_it_was_used(
    cast, client, invite_member
):
    user = factories.make_user("new@contoso.test")
    _, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    client.force_login(user)
    client.get(link(token))
    session_hash = client.session[SESSION_TEAM_LINK]
    assert client.post(TEAM_JOIN, {"action": "accept"}).status_code == 302
    # a double submit from another tab that still has the link in its session
    session = client.session
    session[SESSION_TEAM_LINK] = session_hash
    session.save()
    response = client.post(TEAM_JOIN, {"action": "accept"})
    assert response.status_code == 410
    assert "already used" in response.content.decode()
    assert PartnerMembership.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.filter(action="team.joined").count() == 1


def test_declining_a_team_invitation(cast, client, invite_member):
    invitation, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    client.get(link(token))
    response = client.post(TEAM_JOIN, {"action": "decline"})
    assert response.status_code == 200
    assert "You declined the invitation from Contoso Distribution" in response.content.decode()
    assert TeamInvitation.objects.get(pk=invitation.pk).status == TeamInvitation.Status.DECLINED
    assert client.get(link(token), follow=True).status_code == 410


def test_the_landing_page_needs_csrf(cast, invite_member):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    _, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    csrf_client.get(link(token))
    response = csrf_client.post(TEAM_JOIN, {"action": "decline"})
    assert response.status_code == 403
    assert TeamInvitation.objects.get().status == TeamInvitation.Status.PENDING


def test_the_first_global_admin_of_a_new_partner_joins_through_the_emailed_link(
    db, client, django_capture_on_commit_callbacks
):
    from tests.partners.conftest import token_from_last_email

    with django_capture_on_commit_callbacks(execute=True):
        partner, _ = services.partner_create(
            name="Adventure Works",
            kind=Partner.Kind.INDIRECT_PROVIDER,
            first_admin_email="boss@adventureworks.test",
        )
    client.get(link(token_from_last_email()))
    response = client.post(
        TEAM_JOIN,
        {"action": "accept", "display_name": "Boss", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == reverse("partners:home", args=[partner.public_id])
    membership = PartnerMembership.objects.get(partner=partner)
    assert membership.role == Role.GLOBAL_ADMIN
    assert membership.user.check_password(PASSWORD)


# ------------------------------------------------------------------------------
# Partnership invitation landing page
# ------------------------------------------------------------------------------
def test_a_new_reseller_signs_up_and_accepts(
    cast, client, invite_reseller, django_capture_on_commit_callbacks
):
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "boss@tailspin.test")
    client.get(link(token))
    page = client.get(PARTNERSHIP_JOIN).content.decode()
    assert "Become a reseller of Contoso Distribution" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PARTNERSHIP_JOIN,
            {
                "action": "accept",
                "organization_name": "Tailspin Toys",
                "display_name": "Boss",
                "email": "boss@tailspin.test",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    # nothing happens until the address is confirmed from the email
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.state == ResellerPartnership.State.INVITED
    assert not User.objects.filter(email="boss@tailspin.test").exists()
    response = factories.confirm_signup(client, "boss@tailspin.test")
    partnership.refresh_from_db()
    reseller = partnership.reseller
    assert partnership.state == ResellerPartnership.State.ACTIVE
    assert partnership.responded_by.email == "boss@tailspin.test"
    assert reseller.name == "Tailspin Toys"
    assert reseller.status == Partner.Status.PENDING
    assert response["Location"] == reverse("partners:providers", args=[reseller.public_id])
    page = client.get(response["Location"]).content.decode()
    assert "Contoso Distribution" in page
    assert "The operator still has to approve Tailspin Toys" in page


def test_a_reseller_global_admin_accepts_for_an_organization_they_administer(
    cast, client, invite_reseller
):
    tailspin = factories.make_reseller("Tailspin")
    factories.make_member(tailspin, Role.GLOBAL_ADMIN, user=cast.reseller_admin)
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "x@tailspin.test")
    client.force_login(cast.reseller_admin)
    client.get(link(token))
    page = client.get(PARTNERSHIP_JOIN).content.decode()
    # both organizations they administer are offered, and a new one
    assert "Tailspin" in page and "Fabrikam Solutions" in page
    assert "A new reseller organization" in page
    response = client.post(
        PARTNERSHIP_JOIN, {"action": "accept", "organization": tailspin.public_id}
    )
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.reseller == tailspin
    assert partnership.state == ResellerPartnership.State.ACTIVE


def test_picking_a_reseller_that_is_already_a_partner_is_refused_with_a_clear_message(
    cast, client, invite_reseller
):
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "x@fabrikam.test")
    client.force_login(cast.reseller_admin)
    client.get(link(token))
    response = client.post(
        PARTNERSHIP_JOIN,
        {"action": "accept", "organization": cast.reseller.public_id},
        follow=True,
    )
    assert "Fabrikam Solutions is already a reseller of Contoso Distribution" in (
        response.content.decode()
    )
    partnership.refresh_from_db()
    assert partnership.state == ResellerPartnership.State.INVITED


def test_an_organization_the_user_does_not_administer_cannot_be_picked(
    cast, client, invite_reseller
):
    tailspin = factories.make_reseller("Tailspin")
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "x@tailspin.test")
    client.force_login(cast.reseller_admin)
    client.get(link(token))
    response = client.post(
        PARTNERSHIP_JOIN, {"action": "accept", "organization": tailspin.public_id}
    )
    assert response.status_code == 400
    partnership.refresh_from_db()
    assert partnership.state == ResellerPartnership.State.INVITED


def test_a_signed_in_user_can_start_a_new_reseller_organization(cast, client, invite_reseller):
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "x@x.test")
    client.force_login(cast.customer_admin)
    client.get(link(token))
    response = client.post(
        PARTNERSHIP_JOIN, {"action": "accept", "organization": "new", "organization_name": ""}
    )
    assert response.status_code == 400
    assert "Name the new reseller organization" in response.content.decode()
    client.post(
        PARTNERSHIP_JOIN,
        {"action": "accept", "organization": "new", "organization_name": "Northwind Resale"},
    )
    partnership.refresh_from_db()
    assert partnership.reseller.name == "Northwind Resale"
    assert PartnerMembership.objects.get(partner=partnership.reseller).user == cast.customer_admin


def test_an_invitation_for_a_named_reseller_tells_other_people_they_cannot_accept(
    cast, client, invite_reseller
):
    tailspin = factories.make_reseller("Tailspin")
    _, token = invite_reseller(
        cast.provider, cast.provider_admin, "x@tailspin.test", reseller=tailspin
    )
    client.force_login(cast.reseller_admin)
    client.get(link(token))
    page = client.get(PARTNERSHIP_JOIN).content.decode()
    assert "only its Global admins can accept it" in page


def test_declining_a_partnership_invitation(cast, client, invite_reseller):
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "x@tailspin.test")
    client.get(link(token))
    response = client.post(PARTNERSHIP_JOIN, {"action": "decline"})
    assert "You declined the invitation from Contoso Distribution" in response.content.decode()
    partnership.refresh_from_db()
    assert partnership.state == ResellerPartnership.State.DECLINED
    assert AuditEvent.objects.filter(action="partnership.declined").count() == 1
