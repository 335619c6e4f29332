"""Operator admin for customers, services, subscriptions, relationships and grants."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.customers.models import DelegatedAdminGrant, ResellerRelationship, Subscription
from apps.customers.services import grant_set


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.staff)
    return client


@pytest.fixture
def grant(cast, services, relationship):
    return grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=cast.reseller,
        provisioning=True,
        support=True,
        granted_by=cast.customer_admin,
    ).grant


@pytest.mark.parametrize(
    "model", ["customer", "service", "subscription", "resellerrelationship", "delegatedadmingrant"]
)
def test_every_list_and_change_page_opens(staff_client, cast, grant, model):
    objects = {
        "customer": cast.customer,
        "service": grant.service,
        "resellerrelationship": grant.relationship,
        "delegatedadmingrant": grant,
    }
    assert staff_client.get(reverse(f"admin:customers_{model}_changelist")).status_code == 200
    assert (
        staff_client.get(reverse(f"admin:customers_{model}_changelist") + "?q=north").status_code
        == 200
    )
    if model in objects:
        change = reverse(f"admin:customers_{model}_change", args=[objects[model].pk])
        assert staff_client.get(change).status_code == 200


def test_the_customer_page_shows_relationships_and_grants_read_only(staff_client, cast, grant):
    response = staff_client.get(reverse("admin:customers_customer_change", args=[cast.customer.pk]))
    inlines = {f.opts.model._meta.model_name: f for f in response.context["inline_admin_formsets"]}
    assert not inlines["resellerrelationship"].has_add_permission
    assert not inlines["delegatedadmingrant"].has_change_permission
    assert inlines["subscription"].has_change_permission


def test_a_second_active_grant_is_refused_with_a_clear_message(staff_client, cast, grant, services):
    response = staff_client.post(
        reverse("admin:customers_delegatedadmingrant_add"),
        {
            "customer": cast.customer.pk,
            "service": services["office365"].pk,
            "partner": cast.provider.pk,
            "provisioning": "on",
        },
    )
    assert response.status_code == 200
    assert (
        "Fabrikam Solutions already holds delegated admin for Office 365"
        in response.content.decode()
    )
    assert DelegatedAdminGrant.objects.active().get() == grant


def test_an_operator_can_add_a_grant_for_a_free_service_and_it_is_audited(
    staff_client, cast, grant, services
):
    response = staff_client.post(
        reverse("admin:customers_delegatedadmingrant_add"),
        {
            "customer": cast.customer.pk,
            "service": services["azure"].pk,
            "partner": cast.provider.pk,
            "support": "on",
        },
    )
    assert response.status_code == 302
    added = DelegatedAdminGrant.objects.get(service__code="azure")
    assert added.granted_by == cast.staff
    event = AuditEvent.objects.filter(action="grant.created").latest("id")
    assert event.actor == cast.staff and event.data["via"] == "admin"


def post_action(client, model, action, pks, **data):
    return client.post(
        reverse(f"admin:customers_{model}_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **data},
    )


def test_revoke_asks_for_confirmation_then_calls_the_service(staff_client, cast, grant):
    page = post_action(staff_client, "delegatedadmingrant", "revoke", [grant.pk], index=0)
    assert page.status_code == 200
    assert "Revoke delegated admin" in page.content.decode()
    grant.refresh_from_db()
    assert grant.is_active
    response = post_action(
        staff_client, "delegatedadmingrant", "revoke", [grant.pk], apply="1", reason="Fraud check"
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoke_reason == DelegatedAdminGrant.RevokeReason.OPERATOR
    assert grant.revoke_note == "Fraud check"
    assert AuditEvent.objects.filter(action="grant.removed").exists()


def test_end_relationship_needs_a_reason_and_revokes_its_grants(staff_client, cast, grant):
    relationship = grant.relationship
    response = post_action(
        staff_client,
        "resellerrelationship",
        "end_relationship",
        [relationship.pk],
        apply="1",
        reason="",
    )
    assert response.status_code == 200  # the confirmation page again, with the error
    relationship.refresh_from_db()
    assert relationship.state == ResellerRelationship.State.ACTIVE
    response = post_action(
        staff_client,
        "resellerrelationship",
        "end_relationship",
        [relationship.pk],
        apply="1",
        reason="Tenant closed",
    )
    assert response.status_code == 302
    relationship.refresh_from_db()
    grant.refresh_from_db()
    assert relationship.state == ResellerRelationship.State.ENDED
    assert grant.revoke_reason == DelegatedAdminGrant.RevokeReason.RELATIONSHIP_ENDED


def test_relationships_cannot_be_added_or_deleted_in_admin(staff_client, cast, grant):
    assert staff_client.get(reverse("admin:customers_resellerrelationship_add")).status_code == 403
    delete = reverse("admin:customers_resellerrelationship_delete", args=[grant.relationship.pk])
    assert staff_client.get(delete).status_code == 403


def test_subscriptions_are_edited_with_their_partner_of_record(staff_client, cast, services):
    subscription = Subscription.objects.create(
        customer=cast.customer,
        service=services["office365"],
        external_id="SUB-1",
        purchase_channel=Subscription.Channel.ADVISOR,
    )
    url = reverse("admin:customers_subscription_change", args=[subscription.pk])
    data = {
        "customer": cast.customer.pk,
        "service": services["office365"].pk,
        "external_id": "SUB-1",
        "offer_name": "E3",
        "seats": 30,
        "status": "active",
        "purchase_channel": "operator_direct",
        "partner_of_record": cast.provider.pk,
        "started_at": "",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "operator-direct subscription has no partner of record" in response.content.decode()
    response = staff_client.post(url, {**data, "purchase_channel": "csp"})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.partner_of_record, subscription.seats) == (cast.provider, 30)
    assert AuditEvent.objects.filter(action="subscription.changed").exists()
