import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.audit.models import AuditEvent
from apps.customers.models import (
    Customer,
    CustomerMembership,
    DelegatedAdminGrant,
    ResellerRelationship,
    Subscription,
)
from apps.customers.services import (
    customer_create,
    grant_remove,
    grant_set,
    relationship_end,
    relationship_get_or_create,
)
from tests import factories

Reason = DelegatedAdminGrant.RevokeReason


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def give(cast, services, partner=None, code="office365", **kwargs):
    kwargs.setdefault("provisioning", True)
    kwargs.setdefault("support", False)
    return grant_set(
        customer=cast.customer,
        service=services[code],
        partner=partner or cast.reseller,
        by=cast.customer_admin,
        acting_customer=cast.customer,
        **kwargs,
    )


# ------------------------------------------------------------------------------
# customer_create
# ------------------------------------------------------------------------------
def test_customer_create_makes_the_user_its_admin_and_records_it(user):
    customer = customer_create(
        name="Adventure Works", tenant_domain=" AdventureWorks.partner.onmschina.cn ", admin=user
    )
    assert customer.tenant_domain == "adventureworks.partner.onmschina.cn"
    assert CustomerMembership.objects.filter(customer=customer, user=user).exists()
    assert actions() == ["customer.created"]


def test_customer_create_claims_a_registered_domain_unverified_without_saying_so(cast, user):
    # docs/decisions.md: no answer tells whether a domain is registered; the claim holds
    # nothing until it is verified (tests/customers/test_verification.py)
    claim = customer_create(name="Copy", tenant_domain="NORTHWIND.partner.onmschina.cn", admin=user)
    assert claim.verification_status == "unverified"
    assert Customer.objects.filter(tenant_domain="northwind.partner.onmschina.cn").count() == 2


def test_customer_create_refuses_something_that_is_not_a_domain(user):
    with pytest.raises(ValidationError) as exc:
        customer_create(name="X", tenant_domain="not a domain", admin=user)
    assert "tenant_domain" in exc.value.message_dict
    assert not Customer.objects.exists()


# ------------------------------------------------------------------------------
# relationship_get_or_create / relationship_end
# ------------------------------------------------------------------------------
def test_relationship_get_or_create_creates_once(cast):
    first, created = relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    again, created_again = relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    assert (created, created_again) == (True, False)
    assert first == again
    assert actions() == ["relationship.created"]


def test_a_reseller_cannot_own_a_relationship(cast):
    with pytest.raises(ValidationError):
        relationship_get_or_create(customer=cast.customer, provider=cast.reseller)


def test_ending_a_relationship_revokes_only_the_grants_obtained_through_it(
    cast, services, relationship, tailspin, django_capture_on_commit_callbacks
):
    through_it = give(cast, services, code="office365").grant
    direct, _ = relationship_get_or_create(customer=cast.customer, provider=cast.other_provider)
    elsewhere = give(cast, services, partner=cast.other_provider, code="azure").grant
    with django_capture_on_commit_callbacks(execute=True):
        relationship_end(
            relationship=relationship,
            by=cast.provider_admin,
            reason="Contract ended",
            acting_partner=cast.provider,
        )
    relationship.refresh_from_db()
    through_it.refresh_from_db()
    elsewhere.refresh_from_db()
    assert relationship.state == ResellerRelationship.State.ENDED
    assert relationship.end_reason == "Contract ended"
    assert through_it.revoke_reason == Reason.RELATIONSHIP_ENDED
    assert elsewhere.is_active
    assert actions()[-2:] == ["grant.removed", "relationship.ended"]
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"admin@northwind.test", "admin@contoso.test", "admin@fabrikam.test"} <= recipients
    assert all(m.alternatives and m.alternatives[0][1] == "text/html" for m in mail.outbox)


def test_a_reseller_cannot_end_a_relationship(cast, relationship):
    with pytest.raises(ValidationError) as exc:
        relationship_end(
            relationship=relationship,
            by=cast.reseller_admin,
            reason="We quit",
            acting_partner=cast.reseller,
        )
    assert exc.value.code == "not_owner"
    relationship.refresh_from_db()
    assert relationship.state == ResellerRelationship.State.ACTIVE


def test_ending_a_relationship_needs_a_reason(cast, relationship):
    with pytest.raises(ValidationError) as exc:
        relationship_end(
            relationship=relationship,
            by=cast.provider_admin,
            reason="  ",
            acting_partner=cast.provider,
        )
    assert "reason" in exc.value.message_dict


def test_ending_a_relationship_twice_is_refused(cast, relationship):
    relationship_end(relationship=relationship, by=cast.provider_admin, reason="Done")
    with pytest.raises(ValidationError, match="already ended"):
        relationship_end(relationship=relationship, by=cast.provider_admin, reason="Again")


# ------------------------------------------------------------------------------
# grant_set
# ------------------------------------------------------------------------------
def test_grant_set_gives_the_attached_reseller_delegated_admin_and_tells_it(
    cast, services, relationship, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = give(cast, services, support=True)
    assert change.outcome == "created"
    assert change.grant.relationship == relationship
    assert (change.grant.provisioning, change.grant.support) == (True, True)
    assert actions()[-1] == "grant.created"
    # Fabrikam, and Contoso: the provider owning the relationship Fabrikam works through
    assert sorted(m.to for m in mail.outbox) == [["admin@contoso.test"], ["admin@fabrikam.test"]]
    [message] = [m for m in mail.outbox if m.to == ["admin@fabrikam.test"]]
    assert "Office 365" in message.subject
    assert "Northwind" in message.body
    assert "<strong>Northwind Traders</strong>" in message.alternatives[0][0]


def test_moving_delegated_admin_needs_confirmation_and_changes_nothing_without_it(
    cast, services, relationship, tailspin
):
    old = give(cast, services).grant
    with pytest.raises(ValidationError) as exc:
        give(cast, services, partner=tailspin)
    assert exc.value.code == "move_not_confirmed"
    assert "Fabrikam Solutions holds delegated admin" in exc.value.messages[0]
    old.refresh_from_db()
    assert old.is_active
    assert DelegatedAdminGrant.objects.count() == 1


def test_moving_delegated_admin_revokes_the_old_grant_and_creates_the_new_one(
    cast, services, relationship, tailspin, django_capture_on_commit_callbacks
):
    old = give(cast, services).grant
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change = give(cast, services, partner=tailspin, confirm_move=True)
    old.refresh_from_db()
    assert change.outcome == "moved"
    assert change.previous == old
    assert old.revoke_reason == Reason.MOVED
    assert old.revoked_by == cast.customer_admin
    assert change.grant.partner == tailspin
    # Tailspin is not attached: it holds DAP through its provider's relationship
    assert change.grant.relationship == relationship
    assert DelegatedAdminGrant.objects.active().get().partner == tailspin
    assert actions()[-1] == "grant.moved"
    # both resellers, and their provider twice (one reseller received, the other lost it)
    assert sorted(m.to for m in mail.outbox) == [
        ["admin@contoso.test"],
        ["admin@contoso.test"],
        ["admin@fabrikam.test"],
        ["hello@tailspin.test", "admin@tailspin.test"],
    ]


def test_the_provider_itself_can_hold_delegated_admin(cast, services, relationship):
    change = give(cast, services, partner=cast.provider)
    assert change.grant.partner == cast.provider
    assert change.grant.relationship == relationship


def test_a_partner_outside_the_customers_providers_cannot_receive_delegated_admin(
    cast, services, relationship
):
    stranger = factories.make_reseller("Stranger Reseller")
    factories.make_partnership(cast.other_provider, stranger)
    for partner in (cast.other_provider, stranger):
        with pytest.raises(ValidationError) as exc:
            give(cast, services, partner=partner)
        assert exc.value.code == "not_eligible"
    assert not DelegatedAdminGrant.objects.exists()


def test_a_reseller_whose_partnership_ended_cannot_receive_delegated_admin(cast, services):
    from apps.partners.models import ResellerPartnership

    former = factories.make_reseller("Former Reseller")
    factories.make_partnership(cast.provider, former, state=ResellerPartnership.State.ENDED)
    relationship_get_or_create(customer=cast.customer, provider=cast.provider)
    with pytest.raises(ValidationError):
        give(cast, services, partner=former)


def test_granting_the_same_partner_the_same_scopes_changes_nothing(cast, services, relationship):
    give(cast, services)
    before = actions()
    change = give(cast, services)
    assert change.outcome == "unchanged"
    assert actions() == before


def test_granting_the_holder_other_scopes_updates_its_grant(cast, services, relationship):
    first = give(cast, services).grant
    change = give(cast, services, provisioning=False, support=True)
    assert change.outcome == "updated"
    assert change.grant.pk == first.pk
    assert (change.grant.provisioning, change.grant.support) == (False, True)
    assert actions()[-1] == "grant.updated"


def test_a_grant_needs_a_scope(cast, services, relationship):
    with pytest.raises(ValidationError) as exc:
        give(cast, services, provisioning=False, support=False)
    assert exc.value.code == "no_scope"


def test_delegated_admin_changes_never_touch_a_subscription(cast, services, relationship, tailspin):
    subscription = Subscription.objects.create(
        customer=cast.customer,
        service=services["office365"],
        external_id="SUB-1",
        purchase_channel=Subscription.Channel.CSP,
        partner_of_record=cast.provider,
        seats=25,
    )
    before = Subscription.objects.values().get(pk=subscription.pk)
    give(cast, services)
    give(cast, services, partner=tailspin, confirm_move=True)
    grant_remove(grant=DelegatedAdminGrant.objects.active().get(), by=cast.customer_admin, note="x")
    relationship_end(relationship=relationship, by=cast.provider_admin, reason="Done")
    assert Subscription.objects.values().get(pk=subscription.pk) == before


def test_the_database_refuses_a_second_active_grant_for_a_service(cast, services, relationship):
    give(cast, services)
    with pytest.raises(IntegrityError), transaction.atomic():
        DelegatedAdminGrant.objects.create(
            customer=cast.customer,
            service=services["office365"],
            partner=cast.provider,
            provisioning=True,
        )


def test_the_database_allows_a_new_grant_once_the_old_one_is_revoked(cast, services, relationship):
    grant = give(cast, services).grant
    grant_remove(grant=grant, by=cast.customer_admin, note="Switching")
    DelegatedAdminGrant.objects.create(
        customer=cast.customer, service=services["office365"], partner=cast.provider, support=True
    )
    assert DelegatedAdminGrant.objects.active().count() == 1


# ------------------------------------------------------------------------------
# grant_remove
# ------------------------------------------------------------------------------
def test_removing_delegated_admin_keeps_the_relationship_and_tells_the_partner(
    cast, services, relationship, django_capture_on_commit_callbacks
):
    grant = give(cast, services).grant
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant_remove(
            grant=grant,
            by=cast.customer_admin,
            note="We manage it ourselves",
            acting_customer=cast.customer,
        )
    grant.refresh_from_db()
    relationship.refresh_from_db()
    assert grant.revoke_reason == Reason.REMOVED
    assert grant.revoke_note == "We manage it ourselves"
    assert relationship.state == ResellerRelationship.State.ACTIVE
    assert actions()[-1] == "grant.removed"
    # Fabrikam, and its provider Contoso, each with the customer's reason
    assert sorted(m.to for m in mail.outbox) == [["admin@contoso.test"], ["admin@fabrikam.test"]]
    for message in mail.outbox:
        assert "We manage it ourselves" in message.body


def test_removing_delegated_admin_needs_a_reason(cast, services, relationship):
    grant = give(cast, services).grant
    with pytest.raises(ValidationError) as exc:
        grant_remove(grant=grant, by=cast.customer_admin, note="")
    assert "note" in exc.value.message_dict
    grant.refresh_from_db()
    assert grant.is_active


def test_removing_delegated_admin_twice_is_refused(cast, services, relationship):
    grant = give(cast, services).grant
    grant_remove(grant=grant, by=cast.customer_admin, note="Once")
    with pytest.raises(ValidationError, match="already removed"):
        grant_remove(grant=grant, by=cast.customer_admin, note="Twice")
