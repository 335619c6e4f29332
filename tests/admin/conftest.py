"""Fixtures for the operator admin: an auditor, a data set with a row in every model, and a
fingerprint of the whole database to prove that nothing changed."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.customers.models import (
    DelegatedAdminGrant,
    ResellerRelationship,
    Subscription,
)
from apps.invitations.models import Acceptance, Delivery, Invitation
from apps.invitations.services import delivery_queue_email
from apps.partners.models import Partner, ResellerPartnership, Role, TeamInvitation
from apps.portal.services import auditor_add
from tests import factories

# Tables that a request may write without anyone changing anything: sign-in sessions.
NOT_FINGERPRINTED = {Session}


@pytest.fixture
def auditor(db):
    user, _created = auditor_add(
        email="auditor@example.test", display_name="Ada Auditor", password=factories.PASSWORD
    )
    return user


@pytest.fixture
def admin_dataset(cast, services):
    """One or more rows in every model of the portal, linked the way real data is."""
    now = timezone.now()
    # Rows in the states that the admin actions start from (approve, reactivate, …)
    pending = factories.make_provider("Proseware Pending", status=Partner.Status.PENDING)
    factories.make_member(pending, Role.GLOBAL_ADMIN, email="admin@proseware.test")
    factories.make_partnership(
        cast.other_provider,
        factories.make_reseller("Woodgrove Resale"),
        state=ResellerPartnership.State.SUSPENDED,
    )
    office, azure = services["office365"], services["azure"]
    Subscription.objects.create(
        customer=cast.customer,
        service=office,
        external_id="SUB-0001",
        offer_name="Office 365 E3",
        seats=25,
        purchase_channel=Subscription.Channel.CSP,
        partner_of_record=cast.provider,
    )
    relationship = ResellerRelationship.objects.create(
        customer=cast.customer,
        provider=cast.provider,
        reseller=cast.reseller,
        accepted_by=cast.customer_admin,
    )
    DelegatedAdminGrant.objects.create(
        customer=cast.customer,
        service=azure,
        partner=cast.reseller,
        relationship=relationship,
        provisioning=True,
        support=True,
        granted_by=cast.customer_admin,
    )
    invitation = Invitation.objects.create(
        provider=cast.provider,
        reseller=cast.reseller,
        requests_dap=True,
        dap_provisioning=True,
        dap_support=True,
        expires_at=now + timedelta(days=30),
        created_by=cast.provider_admin,
    )
    invitation.services.set([office, azure])
    delivery = Delivery.objects.create(
        invitation=invitation,
        email="buyer@northwind.test",
        sent_by=cast.reseller_admin,
        sent_by_partner=cast.reseller,
        sent_at=now,
    )
    with transaction.atomic():  # its email in the outbox, and the task that sends it
        delivery_queue_email(delivery=delivery)
    Acceptance.objects.create(
        invitation=invitation,
        delivery=delivery,
        customer=cast.customer,
        relationship=relationship,
        outcome=Acceptance.Outcome.ACCEPTED,
        user=cast.customer_admin,
        decisions={"azure": "granted"},
    )
    TeamInvitation.objects.create(
        partner=cast.provider,
        email="newcomer@contoso.test",
        role="sales_agent",
        token_hash="0" * 64,
        invited_by=cast.provider_admin,
        expires_at=now + timedelta(days=7),
    )
    access = {"user_agent": "pytest", "ip_address": "192.0.2.10", "http_accept": "*/*"}
    AccessAttempt.objects.create(
        **access,
        username="admin@contoso.test",
        path_info="/accounts/login/",
        get_data="",
        post_data="username=admin@contoso.test",
        failures_since_start=2,
    )
    AccessFailureLog.objects.create(
        **access, username="admin@contoso.test", path_info="/accounts/login/"
    )
    AccessLog.objects.create(**access, username="admin@contoso.test", path_info="/accounts/login/")
    LogEntry.objects.log_actions(
        user_id=cast.staff.pk,
        queryset=[cast.customer],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["Name"]}}],
        single_object=True,
    )
    with transaction.atomic():
        audit_record(
            action="invitation.created",
            actor=cast.provider_admin,
            acting_partner=cast.provider,
            target=invitation,
            partners=[cast.reseller],
        )
        audit_record(
            action="relationship.created",
            actor=cast.customer_admin,
            acting_customer=cast.customer,
            target=relationship,
            partners=[cast.provider, cast.reseller],
            customer=cast.customer,
        )
    # The automation API: a key, a webhook endpoint and one delivery to it
    from apps.api.models import WebhookDelivery, WebhookEndpoint
    from apps.api.services import api_key_create

    api_key_create(partner=cast.provider, name="CRM", role=Role.SALES_AGENT, by=cast.provider_admin)
    # a reseller's link request and a delegated admin request
    from apps.customers.models_dap import DelegatedAdminRequest
    from apps.invitations.models import LinkRequest

    LinkRequest.objects.create(
        provider=cast.provider,
        reseller=cast.reseller,
        requested_by=cast.reseller_admin,
        message="A new link for Northwind, please",
    )
    DelegatedAdminRequest.objects.create(
        origin=DelegatedAdminRequest.Origin.PARTNER,
        customer=cast.customer,
        partner=cast.reseller,
        support=True,
        duration_days=90,
        created_by=cast.reseller_admin,
        expires_at=timezone.now() + timedelta(days=14),
    ).services.set([services["office365"]])
    endpoint = WebhookEndpoint.objects.create(
        partner=cast.provider, url="https://hooks.example.com/", event_types=["grant.moved"]
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_admin", event_type="grant.moved", payload={}
    )
    return {"invitation": invitation, "relationship": relationship, "delivery": delivery}


def database_fingerprint() -> dict[str, list]:
    """Every row of every table (small test data), to compare before and after."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model not in NOT_FINGERPRINTED and model._meta.managed
    }
