"""Customer teams: Customer admins invite colleagues by one-time link (Customer admin or
Reader), remove them, the last admin stays; Readers change nothing, by form or by hand."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.customers.models import CustomerMembership, CustomerTeamInvitation, DelegatedAdminGrant
from apps.customers.services import grant_set
from apps.customers.team import (
    customer_member_remove,
    customer_team_invitation_accept,
    customer_team_invite,
)
from tests import factories

PASSWORD = factories.PASSWORD


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reader(cast):
    user = factories.make_user("reader@northwind.test")
    CustomerMembership.objects.create(customer=cast.customer, user=user, role="reader")
    return user


def link_in(message) -> str:
    return re.search(r"http://testserver(/ct/[^/\s]+/)", message.body).group(1)


def invite(cast, email="colleague@northwind.test", role="reader", capture=None):
    return customer_team_invite(
        customer=cast.customer, email=email, role=role, by=cast.customer_admin
    )


# ------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------
def test_an_admin_invites_and_the_colleague_joins_with_the_role(
    cast, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(cast, role="admin")
    assert CustomerTeamInvitation.objects.get().token_hash != invitation.link_url
    message = mail.outbox[-1]
    assert message.to == ["colleague@northwind.test"]
    # the link moves into the session and the landing page has no token in its URL
    response = client.get(link_in(message))
    assert response.status_code == 302 and response["Location"] == reverse("customers:team_join")
    page = client.get(response["Location"])
    assert "Create your account and join" in page.content.decode()
    joined = client.post(
        reverse("customers:team_join"),
        {"display_name": "Colleague", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert joined["Location"] == reverse("customers:home", args=[cast.customer.public_id])
    member = CustomerMembership.objects.get(user__email="colleague@northwind.test")
    assert member.role == "admin"
    assert AuditEvent.objects.filter(action="customer.team_joined").count() == 1
    # the link works once
    again = Client().get(link_in(message))
    assert Client().get(reverse("customers:team_join")).status_code == 404
    assert again.status_code in (302, 410)


def test_the_link_is_for_the_invited_address_only(cast):
    invitation = invite(cast)
    with pytest.raises(ValidationError):
        customer_team_invitation_accept(invitation_id=invitation.pk, by=cast.outsider)
    assert not CustomerMembership.objects.filter(user=cast.outsider).exists()


def test_a_revoked_or_tampered_link_does_nothing(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(cast)
    link = link_in(mail.outbox[-1])
    tampered = link[:-3] + "xx/"
    assert client.get(tampered).status_code == 404
    CustomerTeamInvitation.objects.update(revoked_at="2026-01-01T00:00:00Z")
    client.get(link)
    assert client.get(reverse("customers:team_join")).status_code == 410


def test_inviting_a_member_or_twice_is_refused(cast):
    with pytest.raises(ValidationError):
        invite(cast, email=cast.customer_admin.email)
    invite(cast)
    with pytest.raises(ValidationError):
        invite(cast)
    assert CustomerTeamInvitation.objects.count() == 1


def test_the_last_customer_admin_cannot_be_removed(cast):
    own = CustomerMembership.objects.get(customer=cast.customer, user=cast.customer_admin)
    with pytest.raises(ValidationError) as exc:
        customer_member_remove(customer=cast.customer, membership_id=own.pk, by=cast.customer_admin)
    assert exc.value.code == "last_admin"
    assert CustomerMembership.objects.filter(pk=own.pk).exists()


def test_an_admin_removes_a_member_and_it_is_audited(cast, reader):
    member = CustomerMembership.objects.get(user=reader)
    customer_member_remove(customer=cast.customer, membership_id=member.pk, by=cast.customer_admin)
    assert not CustomerMembership.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.get(action="customer.member_removed").data["email"] == reader.email


def test_with_two_admins_one_may_go(cast):
    second = factories.make_user("second@northwind.test")
    CustomerMembership.objects.create(customer=cast.customer, user=second, role="admin")
    own = CustomerMembership.objects.get(customer=cast.customer, user=cast.customer_admin)
    customer_member_remove(customer=cast.customer, membership_id=own.pk, by=cast.customer_admin)
    with pytest.raises(ValidationError):
        last = CustomerMembership.objects.get(user=second)
        customer_member_remove(customer=cast.customer, membership_id=last.pk, by=second)


def test_a_reader_cannot_use_the_team_services(cast, reader):
    with pytest.raises(ValidationError):
        customer_team_invite(
            customer=cast.customer, email="x@northwind.test", role="admin", by=reader
        )
    own = CustomerMembership.objects.get(user=cast.customer_admin)
    with pytest.raises(ValidationError):
        customer_member_remove(customer=cast.customer, membership_id=own.pk, by=reader)
    assert not CustomerTeamInvitation.objects.exists()


# ------------------------------------------------------------------------------
# Views
# ------------------------------------------------------------------------------
def test_the_team_page_invites_and_removes(cast, reader):
    client = client_for(cast.customer_admin)
    team = reverse("customers:team", args=[cast.customer.public_id])
    html = client.get(team).content.decode()
    assert reader.email in html and "Invite a colleague" in html
    response = client.post(
        reverse("customers:team_invite", args=[cast.customer.public_id]),
        {"email": "new@northwind.test", "role": "reader"},
    )
    assert response["Location"] == team
    invitation = CustomerTeamInvitation.objects.get()
    revoke = reverse(
        "customers:team_invitation_revoke", args=[cast.customer.public_id, invitation.pk]
    )
    client.post(revoke)
    assert CustomerTeamInvitation.objects.get().revoked_at is not None
    member = CustomerMembership.objects.get(user=reader)
    remove = reverse("customers:member_remove", args=[cast.customer.public_id, member.pk])
    assert client.get(remove).status_code == 200
    client.post(remove)
    assert not CustomerMembership.objects.filter(user=reader).exists()


def test_removing_the_last_admin_by_hand_made_post_is_refused(cast):
    client = client_for(cast.customer_admin)
    own = CustomerMembership.objects.get(user=cast.customer_admin)
    remove = reverse("customers:member_remove", args=[cast.customer.public_id, own.pk])
    response = client.post(remove, follow=True)
    assert "at least one Customer admin" in response.content.decode()
    assert CustomerMembership.objects.filter(pk=own.pk).exists()


def test_an_invalid_invite_form_creates_nothing(cast):
    client = client_for(cast.customer_admin)
    url = reverse("customers:team_invite", args=[cast.customer.public_id])
    response = client.post(url, {"email": "not an email", "role": "owner"})
    assert response.status_code == 200
    assert not CustomerTeamInvitation.objects.exists()


def test_a_reader_sees_but_cannot_change_anything(cast, reader, services, relationship):
    grant = grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=cast.reseller,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
        relationship=relationship,
    ).grant
    client = client_for(reader)
    cid = cast.customer.public_id
    # reading works
    for name in ("customers:home", "customers:relationships", "customers:team"):
        assert client.get(reverse(name, args=[cid])).status_code == 200
    assert client.get(reverse("invitations:received", args=[cid])).status_code == 200
    html = client.get(reverse("customers:relationships", args=[cid])).content.decode()
    assert "Give or move delegated admin" not in html
    assert (
        "Invite a colleague"
        not in client.get(reverse("customers:team", args=[cid])).content.decode()
    )
    # every change is refused, whatever is posted
    own = CustomerMembership.objects.get(user=cast.customer_admin)
    posts = [
        (
            reverse("customers:grant_set", args=[cid]),
            {"service": "office365", "partner": cast.provider.pk},
        ),
        (reverse("customers:grant_remove", args=[cid, grant.pk]), {"note": "bye"}),
        (reverse("customers:team_invite", args=[cid]), {"email": "x@x.test", "role": "admin"}),
        (reverse("customers:member_remove", args=[cid, own.pk]), {}),
        (reverse("customers:verify", args=[cid]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.get(url).status_code == 403, url
    assert DelegatedAdminGrant.objects.get(pk=grant.pk).is_active
    assert CustomerMembership.objects.filter(pk=own.pk).exists()
    assert not CustomerTeamInvitation.objects.exists()


def test_outsiders_get_404_on_team_pages(cast, reader):
    client = client_for(cast.outsider)
    member = CustomerMembership.objects.get(user=reader)
    for url in (
        reverse("customers:team", args=[cast.customer.public_id]),
        reverse("customers:member_remove", args=[cast.customer.public_id, member.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert CustomerMembership.objects.filter(pk=member.pk).exists()


def test_a_member_of_another_customer_cannot_remove_ours(cast, reader):
    other_admin = factories.make_user("boss@other.test")
    other = factories.make_customer("Other", admin=other_admin)
    member = CustomerMembership.objects.get(user=reader)
    client = client_for(other_admin)
    # the membership id of Northwind under Other's URL: not found
    url = reverse("customers:member_remove", args=[other.public_id, member.pk])
    assert client.post(url).status_code == 404
    assert CustomerMembership.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("pages", [2, 8])
def test_the_team_page_queries_do_not_grow_with_members(cast, pages, django_assert_max_num_queries):
    for n in range(pages):
        user = factories.make_user(f"member{n}@northwind.test")
        CustomerMembership.objects.create(customer=cast.customer, user=user, role="reader")
        CustomerTeamInvitation.objects.create(
            customer=cast.customer,
            email=f"invitee{n}@northwind.test",
            role="reader",
            token_hash=f"{n:064d}",
            expires_at="2099-01-01T00:00:00Z",
        )
    client = client_for(cast.customer_admin)
    with django_assert_max_num_queries(16):
        assert (
            client.get(reverse("customers:team", args=[cast.customer.public_id])).status_code == 200
        )
