"""Compare-and-act under the lock (issue 15, defect 3): confirmations that all showed the same
delegated admin holder carry out one move, not one each."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.customers import services as customer_services
from apps.customers import views as customer_views
from apps.customers.models import DelegatedAdminGrant
from apps.customers.services import grant_set, relationship_get_or_create
from tests import factories
from tests.partners.test_concurrency import run_at_once

N = 10


def _give(cast, services, partner, **kwargs):
    return grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=partner,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
        acting_customer=cast.customer,
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_that_saw_the_same_holder_move_delegated_admin_once(
    cast, services, monkeypatch
):
    relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller, by=None
    )
    old = _give(cast, services, cast.reseller).grant
    targets = []
    for i in range(N):
        reseller = factories.make_reseller(f"Reseller {i}")
        factories.make_partnership(cast.provider, reseller)
        # attached to a relationship: a partner the customer works with (the form lists only
        # those; any other needs a delegated admin request)
        relationship_get_or_create(
            customer=cast.customer, provider=cast.provider, reseller=reseller, by=None
        )
        targets.append(reseller)

    # widen the window between what the page showed and the change
    real_grant_set = customer_services.grant_set

    def slow_grant_set(**kwargs):
        time.sleep(0.3)
        return real_grant_set(**kwargs)

    monkeypatch.setattr(customer_views, "grant_set", slow_grant_set)
    url = reverse("customers:grant_set", kwargs={"customer_id": cast.customer.public_id})

    def confirm(partner):
        def call():
            client = Client()
            client.force_login(cast.customer_admin)
            response = client.post(
                url,
                {
                    "service": "office365",
                    "partner": partner.public_id,
                    "provisioning": "on",
                    "confirm": "yes",
                    "expected_holder": str(old.pk),
                },
            )
            if response.status_code != 302:
                raise ValidationError("shown again")

        return call

    results = run_at_once(*(confirm(p) for p in targets))
    assert results.count("ok") == 1, results
    assert results.count("shown again") == N - 1
    assert AuditEvent.objects.filter(action="grant.moved").count() == 1
    assert DelegatedAdminGrant.objects.active().count() == 1
    assert DelegatedAdminGrant.objects.filter(revoke_reason="moved").count() == 1


@pytest.mark.django_db
def test_grant_set_refuses_when_the_holder_changed_since_the_confirmation(
    cast, services, relationship, tailspin
):
    seen = _give(cast, services, cast.reseller).grant
    _give(cast, services, tailspin, confirm_move=True)  # someone else moved it meanwhile
    with pytest.raises(ValidationError) as exc:
        _give(cast, services, cast.provider, confirm_move=True, expected_holder=seen.pk)
    assert exc.value.error_list[0].code == "holder_changed"
    assert DelegatedAdminGrant.objects.active().get().partner == tailspin
    with pytest.raises(ValidationError):
        _give(cast, services, cast.provider, confirm_move=True, expected_holder=None)
    current = DelegatedAdminGrant.objects.active().get()
    change = _give(cast, services, cast.provider, confirm_move=True, expected_holder=current.pk)
    assert change.outcome == "moved"


@pytest.mark.django_db(transaction=True)
def test_competing_claims_verifying_at_once_end_with_one_holder(settings):
    """Four claims on one domain, each with its record published, press *Check* together:
    one wins, the others are closed; nobody deadlocks or gets a server error."""
    from apps.customers.models import Customer
    from apps.customers.services import customer_create
    from apps.customers.verification import customer_verify_dns

    domain = "contested.partner.onmschina.cn"
    claims = []
    for i in range(4):
        admin = factories.make_user(f"claimant{i}@example.test")
        claims.append(
            (customer_create(name=f"Claim {i}", tenant_domain=domain, admin=admin), admin)
        )
    settings.TENANT_DNS_STATIC_RECORDS = {domain: [c.txt_record_value for c, _ in claims]}

    results = run_at_once(
        *[lambda c=c, a=a: customer_verify_dns(customer=c, by=a) for c, a in claims]
    )
    assert len(results) == 4 and results.count("ok") == 1, results
    assert (
        Customer.objects.filter(tenant_domain=domain, verification_status="verified").count() == 1
    )
    assert Customer.objects.filter(tenant_domain=domain, verification_status="closed").count() == 3
    assert AuditEvent.objects.filter(action="customer.verified").count() == 1
