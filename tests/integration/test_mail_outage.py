"""The mail server never decides whether a user sees an error.

With production's configuration (delivery only by the worker), every kind of action that sends
email answers normally while the mail server refuses connections, answers "try later" or hangs;
the emails wait in the outbox and the worker delivers each once when the server is back. And no
module of the portal talks to a mail server except the outbox's worker, so no request can.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from apps.core.models import OutboundEmail
from apps.customers.services import grant_set, relationship_get_or_create
from apps.partners.models import Role
from tests.core.conftest import run_worker, travel
from tests.core.fake_smtp import FakeSMTPServer, use_fake_smtp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp(settings):
    server = FakeSMTPServer()
    use_fake_smtp(settings, server)
    yield server
    server.stop()


def every_email_action(client, cast, services, invitation):
    """Yield (what, response) for one request of each kind of action that sends email."""
    provider, reseller = cast.provider.public_id, cast.reseller.public_id
    client.force_login(cast.provider_admin)
    yield (
        "team invitation",
        client.post(
            reverse("partners:team_invite", args=[provider]),
            {"email": "new@contoso.test", "role": Role.SALES_AGENT},
        ),
    )
    yield (
        "reseller invitation",
        client.post(
            reverse("partners:reseller_invite", args=[provider]),
            {"email": "boss@tailspin.test", "reseller_partner_id": ""},
        ),
    )
    send = {"invitation_id": invitation.public_id}
    yield (
        "invitation email",
        client.post(
            reverse("invitations:send", kwargs={"partner_id": provider, **send}),
            {"emails": "it@northwind.test"},
        ),
    )
    relationship, _created = relationship_get_or_create(
        customer=cast.customer,
        provider=cast.provider,
        reseller=cast.reseller,
        by=cast.customer_admin,
    )
    grant = grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=cast.reseller,
        provisioning=True,
        support=True,
        by=cast.customer_admin,
    ).grant
    client.force_login(cast.reseller_admin)
    yield (
        "invitation forward",
        client.post(
            reverse("invitations:send", kwargs={"partner_id": reseller, **send}),
            {"emails": "ops@northwind.test"},
        ),
    )
    client.force_login(cast.customer_admin)
    yield (
        "delegated admin removal",
        client.post(
            reverse(
                "customers:grant_remove",
                kwargs={"customer_id": cast.customer.public_id, "grant_id": grant.pk},
            ),
            {"note": "Handled in house", "confirm": "yes"},
        ),
    )
    client.force_login(cast.provider_agent)
    yield (
        "relationship end",
        client.post(
            reverse(
                "customers:relationship_end",
                kwargs={
                    "partner_id": provider,
                    "customer_id": cast.customer.public_id,
                    "relationship_id": relationship.pk,
                },
            ),
            {"reason": "Contract over", "confirm": "yes"},
        ),
    )
    client.logout()
    yield (
        "password reset",
        client.post(reverse("accounts:password_reset"), {"email": cast.provider_admin.email}),
    )


@pytest.mark.parametrize("outage", ["refused", "busy", "hang"])
def test_every_email_action_answers_normally_while_mail_is_down_and_mail_follows(
    outage,
    client,
    cast,
    services,
    dap_invitation,
    smtp,  # noqa: F811
):
    # what setting up the cast sent (before the outage) is not part of the story
    OutboundEmail.objects.exclude(status=OutboundEmail.Status.QUEUED).delete()
    if outage != "refused":  # "refused": the server is not started, its port refuses
        smtp.start()
        smtp.state.busy = outage == "busy"
        smtp.state.hang = outage == "hang"
    for what, response in every_email_action(client, cast, services, dap_invitation):
        assert response.status_code in (200, 302), f"{what}: {response.status_code}"
        if response.status_code == 200:  # a form shown again would mean it was refused
            assert "error" not in response.content.decode().lower(), what
    queued = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
    purposes = {row.purpose for row in queued}
    assert queued.count() >= 7, purposes
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.QUEUED).exists()

    run_worker()  # still down: every email stays queued with its error, none is lost
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED).count() == (
        queued.count()
    )
    assert not OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).exists()

    smtp.stop()
    smtp.state.busy = smtp.state.hang = False
    smtp.start()
    with travel(3600):
        run_worker()
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {
        OutboundEmail.Status.SENT
    }
    recipients = [address for message in smtp.received for address in message.rcpt_to]
    assert len(smtp.received) == OutboundEmail.objects.count()  # each delivered once
    for address in (
        "new@contoso.test",
        "boss@tailspin.test",
        "it@northwind.test",
        "ops@northwind.test",
        cast.provider_admin.email,
    ):
        assert address in recipients


# a Django signal (`x.send(sender=…)`, `send_robust`) is not mail
IS_SIGNAL = re.compile(r"signal|\.send_robust\(|\.send\(sender=")
SENDS_MAIL = re.compile(
    r"(?<!def )\bsend_mail\(|\bsend_mass_mail\(|\bmail_admins\(|\bget_connection\(|\.send\(|"
    r"\bsmtplib\b|\.send_messages\("
)


def test_only_the_outbox_worker_talks_to_a_mail_server():
    """Every email leaves through apps.core.emails → apps.core.outbox; a request never sends."""
    base = Path(django_settings.BASE_DIR)
    offenders = []
    for path in sorted((base / "apps").rglob("*.py")):
        if "migrations" in path.parts or path.name == "outbox.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if SENDS_MAIL.search(code) and not IS_SIGNAL.search(code):
                offenders.append(f"{path.relative_to(base)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
