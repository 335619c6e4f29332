"""The acceptance panel on the landing page, and the accept / decline / sign-up views."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.customers.models import (
    Customer,
    CustomerMembership,
    DelegatedAdminGrant,
    ResellerRelationship,
)
from apps.customers.services import grant_set, relationship_get_or_create
from apps.invitations import tokens
from apps.invitations.models import Acceptance, Invitation
from tests import factories

from .builders import make_delivery, make_invitation

ACCEPT = reverse("invitations:accept")
DECLINE = reverse("invitations:decline")
SIGNUP = reverse("invitations:accept_signup")


@pytest.fixture
def invitation(cast, services):
    return make_invitation(
        cast.provider,
        cast.reseller,
        requests_dap=True,
        dap_provisioning=True,
        dap_support=True,
        services=[services["office365"], services["azure"]],
    )


def open_link(client, invitation, delivery=None):
    token = tokens.delivery_token(delivery) if delivery else tokens.invitation_token(invitation)
    response = client.get(tokens.link_path(token))
    assert response.status_code == 302
    return client


def landing(client):
    return client.get(reverse("invitations:landing"))


# ------------------------------------------------------------------------------
# The panel
# ------------------------------------------------------------------------------
def test_anonymous_visitors_are_offered_sign_in_or_a_new_organization(client, invitation):
    html = landing(open_link(client, invitation)).content.decode()
    assert 'href="/accounts/login/?next=%2Fi%2F"' in html
    assert f'href="{SIGNUP}"' in html
    assert ACCEPT not in html


def test_a_customer_admin_sees_todays_holder_and_what_accepting_changes(
    client, cast, services, invitation
):
    tailspin = factories.make_reseller("Tailspin Cloud Services")
    factories.make_partnership(cast.provider, tailspin)
    relationship_get_or_create(customer=cast.customer, provider=cast.provider)
    grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=tailspin,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
    )
    client.force_login(cast.customer_admin)
    response = landing(open_link(client, invitation))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tailspin Cloud Services holds delegated admin for Office 365" in html
    assert 'name="decision_office365" id="move-office365" value="move"' in html
    assert 'value="keep"' in html
    assert "Fabrikam Solutions receives delegated admin (provisioning, support)" in html
    assert f'action="{ACCEPT}"' in html and f'action="{DECLINE}"' in html


def test_a_user_with_several_organizations_chooses_one(client, cast, invitation):
    second = factories.make_customer("Northwind Retail", "retail.partner.onmschina.cn")
    CustomerMembership.objects.create(user=cast.customer_admin, customer=second)
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    html = landing(client).content.decode()
    assert 'id="panel-customer" name="customer"' in html
    html = client.get(
        reverse("invitations:landing") + f"?customer={second.public_id}"
    ).content.decode()
    assert f'name="customer" value="{second.public_id}"' in html


def test_a_signed_in_user_without_an_organization_is_offered_to_create_one(
    client, user, invitation
):
    client.force_login(user)
    html = landing(open_link(client, invitation)).content.decode()
    assert "not an admin of a customer organization yet" in html
    assert ACCEPT not in html


def test_a_personal_invitation_for_someone_else_offers_no_accept_button(client, cast, services):
    invitation = make_invitation(
        cast.provider, kind=Invitation.Kind.PERSONAL, recipient_email="ceo@northwind.test"
    )
    client.force_login(cast.customer_admin)
    html = landing(open_link(client, invitation)).content.decode()
    assert "sent to a different email address" in html
    assert ACCEPT not in html


def test_the_panel_says_when_the_organization_already_accepted(client, cast, invitation):
    from apps.invitations.acceptance import invitation_accept

    invitation_accept(invitation=invitation, by=cast.customer_admin, customer=cast.customer)
    client.force_login(cast.customer_admin)
    html = landing(open_link(client, invitation)).content.decode()
    assert "already accepted this invitation" in html
    assert ACCEPT not in html


# ------------------------------------------------------------------------------
# Accept
# ------------------------------------------------------------------------------
def test_accepting_creates_the_relationship_and_shows_the_partner_relationships(
    client, cast, invitation
):
    delivery = make_delivery(invitation, cast.reseller, email="admin@northwind.test")
    client.force_login(cast.customer_admin)
    open_link(client, invitation, delivery)
    response = client.post(ACCEPT, {"customer": cast.customer.public_id})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "customers:relationships", kwargs={"customer_id": cast.customer.public_id}
    )
    acceptance = Acceptance.objects.get()
    assert acceptance.delivery == delivery
    assert DelegatedAdminGrant.objects.active().count() == 2
    assert tokens.SESSION_KEY not in client.session
    page = client.get(response["Location"])
    assert "accepted the invitation from Contoso Distribution" in page.content.decode()


def test_accepting_again_says_nothing_changed(client, cast, invitation):
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    client.post(ACCEPT, {"customer": cast.customer.public_id})
    open_link(client, invitation)
    response = client.post(ACCEPT, {"customer": cast.customer.public_id}, follow=True)
    assert "already accepted this invitation. Nothing was changed." in response.content.decode()
    assert Acceptance.objects.count() == 1


def test_the_only_organization_is_used_when_the_form_names_none(client, cast, invitation):
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    assert client.post(ACCEPT).status_code == 302
    assert Acceptance.objects.get().customer == cast.customer


@pytest.mark.parametrize(
    "change, text",
    [
        ({"status": "revoked"}, "revoked by the provider"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "expired"),
    ],
)
def test_a_link_that_died_after_opening_is_refused_with_a_clear_message(
    client, cast, invitation, change, text
):
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    if "status" in change:
        change["revoked_at"] = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    response = client.post(ACCEPT, {"customer": cast.customer.public_id})
    assert response.status_code == 409
    assert text in response.content.decode()
    assert "Nothing was changed" in response.content.decode()
    assert not ResellerRelationship.objects.exists()


def test_a_held_service_without_a_choice_is_refused(client, cast, services, invitation):
    relationship_get_or_create(customer=cast.customer, provider=cast.provider)
    grant_set(
        customer=cast.customer,
        service=services["azure"],
        partner=cast.provider,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
    )
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    response = client.post(ACCEPT, {"customer": cast.customer.public_id})
    assert response.status_code == 409
    assert "Choose whether to move it or keep it" in response.content.decode()
    response = client.post(ACCEPT, {"customer": cast.customer.public_id, "decision_azure": "move"})
    assert response.status_code == 302
    assert DelegatedAdminGrant.objects.active().get(service__code="azure").partner == cast.reseller


def test_accepting_without_a_link_in_the_session_is_refused(client, cast, invitation):
    client.force_login(cast.customer_admin)
    response = client.post(ACCEPT, {"customer": cast.customer.public_id})
    assert response.status_code == 404
    assert "no link is open in this browser" in response.content.decode()
    assert not Acceptance.objects.exists()


def test_accepting_for_someone_elses_organization_is_refused(client, cast, invitation):
    other = factories.make_customer("Other", "other.partner.onmschina.cn")
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    response = client.post(ACCEPT, {"customer": other.public_id})
    assert response.status_code == 400
    assert not Acceptance.objects.exists()


def test_accepting_without_an_organization_is_refused(client, user, invitation):
    client.force_login(user)
    open_link(client, invitation)
    response = client.post(ACCEPT)
    assert response.status_code == 400
    assert "Create your organization first" in response.content.decode()


def test_accept_and_decline_need_post(client, cast, invitation):
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    assert client.get(ACCEPT).status_code == 405
    assert client.get(DECLINE).status_code == 405
    assert not Acceptance.objects.exists()


def test_accept_needs_a_csrf_token(cast, invitation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    assert client.post(ACCEPT, {"customer": cast.customer.public_id}).status_code == 403
    assert not Acceptance.objects.exists()


def test_anonymous_accept_goes_to_sign_in(client, invitation):
    open_link(client, invitation)
    response = client.post(ACCEPT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# ------------------------------------------------------------------------------
# Decline
# ------------------------------------------------------------------------------
def test_declining_is_recorded_and_says_so(client, cast, invitation):
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    response = client.post(DECLINE, {"customer": cast.customer.public_id, "confirm": "yes"})
    assert response.status_code == 200
    assert "You declined the invitation from Contoso Distribution" in response.content.decode()
    assert Acceptance.objects.get().outcome == "declined"
    assert not ResellerRelationship.objects.exists()


def test_declining_after_accepting_is_refused(client, cast, invitation):
    client.force_login(cast.customer_admin)
    open_link(client, invitation)
    client.post(ACCEPT)
    open_link(client, invitation)
    response = client.post(DECLINE, {"customer": cast.customer.public_id, "confirm": "yes"})
    assert response.status_code == 409
    assert "already accepted" in response.content.decode()


# ------------------------------------------------------------------------------
# Create the organization in the same flow
# ------------------------------------------------------------------------------
SIGNUP_DATA = {
    "account-display_name": "Ann Lee",
    "account-email": "ann@adventure.test",
    "account-password1": "Long-enough-2026",
    "account-password2": "Long-enough-2026",
    "organization-organization_name": "Adventure Works",
    "organization-tenant_domain": "adventure.partner.onmschina.cn",
}


def test_a_new_customer_creates_account_and_organization_then_decides(
    client, invitation, django_capture_on_commit_callbacks
):
    open_link(client, invitation)
    page = client.get(SIGNUP)
    assert page.status_code == 200
    assert "Your account" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, SIGNUP_DATA)
    # nothing is created until the address is confirmed from the email
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert not User.objects.filter(email="ann@adventure.test").exists()
    assert not Customer.objects.filter(tenant_domain="adventure.partner.onmschina.cn").exists()
    # the confirmation works in another browser too: it brings the invitation along
    other = Client()
    response = factories.confirm_signup(other, "ann@adventure.test")
    customer = Customer.objects.get(tenant_domain="adventure.partner.onmschina.cn")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('invitations:landing')}?customer={customer.public_id}"
    user = User.objects.get(email="ann@adventure.test")
    assert user.display_name == "Ann Lee" and user.check_password("Long-enough-2026")
    assert CustomerMembership.objects.filter(user=user, customer=customer).exists()
    html = other.get(response["Location"]).content.decode()
    assert f'action="{ACCEPT}"' in html  # signed in, the link in the session
    assert other.post(ACCEPT, {"customer": customer.public_id}).status_code == 302
    assert Acceptance.objects.get().customer == customer


def test_signup_answers_alike_for_a_registered_and_an_unregistered_domain(
    client, cast, invitation, django_capture_on_commit_callbacks
):
    """No enumeration: neither the form's answer nor the page after confirming the address
    tells whether someone registered the domain (both make an unverified claim)."""
    answers = []
    for n, domain in enumerate(["Northwind.partner.onmschina.cn", "nobody.partner.onmschina.cn"]):
        client.logout()
        open_link(client, invitation)
        email = f"ann{n}@adventure.test"
        data = {**SIGNUP_DATA, "account-email": email, "organization-tenant_domain": domain}
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(SIGNUP, data).status_code == 200
        response = factories.confirm_signup(client, email)
        assert response.status_code == 302
        customer = Customer.objects.get(memberships__user__email=email)
        assert customer.verification_status == "unverified"
        page = client.get(response["Location"]).content.decode()
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)
        answers.append(
            page.replace(customer.public_id, "ID")
            .replace(domain.lower(), "DOMAIN")
            .replace(f"ann{n}@", "ann@")
        )
        assert "already registered" not in page
    assert answers[0] == answers[1]


def test_signup_for_a_personal_invitation_needs_the_recipients_address(client, cast, services):
    invitation = make_invitation(
        cast.provider, kind=Invitation.Kind.PERSONAL, recipient_email="ceo@adventure.test"
    )
    open_link(client, invitation)
    response = client.post(SIGNUP, SIGNUP_DATA)
    assert response.status_code == 400
    assert "sent to a different address" in response.content.decode()
    assert not User.objects.filter(email="ann@adventure.test").exists()


def test_a_signed_in_user_creates_only_the_organization(client, user, invitation):
    client.force_login(user)
    open_link(client, invitation)
    assert "Your account" not in client.get(SIGNUP).content.decode()
    response = client.post(
        SIGNUP,
        {
            "organization-organization_name": "Adventure Works",
            "organization-tenant_domain": "adventure.partner.onmschina.cn",
        },
    )
    assert response.status_code == 302
    assert Customer.objects.for_user(user).get().name == "Adventure Works"


def test_signup_without_a_usable_link_is_refused(client, cast, invitation):
    assert client.get(SIGNUP).status_code == 404
    open_link(client, invitation)
    Invitation.objects.filter(pk=invitation.pk).update(status="revoked", revoked_at=timezone.now())
    response = client.post(SIGNUP, SIGNUP_DATA)
    assert response.status_code == 410
    assert "This invitation was revoked" in response.content.decode()
    assert not User.objects.filter(email="ann@adventure.test").exists()
