"""invitation_accept / invitation_decline / invitation_signup (apps/invitations/acceptance.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers.models import (
    Customer,
    CustomerMembership,
    DelegatedAdminGrant,
    ResellerRelationship,
)
from apps.customers.services import grant_set, relationship_get_or_create
from apps.invitations.acceptance import (
    acceptance_preview,
    invitation_accept,
    invitation_decline,
    invitation_signup,
)
from apps.invitations.models import Acceptance, Invitation
from apps.partners.models import ResellerPartnership
from tests import factories

from .builders import make_delivery, make_invitation


@pytest.fixture
def invitation(cast, services):
    """Contoso → Fabrikam, open, DAP (provisioning + support) for Office 365 and Azure."""
    return make_invitation(
        cast.provider,
        cast.reseller,
        requests_dap=True,
        dap_provisioning=True,
        dap_support=True,
        services=[services["office365"], services["azure"]],
    )


@pytest.fixture
def tailspin(cast):
    reseller = factories.make_reseller("Tailspin Cloud Services")
    factories.make_partnership(cast.provider, reseller)
    factories.make_member(reseller, email="admin@tailspin.test")
    return reseller


def accept(cast, invitation, **kwargs):
    kwargs.setdefault("by", cast.customer_admin)
    kwargs.setdefault("customer", cast.customer)
    return invitation_accept(invitation=invitation, **kwargs)


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def nothing_changed(invitation):
    invitation.refresh_from_db()
    return (
        invitation.use_count == 0
        and not ResellerRelationship.objects.exists()
        and not DelegatedAdminGrant.objects.active()
        .exclude(partner__name="Tailspin Cloud Services")
        .exists()
        and not Acceptance.objects.filter(outcome="accepted").exists()
    )


# ------------------------------------------------------------------------------
# Accepting
# ------------------------------------------------------------------------------
def test_accepting_creates_the_relationship_the_grants_and_the_attribution(
    cast, invitation, django_capture_on_commit_callbacks
):
    delivery = make_delivery(invitation, cast.reseller, email="admin@northwind.test")
    with django_capture_on_commit_callbacks(execute=True):
        result = accept(cast, invitation, delivery=delivery)
    assert not result.already and result.relationship_created
    relationship = ResellerRelationship.objects.get()
    assert (relationship.provider, relationship.reseller) == (cast.provider, cast.reseller)
    assert relationship.accepted_by == cast.customer_admin
    grants = DelegatedAdminGrant.objects.active().order_by("service__position")
    assert [(g.service.code, g.partner, g.provisioning, g.support) for g in grants] == [
        ("office365", cast.reseller, True, True),
        ("azure", cast.reseller, True, True),
    ]
    assert {g.relationship for g in grants} == {relationship}
    acceptance = Acceptance.objects.get()
    assert (acceptance.delivery, acceptance.customer, acceptance.relationship) == (
        delivery,
        cast.customer,
        relationship,
    )
    assert acceptance.decisions == {"office365": "granted", "azure": "granted"}
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert actions() == [
        "relationship.created",
        "grant.created",
        "grant.created",
        "invitation.accepted",
    ]
    assert AuditEvent.objects.get(action="invitation.accepted").customer == cast.customer
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["admin@contoso.test", "admin@fabrikam.test"]
    assert all(m.alternatives for m in mail.outbox)


def test_accepting_twice_is_harmless_and_says_so(cast, invitation):
    first = accept(cast, invitation)
    again = accept(cast, invitation)
    assert again.already
    assert again.acceptance == first.acceptance
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert ResellerRelationship.objects.count() == 1
    assert Acceptance.objects.count() == 1


def test_accepting_twice_a_single_use_link_says_already_accepted_not_used(cast, services):
    invitation = make_invitation(cast.provider, max_uses=1)
    accept(cast, invitation)
    assert accept(cast, invitation).already


def test_only_a_customer_admin_can_accept(cast, invitation):
    with pytest.raises(ValidationError) as exc:
        accept(cast, invitation, by=cast.provider_admin)
    assert exc.value.code == "not_admin"
    assert nothing_changed(invitation)


def test_a_personal_invitation_is_accepted_only_by_its_recipient(cast, services):
    invitation = make_invitation(
        cast.provider, kind=Invitation.Kind.PERSONAL, recipient_email="Admin@Northwind.test"
    )
    other_admin = factories.make_user("colleague@northwind.test")
    CustomerMembership.objects.create(user=other_admin, customer=cast.customer)
    with pytest.raises(ValidationError) as exc:
        accept(cast, invitation, by=other_admin)
    assert exc.value.code == "wrong_recipient"
    assert nothing_changed(invitation)
    assert not accept(cast, invitation).already  # the recipient, any letter case


@pytest.mark.parametrize(
    "change, code",
    [
        ({"status": "revoked", "revoked_at": timezone.now()}, "revoked"),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expired"),
        ({"max_uses": 3, "use_count": 3}, "used"),
    ],
)
def test_a_dead_link_at_accept_time_changes_nothing(cast, invitation, change, code):
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    invitation.refresh_from_db()
    before = invitation.use_count
    with pytest.raises(ValidationError) as exc:
        accept(cast, invitation)
    assert exc.value.code == code
    invitation.refresh_from_db()
    assert invitation.use_count == before
    assert not ResellerRelationship.objects.exists()
    assert not Acceptance.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_use_limited_link_is_never_over_used(cast, services):
    invitation = make_invitation(cast.provider, max_uses=2)
    for n in range(3):
        admin = factories.make_user(f"admin{n}@example.test")
        customer = factories.make_customer(admin=admin)
        if n < 2:
            invitation_accept(invitation=invitation, by=admin, customer=customer)
        else:
            with pytest.raises(ValidationError) as exc:
                invitation_accept(invitation=invitation, by=admin, customer=customer)
            assert exc.value.code == "used"
    invitation.refresh_from_db()
    assert invitation.use_count == 2


def test_an_invitation_for_a_reseller_no_longer_partnered_cannot_be_accepted(cast, invitation):
    ResellerPartnership.objects.filter(provider=cast.provider, reseller=cast.reseller).update(
        state=ResellerPartnership.State.ENDED
    )
    with pytest.raises(ValidationError) as exc:
        accept(cast, invitation)
    assert exc.value.code == "partnership_inactive"
    assert nothing_changed(invitation)


def test_without_a_reseller_the_provider_owns_the_relationship_and_receives_delegated_admin(
    cast, services
):
    invitation = make_invitation(
        cast.provider, requests_dap=True, dap_support=True, services=[services["powerbi"]]
    )
    accept(cast, invitation)
    relationship = ResellerRelationship.objects.get()
    assert relationship.reseller is None
    grant = DelegatedAdminGrant.objects.get()
    assert (grant.partner, grant.provisioning, grant.support) == (cast.provider, False, True)


def test_a_second_invitation_through_the_same_reseller_reuses_the_relationship(
    cast, invitation, services
):
    accept(cast, invitation)
    second = make_invitation(cast.provider, cast.reseller)
    result = accept(cast, second)
    assert not result.relationship_created
    assert result.acceptance.relationship == ResellerRelationship.objects.get()
    assert actions().count("relationship.created") == 1


# ------------------------------------------------------------------------------
# A service another partner holds today: move or keep
# ------------------------------------------------------------------------------
@pytest.fixture
def tailspin_holds_office(cast, services, tailspin):
    relationship_get_or_create(customer=cast.customer, provider=cast.provider)
    return grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=tailspin,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
    ).grant


def test_the_preview_shows_who_holds_each_service_today(cast, invitation, tailspin_holds_office):
    rows = acceptance_preview(invitation=invitation, customer=cast.customer)
    assert [(r.service.code, r.state) for r in rows] == [("office365", "other"), ("azure", "new")]
    assert rows[0].holder == tailspin_holds_office


def test_without_a_choice_for_a_held_service_nothing_is_accepted(
    cast, invitation, tailspin_holds_office
):
    relationships_before = ResellerRelationship.objects.count()
    with pytest.raises(ValidationError) as exc:
        accept(cast, invitation, decisions={})
    assert exc.value.code == "decision_missing"
    assert "Tailspin Cloud Services holds delegated admin for Office 365" in exc.value.messages[0]
    assert ResellerRelationship.objects.count() == relationships_before
    assert not Acceptance.objects.exists()
    tailspin_holds_office.refresh_from_db()
    assert tailspin_holds_office.is_active


def test_keeping_leaves_the_current_partner_in_place(cast, invitation, tailspin_holds_office):
    result = accept(cast, invitation, decisions={"office365": "keep"})
    assert result.outcomes == {"office365": "kept", "azure": "granted"}
    tailspin_holds_office.refresh_from_db()
    assert tailspin_holds_office.is_active
    assert Acceptance.objects.get().decisions == {"office365": "kept", "azure": "granted"}


def test_moving_revokes_the_current_grant_and_tells_its_partner(
    cast, invitation, tailspin_holds_office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = accept(cast, invitation, decisions={"office365": "move"})
    assert result.outcomes["office365"] == "moved"
    tailspin_holds_office.refresh_from_db()
    assert tailspin_holds_office.revoke_reason == DelegatedAdminGrant.RevokeReason.MOVED
    office = DelegatedAdminGrant.objects.active().get(service__code="office365")
    assert office.partner == cast.reseller
    assert "grant.moved" in actions()
    assert any(m.to == ["admin@tailspin.test"] for m in mail.outbox)


def test_a_service_the_recipient_already_holds_is_unchanged_or_extended(cast, invitation, services):
    relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    for code, support in (("office365", True), ("azure", False)):
        grant_set(
            customer=cast.customer,
            service=services[code],
            partner=cast.reseller,
            provisioning=True,
            support=support,
            by=cast.customer_admin,
        )
    result = accept(cast, invitation)
    assert result.outcomes == {"office365": "unchanged", "azure": "granted"}
    azure = DelegatedAdminGrant.objects.active().get(service__code="azure")
    assert (azure.provisioning, azure.support) == (True, True)


# ------------------------------------------------------------------------------
# Declining
# ------------------------------------------------------------------------------
def test_declining_is_recorded_and_changes_nothing_else(
    cast, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = invitation_decline(
            invitation=invitation, by=cast.customer_admin, customer=cast.customer
        )
    assert result.acceptance.outcome == "declined"
    assert actions() == ["invitation.declined"]
    invitation.refresh_from_db()
    assert invitation.use_count == 0 and invitation.is_usable
    assert not ResellerRelationship.objects.exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@contoso.test", "admin@fabrikam.test"]
    again = invitation_decline(
        invitation=invitation, by=cast.customer_admin, customer=cast.customer
    )
    assert again.already
    assert Acceptance.objects.count() == 1


def test_declining_after_accepting_is_refused(cast, invitation):
    accept(cast, invitation)
    with pytest.raises(ValidationError) as exc:
        invitation_decline(invitation=invitation, by=cast.customer_admin, customer=cast.customer)
    assert exc.value.code == "accepted"


def test_declining_a_revoked_invitation_is_refused(cast, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(status="revoked", revoked_at=timezone.now())
    invitation.refresh_from_db()
    with pytest.raises(ValidationError):
        invitation_decline(invitation=invitation, by=cast.customer_admin)
    assert not Acceptance.objects.exists()


# ------------------------------------------------------------------------------
# Sign-up
# ------------------------------------------------------------------------------
def test_signup_creates_the_account_the_organization_and_the_membership(db):
    user, customer = invitation_signup(
        display_name="Ann",
        email="Ann@Adventure.test",
        password="Long-enough-2026",
        organization_name="Adventure Works",
        tenant_domain="adventure.partner.onmschina.cn",
    )
    assert user.email == "ann@adventure.test"
    assert CustomerMembership.objects.filter(user=user, customer=customer).exists()
    assert actions() == ["customer.created"]


def test_signup_with_a_taken_domain_is_only_an_unverified_claim(cast):
    user, claim = invitation_signup(
        display_name="Ann",
        email="ann@adventure.test",
        password="Long-enough-2026",
        organization_name="Fake Northwind",
        tenant_domain="northwind.partner.onmschina.cn",
    )
    assert claim.verification_status == "unverified" and cast.customer.is_verified
    assert Customer.objects.verified().get(tenant_domain=claim.tenant_domain) == cast.customer
