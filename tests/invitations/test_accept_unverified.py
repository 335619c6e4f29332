"""docs/decisions.md: an unverified customer may accept an invitation; the relationship is
recorded at once, the delegated admin it asks for waits (*pending verification*) and the
partners are told; verifying starts it. A closed claim accepts nothing."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from apps.customers.models import DelegatedAdminGrant, ResellerRelationship
from apps.customers.services import customer_create
from apps.customers.verification import customer_verify_by_operator, customer_verify_dns
from apps.invitations.acceptance import invitation_accept
from apps.invitations.models import Acceptance
from tests import factories


@pytest.fixture
def claim(db):
    admin = factories.make_user("ann@adventure.test")
    customer = customer_create(
        name="Adventure Works", tenant_domain="adventure.partner.onmschina.cn", admin=admin
    )
    return customer, admin


def test_an_unverified_customer_accepts_and_its_grants_wait(
    cast, claim, dap_invitation, django_capture_on_commit_callbacks
):
    customer, admin = claim
    with django_capture_on_commit_callbacks(execute=True):
        result = invitation_accept(invitation=dap_invitation, by=admin, customer=customer)
    assert ResellerRelationship.objects.filter(customer=customer).count() == 1
    assert not DelegatedAdminGrant.objects.filter(customer=customer).exists()
    assert set(result.outcomes.values()) == {"pending_verification"}
    # the partners are told that delegated admin waits for the verification
    assert any("has not verified its tenant domain yet" in m.body for m in mail.outbox)

    with (
        django_capture_on_commit_callbacks(execute=True),
        override_settings(
            TENANT_DNS_STATIC_RECORDS={customer.tenant_domain: [customer.txt_record_value]}
        ),
    ):
        customer_verify_dns(customer=customer, by=admin)
    grants = DelegatedAdminGrant.objects.active().filter(customer=customer)
    assert {g.service.code for g in grants} == {s.code for s in dap_invitation.services.all()}
    assert all(g.partner == dap_invitation.dap_recipient for g in grants)
    acceptance = Acceptance.objects.get(customer=customer)
    assert set(acceptance.decisions.values()) == {"granted"}


def test_a_grant_that_can_no_longer_start_is_marked_lapsed(cast, claim, dap_invitation):
    customer, admin = claim
    invitation_accept(invitation=dap_invitation, by=admin, customer=customer)
    ResellerRelationship.objects.filter(customer=customer).update(
        state="ended", ended_at="2026-01-01T00:00:00Z"
    )
    customer_verify_by_operator(customer=customer, by=cast.staff, note="Phoned the tenant")
    assert not DelegatedAdminGrant.objects.filter(customer=customer).exists()
    assert set(Acceptance.objects.get(customer=customer).decisions.values()) == {"lapsed"}


def test_a_closed_claim_cannot_accept(cast, claim, dap_invitation):
    customer, admin = claim
    customer.verification_status = "closed"
    customer.claim_close_reason = "expired"
    customer.save()
    with pytest.raises(ValidationError) as exc:
        invitation_accept(invitation=dap_invitation, by=admin, customer=customer)
    assert exc.value.code == "claim_closed"
    assert not Acceptance.objects.exists()


def test_a_reader_cannot_accept(cast, dap_invitation):
    reader = factories.make_user("reader@northwind.test")
    cast.customer.memberships.create(user=reader, role="reader")
    with pytest.raises(ValidationError) as exc:
        invitation_accept(invitation=dap_invitation, by=reader, customer=cast.customer)
    assert exc.value.code == "not_admin"
    assert not Acceptance.objects.exists()


def test_the_received_invitations_page_lists_the_answer(cast, claim, dap_invitation, client):
    customer, admin = claim
    invitation_accept(invitation=dap_invitation, by=admin, customer=customer)
    client.force_login(admin)
    html = client.get(reverse("invitations:received", args=[customer.public_id])).content.decode()
    assert cast.provider.name in html and cast.reseller.name in html
    assert "Accepted" in html and admin.email in html
    # another customer's admin sees nothing of it
    client.force_login(cast.customer_admin)
    assert client.get(reverse("invitations:received", args=[customer.public_id])).status_code == 404


@pytest.mark.parametrize("answers", [2, 8])
def test_the_received_invitations_page_queries_do_not_grow(
    cast, answers, django_assert_max_num_queries, client
):
    from tests.invitations.builders import make_delivery, make_invitation

    for _ in range(answers):
        invitation = make_invitation(cast.provider, cast.reseller)
        Acceptance.objects.create(
            invitation=invitation,
            delivery=make_delivery(invitation, cast.reseller),
            customer=cast.customer,
            outcome="declined",
            user=cast.customer_admin,
        )
    client.force_login(cast.customer_admin)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("invitations:received", args=[cast.customer.public_id]))
    assert response.status_code == 200
