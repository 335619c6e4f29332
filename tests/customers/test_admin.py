"""Operator admin for customers, services, subscriptions, relationships and grants."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.customers.models import (
    Customer,
    DelegatedAdminGrant,
    ResellerRelationship,
    Subscription,
)
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
        by=cast.customer_admin,
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
    # grant_set's own message: only the customer can confirm moving it
    assert "Fabrikam Solutions holds delegated admin for Office 365" in response.content.decode()
    assert DelegatedAdminGrant.objects.active().get() == grant


def test_adding_a_grant_in_admin_does_what_the_partner_relationships_page_does(
    staff_client, cast, grant, services, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
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
    assert added.relationship.provider == cast.provider
    event = AuditEvent.objects.filter(action="grant.created").latest("id")
    assert event.actor == cast.staff and event.target_id == str(added.pk)
    # the partner hears about it, as when the customer grants it
    assert [m.subject for m in mailoutbox] == [
        "Northwind Traders gave you delegated admin for Azure operated by 21Vianet"
    ]


def test_an_ineligible_partner_gets_no_grant_in_admin(
    staff_client, cast, grant, services, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:customers_delegatedadmingrant_add"),
            {
                "customer": cast.customer.pk,
                "service": services["azure"].pk,
                "partner": cast.other_provider.pk,
                "support": "on",
            },
        )
    assert response.status_code == 200
    assert "Litware Distribution does not work with any of your providers" in (
        response.content.decode()
    )
    assert not DelegatedAdminGrant.objects.filter(service__code="azure").exists()
    assert not AuditEvent.objects.filter(action="grant.created", actor=cast.staff).exists()
    assert mailoutbox == []


def test_adding_a_customer_in_admin_goes_through_customer_create(staff_client, cast):
    response = staff_client.post(
        reverse("admin:customers_customer_add"),
        {
            "name": "Adventure Works",
            "tenant_domain": "Adventure.partner.onmschina.cn",
            "tenant_id": "6f1c5c4e-2f7e-4a51-9d43-0d7b8f1e2a3b",
            "country": "cn",
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get(name="Adventure Works")
    assert customer.tenant_domain == "adventure.partner.onmschina.cn"
    assert customer.country == "CN"
    assert not customer.memberships.exists()
    event = AuditEvent.objects.get(action="customer.created", target_id=str(customer.pk))
    assert event.actor == cast.staff
    assert customer.verification_status == "unverified"
    # the service's rule, on the form: a tenant ID is held once (a domain may be claimed
    # again while nobody has verified it)
    again = staff_client.post(
        reverse("admin:customers_customer_add"),
        {
            "name": "Copy",
            "tenant_domain": "ADVENTURE.partner.onmschina.cn",
            "tenant_id": "6f1c5c4e-2f7e-4a51-9d43-0d7b8f1e2a3b",
            "country": "CN",
        },
    )
    assert again.status_code == 200
    assert "already registered" in again.content.decode()
    assert not Customer.objects.filter(name="Copy").exists()


def change_form_data(response) -> dict:
    """What the browser posts back for an unchanged admin change page (inlines included)."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.initial_forms:
            add(form)
    return data


def test_adding_a_customer_admin_in_admin_goes_through_the_service(staff_client, cast):
    url = reverse("admin:customers_customer_change", args=[cast.customer.pk])
    data = change_form_data(staff_client.get(url))
    prefix = "memberships"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = total + 1
    data[f"{prefix}-{total}-user"] = cast.outsider.pk
    data[f"{prefix}-{total}-role"] = "reader"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert cast.customer.memberships.filter(user=cast.outsider, role="reader").exists()
    event = AuditEvent.objects.get(action="customer.admin_added")
    assert event.actor == cast.staff and event.data["admin"] == cast.outsider.email


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


def test_a_broad_customer_search_is_counted_up_to_a_bound_then_estimated(
    staff_client, cast, monkeypatch
):
    """The customer changelist counts exactly up to its bound, then says "about" (the
    planner's estimate) instead of counting every match on each page load."""
    from apps.customers.admin import CustomerCountPaginator
    from tests import factories

    for n in range(8):
        factories.make_customer(name=f"Globex Trading {n}")
    url = reverse("admin:customers_customer_changelist")
    response = staff_client.get(url, {"q": "globex"})
    assert response.context["cl"].result_count == 8
    assert not response.context["cl"].paginator.is_estimate
    monkeypatch.setattr(CustomerCountPaginator, "EXACT_COUNT_LIMIT", 5)
    response = staff_client.get(url, {"q": "globex"})
    cl = response.context["cl"]
    assert cl.paginator.is_estimate
    assert cl.result_count >= 6
    assert "about" in response.content.decode()
    assert len(cl.result_list) == 8
