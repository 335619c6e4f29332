"""Every row of the matrix in docs/notifications.md: perform the action through its service,
then check who got an in-portal notification and who got an email, in which language."""

import pytest
from django.core import mail

from apps.customers.models import DelegatedAdminGrant
from apps.customers.services import grant_remove, relationship_end
from apps.invitations.services import invitation_create
from apps.notifications.models import Notification
from apps.partners.models import ResellerPartnership, Role
from apps.partners.services import partnership_end, partnership_reactivate, partnership_suspend
from tests import factories
from tests.i18n.catalogs import page_text, translation_of


def told(kind: str) -> set[str]:
    """Emails of the users who got an in-portal notification of `kind`."""
    return set(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


def emailed() -> list[list[str]]:
    return sorted(sorted(m.to) for m in mail.outbox)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run an action with the emails it queued sent (after its commit), starting from none."""

    def run(action, *args, **kwargs):
        mail.outbox.clear()
        Notification.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def tailspin(cast):
    """A second reseller of Contoso, with a contact address."""
    reseller = factories.make_reseller("Tailspin Cloud", contact_email="hello@tailspin.test")
    factories.make_partnership(cast.provider, reseller)
    factories.make_member(reseller, Role.GLOBAL_ADMIN, email="admin@tailspin.test")
    return reseller


# ------------------------------------------------------------------------------
# Delegated admin
# ------------------------------------------------------------------------------
def test_grant_received_tells_the_reseller_and_the_provider_owning_the_relationship(
    cast, give, run
):
    run(give)
    assert told("grant.received") == {"admin@fabrikam.test"}
    assert told("reseller_grant.received") == {"admin@contoso.test"}
    assert emailed() == [["admin@contoso.test"], ["admin@fabrikam.test"]]


def test_a_grant_the_provider_holds_itself_tells_only_the_provider(cast, give, run):
    run(give, partner=cast.provider)
    assert told("grant.received") == {"admin@contoso.test"}
    assert not Notification.objects.filter(kind__startswith="reseller_grant.").exists()
    assert emailed() == [["admin@contoso.test"]]


def test_grant_moved_away_tells_both_resellers_and_their_provider(cast, give, run, tailspin):
    give()
    run(give, partner=tailspin, confirm_move=True)
    assert told("grant.moved_away") == {"admin@fabrikam.test"}
    assert told("reseller_grant.moved_away") == {"admin@contoso.test"}
    assert told("grant.received") == {"admin@tailspin.test"}
    assert told("reseller_grant.received") == {"admin@contoso.test"}
    # the contact address gets the email only
    assert emailed() == [
        ["admin@contoso.test"],
        ["admin@contoso.test"],
        ["admin@fabrikam.test"],
        ["admin@tailspin.test", "hello@tailspin.test"],
    ]


def test_grant_updated_tells_the_reseller_and_its_provider(cast, give, run):
    give()
    run(give, support=True)
    assert told("grant.updated") == {"admin@fabrikam.test"}
    assert told("reseller_grant.updated") == {"admin@contoso.test"}
    assert emailed() == [["admin@contoso.test"], ["admin@fabrikam.test"]]


def test_grant_removed_by_the_customer_tells_the_reseller_and_its_provider_with_the_reason(
    cast, give, run
):
    grant = give().grant
    run(
        grant_remove,
        grant=grant,
        by=cast.customer_admin,
        note="We manage it ourselves",
        acting_customer=cast.customer,
    )
    assert told("grant.removed") == {"admin@fabrikam.test"}
    assert told("reseller_grant.removed") == {"admin@contoso.test"}
    # the customer acted itself: it is not told
    assert told("customer_grant.removed") == set()
    assert emailed() == [["admin@contoso.test"], ["admin@fabrikam.test"]]
    assert all("We manage it ourselves" in m.body for m in mail.outbox)
    [provider_notice] = Notification.objects.filter(kind="reseller_grant.removed")
    assert provider_notice.summary == "Reason: We manage it ourselves"


def test_grant_removed_by_the_operator_tells_the_customer_admins_too(cast, give, run):
    grant = give().grant
    run(
        grant_remove,
        grant=grant,
        by=cast.staff,
        note="Contract ended",
        reason=DelegatedAdminGrant.RevokeReason.OPERATOR,
    )
    assert told("customer_grant.removed") == {"admin@northwind.test"}
    assert told("grant.removed") == {"admin@fabrikam.test"}
    assert ["admin@northwind.test"] in emailed()
    [notice] = Notification.objects.filter(kind="customer_grant.removed")
    assert notice.url == f"/c/{cast.customer.public_id}/relationships/"


def test_relationship_ended_tells_every_partner_concerned_and_the_customer_admins(
    cast, give, run, relationship
):
    give()
    run(
        relationship_end,
        relationship=relationship,
        by=cast.provider_admin,
        reason="Contract over",
        acting_partner=cast.provider,
    )
    # the provider admin who acted gets the email (the organization's record) but no
    # in-portal notice of their own action
    assert told("relationship.ended") == {"admin@fabrikam.test", "admin@northwind.test"}
    assert emailed() == [["admin@contoso.test"], ["admin@fabrikam.test"], ["admin@northwind.test"]]
    customer_notice = Notification.objects.get(user=cast.customer_admin)
    assert customer_notice.summary == (
        "Delegated admin that ended with it: Office 365 operated by 21Vianet"
    )


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------
def test_an_invitation_issued_for_a_reseller_tells_it(cast, run, tailspin):
    invitation = run(
        invitation_create, provider=cast.provider, by=cast.provider_admin, reseller=tailspin
    )
    assert told("invitation.issued") == {"admin@tailspin.test"}
    [notice] = Notification.objects.all()
    assert notice.url == f"/p/{tailspin.public_id}/invitations/{invitation.public_id}/"
    assert emailed() == [["admin@tailspin.test", "hello@tailspin.test"]]


def test_an_invitation_issued_for_no_reseller_tells_nobody(cast, run):
    run(invitation_create, provider=cast.provider, by=cast.provider_admin)
    assert not Notification.objects.exists()
    assert mail.outbox == []


# ------------------------------------------------------------------------------
# Partnerships
# ------------------------------------------------------------------------------
@pytest.fixture
def partnership(cast):
    return ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)


def test_suspending_a_partnership_tells_the_reseller(cast, run, partnership):
    run(
        partnership_suspend,
        partnership=partnership,
        by=cast.provider_admin,
        acting_partner=cast.provider,
    )
    assert told("partnership.suspended") == {"admin@fabrikam.test"}
    assert emailed() == [["admin@fabrikam.test"]]


def test_reactivating_a_partnership_tells_the_reseller(cast, run, partnership):
    partnership_suspend(
        partnership=partnership, by=cast.provider_admin, acting_partner=cast.provider
    )
    run(
        partnership_reactivate,
        partnership=partnership,
        by=cast.provider_admin,
        acting_partner=cast.provider,
    )
    assert told("partnership.reactivated") == {"admin@fabrikam.test"}
    assert emailed() == [["admin@fabrikam.test"]]


def test_a_partnership_ended_by_the_provider_tells_the_reseller(cast, run, partnership):
    run(
        partnership_end,
        partnership=partnership,
        by=cast.provider_admin,
        acting_partner=cast.provider,
        reason="Restructuring",
    )
    assert told("partnership.ended") == {"admin@fabrikam.test"}
    assert emailed() == [["admin@fabrikam.test"]]
    assert "Restructuring" in mail.outbox[0].body


def test_a_partnership_ended_by_the_reseller_tells_the_provider(cast, run, partnership):
    run(
        partnership_end,
        partnership=partnership,
        by=cast.reseller_admin,
        acting_partner=cast.reseller,
    )
    assert told("partnership.ended") == {"admin@contoso.test"}
    assert emailed() == [["admin@contoso.test"]]


def test_a_partnership_ended_by_the_operator_tells_both_sides(cast, run, partnership):
    run(partnership_end, partnership=partnership, by=cast.staff)
    assert told("partnership.ended") == {"admin@fabrikam.test", "admin@contoso.test"}
    assert emailed() == [["admin@contoso.test"], ["admin@fabrikam.test"]]


# ------------------------------------------------------------------------------
# Languages
# ------------------------------------------------------------------------------
def test_each_recipient_reads_the_email_and_the_notification_in_their_language(
    cast, give, run, client
):
    cast.reseller_admin.language = "it"
    cast.reseller_admin.save()
    cast.provider_admin.language = "zh-hans"
    cast.provider_admin.save()
    run(give)
    values = {
        "customer": "Northwind Traders",
        "partner": "Fabrikam Solutions",
        "service": "Office 365 operated by 21Vianet",
    }
    by_recipient = {m.to[0]: m for m in mail.outbox}
    reseller_subject = "%(customer)s gave you delegated admin for %(service)s"
    # emails name the service as the operator does in the recipient's language
    assert by_recipient["admin@fabrikam.test"].subject == (
        translation_of("it", reseller_subject)
        % {**values, "service": "Office 365 gestito da 21Vianet"}
    )
    provider_subject = "%(customer)s gave %(partner)s delegated admin for %(service)s"
    assert by_recipient["admin@contoso.test"].subject == (
        translation_of("zh_Hans", provider_subject)
        % {**values, "service": "由世纪互联运营的 Office 365"}
    )
    # the in-portal title is written when it is read, in the reader's language
    client.force_login(cast.reseller_admin)
    page = page_text(client.get("/notifications/"))
    assert translation_of("it", reseller_subject) % values in page


def test_the_documented_matrix_names_every_kind():
    from pathlib import Path

    from django.conf import settings

    from apps.notifications.registry import KINDS

    doc = (Path(settings.BASE_DIR) / "docs" / "notifications.md").read_text()
    assert [code for code in KINDS if f"`{code}`" not in doc] == []
