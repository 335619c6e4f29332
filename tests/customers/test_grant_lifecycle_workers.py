"""Two workers run the delegated admin job at the same moment on one PostgreSQL database:
each reminder goes out once, each grant expires or extends once (docs/decisions.md)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers import grants as grants_module
from apps.customers.grants import grants_lifecycle_run
from apps.customers.models import (
    Customer,
    CustomerMembership,
    DelegatedAdminGrant,
    GrantReminder,
    ResellerRelationship,
)
from apps.notifications.models import Notification
from tests import factories

N = 6  # customers per kind of due work


def _customers(prefix: str, n: int, provider, reseller) -> list[ResellerRelationship]:
    relationships = []
    for i in range(n):
        admin = factories.make_user(f"admin{i}@{prefix}.test")
        customer = Customer.objects.create(name=f"{prefix} {i}", tenant_domain=f"{prefix}{i}.test")
        CustomerMembership.objects.create(customer=customer, user=admin)
        relationships.append(
            ResellerRelationship.objects.create(
                customer=customer, provider=provider, reseller=reseller
            )
        )
    return relationships


def _grant(relationship, service, partner, ends_at, auto_extend=False):
    return DelegatedAdminGrant.objects.create(
        customer=relationship.customer,
        service=service,
        partner=partner,
        relationship=relationship,
        provisioning=True,
        ends_at=ends_at,
        auto_extend=auto_extend,
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_reminder_once_and_end_each_grant_once(services, monkeypatch):
    provider = factories.make_provider("Contoso Distribution")
    reseller = factories.make_reseller("Fabrikam Solutions")
    factories.make_partnership(provider, reseller)
    factories.make_member(reseller, email="admin@fabrikam.test")
    office = services["office365"]
    now = timezone.now()
    for rel in _customers("remind", N, provider, reseller):
        _grant(rel, office, reseller, now + timedelta(days=6))
    for rel in _customers("expire", N, provider, reseller):
        _grant(rel, office, reseller, now - timedelta(minutes=1))
    for rel in _customers("extend", N, provider, reseller):
        _grant(rel, office, reseller, now - timedelta(minutes=1), auto_extend=True)

    # widen the window in which both workers look at the same grants
    def slow(func):
        def wrapper(*args, **kwargs):
            time.sleep(0.05)
            return func(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(grants_module, "_notify_expiring", slow(grants_module._notify_expiring))
    monkeypatch.setattr(grants_module, "notify_grant", slow(grants_module.notify_grant))
    monkeypatch.setattr(grants_module, "_notify_extended", slow(grants_module._notify_extended))

    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(grants_lifecycle_run(now=now))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    # the workers shared the work: together they did each thing once
    assert sum(r.reminders for r in results) == N
    assert sum(r.expired for r in results) == N
    assert sum(r.extended for r in results) == N
    assert GrantReminder.objects.count() == N
    assert set(GrantReminder.objects.values_list("days_before", flat=True)) == {7}
    assert AuditEvent.objects.filter(action="grant.reminder_sent").count() == N
    assert AuditEvent.objects.filter(action="grant.expired").count() == N
    assert AuditEvent.objects.filter(action="grant.auto_extended").count() == N
    assert Notification.objects.filter(kind="customer_grant.expiring").count() == N
    assert Notification.objects.filter(kind="customer_grant.extended").count() == N
    extended = DelegatedAdminGrant.objects.active().filter(customer__name__startswith="extend")
    assert {g.ends_at for g in extended} == {now - timedelta(minutes=1) + timedelta(days=180)}

    # a third run, later the same day, finds nothing left to do
    again = grants_lifecycle_run(now=now + timedelta(minutes=5))
    assert (again.reminders, again.expired, again.extended) == (0, 0, 0)
