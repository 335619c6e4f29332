"""Concurrent accepts on PostgreSQL: the invitation row lock makes them take turns."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.customers.models import DelegatedAdminGrant, ResellerRelationship
from apps.invitations.acceptance import invitation_accept
from apps.invitations.models import Acceptance, Invitation
from tests import factories

from .builders import make_invitation

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls):
    """Run each call in its own thread (own connection), released at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_a_single_use_link_accepted_by_two_customers_at_once_is_used_once(cast, services):
    invitation = make_invitation(
        cast.provider,
        cast.reseller,
        max_uses=1,
        requests_dap=True,
        dap_provisioning=True,
        services=[services["office365"]],
    )
    admins = [factories.make_user(f"admin{i}@race.test") for i in range(4)]
    customers = [factories.make_customer(admin=admin) for admin in admins]
    results = run_together(
        [
            lambda a=a, c=c: invitation_accept(invitation=invitation, by=a, customer=c)
            for a, c in zip(admins, customers, strict=True)
        ]
    )
    successes = [r for r in results if not isinstance(r, Exception)]
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(successes) == 1
    assert all(isinstance(f, ValidationError) and f.code == "used" for f in failures), failures
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert ResellerRelationship.objects.count() == 1
    assert Acceptance.objects.count() == 1
    assert DelegatedAdminGrant.objects.count() == 1


def test_a_double_submit_by_one_customer_accepts_once(cast, services):
    invitation = make_invitation(
        cast.provider,
        cast.reseller,
        kind=Invitation.Kind.PERSONAL,
        recipient_email=cast.customer_admin.email,
        requests_dap=True,
        dap_support=True,
        services=[services["office365"], services["azure"]],
    )
    results = run_together(
        [
            lambda: invitation_accept(
                invitation=invitation, by=cast.customer_admin, customer=cast.customer
            )
            for _ in range(3)
        ]
    )
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.already for r in results) == [False, True, True]
    assert len({r.acceptance.pk for r in results}) == 1
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert ResellerRelationship.objects.count() == 1
    assert DelegatedAdminGrant.objects.active().count() == 2
