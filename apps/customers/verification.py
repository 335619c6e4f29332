"""Customers prove their tenant (docs/decisions.md, "Customers prove their tenant").

A customer organization created in the portal starts *unverified*. Its admins publish a DNS
TXT record on the tenant domain with the value the portal issued
(`partner-portal-verification=<token>`) and ask the portal to check it, or operator staff
verify it in the admin after an out-of-band check (who and why are recorded). Several
unverified organizations may claim one domain; the first to verify holds it and the other
claims are closed with a notice. Unverified claims expire after `TENANT_CLAIM_DAYS`
(`manage.py customers_expire_claims`, idempotent, run from cron).

DNS goes through one seam, `TENANT_DNS_RESOLVER`: a dotted path to a callable taking a domain
and returning its TXT strings. Production uses dnspython; the tests use
`static_txt_lookup`, which serves `TENANT_DNS_STATIC_RECORDS` and never touches the network.
"""

from datetime import timedelta

import django.dispatch
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from apps.audit.services import audit_record
from apps.notifications.services import notify

from .emails import customer_audience
from .models import ClaimCloseReason, Customer, VerificationMethod, VerificationStatus

# Sent inside the verifying transaction; apps above (invitations) start what waited for it.
customer_verified = django.dispatch.Signal()


class DnsLookupError(Exception):
    """The resolver could not answer (timeout, no server): not the same as "no record"."""


# ------------------------------------------------------------------------------
# The resolver seam
# ------------------------------------------------------------------------------
def dnspython_txt_lookup(domain: str) -> list[str]:
    """TXT strings of `domain` through dnspython (nameservers from TENANT_DNS_NAMESERVERS,
    else the system's). A missing name or record is an empty list."""
    import dns.exception
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=not settings.TENANT_DNS_NAMESERVERS)
    if settings.TENANT_DNS_NAMESERVERS:
        resolver.nameservers = list(settings.TENANT_DNS_NAMESERVERS)
    resolver.lifetime = settings.TENANT_DNS_TIMEOUT
    try:
        answer = resolver.resolve(domain, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as exc:
        raise DnsLookupError(str(exc)) from exc
    # a TXT record may be split in several character strings: join them, as RFC 7208 does
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def static_txt_lookup(domain: str) -> list[str]:
    """TXT strings from the setting TENANT_DNS_STATIC_RECORDS ({domain: [values]}): tests and
    local runs."""
    records = getattr(settings, "TENANT_DNS_STATIC_RECORDS", {}) or {}
    return list(records.get(domain.lower().rstrip("."), []))


def txt_records(domain: str) -> list[str]:
    return import_string(settings.TENANT_DNS_RESOLVER)(domain)


# ------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------
def _lock(customer: Customer) -> Customer:
    """Lock every claim on the customer's domain, in primary-key order, and return the
    customer's row. Two claims verifying at once then queue instead of deadlocking (each would
    otherwise hold its own row and wait for the other's)."""
    rows = list(
        Customer.objects.select_for_update()
        .filter(tenant_domain__iexact=customer.tenant_domain)
        .order_by("pk")
    )
    return next(row for row in rows if row.pk == customer.pk)


def _close_claim(claim: Customer, *, reason: str, by, winner: Customer | None = None) -> None:
    """Close an unverified claim (the row is locked by the caller) and tell its admins."""
    claim.verification_status = VerificationStatus.CLOSED
    claim.claim_closed_at = timezone.now()
    claim.claim_close_reason = reason
    claim.save(update_fields=["verification_status", "claim_closed_at", "claim_close_reason"])
    audit_record(
        action="customer.claim_closed",
        actor=by,
        target=claim,
        customer=claim,
        data={"tenant_domain": claim.tenant_domain, "reason": reason},
    )
    audience = customer_audience(claim)
    notify(
        kind="customer.claim_closed",
        users=audience.users,
        context={"customer": claim, "reason": ClaimCloseReason(reason).label},
    )


def _mark_verified(customer: Customer, *, by, method: str, note: str = "") -> Customer:
    """Verify the locked `customer`, close the competing claims. Raises ValidationError when a
    verified organization already holds the domain."""
    holder = (
        Customer.objects.verified()
        .filter(tenant_domain__iexact=customer.tenant_domain)
        .exclude(pk=customer.pk)
        .exists()
    )
    if holder:
        raise ValidationError(
            _(
                "Another organization has already verified this tenant domain. If your "
                "organization owns it, contact the operator."
            ),
            code="held",
        )
    now = timezone.now()
    customer.verification_status = VerificationStatus.VERIFIED
    customer.verified_at = now
    customer.verified_by = by
    customer.verification_method = method
    customer.verification_note = note
    customer.save(
        update_fields=[
            "verification_status",
            "verified_at",
            "verified_by",
            "verification_method",
            "verification_note",
            "last_checked_at",
        ]
    )
    audit_record(
        action="customer.verified",
        actor=by,
        acting_customer=customer if method == VerificationMethod.DNS else None,
        target=customer,
        customer=customer,
        data={"tenant_domain": customer.tenant_domain, "method": method, "note": note},
    )
    competitors = (
        Customer.objects.unverified()
        .filter(tenant_domain__iexact=customer.tenant_domain)
        .exclude(pk=customer.pk)
        .select_for_update()
        .order_by("pk")
    )
    for claim in competitors:
        _close_claim(claim, reason=ClaimCloseReason.SUPERSEDED, by=by, winner=customer)
    customer_verified.send(sender=Customer, customer=customer, by=by)
    return customer


def _refuse_unless_unverified(customer: Customer) -> None:
    if customer.is_verified:
        raise ValidationError(_("This tenant domain is already verified."), code="verified")
    if customer.is_claim_closed:
        raise ValidationError(
            _(
                "This claim is closed, so it can no longer be verified. Sign up the "
                "organization again, or contact the operator."
            ),
            code="closed",
        )


def customer_verify_dns(*, customer: Customer, by) -> Customer:
    """Check the TXT record of `customer`'s tenant domain now; verify when it carries the
    issued value. Every check is audited, found or not."""
    try:
        values = txt_records(customer.tenant_domain)
        problem = ""
    except DnsLookupError:
        values, problem = [], "lookup_failed"
    except Exception:  # a broken resolver must not become a 500 for the customer
        values, problem = [], "lookup_failed"
    try:
        with transaction.atomic():
            locked = _lock(customer)
            _refuse_unless_unverified(locked)
            found = locked.txt_record_value in [v.strip() for v in values]
            locked.last_checked_at = timezone.now()
            if not found:
                locked.save(update_fields=["last_checked_at"])
                audit_record(
                    action="customer.verification_failed",
                    actor=by,
                    acting_customer=locked,
                    target=locked,
                    customer=locked,
                    data={"tenant_domain": locked.tenant_domain, "problem": problem or "no_record"},
                )
            else:
                _mark_verified(locked, by=by, method=VerificationMethod.DNS)
    except IntegrityError:
        # a competing claim verified at the same moment; the constraint kept one holder
        raise ValidationError(
            _(
                "Another organization has already verified this tenant domain. If your "
                "organization owns it, contact the operator."
            ),
            code="held",
        ) from None
    if not found:
        if problem:
            raise ValidationError(
                _("The DNS lookup did not answer. Nothing was changed; try again in a moment."),
                code="lookup_failed",
            )
        raise ValidationError(
            _(
                "No TXT record with the expected value was found on %(domain)s. DNS changes "
                "can take a while to appear; check the record and try again."
            )
            % {"domain": customer.tenant_domain},
            code="not_found",
        )
    customer.refresh_from_db()
    return customer


def customer_recheck_dns(*, customer: Customer, by) -> bool:
    """Look a verified customer's TXT record up again (its admins may, at any time) and record
    what was found; True when the record is still there.

    A missing record does not take the verification away: a DNS outage or a tidy-up of old
    records must not cut a tenant off its subscriptions and delegated admin. The check is
    audited either way, so the operator sees a tenant whose proof has gone and can act
    (docs/decisions.md)."""
    if not customer.is_verified:
        raise ValidationError(_("Verify the tenant domain first."), code="unverified")
    try:
        values = txt_records(customer.tenant_domain)
        problem = ""
    except Exception:  # DnsLookupError, or a broken resolver: never a 500 for the customer
        values, problem = [], "lookup_failed"
    with transaction.atomic():
        locked = _lock(customer)
        found = locked.txt_record_value in [v.strip() for v in values]
        locked.last_checked_at = timezone.now()
        locked.save(update_fields=["last_checked_at"])
        audit_record(
            action="customer.verification_rechecked",
            actor=by,
            acting_customer=locked,
            target=locked,
            customer=locked,
            data={
                "tenant_domain": locked.tenant_domain,
                "found": found,
                **({"problem": problem} if problem else {}),
            },
        )
    if problem:
        raise ValidationError(
            _("The DNS lookup did not answer. Nothing was changed; try again in a moment."),
            code="lookup_failed",
        )
    return found


def customer_verify_by_operator(*, customer: Customer, by, note: str) -> Customer:
    """Operator staff verify after an out-of-band check; `note` says how (required)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": _("Say how the tenant was checked (who confirmed it, and how).")}
        )
    if len(note) > 500:
        raise ValidationError({"note": _("Keep the note under 500 characters.")})
    try:
        with transaction.atomic():
            locked = _lock(customer)
            _refuse_unless_unverified(locked)
            _mark_verified(locked, by=by, method=VerificationMethod.OPERATOR, note=note)
    except IntegrityError:
        raise ValidationError(
            _("Another organization has already verified this tenant domain."), code="held"
        ) from None
    customer.refresh_from_db()
    return customer


def claims_expire(*, now=None, by=None) -> int:
    """Close every unverified claim older than TENANT_CLAIM_DAYS. Idempotent: a closed claim
    is never touched again, so running it twice (or from two hosts) closes each claim once."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TENANT_CLAIM_DAYS)
    closed = 0
    ids = list(
        Customer.objects.unverified().filter(created_at__lt=cutoff).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            claim = (
                Customer.objects.select_for_update(skip_locked=True)
                .unverified()
                .filter(pk=pk, created_at__lt=cutoff)
                .first()
            )
            if claim is None:
                continue
            _close_claim(claim, reason=ClaimCloseReason.EXPIRED, by=by)
            closed += 1
    return closed
