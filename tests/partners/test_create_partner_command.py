import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from apps.audit.models import AuditEvent
from apps.partners.models import Partner, TeamInvitation


def test_create_partner_creates_the_organization_and_emails_its_global_admin(
    db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_partner",
            "--name",
            "Adventure Works",
            "--kind",
            "direct_partner",
            "--admin-email",
            "Boss@AdventureWorks.test",
        )
    partner = Partner.objects.get()
    assert (partner.name, partner.kind, partner.status) == (
        "Adventure Works",
        Partner.Kind.DIRECT_PARTNER,
        Partner.Status.ACTIVE,
    )
    invitation = TeamInvitation.objects.get()
    assert invitation.email == "boss@adventureworks.test"
    assert mail.outbox[0].to == ["boss@adventureworks.test"]
    out = capsys.readouterr().out
    assert partner.public_id in out
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "partner.created",
        "team.invited",
    ]


def test_create_partner_can_create_a_pending_partner(db):
    call_command(
        "create_partner",
        "--name",
        "P",
        "--kind",
        "indirect_reseller",
        "--admin-email",
        "a@p.test",
        "--pending",
    )
    assert Partner.objects.get().status == Partner.Status.PENDING


def test_create_partner_refuses_a_bad_email_and_creates_nothing(db):
    with pytest.raises(CommandError, match="first_admin_email"):
        call_command(
            "create_partner", "--name", "P", "--kind", "direct_partner", "--admin-email", "nope"
        )
    assert not Partner.objects.exists()
