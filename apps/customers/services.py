"""Writes for customers, reseller relationships, delegated admin grants and subscriptions.

Each function runs in one transaction, records its audit events in it and schedules its
emails for after the commit. Rule 7 of docs/product.md: nothing here changes a Subscription except
the operator's import.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import audit_record
from apps.partners.models import Partner

from .emails import notify_grant, notify_grant_removed_to_customer, notify_relationship_ended
from .models import (
    Customer,
    CustomerAccess,
    CustomerMembership,
    CustomerRole,
    DelegatedAdminGrant,
    ResellerRelationship,
    Service,
    Subscription,
)
from .selectors import grant_relationship_for

RevokeReason = DelegatedAdminGrant.RevokeReason


def validate_duration_days(value) -> int:
    """A delegated admin duration in days: the default when None, else 1 day to 2 years."""
    if value is None or value == "":
        return settings.DAP_DEFAULT_DURATION_DAYS
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not settings.DAP_MIN_DAYS <= days <= settings.DAP_MAX_DAYS:
        raise ValidationError(
            {
                "duration_days": _(
                    "Delegated admin lasts from %(min)s day to %(max)s days (two years)."
                )
                % {"min": settings.DAP_MIN_DAYS, "max": settings.DAP_MAX_DAYS}
            },
            code="duration",
        )
    return days


def _scopes(provisioning: bool, support: bool) -> list[str]:
    return [name for name, on in (("provisioning", provisioning), ("support", support)) if on]


# ------------------------------------------------------------------------------
# Customers
# ------------------------------------------------------------------------------
def normalize_tenant_domain(value: str) -> str:
    return (value or "").strip().lower().rstrip(".")


def customer_create(
    *,
    name: str,
    tenant_domain: str,
    admin=None,
    tenant_id: uuid.UUID | None = None,
    country: str = "CN",
    by=None,
) -> Customer:
    """Create a customer organization with `admin` as its first customer admin (the person
    signing up), or with no admin yet when the operator (`by`) creates it. It starts
    unverified (apps/customers/verification.py)."""
    name = (name or "").strip()
    domain = normalize_tenant_domain(tenant_domain)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the organization's name.")
    try:
        DomainNameValidator(accept_idna=False)(domain)
    except ValidationError:
        errors["tenant_domain"] = _(
            "Enter the tenant domain, for example contoso.partner.onmschina.cn."
        )
    # No "already registered" answer: it would tell anyone which tenants are registered, and
    # an unverified claim holds nothing (docs/decisions.md, "Customers prove their tenant").
    # Every valid sign-up creates an unverified claim; the first claim to verify holds the
    # domain and the others are closed.
    if tenant_id is not None and Customer.objects.filter(tenant_id=tenant_id).exists():
        errors["tenant_id"] = _("An organization with this tenant ID is already registered.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                name=name,
                tenant_domain=domain,
                tenant_id=tenant_id or uuid.uuid4(),
                country=(country or "CN").upper()[:2],
            )
            if admin is not None:
                CustomerMembership.objects.create(
                    user=admin, customer=customer, role=CustomerRole.ADMIN
                )
            audit_record(
                action="customer.created",
                actor=by or admin,
                acting_customer=customer if admin is not None else None,
                target=customer,
                customer=customer,
                data={"tenant_domain": domain, "admin": admin.email if admin else ""},
            )
    except IntegrityError:
        # another request took the same tenant ID between the check and the insert
        raise ValidationError(
            {"tenant_id": _("An organization with this tenant ID is already registered.")}
        ) from None
    return customer


def customer_membership_add(
    *, customer: Customer, user, by, role: str = CustomerRole.ADMIN
) -> CustomerMembership:
    """Make `user` a member of `customer`'s team (the operator, `by`, adds them)."""
    with transaction.atomic():
        _lock_customer(customer)
        if not user.is_active:
            raise ValidationError(
                {"user": _("%(email)s is inactive.") % {"email": user.email}}, code="inactive"
            )
        if CustomerMembership.objects.filter(customer=customer, user=user).exists():
            raise ValidationError(
                {
                    "user": _("%(email)s is already an admin of %(customer)s.")
                    % {"email": user.email, "customer": customer.name}
                },
                code="duplicate",
            )
        membership = CustomerMembership.objects.create(customer=customer, user=user, role=role)
        audit_record(
            action="customer.admin_added",
            actor=by,
            target=customer,
            customer=customer,
            data={"admin": user.email, "role": role},
        )
    return membership


# ------------------------------------------------------------------------------
# Who may see a customer (the CustomerAccess link the partner customer list reads)
# ------------------------------------------------------------------------------
# The same definition as the query the customer list used to run per customer, as one
# INSERT … SELECT (PostgreSQL and SQLite alike): the migration's backfill and seed_scale.
CUSTOMER_ACCESS_REBUILD_SQL = """
INSERT INTO customers_customeraccess
    (partner_id, customer_id, customer_name, customer_domain, customer_public_id)
SELECT link.partner_id, link.customer_id, c.name, c.tenant_domain, c.public_id
  FROM (SELECT provider_id AS partner_id, customer_id
          FROM customers_resellerrelationship WHERE state = 'active'
        UNION
        SELECT reseller_id, customer_id FROM customers_resellerrelationship
         WHERE state = 'active' AND reseller_id IS NOT NULL
        UNION
        SELECT partner_id, customer_id FROM customers_delegatedadmingrant
         WHERE revoked_at IS NULL) link
  JOIN customers_customer c ON c.id = link.customer_id
"""

# The customer's fields CustomerAccess keeps a copy of (link field: customer field)
CUSTOMER_ACCESS_COPIES = {
    "customer_name": "name",
    "customer_domain": "tenant_domain",
    "customer_public_id": "public_id",
}


def customer_access_refresh(*, customer_ids) -> None:
    """Bring the CustomerAccess rows of these customers in line with their active
    relationships (provider and attached reseller) and active grants (holder).

    Called for each relationship or grant saved or deleted, in that transaction, by the
    receivers of apps/customers/access.py (so the services need not); code that writes them
    in bulk (`bulk_create`, `QuerySet.update`) calls it itself. Five queries for any number of
    customers; it changes only the rows that differ. The rows carry copies of the customer's
    name, domain and ID (CUSTOMER_ACCESS_COPIES), written here and brought up to date here
    too if they drifted.
    """
    ids = {int(pk) for pk in customer_ids}
    if not ids:
        return
    copies = {
        row[0]: row[1:]
        for row in Customer.objects.filter(pk__in=ids).values_list(
            "pk", *CUSTOMER_ACCESS_COPIES.values()
        )
    }
    wanted = set()
    for customer_id, provider_id, reseller_id in (
        ResellerRelationship.objects.active()
        .filter(customer_id__in=ids)
        .values_list("customer_id", "provider_id", "reseller_id")
    ):
        wanted.add((customer_id, provider_id))
        if reseller_id is not None:
            wanted.add((customer_id, reseller_id))
    wanted.update(
        DelegatedAdminGrant.objects.active()
        .filter(customer_id__in=ids)
        .values_list("customer_id", "partner_id")
    )
    existing = {
        row[:2]: row[2:]
        for row in CustomerAccess.objects.filter(customer_id__in=ids).values_list(
            "customer_id", "partner_id", *CUSTOMER_ACCESS_COPIES
        )
    }
    stale = existing.keys() - wanted
    if stale:
        stale_q = Q()
        for customer_id, partner_id in stale:
            stale_q |= Q(customer_id=customer_id, partner_id=partner_id)
        CustomerAccess.objects.filter(stale_q).delete()
    missing = wanted - existing.keys()
    if missing:
        CustomerAccess.objects.bulk_create(
            (
                CustomerAccess(customer_id=c, partner_id=p, **_copy_fields(copies[c]))
                for c, p in sorted(missing)
            ),
            ignore_conflicts=True,
        )
    for customer_id in {c for (c, p), copy in existing.items() if copy != copies.get(c, copy)}:
        customer_access_copy(customer_id, copies[customer_id])


def _copy_fields(values) -> dict:
    return dict(zip(CUSTOMER_ACCESS_COPIES, values, strict=True))


def customer_access_copy(customer_id: int, values) -> int:
    """Write the customer's current name, domain and ID (in CUSTOMER_ACCESS_COPIES' order) on
    its CustomerAccess rows that hold other values; how many rows changed."""
    fields = _copy_fields(values)
    return CustomerAccess.objects.filter(customer_id=customer_id).exclude(**fields).update(**fields)


def customer_access_rebuild() -> int:
    """Rebuild the whole CustomerAccess table from relationships and grants (seed_scale, and
    a repair tool: `manage.py shell -c "..."`). Returns the number of rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM customers_customeraccess")
        cursor.execute(CUSTOMER_ACCESS_REBUILD_SQL)
    return CustomerAccess.objects.count()


# ------------------------------------------------------------------------------
# Relationships
# ------------------------------------------------------------------------------
def _lock_customer(customer: Customer) -> None:
    """Serialize relationship and grant changes of one customer (two tabs, two admins)."""
    Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk").first()


def relationship_get_or_create(
    *,
    customer: Customer,
    provider: Partner,
    reseller: Partner | None = None,
    by=None,
) -> tuple[ResellerRelationship, bool]:
    """The active provider-owned relationship with this reseller attached, created if none."""
    if not provider.is_provider:
        raise ValidationError(_("Only a provider can own a relationship with a customer."))
    if reseller is not None and not reseller.is_reseller:
        raise ValidationError(_("Only a reseller can be attached to a relationship."))
    with transaction.atomic():
        _lock_customer(customer)
        existing = (
            ResellerRelationship.objects.active()
            .filter(customer=customer, provider=provider, reseller=reseller)
            .first()
        )
        if existing is not None:
            return existing, False
        relationship = ResellerRelationship.objects.create(
            customer=customer,
            provider=provider,
            reseller=reseller,
            accepted_by=by,
        )
        audit_record(
            action="relationship.created",
            actor=by,
            acting_customer=customer,
            target=relationship,
            partners=[provider, reseller],
            customer=customer,
            data={
                "provider": provider.public_id,
                "reseller": reseller.public_id if reseller else None,
            },
        )
    return relationship, True


def relationship_end(
    *,
    relationship: ResellerRelationship,
    by,
    reason: str,
    acting_partner: Partner | None = None,
) -> ResellerRelationship:
    """End a relationship and revoke the delegated admin obtained through it.

    `acting_partner` is the organization the user acts for; None means operator staff.
    Only the provider that owns the relationship (or the operator) may end it.
    """
    reason = (reason or "").strip()
    if acting_partner is not None and acting_partner.pk != relationship.provider_id:
        raise ValidationError(
            _("Only the provider that owns a relationship can end it."), code="not_owner"
        )
    if not reason:
        raise ValidationError({"reason": _("Give a reason for ending the relationship.")})
    with transaction.atomic():
        _lock_customer(relationship.customer)
        rel = (
            ResellerRelationship.objects.select_for_update(of=("self",))
            .select_related("customer", "provider", "reseller")
            .get(pk=relationship.pk)
        )
        if rel.state != ResellerRelationship.State.ACTIVE:
            raise ValidationError(_("This relationship has already ended."), code="ended")
        now = timezone.now()
        rel.state = ResellerRelationship.State.ENDED
        rel.ended_at = now
        rel.ended_by = by
        rel.end_reason = reason[:500]
        rel.save(update_fields=["state", "ended_at", "ended_by", "end_reason"])
        grants = list(
            DelegatedAdminGrant.objects.active()
            .filter(relationship=rel)
            .select_related("service", "partner")
            .order_by("service__position", "service__name")
        )
        for grant in grants:
            _revoke(grant, by=by, reason=RevokeReason.RELATIONSHIP_ENDED, note=reason, at=now)
            audit_record(
                action="grant.removed",
                actor=by,
                acting_partner=acting_partner,
                target=grant,
                partners=[grant.partner, rel.provider],
                customer=rel.customer,
                data={
                    "service": grant.service.code,
                    "partner": grant.partner.public_id,
                    "reason": RevokeReason.RELATIONSHIP_ENDED.value,
                    "relationship": rel.pk,
                },
            )
        audit_record(
            action="relationship.ended",
            actor=by,
            acting_partner=acting_partner,
            target=rel,
            partners=[rel.provider, rel.reseller],
            customer=rel.customer,
            data={"reason": reason, "revoked_grants": [g.pk for g in grants]},
        )
        notify_relationship_ended(relationship=rel, revoked=grants, reason=reason, by=by)
    return rel


# ------------------------------------------------------------------------------
# Delegated admin
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GrantChange:
    """What grant_set did: created, moved (from `previous`), updated (scopes) or unchanged."""

    outcome: str
    grant: DelegatedAdminGrant
    previous: DelegatedAdminGrant | None = None


def _revoke(grant: DelegatedAdminGrant, *, by, reason: str, note: str = "", at=None) -> None:
    grant.revoked_at = at or timezone.now()
    grant.revoked_by = by
    grant.revoke_reason = reason
    grant.revoke_note = (note or "")[:500]
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "revoke_note"])


# grant_set's default expected_holder: act on whoever holds the grant when the lock is taken.
ANY_HOLDER = object()


def grant_set(
    *,
    customer: Customer,
    service: Service,
    partner: Partner,
    provisioning: bool,
    support: bool,
    by,
    confirm_move: bool = False,
    relationship: ResellerRelationship | None = None,
    acting_customer: Customer | None = None,
    notify: bool = True,
    expected_holder: int | None | object = ANY_HOLDER,
    duration_days: int | None = None,
    auto_extend: bool = False,
) -> GrantChange:
    """Give `partner` delegated admin for `service` of `customer`.

    `expected_holder` is the id of the active grant the person confirming saw (None: they saw
    no holder). It is compared under the lock, so of several confirmations that all saw the
    same holder only the first acts; the others are refused (code "holder_changed") and
    nothing changes. Without it (the default) whoever holds the grant now is taken.

    When another partner holds it, this is a move (docs/product.md rule 5): refused unless
    `confirm_move`, then the old grant is revoked ("moved") and the new one created in the
    same transaction. The partner must work with the customer: the provider of an active
    relationship, or a reseller in an active partnership with such a provider.

    A new grant ends `duration_days` from now (settings.DAP_DEFAULT_DURATION_DAYS when None)
    and auto-extends when `auto_extend`, unless it has both scopes (docs/decisions.md).
    Changing the scopes of a grant keeps its end date.
    """
    if not (provisioning or support):
        raise ValidationError(
            _("Choose at least one scope: provisioning or support."), code="no_scope"
        )
    duration_days = validate_duration_days(duration_days)
    auto_extend = bool(auto_extend) and not (provisioning and support)
    with transaction.atomic():
        _lock_customer(customer)
        if relationship is None:
            relationship = grant_relationship_for(customer=customer, partner=partner)
            if relationship is None:
                raise ValidationError(
                    _(
                        "%(partner)s does not work with any of your providers, so it cannot "
                        "hold delegated admin for you."
                    )
                    % {"partner": partner.name},
                    code="not_eligible",
                )
        elif (
            relationship.customer_id != customer.pk
            or relationship.state != ResellerRelationship.State.ACTIVE
        ):
            raise ValidationError(_("This relationship is not active."), code="relationship")
        current = (
            DelegatedAdminGrant.objects.active()
            .select_for_update(of=("self",))
            .select_related("partner", "service")
            .filter(customer=customer, service=service)
            .first()
        )
        if expected_holder is not ANY_HOLDER and (current.pk if current else None) != (
            expected_holder
        ):
            raise ValidationError(
                _(
                    "Delegated admin for %(service)s changed while you were confirming. "
                    "Check who holds it now and confirm again."
                )
                % {"service": service.display_name},
                code="holder_changed",
            )
        scopes = _scopes(provisioning, support)
        if current is not None and current.partner_id == partner.pk:
            if (current.provisioning, current.support) == (provisioning, support):
                return GrantChange("unchanged", current)
            before = _scopes(current.provisioning, current.support)
            current.provisioning, current.support = provisioning, support
            if provisioning and support:
                current.auto_extend = False  # the highest privilege never extends itself
            current.save(update_fields=["provisioning", "support", "auto_extend"])
            audit_record(
                action="grant.updated",
                actor=by,
                acting_customer=acting_customer,
                target=current,
                partners=[partner],
                customer=customer,
                data={"service": service.code, "scopes_before": before, "scopes": scopes},
            )
            if notify:
                notify_grant(grant=current, kind="updated", by=by)
            return GrantChange("updated", current)
        if current is not None and not confirm_move:
            raise ValidationError(
                _(
                    "%(holder)s holds delegated admin for %(service)s today. Confirm that you "
                    "want to move it to %(partner)s."
                )
                % {
                    "holder": current.partner.name,
                    "service": service.display_name,
                    "partner": partner.name,
                },
                code="move_not_confirmed",
            )
        if not service.is_active and current is None:
            raise ValidationError(
                _("%(service)s is no longer offered.") % {"service": service.display_name},
                code="service_inactive",
            )
        now = timezone.now()
        if current is not None:
            _revoke(
                current,
                by=by,
                reason=RevokeReason.MOVED,
                note=_("Moved to %(partner)s") % {"partner": partner.name},
                at=now,
            )
        grant = DelegatedAdminGrant.objects.create(
            customer=customer,
            service=service,
            partner=partner,
            relationship=relationship,
            provisioning=provisioning,
            support=support,
            granted_by=by,
            granted_at=now,
            ends_at=now + timedelta(days=duration_days),
            auto_extend=auto_extend,
        )
        data = {
            "service": service.code,
            "partner": partner.public_id,
            "scopes": scopes,
            "relationship": relationship.pk,
            "ends_at": grant.ends_at.isoformat(),
            "auto_extend": auto_extend,
        }
        if current is not None:
            audit_record(
                action="grant.moved",
                actor=by,
                acting_customer=acting_customer,
                target=grant,
                partners=[current.partner, partner],
                customer=customer,
                data={**data, "from_partner": current.partner.public_id, "previous": current.pk},
            )
        else:
            audit_record(
                action="grant.created",
                actor=by,
                acting_customer=acting_customer,
                target=grant,
                partners=[partner],
                customer=customer,
                data=data,
            )
        if notify:
            notify_grant(grant=grant, kind="received", previous=current, by=by)
            if current is not None:
                notify_grant(grant=current, kind="moved_away", successor=grant, by=by)
    return GrantChange("moved" if current is not None else "created", grant, current)


def grant_remove(
    *,
    grant: DelegatedAdminGrant,
    by,
    note: str,
    reason: str = RevokeReason.REMOVED,
    acting_customer: Customer | None = None,
    acting_partner: Partner | None = None,
    notify: bool = True,
) -> DelegatedAdminGrant:
    """Revoke delegated admin. The relationship stays in place (docs/product.md rule 8)."""
    note = (note or "").strip()
    if reason == RevokeReason.REMOVED and not note:
        raise ValidationError({"note": _("Give a reason for removing delegated admin.")})
    with transaction.atomic():
        _lock_customer(grant.customer)
        locked = (
            DelegatedAdminGrant.objects.select_for_update(of=("self",))
            .select_related("customer", "service", "partner", "relationship__provider")
            .get(pk=grant.pk)
        )
        if not locked.is_active:
            raise ValidationError(_("This delegated admin was already removed."), code="revoked")
        _revoke(locked, by=by, reason=reason, note=note)
        audit_record(
            action="grant.removed",
            actor=by,
            acting_customer=acting_customer,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.partner],
            customer=locked.customer,
            data={
                "service": locked.service.code,
                "partner": locked.partner.public_id,
                "reason": str(reason),
                "note": note,
            },
        )
        if notify:
            notify_grant(grant=locked, kind="removed", by=by)
            if acting_customer is None:
                # removed by the operator or a partner: the customer hears about it too
                notify_grant_removed_to_customer(grant=locked, by=by)
    return locked


# ------------------------------------------------------------------------------
# Subscriptions (operator import)
# ------------------------------------------------------------------------------
IMPORT_COLUMNS = (
    "customer",
    "service",
    "subscription_id",
    "offer",
    "seats",
    "status",
    "purchase_channel",
    "partner_of_record",
    "start_date",
)
IMPORT_REQUIRED_COLUMNS = ("customer", "service", "subscription_id", "purchase_channel")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class SubscriptionImportError(ValidationError):
    """The import was refused; `messages` has one line per problem ("Row 3: …")."""


def _choice(value: str, choices) -> str | None:
    value = (value or "").strip().lower()
    for code, label in choices:
        if value in (code, str(label).lower()):
            return code
    return None


def subscription_import(*, rows: list[dict[str, str]], by=None) -> ImportResult:
    """Create or update subscriptions from CSV-like rows, all or nothing.

    Columns: customer (tenant domain or customer ID), service (code), subscription_id, offer,
    seats, status, purchase_channel (operator_direct, advisor, csp), partner_of_record
    (partner ID; empty for operator direct), start_date (YYYY-MM-DD). Every row is checked
    first; one problem anywhere and nothing is written. Row numbers count the header as row 1.
    """
    if not rows:
        raise SubscriptionImportError([_("The file has no rows to import.")])
    missing = [c for c in IMPORT_REQUIRED_COLUMNS if c not in rows[0]]
    if missing:
        raise SubscriptionImportError(
            [_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}]
        )

    def cell(row, column):
        return (row.get(column) or "").strip()

    customer_keys = {cell(r, "customer").lower() for r in rows}
    customers = {}
    # A tenant domain names only the organization that verified it: an unverified claim (a
    # squatter, perhaps) never receives the tenant's subscriptions by domain.
    for c in Customer.objects.verified().filter(tenant_domain__in=customer_keys):
        customers[c.tenant_domain.lower()] = c
    for c in Customer.objects.filter(public_id__in=[k.upper() for k in customer_keys]):
        customers[c.public_id.lower()] = c
    services = {s.code: s for s in Service.objects.all()}
    partners = {
        p.public_id: p
        for p in Partner.objects.filter(
            public_id__in={cell(r, "partner_of_record").upper() for r in rows}
        )
    }
    existing = {
        s.external_id: s
        for s in Subscription.objects.filter(
            external_id__in={cell(r, "subscription_id") for r in rows}
        )
    }

    errors: list[str] = []
    planned: list[tuple[Subscription, bool]] = []
    seen_ids: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        problems = []
        customer = customers.get(cell(row, "customer").lower())
        if customer is None:
            problems.append(
                _("unknown customer “%(value)s” (give its tenant domain or customer ID)")
                % {"value": cell(row, "customer")}
            )
        service = services.get(cell(row, "service").lower())
        if service is None:
            problems.append(_("unknown service “%(value)s”") % {"value": cell(row, "service")})
        external_id = cell(row, "subscription_id")
        if not external_id:
            problems.append(_("subscription_id is empty"))
        elif len(external_id) > 64:
            problems.append(_("subscription_id is longer than 64 characters"))
        elif external_id in seen_ids:
            problems.append(
                _("subscription_id %(id)s also appears on row %(row)s")
                % {"id": external_id, "row": seen_ids[external_id]}
            )
        else:
            seen_ids[external_id] = number
        channel = _choice(cell(row, "purchase_channel"), Subscription.Channel.choices)
        if channel is None:
            problems.append(
                _("purchase_channel must be operator_direct, advisor or csp, not “%(value)s”")
                % {"value": cell(row, "purchase_channel")}
            )
        status = _choice(cell(row, "status") or "active", Subscription.Status.choices)
        if status is None:
            problems.append(
                _("status must be active, suspended or cancelled, not “%(value)s”")
                % {"value": cell(row, "status")}
            )
        seats_text = cell(row, "seats") or "1"
        seats = int(seats_text) if seats_text.isdigit() else None
        if seats is None:
            problems.append(
                _("seats must be a whole number, not “%(value)s”") % {"value": seats_text}
            )
        partner_key = cell(row, "partner_of_record").upper()
        partner = partners.get(partner_key) if partner_key else None
        if partner_key and partner is None:
            problems.append(
                _("unknown partner of record “%(value)s” (give its partner ID)")
                % {"value": cell(row, "partner_of_record")}
            )
        if channel == Subscription.Channel.OPERATOR_DIRECT and partner_key:
            problems.append(_("an operator-direct subscription has no partner of record"))
        if channel == Subscription.Channel.CSP and not partner_key:
            problems.append(_("a CSP subscription needs its partner of record"))
        started = None
        if cell(row, "start_date"):
            try:
                started = date.fromisoformat(cell(row, "start_date"))
            except ValueError:
                problems.append(
                    _("start_date must look like 2026-01-31, not “%(value)s”")
                    % {"value": cell(row, "start_date")}
                )
        offer = cell(row, "offer")
        if len(offer) > 200:
            problems.append(_("offer is longer than 200 characters"))
        subscription = existing.get(external_id)
        if (
            subscription is not None
            and customer is not None
            and subscription.customer_id != customer.pk
        ):
            problems.append(
                _("subscription %(id)s belongs to another customer") % {"id": external_id}
            )
        if problems:
            errors.append(
                _("Row %(row)s: %(problems)s.") % {"row": number, "problems": "; ".join(problems)}
            )
            continue
        is_new = subscription is None
        if is_new:
            subscription = Subscription(customer=customer, external_id=external_id)
        subscription.service = service
        subscription.offer_name = offer
        subscription.seats = seats
        subscription.status = status
        subscription.purchase_channel = channel
        subscription.partner_of_record = partner
        subscription.started_at = started
        planned.append((subscription, is_new))
    if errors:
        raise SubscriptionImportError(errors)

    created = updated = 0
    now = timezone.now()
    with transaction.atomic():
        for subscription, is_new in planned:
            subscription.imported_at = now
            subscription.save()
            created += is_new
            updated += not is_new
            audit_record(
                action="subscription.imported",
                actor=by,
                target=subscription,
                partners=[subscription.partner_of_record],
                customer=subscription.customer,
                data={
                    "subscription_id": subscription.external_id,
                    "service": subscription.service.code,
                    "purchase_channel": subscription.purchase_channel,
                    "partner_of_record": (
                        subscription.partner_of_record.public_id
                        if subscription.partner_of_record
                        else None
                    ),
                    "seats": subscription.seats,
                    "status": subscription.status,
                    "created": is_new,
                },
            )
    return ImportResult(created=created, updated=updated)
