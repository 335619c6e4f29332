"""Delegated admin with a lifetime: durations, reminders, auto-extension, expiry, relinquish.

The clock is frozen with time-machine; the job is run the way cron or a worker runs it.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers.grants import (
    grant_extend,
    grant_relinquish,
    grant_set_auto_extend,
    grants_lifecycle_run,
)
from apps.customers.models import DelegatedAdminGrant, GrantReminder
from apps.customers.services import grant_set
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db

Reason = DelegatedAdminGrant.RevokeReason


def _give(cast, services, relationship, *, partner=None, days=60, support=False, auto=False):
    return grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=partner or cast.reseller,
        provisioning=True,
        support=support,
        by=cast.customer_admin,
        relationship=relationship,
        acting_customer=cast.customer,
        duration_days=days,
        auto_extend=auto,
    ).grant


@pytest.fixture
def job(django_capture_on_commit_callbacks):
    """One pass of the periodic job, with its emails delivered as after a commit."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return grants_lifecycle_run()

    return run


def test_a_new_grant_ends_after_its_duration_and_the_default_is_two_years(
    cast, services, relationship
):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        grant = _give(cast, services, relationship, days=10)
        assert grant.ends_at == now + timedelta(days=10)
        other = grant_set(
            customer=cast.customer,
            service=services["azure"],
            partner=cast.provider,
            provisioning=True,
            support=False,
            by=cast.customer_admin,
        ).grant
        assert other.ends_at == now + timedelta(days=730)


@pytest.mark.parametrize("days", [0, -1, 731, "abc"])
def test_a_duration_outside_one_day_to_two_years_is_refused(cast, services, relationship, days):
    with pytest.raises(ValidationError) as exc:
        _give(cast, services, relationship, days=days)
    assert "duration_days" in exc.value.message_dict
    assert not DelegatedAdminGrant.objects.exists()


def test_both_scopes_never_auto_extend_even_when_asked(cast, services, relationship):
    grant = _give(cast, services, relationship, support=True, auto=True)
    assert grant.auto_extend is False
    with pytest.raises(ValidationError) as exc:
        grant_set_auto_extend(grant=grant, auto_extend=True, by=cast.customer_admin)
    assert exc.value.error_list[0].code == "highest_privilege"
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        DelegatedAdminGrant.objects.filter(pk=grant.pk).update(auto_extend=True)


def test_each_reminder_goes_out_once_at_30_7_and_1_days(job, cast, services, relationship):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        grant = _give(cast, services, relationship, days=45)
        mail.outbox.clear()
        assert job().reminders == 0
        clock.move_to(start + timedelta(days=15, hours=1))  # 29 days 23 h left
        assert job().reminders == 1
        assert job().reminders == 0  # idempotent
        clock.move_to(start + timedelta(days=38, hours=1))
        assert job().reminders == 1
        clock.move_to(start + timedelta(days=44, hours=1))
        assert job().reminders == 1
        assert job().reminders == 0
    reminders = GrantReminder.objects.filter(grant=grant).order_by("-days_before")
    assert [r.days_before for r in reminders] == [30, 7, 1]
    # the holder (Fabrikam), its provider (Contoso) and the customer's admin each time
    recipients = {address for m in mail.outbox for address in m.to}
    assert {"admin@fabrikam.test", "admin@contoso.test", "admin@northwind.test"} <= recipients
    assert AuditEvent.objects.filter(action="grant.reminder_sent").count() == 3
    assert Notification.objects.filter(kind="customer_grant.expiring").count() == 3


def test_a_short_grant_gets_only_the_reminder_that_is_due(job, cast, services, relationship):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        grant = _give(cast, services, relationship, days=5)
        assert job().reminders == 1
        assert job().reminders == 0
    assert list(GrantReminder.objects.values_list("days_before", flat=True)) == [7]
    assert grant.reminders.count() == 1


def test_the_grant_expires_at_its_end_date_and_frees_the_service(
    job, cast, services, relationship, tailspin
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        grant = _give(cast, services, relationship, days=3)
        clock.move_to(start + timedelta(days=3) - timedelta(seconds=1))
        assert job().expired == 0
        clock.move_to(start + timedelta(days=3))
        mail.outbox.clear()
        result = job()
        assert (result.expired, result.extended) == (1, 0)
        assert job().expired == 0
    grant.refresh_from_db()
    assert grant.revoke_reason == Reason.EXPIRED
    assert grant.revoked_at == start + timedelta(days=3)
    assert AuditEvent.objects.filter(action="grant.expired").count() == 1
    assert any("admin@northwind.test" in m.to for m in mail.outbox)
    assert any("admin@fabrikam.test" in m.to for m in mail.outbox)
    # another partner gets it without a move
    change = grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=tailspin,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
    )
    assert change.outcome == "created"


def test_an_auto_extending_grant_gets_180_more_days_and_new_reminders(
    job, cast, services, relationship
):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        grant = _give(cast, services, relationship, days=20, auto=True)
        assert job().reminders == 1  # 30 days before
        clock.move_to(start + timedelta(days=20, minutes=5))
        result = job()
        assert (result.expired, result.extended) == (0, 1)
        grant.refresh_from_db()
        assert grant.is_active
        assert grant.ends_at == start + timedelta(days=200)
        # the new end date has its own reminders
        clock.move_to(start + timedelta(days=171))
        assert job().reminders == 1
    assert AuditEvent.objects.filter(action="grant.auto_extended").count() == 1
    assert Notification.objects.filter(kind="customer_grant.extended").exists()


def test_the_customer_extends_and_turns_auto_extension_off(job, cast, services, relationship):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        grant = _give(cast, services, relationship, days=10, auto=True)
        grant_extend(grant=grant, duration_days=365, by=cast.customer_admin)
        grant_set_auto_extend(grant=grant, auto_extend=False, by=cast.customer_admin)
        grant.refresh_from_db()
        assert grant.ends_at == start + timedelta(days=365)
        assert grant.auto_extend is False
        clock.move_to(start + timedelta(days=365))
        assert job().expired == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"grant.extended", "grant.auto_extend_changed", "grant.expired"} <= actions


def test_extending_an_ended_grant_is_refused(cast, services, relationship):
    grant = _give(cast, services, relationship)
    grant_relinquish(grant=grant, by=cast.reseller_admin, acting_partner=cast.reseller)
    with pytest.raises(ValidationError):
        grant_extend(grant=grant, duration_days=30, by=cast.customer_admin)


def test_the_holder_relinquishes_and_the_service_is_free(
    django_capture_on_commit_callbacks, cast, services, relationship, tailspin
):
    grant = _give(cast, services, relationship)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant_relinquish(
            grant=grant, by=cast.reseller_admin, acting_partner=cast.reseller, note="Contract over"
        )
    grant.refresh_from_db()
    assert grant.revoke_reason == Reason.RELINQUISHED
    assert any("admin@northwind.test" in m.to for m in mail.outbox)
    assert AuditEvent.objects.filter(action="grant.relinquished").count() == 1
    assert (
        grant_set(
            customer=cast.customer,
            service=services["office365"],
            partner=tailspin,
            provisioning=False,
            support=True,
            by=cast.customer_admin,
        ).outcome
        == "created"
    )


def test_only_the_holder_may_relinquish(cast, services, relationship):
    grant = _give(cast, services, relationship)
    with pytest.raises(ValidationError) as exc:
        grant_relinquish(grant=grant, by=cast.provider_admin, acting_partner=cast.provider)
    assert exc.value.error_list[0].code == "not_holder"
    grant.refresh_from_db()
    assert grant.is_active


def test_the_command_runs_one_pass(cast, services, relationship, capsys):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _give(cast, services, relationship, days=2)
        clock.move_to(start + timedelta(days=3))
        call_command("grants_lifecycle")
    assert "expired=1" in capsys.readouterr().out
