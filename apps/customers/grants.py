"""Delegated admin with a lifetime: extend, auto-extend, expire, relinquish, remind.

A grant ends at `ends_at` (1 day to 2 years after it was given). The customer may set a new
end date or turn auto-extension off; the partner holding it may give it up. The periodic job
(`grants_lifecycle_run`, run by `manage.py grants_lifecycle` from cron or by the task worker)
sends the reminders 30, 7 and 1 day before the end date, extends the grants that auto-extend
and ends the others with reason "expired". Each grant is handled in its own transaction under
the customer's row lock taken with SKIP LOCKED, so several workers share the work without
waiting on each other, and the unique constraint on (grant, days before, end date) makes each
reminder exactly-once even if a lock were missed. See docs/decisions.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import audit_record
from apps.notifications.services import notify
from apps.partners.models import Partner

from .emails import (
    customer_audience,
    customer_relationships_url,
    notify_grant,
    notify_grant_removed_to_customer,
    notify_partner,
    owning_provider,
    partner_customer_url,
)
from .models import Customer, DelegatedAdminGrant, GrantReminder
from .services import _lock_customer, _revoke, validate_duration_days

RevokeReason = DelegatedAdminGrant.RevokeReason

# How many grants one pass of the job looks at per step; the job loops until none is left.
BATCH_SIZE = 200


def _locked_grant(grant: DelegatedAdminGrant) -> DelegatedAdminGrant:
    _lock_customer(grant.customer)
    locked = (
        DelegatedAdminGrant.objects.select_for_update(of=("self",))
        .select_related("customer", "service", "partner", "relationship__provider")
        .get(pk=grant.pk)
    )
    if not locked.is_active:
        raise ValidationError(_("This delegated admin has already ended."), code="revoked")
    return locked


def _expiry_context(grant: DelegatedAdminGrant, **extra) -> dict:
    return {
        "grant": grant,
        "customer": grant.customer,
        "service": grant.service,
        "partner": grant.partner,
        **extra,
    }


# ------------------------------------------------------------------------------
# The customer: a new end date, auto-extension on or off
# ------------------------------------------------------------------------------
def grant_extend(
    *, grant: DelegatedAdminGrant, duration_days, by, acting_customer: Customer | None = None
) -> DelegatedAdminGrant:
    """Give `grant` a new end date `duration_days` from now (1 day to 2 years)."""
    days = validate_duration_days(duration_days)
    with transaction.atomic():
        locked = _locked_grant(grant)
        before = locked.ends_at
        locked.ends_at = timezone.now() + timedelta(days=days)
        locked.save(update_fields=["ends_at"])
        audit_record(
            action="grant.extended",
            actor=by,
            acting_customer=acting_customer,
            target=locked,
            partners=[locked.partner],
            customer=locked.customer,
            data={
                "service": locked.service.code,
                "partner": locked.partner.public_id,
                "ends_at_before": before.isoformat() if before else None,
                "ends_at": locked.ends_at.isoformat(),
                "days": days,
            },
        )
        _notify_extended(locked, by=by, to_customer=False)
    return locked


def grant_set_auto_extend(
    *,
    grant: DelegatedAdminGrant,
    auto_extend: bool,
    by,
    acting_customer: Customer | None = None,
) -> DelegatedAdminGrant:
    """Turn auto-extension on or off. Never on for both scopes (the highest privilege)."""
    with transaction.atomic():
        locked = _locked_grant(grant)
        if auto_extend and locked.is_highest_privilege:
            raise ValidationError(
                _(
                    "Delegated admin with both provisioning and support never extends itself: "
                    "set a new end date when it is due."
                ),
                code="highest_privilege",
            )
        if locked.auto_extend == bool(auto_extend):
            return locked
        locked.auto_extend = bool(auto_extend)
        locked.save(update_fields=["auto_extend"])
        audit_record(
            action="grant.auto_extend_changed",
            actor=by,
            acting_customer=acting_customer,
            target=locked,
            partners=[locked.partner],
            customer=locked.customer,
            data={"service": locked.service.code, "auto_extend": locked.auto_extend},
        )
    return locked


# ------------------------------------------------------------------------------
# The partner holding it: give it up
# ------------------------------------------------------------------------------
def grant_relinquish(
    *, grant: DelegatedAdminGrant, by, acting_partner: Partner, note: str = ""
) -> DelegatedAdminGrant:
    """The holder gives up delegated admin; the service is free for another partner."""
    note = (note or "").strip()
    if grant.partner_id != acting_partner.pk:
        raise ValidationError(
            _("Only the partner holding delegated admin can give it up."), code="not_holder"
        )
    with transaction.atomic():
        locked = _locked_grant(grant)
        _revoke(locked, by=by, reason=RevokeReason.RELINQUISHED, note=note)
        audit_record(
            action="grant.relinquished",
            actor=by,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.partner, owning_provider(locked)],
            customer=locked.customer,
            data={
                "service": locked.service.code,
                "partner": locked.partner.public_id,
                "reason": RevokeReason.RELINQUISHED.value,
                "note": note,
            },
        )
        notify_grant(grant=locked, kind="removed", by=by)
        notify_grant_removed_to_customer(grant=locked, by=by)
    return locked


# ------------------------------------------------------------------------------
# The periodic job
# ------------------------------------------------------------------------------
@dataclass
class LifecycleResult:
    reminders: int = 0
    extended: int = 0
    expired: int = 0

    def __str__(self):
        return f"reminders={self.reminders} extended={self.extended} expired={self.expired}"


def _lock_customer_or_skip(customer_id: int) -> bool:
    """Lock the customer's row unless another worker (or a person) holds it: skip it then,
    the next run picks the grant up."""
    return (
        Customer.objects.select_for_update(skip_locked=True)
        .filter(pk=customer_id)
        .values_list("pk", flat=True)
        .first()
        is not None
    )


def _notify_extended(grant: DelegatedAdminGrant, *, by=None, to_customer: bool) -> None:
    context = _expiry_context(grant)
    notify_partner(
        kind="grant.extended",
        partner=grant.partner,
        context=context,
        url=partner_customer_url(grant.partner, grant.customer),
        by=by,
    )
    if to_customer:
        audience = customer_audience(grant.customer)
        notify(
            kind="customer_grant.extended",
            users=audience.users,
            context=context,
            url=customer_relationships_url(grant.customer),
            by=by,
        )


def _notify_expiring(grant: DelegatedAdminGrant, days: int) -> None:
    context = _expiry_context(grant, days=days)
    notify_partner(
        kind="grant.expiring",
        partner=grant.partner,
        context={**context, "for_customer": False},
        url=partner_customer_url(grant.partner, grant.customer),
    )
    provider = owning_provider(grant)
    if provider is not None:
        notify_partner(
            kind="reseller_grant.expiring",
            partner=provider,
            context={**context, "for_customer": False, "provider": provider},
            url=partner_customer_url(provider, grant.customer),
        )
    audience = customer_audience(grant.customer)
    notify(
        kind="customer_grant.expiring",
        users=audience.users,
        context={**context, "for_customer": True},
        url=customer_relationships_url(grant.customer),
    )


def _remind_one(grant_id: int, days: int, now: datetime) -> bool:
    """Send the `days`-before reminder of one grant, once. False when another worker has the
    customer, the grant changed meanwhile, or the reminder was already sent."""
    try:
        with transaction.atomic():
            grant = (
                DelegatedAdminGrant.objects.active()
                .select_related("customer", "service", "partner", "relationship__provider")
                .filter(pk=grant_id)
                .first()
            )
            if (
                grant is None
                or grant.ends_at is None
                or not _lock_customer_or_skip(grant.customer_id)
            ):
                return False
            grant = (
                DelegatedAdminGrant.objects.active()
                .select_for_update(of=("self",))
                .select_related("customer", "service", "partner", "relationship__provider")
                .filter(pk=grant_id)
                .first()
            )
            if grant is None or not (now < grant.ends_at <= now + timedelta(days=days)):
                return False
            if GrantReminder.objects.filter(
                grant=grant, ends_at=grant.ends_at, days_before__lte=days
            ).exists():
                return False
            GrantReminder.objects.create(
                grant=grant, days_before=days, ends_at=grant.ends_at, sent_at=now
            )
            audit_record(
                action="grant.reminder_sent",
                target=grant,
                partners=[grant.partner, owning_provider(grant)],
                customer=grant.customer,
                data={
                    "service": grant.service.code,
                    "partner": grant.partner.public_id,
                    "days_before": days,
                    "ends_at": grant.ends_at.isoformat(),
                    "auto_extend": grant.auto_extend,
                },
            )
            _notify_expiring(grant, days)
    except IntegrityError:
        # the constraint caught a reminder another worker sent: this one sends nothing
        return False
    return True


def grant_reminders_send(*, now: datetime | None = None) -> int:
    """Send every reminder that is due: for a grant ending within d days (d in 30, 7, 1), the
    smallest such d not sent yet for its current end date. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    thresholds = sorted(settings.DAP_REMINDER_DAYS)
    lower = 0
    for days in thresholds:
        window_start, window_end = now + timedelta(days=lower), now + timedelta(days=days)
        already = GrantReminder.objects.filter(
            grant=OuterRef("pk"), ends_at=OuterRef("ends_at"), days_before__lte=days
        )
        skipped: set[int] = set()
        while True:
            ids = list(
                DelegatedAdminGrant.objects.active()
                .filter(ends_at__gt=max(window_start, now), ends_at__lte=window_end)
                .exclude(Exists(already))
                .exclude(pk__in=skipped)
                .order_by("ends_at", "pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not ids:
                break
            for grant_id in ids:
                if _remind_one(grant_id, days, now):
                    sent += 1
                else:
                    skipped.add(grant_id)
        lower = days
    return sent


def _expire_one(grant_id: int, now: datetime) -> str:
    """End or auto-extend one grant whose end date passed: "expired", "extended" or "" (skipped:
    another worker or a person holds its customer, or it changed meanwhile)."""
    with transaction.atomic():
        customer_id = (
            DelegatedAdminGrant.objects.filter(pk=grant_id)
            .values_list("customer_id", flat=True)
            .first()
        )
        if customer_id is None or not _lock_customer_or_skip(customer_id):
            return ""
        grant = (
            DelegatedAdminGrant.objects.active()
            .select_for_update(of=("self",))
            .select_related("customer", "service", "partner", "relationship__provider")
            .filter(pk=grant_id, ends_at__lte=now)
            .first()
        )
        if grant is None:
            return ""
        if grant.auto_extend and not grant.is_highest_privilege:
            before = grant.ends_at
            step = timedelta(days=settings.DAP_AUTO_EXTEND_DAYS)
            while grant.ends_at <= now:
                grant.ends_at += step
            grant.save(update_fields=["ends_at"])
            audit_record(
                action="grant.auto_extended",
                target=grant,
                partners=[grant.partner, owning_provider(grant)],
                customer=grant.customer,
                data={
                    "service": grant.service.code,
                    "partner": grant.partner.public_id,
                    "ends_at_before": before.isoformat(),
                    "ends_at": grant.ends_at.isoformat(),
                },
            )
            _notify_extended(grant, to_customer=True)
            return "extended"
        _revoke(grant, by=None, reason=RevokeReason.EXPIRED, at=now)
        audit_record(
            action="grant.expired",
            target=grant,
            partners=[grant.partner, owning_provider(grant)],
            customer=grant.customer,
            data={
                "service": grant.service.code,
                "partner": grant.partner.public_id,
                "reason": RevokeReason.EXPIRED.value,
                "ends_at": grant.ends_at.isoformat(),
            },
        )
        notify_grant(grant=grant, kind="removed")
        notify_grant_removed_to_customer(grant=grant)
        return "expired"


def grants_expire(*, now: datetime | None = None) -> LifecycleResult:
    """End (reason "expired") or auto-extend every active grant whose end date has passed."""
    now = now or timezone.now()
    result = LifecycleResult()
    skipped: set[int] = set()
    while True:
        ids = list(
            DelegatedAdminGrant.objects.active()
            .filter(ends_at__lte=now)
            .exclude(pk__in=skipped)
            .order_by("ends_at", "pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            break
        for grant_id in ids:
            outcome = _expire_one(grant_id, now)
            if outcome == "expired":
                result.expired += 1
            elif outcome == "extended":
                result.extended += 1
            else:
                skipped.add(grant_id)
    return result


def grants_lifecycle_run(*, now: datetime | None = None) -> LifecycleResult:
    """One pass of the periodic job: end dates first (an auto-extended grant then has a far
    end date), then reminders. Idempotent: running it twice, or on two workers at once, sends
    and changes nothing more than once."""
    now = now or timezone.now()
    result = grants_expire(now=now)
    result.reminders = grant_reminders_send(now=now)
    return result
