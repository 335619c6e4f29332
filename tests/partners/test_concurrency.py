"""Races on PostgreSQL: two requests at once, each in its own connection and transaction.

Each test widens the window between "check" and "write" with a short sleep, so without the
row locks (select_for_update) both requests would pass the check and the rule would break.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.audit.models import AuditEvent
from apps.partners import services
from apps.partners.models import PartnerMembership, ResellerPartnership, Role
from apps.partners.services import partnerships as partnership_services
from apps.partners.services import team as team_services
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(*calls) -> list[str]:
    """Run each call in its own thread and connection, starting together; 'ok' or the error."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except ValidationError as exc:
            results.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def slowed(func, seconds=0.3):
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        time.sleep(seconds)
        return result

    return wrapper


def test_two_concurrent_acceptances_of_one_team_link_create_one_account_and_membership(
    monkeypatch,
):
    provider = factories.make_provider()
    admin = factories.make_member(provider, Role.GLOBAL_ADMIN)
    invitation = services.team_invite(
        partner=provider, by=admin, email="new@contoso.test", role=Role.SALES_AGENT
    )
    monkeypatch.setattr(
        team_services, "team_invitation_problem", slowed(team_services.team_invitation_problem)
    )

    def accept():
        services.team_invitation_accept(
            invitation_id=invitation.pk,
            new_account=services.NewAccount("New", "new@contoso.test", "Very-Long-Pass-2026"),
        )

    results = run_at_once(accept, accept)
    assert results.count("ok") == 1
    assert any("already used" in r for r in results)
    assert PartnerMembership.objects.filter(user__email="new@contoso.test").count() == 1
    assert AuditEvent.objects.filter(action="team.joined").count() == 1


def test_two_resellers_accepting_one_partnership_link_at_once_make_one_partnership(
    monkeypatch,
):
    provider = factories.make_provider()
    admin = factories.make_member(provider, Role.GLOBAL_ADMIN)
    first, second = factories.make_reseller("First"), factories.make_reseller("Second")
    first_admin = factories.make_member(first, Role.GLOBAL_ADMIN)
    second_admin = factories.make_member(second, Role.GLOBAL_ADMIN)
    partnership = services.partnership_invite(
        provider=provider, by=admin, email="someone@resellers.test"
    )
    monkeypatch.setattr(
        partnership_services,
        "partnership_invitation_problem",
        slowed(partnership_services.partnership_invitation_problem),
    )
    results = run_at_once(
        lambda: services.partnership_accept(
            partnership_id=partnership.pk, by=first_admin, reseller=first
        ),
        lambda: services.partnership_accept(
            partnership_id=partnership.pk, by=second_admin, reseller=second
        ),
    )
    assert results.count("ok") == 1
    assert ResellerPartnership.objects.filter(state="active").count() == 1
    assert AuditEvent.objects.filter(action="partnership.accepted").count() == 1


def test_two_global_admins_demoting_each_other_at_once_leave_one_global_admin(monkeypatch):
    provider = factories.make_provider()
    a = factories.make_member(provider, Role.GLOBAL_ADMIN)
    b = factories.make_member(provider, Role.GLOBAL_ADMIN)
    monkeypatch.setattr(
        team_services, "_global_admin_count", slowed(team_services._global_admin_count)
    )
    ma = PartnerMembership.objects.get(user=a)
    mb = PartnerMembership.objects.get(user=b)
    results = run_at_once(
        lambda: services.membership_change_role(membership=mb, role=Role.SALES_AGENT, by=a),
        lambda: services.membership_change_role(membership=ma, role=Role.SALES_AGENT, by=b),
    )
    assert results.count("ok") == 1
    assert any("at least one Global admin" in r for r in results)
    assert PartnerMembership.objects.filter(partner=provider, role=Role.GLOBAL_ADMIN).count() == 1


def test_removing_and_demoting_the_two_global_admins_at_once_leaves_one(monkeypatch):
    provider = factories.make_provider()
    a = factories.make_member(provider, Role.GLOBAL_ADMIN)
    b = factories.make_member(provider, Role.GLOBAL_ADMIN)
    monkeypatch.setattr(
        team_services, "_global_admin_count", slowed(team_services._global_admin_count)
    )
    ma = PartnerMembership.objects.get(user=a)
    mb = PartnerMembership.objects.get(user=b)
    results = run_at_once(
        lambda: services.membership_remove(membership=mb, by=a),
        lambda: services.membership_change_role(membership=ma, role=Role.HELPDESK_AGENT, by=b),
    )
    assert results.count("ok") == 1
    assert PartnerMembership.objects.filter(partner=provider, role=Role.GLOBAL_ADMIN).count() == 1
