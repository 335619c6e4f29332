"""Invitation emails go through the outbox: the request never waits on SMTP or fails because
of it, the worker sends with retries, and the outcome is recorded on the Delivery."""

import time
from email import message_from_string
from email import policy as email_policy

import pytest
from django.urls import reverse

from apps.core.models import OutboundEmail
from apps.invitations.models import Delivery
from apps.invitations.tokens import delivery_url
from tests.core.conftest import run_worker, travel
from tests.core.fake_smtp import FakeSMTPServer, use_fake_smtp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp(settings):
    server = FakeSMTPServer()
    use_fake_smtp(settings, server)
    yield server
    server.stop()


def send_url(partner, invitation):
    kwargs = {"partner_id": partner.public_id, "invitation_id": invitation.public_id}
    return reverse("invitations:send", kwargs=kwargs)


def test_forwarding_while_the_mail_server_hangs_answers_at_once_and_sends_later(
    dap_invitation, cast, client, smtp
):
    smtp.start()
    smtp.state.hang = True
    client.force_login(cast.reseller_admin)
    started = time.monotonic()
    response = client.post(
        send_url(cast.reseller, dap_invitation),
        {"emails": "it@northwind.test", "message": "From your reseller"},
    )
    assert response.status_code == 302
    assert time.monotonic() - started < 1  # the SMTP timeout is 1 s: the request never tried
    delivery = Delivery.objects.get()
    email = OutboundEmail.objects.get(purpose="invitations.delivery", ref=str(delivery.pk))
    assert email.status == OutboundEmail.Status.QUEUED and email.attempts == 0

    run_worker()  # the server still hangs: a timeout, recorded on the delivery too
    delivery.refresh_from_db()
    assert delivery.sent_at is None and delivery.send_attempts == 1
    assert "timed out" in delivery.last_error

    smtp.state.hang = False
    with travel(120):
        run_worker()
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.last_error == ""
    assert delivery.send_attempts == 2
    (received,) = smtp.received
    assert received.rcpt_to == ["it@northwind.test"]
    message = message_from_string(received.data, policy=email_policy.default)
    assert delivery_url(delivery) in message.get_body(("plain",)).get_content()
    assert "From your reseller" in message.get_body(("plain",)).get_content()


def test_a_refused_address_is_shown_as_not_sent_and_a_retry_sends_it(
    dap_invitation, cast, client, smtp
):
    smtp.start()
    smtp.state.rejected = {"gone@northwind.test"}
    client.force_login(cast.provider_admin)
    response = client.post(
        send_url(cast.provider, dap_invitation), {"emails": "gone@northwind.test"}
    )
    assert response.status_code == 302
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.has_failed and "550" in delivery.last_error
    email = OutboundEmail.objects.get(ref=str(delivery.pk))
    assert email.status == OutboundEmail.Status.FAILED

    smtp.state.rejected = set()
    resend = reverse(
        "invitations:resend",
        kwargs={
            "partner_id": cast.provider.public_id,
            "invitation_id": dap_invitation.public_id,
            "delivery_id": delivery.pk,
        },
    )
    assert client.post(resend).status_code == 302
    run_worker()
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.send_attempts == 2
    assert len(smtp.received) == 1
