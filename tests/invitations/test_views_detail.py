from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers.models import ResellerRelationship
from apps.invitations.models import Acceptance, Delivery, Invitation
from apps.invitations.tokens import invitation_url
from apps.partners.models import ResellerPartnership
from tests import factories

from .builders import make_delivery, make_invitation

CONFIRM = {"confirm": "yes"}  # what the confirmation page posts (apps/core/confirm.py)


def url(name, partner, invitation, **extra):
    kwargs = {"partner_id": partner.public_id, "invitation_id": invitation.public_id, **extra}
    return reverse(f"invitations:{name}", kwargs=kwargs)


# ------------------------------------------------------------------------------
# Detail and sharing
# ------------------------------------------------------------------------------
def test_emails_queued_in_the_request_are_reported_as_queued(
    dap_invitation, cast, client, django_capture_on_commit_callbacks
):
    client.force_login(cast.provider_admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            url("send", cast.provider, dap_invitation), {"emails": "a@northwind.test"}, follow=True
        )
    assert "Queued for sending to a@northwind.test." in response.content.decode()


def test_the_page_shows_the_offer_the_link_to_copy_and_a_ready_email(dap_invitation, cast, client):
    client.force_login(cast.provider_sales)
    response = client.get(url("detail", cast.provider, dap_invitation))
    assert response.status_code == 200
    body = response.content.decode()
    link = invitation_url(dap_invitation)
    assert link in body
    assert 'data-copy-target="#invitation-link"' in body
    assert 'data-copy-target="#ready-email"' in body
    ready = response.context["ready_email"]
    assert ready.endswith(link)
    assert "Fabrikam Solutions" in ready and "Welcome aboard" in ready
    assert response.context["send_form"].initial["message"] in ready
    assert "Office 365 operated by 21Vianet" in body
    assert "provisioning, support" in body
    assert url("send", cast.provider, dap_invitation) in body
    # sales agents send but do not manage
    assert url("revoke", cast.provider, dap_invitation) not in body


def test_admins_see_the_revoke_button(dap_invitation, cast, client):
    client.force_login(cast.provider_agent)
    body = client.get(url("detail", cast.provider, dap_invitation)).content.decode()
    assert url("revoke", cast.provider, dap_invitation) in body


def test_a_personal_invitation_prefills_its_recipient(cast, client):
    invitation = make_invitation(
        cast.provider, kind=Invitation.Kind.PERSONAL, recipient_email="cio@northwind.test"
    )
    client.force_login(cast.provider_admin)
    response = client.get(url("detail", cast.provider, invitation))
    assert response.context["send_form"].initial["emails"] == "cio@northwind.test"


def test_an_unusable_invitation_offers_no_link_and_no_sending(cast, client):
    invitation = make_invitation(cast.provider, expires_at=timezone.now() - timedelta(hours=1))
    client.force_login(cast.provider_admin)
    response = client.get(url("detail", cast.provider, invitation))
    body = response.content.decode()
    assert invitation_url(invitation) not in body
    assert "send_form" not in response.context
    assert "Expired" in body


def test_a_reseller_sees_the_invitation_issued_for_it_and_can_forward_it(
    dap_invitation, cast, client
):
    client.force_login(cast.reseller_admin)
    response = client.get(url("detail", cast.reseller, dap_invitation))
    assert response.status_code == 200
    body = response.content.decode()
    assert invitation_url(dap_invitation) in body
    assert "Forward by email" in body
    assert url("revoke", cast.reseller, dap_invitation) not in body


def test_a_reseller_gets_404_for_the_providers_own_links_and_other_resellers(
    own_invitation, cast, client
):
    tailspin = factories.make_reseller("Tailspin")
    factories.make_partnership(cast.provider, tailspin)
    theirs = make_invitation(cast.provider, tailspin)
    client.force_login(cast.reseller_admin)
    assert client.get(url("detail", cast.reseller, own_invitation)).status_code == 404
    assert client.get(url("detail", cast.reseller, theirs)).status_code == 404
    # and through the provider's URL it is not a member: 404 too
    assert client.get(url("detail", cast.provider, own_invitation)).status_code == 404


@pytest.mark.parametrize(
    "state", [ResellerPartnership.State.SUSPENDED, ResellerPartnership.State.ENDED]
)
def test_a_reseller_gets_404_once_the_partnership_is_not_active(
    dap_invitation, cast, client, state
):
    ResellerPartnership.objects.filter(provider=cast.provider).update(state=state)
    client.force_login(cast.reseller_admin)
    assert client.get(url("detail", cast.reseller, dap_invitation)).status_code == 404
    response = client.post(
        url("send", cast.reseller, dap_invitation), {"emails": "x@y.test", "message": "hi"}
    )
    assert response.status_code == 404
    assert not Delivery.objects.exists()


def test_another_provider_cannot_see_the_invitation(dap_invitation, cast, client):
    client.force_login(cast.outsider)
    assert client.get(url("detail", cast.other_provider, dap_invitation)).status_code == 404


def test_an_unknown_invitation_is_404(cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(
        reverse(
            "invitations:detail",
            kwargs={"partner_id": cast.provider.public_id, "invitation_id": "INOPE"},
        )
    )
    assert response.status_code == 404


# ------------------------------------------------------------------------------
# Send and forward
# ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)  # emails leave at the real commit, in the request
def test_provider_staff_email_it_to_several_addresses(dap_invitation, cast, client):
    client.force_login(cast.provider_sales)
    response = client.post(
        url("send", cast.provider, dap_invitation),
        {"emails": "a@northwind.test\nb@northwind.test", "message": "Our offer"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", cast.provider, dap_invitation)
    deliveries = Delivery.objects.filter(invitation=dap_invitation)
    assert {d.email for d in deliveries} == {"a@northwind.test", "b@northwind.test"}
    assert {d.sent_by_partner for d in deliveries} == {cast.provider}
    # (the reseller was also told, when the fixture issued the invitation for it)
    sent = [m for m in mail.outbox if m.to[0].endswith("@northwind.test")]
    assert len(sent) == 2
    assert AuditEvent.objects.filter(action="invitation.delivered").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Sent to a@northwind.test, b@northwind.test." in page
    assert "Not sent" not in page


def test_a_reseller_forwards_it(dap_invitation, cast, client, django_capture_on_commit_callbacks):
    client.force_login(cast.reseller_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("send", cast.reseller, dap_invitation),
            {"emails": "it@northwind.test", "message": "From your reseller"},
        )
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.sent_by_partner == cast.reseller
    assert delivery.sent_by == cast.reseller_admin
    assert AuditEvent.objects.filter(action="invitation.forwarded").count() == 1
    assert "From your reseller" in mail.outbox[0].body


def test_bad_addresses_redisplay_the_page_with_the_error(dap_invitation, cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(
        url("send", cast.provider, dap_invitation), {"emails": "nope, a@b.test", "message": ""}
    )
    assert response.status_code == 400
    assert "These are not valid email addresses: nope." in response.content.decode()
    assert not Delivery.objects.exists()


def test_sending_a_revoked_invitation_says_why(dap_invitation, cast, client):
    Invitation.objects.filter(pk=dap_invitation.pk).update(
        status=Invitation.Status.REVOKED, revoked_at=timezone.now()
    )
    client.force_login(cast.provider_admin)
    response = client.post(
        url("send", cast.provider, dap_invitation), {"emails": "a@b.test"}, follow=True
    )
    assert "has been revoked" in response.content.decode()
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_shown_with_a_retry_button(dap_invitation, cast, client, failing_mail):
    client.force_login(cast.provider_admin)
    response = client.post(
        url("send", cast.provider, dap_invitation), {"emails": "a@northwind.test"}, follow=True
    )
    body = response.content.decode()
    assert "Not sent yet to a@northwind.test" in body
    delivery = Delivery.objects.get()
    assert delivery.sent_at is None and delivery.send_attempts == 1
    assert url("resend", cast.provider, dap_invitation, delivery_id=delivery.pk) in body
    assert "Retry" in body


def test_resending_sends_the_same_link_again(
    dap_invitation, cast, client, django_capture_on_commit_callbacks
):
    delivery = make_delivery(dap_invitation, send_attempts=1, last_error="boom")
    client.force_login(cast.provider_sales)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("resend", cast.provider, dap_invitation, delivery_id=delivery.pk)
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.last_error == ""
    assert len(mail.outbox) == 1


def test_a_reseller_cannot_resend_the_providers_delivery(dap_invitation, cast, client):
    delivery = make_delivery(dap_invitation)
    client.force_login(cast.reseller_admin)
    response = client.post(url("resend", cast.reseller, dap_invitation, delivery_id=delivery.pk))
    assert response.status_code == 404


def test_the_provider_cannot_resend_a_resellers_forward(dap_invitation, cast, client):
    delivery = make_delivery(dap_invitation, cast.reseller)
    client.force_login(cast.provider_admin)
    response = client.post(url("resend", cast.provider, dap_invitation, delivery_id=delivery.pk))
    assert response.status_code == 403


def test_resending_a_delivery_of_another_invitation_is_404(
    dap_invitation, own_invitation, cast, client
):
    other = make_delivery(own_invitation)
    client.force_login(cast.provider_admin)
    response = client.post(url("resend", cast.provider, dap_invitation, delivery_id=other.pk))
    assert response.status_code == 404


# ------------------------------------------------------------------------------
# Revoke
# ------------------------------------------------------------------------------
def test_revoking_makes_it_unusable_at_once(dap_invitation, cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(url("revoke", cast.provider, dap_invitation), CONFIRM, follow=True)
    dap_invitation.refresh_from_db()
    assert dap_invitation.effective_status == "revoked"
    assert "is revoked" in response.content.decode()
    # the public link now shows the revoked page
    client.get(invitation_url(dap_invitation).replace("http://testserver", ""))
    assert client.get(reverse("invitations:landing")).status_code == 410


def test_revoking_twice_shows_a_message_not_an_error(dap_invitation, cast, client):
    client.force_login(cast.provider_admin)
    client.post(url("revoke", cast.provider, dap_invitation), CONFIRM)
    response = client.post(url("revoke", cast.provider, dap_invitation), CONFIRM, follow=True)
    assert response.status_code == 200
    assert "already revoked" in response.content.decode()


def test_sales_agents_and_resellers_cannot_revoke(dap_invitation, cast, client):
    client.force_login(cast.provider_sales)
    assert client.post(url("revoke", cast.provider, dap_invitation)).status_code == 403
    client.force_login(cast.reseller_admin)
    assert client.post(url("revoke", cast.reseller, dap_invitation)).status_code == 403
    dap_invitation.refresh_from_db()
    assert dap_invitation.status == Invitation.Status.ACTIVE


# ------------------------------------------------------------------------------
# Funnel
# ------------------------------------------------------------------------------
def _accept(invitation, delivery, customer, outcome=Acceptance.Outcome.ACCEPTED):
    relationship = None
    if outcome == Acceptance.Outcome.ACCEPTED:
        relationship = ResellerRelationship.objects.create(
            customer=customer, provider=invitation.provider, reseller=invitation.reseller
        )
    return Acceptance.objects.create(
        invitation=invitation,
        delivery=delivery,
        customer=customer,
        relationship=relationship,
        outcome=outcome,
    )


def test_the_funnel_counts_sent_opened_accepted_per_sending_partner(dap_invitation, cast, client):
    now = timezone.now()
    by_provider = make_delivery(dap_invitation, sent_at=now, first_opened_at=now)
    make_delivery(dap_invitation, email="b@x.test", send_attempts=2, last_error="down")
    by_reseller = make_delivery(
        dap_invitation, cast.reseller, email="c@x.test", sent_at=now, first_opened_at=now
    )
    _accept(dap_invitation, by_reseller, cast.customer)
    _accept(dap_invitation, by_provider, factories.make_customer(), Acceptance.Outcome.DECLINED)
    _accept(dap_invitation, None, factories.make_customer())

    client.force_login(cast.provider_admin)
    response = client.get(url("detail", cast.provider, dap_invitation))
    funnel = {row.label: row for row in response.context["funnel"]}
    provider = funnel["Contoso Distribution"]
    assert (provider.deliveries, provider.sent, provider.failed, provider.opened) == (2, 1, 1, 1)
    assert (provider.accepted, provider.declined) == (0, 1)
    reseller = funnel["Fabrikam Solutions"]
    assert (reseller.deliveries, reseller.sent, reseller.opened, reseller.accepted) == (1, 1, 1, 1)
    direct = funnel["Invitation link (copied)"]
    assert (direct.accepted, direct.declined) == (1, 0)
    assert len(response.context["acceptances"]) == 3

    # the reseller sees its own forwards and answers, not the provider's recipients
    client.force_login(cast.reseller_admin)
    response = client.get(url("detail", cast.reseller, dap_invitation))
    assert {row.label for row in response.context["funnel"]} == {
        "Fabrikam Solutions",
        "Invitation link (copied)",
    }
    assert [d.email for d in response.context["deliveries"]] == ["c@x.test"]
    assert len(response.context["acceptances"]) == 2
    assert "b@x.test" not in response.content.decode()


def test_the_detail_page_costs_the_same_queries_for_3_and_300_deliveries(
    dap_invitation, cast, client, settings, django_assert_max_num_queries
):
    settings.PORTAL_PAGE_SIZE = 500

    def add(n):
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(
                    invitation=dap_invitation,
                    email=f"u{i}-{n}@x.test",
                    sent_by_partner=cast.provider if i % 2 else cast.reseller,
                    sent_by=cast.provider_admin if i % 2 else cast.reseller_admin,
                    sent_at=timezone.now(),
                )
                for i in range(n)
            ]
        )
        for delivery in deliveries[:3]:
            _accept(dap_invitation, delivery, factories.make_customer())

    client.force_login(cast.provider_admin)
    add(3)
    client.get(url("detail", cast.provider, dap_invitation))
    with CaptureQueriesContext(connection) as small:
        client.get(url("detail", cast.provider, dap_invitation))
    add(297)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("detail", cast.provider, dap_invitation))
    assert len(response.context["deliveries"]) == 300
    assert len(response.context["acceptances"]) == 6
