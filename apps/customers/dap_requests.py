"""Delegated admin requests: delegated admin only with the receiving partner's consent.

Two ways in (docs/product.md, "Delegated admin with a lifetime"):

- a partner (provider or reseller) that works with the customer asks for delegated admin on
  chosen services, scopes and duration; the customer's admins get a one-time link
  (apps.customers.dap_links) to a page showing, per service, who holds it today and what
  approving changes, and approve (leaving out any service) or decline;
- a customer enters the partner ID a partner gave it and asks that partner to hold delegated
  admin; the partner confirms or declines on its Delegated admin requests page.

A request is not a CSP invitation: it starts no relationship, so a reseller may make one and
rule 2 (resellers never create invitations) stands. Each answer runs in one transaction under
the request's row lock, so a double submit answers once.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import audit_record
from apps.core.text import join_list
from apps.notifications.services import notify
from apps.partners.models import Partner

from .emails import customer_audience, customer_relationships_url, notify_partner
from .models import Customer, CustomerMembership, DelegatedAdminGrant, Service
from .models_dap import DelegatedAdminRequest
from .selectors import grant_relationship_for
from .services import grant_set, validate_duration_days

Origin = DelegatedAdminRequest.Origin
Status = DelegatedAdminRequest.Status

MOVE, KEEP, GIVE, LEAVE = "move", "keep", "give", "leave"


# ------------------------------------------------------------------------------
# "Today / if you approve"
# ------------------------------------------------------------------------------
@dataclass
class RequestRow:
    """One requested service: who holds delegated admin today and what approving changes."""

    service: Service
    partner: Partner
    provisioning: bool
    support: bool
    holder: DelegatedAdminGrant | None = None

    @property
    def state(self) -> str:
        if self.holder is None:
            return "new"
        if self.holder.partner_id != self.partner.pk:
            return "other"
        if (self.provisioning and not self.holder.provisioning) or (
            self.support and not self.holder.support
        ):
            return "extend"
        return "same"


def dap_request_rows(dap_request: DelegatedAdminRequest) -> list[RequestRow]:
    services = list(dap_request.services.order_by("position", "name"))
    holders = {
        g.service_id: g
        for g in DelegatedAdminGrant.objects.active()
        .filter(customer_id=dap_request.customer_id, service__in=services)
        .select_related("partner")
    }
    return [
        RequestRow(
            service=s,
            partner=dap_request.partner,
            provisioning=dap_request.provisioning,
            support=dap_request.support,
            holder=holders.get(s.pk),
        )
        for s in services
    ]


# ------------------------------------------------------------------------------
# Asking
# ------------------------------------------------------------------------------
def _validate(*, services, provisioning, support, duration_days, auto_extend, message) -> dict:
    errors: dict[str, list] = {}
    services = list(services or [])
    if not services:
        errors.setdefault("services", []).append(_("Choose at least one service."))
    elif any(not s.is_active for s in services):
        errors.setdefault("services", []).append(
            _("These services are no longer offered: %(names)s.")
            % {"names": join_list(s for s in services if not s.is_active)}
        )
    if not (provisioning or support):
        errors.setdefault("provisioning", []).append(
            _("Choose at least one scope: provisioning or support.")
        )
    try:
        validate_duration_days(duration_days)
    except ValidationError as exc:
        errors.setdefault("duration_days", []).extend(exc.messages)
    if auto_extend and provisioning and support:
        errors.setdefault("auto_extend", []).append(
            _(
                "Delegated admin with both provisioning and support never extends itself: "
                "clear auto-extend or choose one scope."
            )
        )
    if len((message or "").strip()) > 500:
        errors.setdefault("message", []).append(_("Keep the message under 500 characters."))
    return errors


NOT_ELIGIBLE = _(
    "No partner with this partner ID can hold delegated admin for you: it must work with one "
    "of your providers. Check the ID with the partner."
)


def dap_request_create(
    *,
    customer: Customer,
    partner: Partner,
    services,
    provisioning: bool,
    support: bool,
    duration_days: int | None,
    by,
    origin: str,
    auto_extend: bool = False,
    message: str = "",
) -> DelegatedAdminRequest:
    """A partner asks `customer` (origin "partner"), or the customer asks `partner` (origin
    "customer"), for delegated admin. `by` belongs to the asking side. The partner must work
    with the customer (its provider's relationship, or its own)."""
    services = list(services or [])
    errors = _validate(
        services=services,
        provisioning=provisioning,
        support=support,
        duration_days=duration_days,
        auto_extend=auto_extend,
        message=message,
    )
    if origin not in Origin.values:
        raise ValueError(f"unknown origin {origin!r}")
    if errors:
        raise ValidationError(errors)
    if grant_relationship_for(customer=customer, partner=partner) is None:
        if origin == Origin.CUSTOMER:
            raise ValidationError({"partner_id": NOT_ELIGIBLE}, code="not_eligible")
        raise ValidationError(
            _(
                "%(partner)s does not work with %(customer)s through an active relationship, "
                "so it cannot ask for delegated admin."
            )
            % {"partner": partner.name, "customer": customer.name},
            code="not_eligible",
        )
    now = timezone.now()
    with transaction.atomic():
        dap_request = DelegatedAdminRequest.objects.create(
            origin=origin,
            customer=customer,
            partner=partner,
            provisioning=provisioning,
            support=support,
            duration_days=validate_duration_days(duration_days),
            auto_extend=bool(auto_extend),
            message=(message or "").strip(),
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(days=settings.DAP_REQUEST_VALID_DAYS),
        )
        dap_request.services.set(services)
        audit_record(
            action="dap_request.created",
            actor=by,
            acting_partner=partner if origin == Origin.PARTNER else None,
            acting_customer=customer if origin == Origin.CUSTOMER else None,
            target=dap_request,
            partners=[partner],
            customer=customer,
            data={
                "request": dap_request.public_id,
                "origin": origin,
                "partner": partner.public_id,
                "services": sorted(s.code for s in services),
                "provisioning": provisioning,
                "support": support,
                "duration_days": dap_request.duration_days,
                "auto_extend": dap_request.auto_extend,
            },
        )
        context = {"dap_request": dap_request, "customer": customer, "services": services}
        if origin == Origin.PARTNER:
            from .dap_links import request_url  # the link module needs the saved request

            audience = customer_audience(customer)
            notify(
                kind="dap_request.received",
                users=audience.users,
                context={**context, "link": request_url(dap_request)},
                url=customer_requests_url(customer),
                by=by,
            )
        else:
            notify_partner(
                kind="dap_request.asked",
                partner=partner,
                context={**context, "url": partner_requests_url(partner)},
                url=partner_requests_url(partner),
                by=by,
            )
    return dap_request


def customer_requests_url(customer: Customer) -> str:
    from django.urls import reverse

    return reverse("customers:dap_requests", kwargs={"customer_id": customer.public_id})


def partner_requests_url(partner: Partner) -> str:
    from django.urls import reverse

    return reverse("customers:partner_dap_requests", kwargs={"partner_id": partner.public_id})


# ------------------------------------------------------------------------------
# Answering
# ------------------------------------------------------------------------------
def _lock_open(dap_request: DelegatedAdminRequest) -> DelegatedAdminRequest:
    locked = (
        DelegatedAdminRequest.objects.select_for_update(of=("self",))
        .select_related("customer", "partner")
        .get(pk=dap_request.pk)
    )
    if locked.status != Status.PENDING:
        raise ValidationError(
            _("This request was already answered or withdrawn (%(status)s). Nothing changed.")
            % {"status": locked.get_status_display()},
            code=locked.status,
        )
    if locked.is_expired:
        raise ValidationError(
            _("This request has expired. Nothing changed; ask for a new one."), code="expired"
        )
    return locked


def _check_side(locked, *, by, acting_customer, acting_partner, answering: bool) -> None:
    """The answering side approves or declines; the asking side withdraws."""
    customer_side = (locked.origin == Origin.PARTNER) == answering
    if customer_side:
        if (
            acting_customer is None
            or acting_customer.pk != locked.customer_id
            or not CustomerMembership.objects.filter(user=by, customer=locked.customer).exists()
        ):
            raise ValidationError(
                _("Only an admin of %(customer)s can do this.")
                % {"customer": locked.customer.name},
                code="wrong_side",
            )
    elif acting_partner is None or acting_partner.pk != locked.partner_id:
        raise ValidationError(
            _("Only %(partner)s can do this.") % {"partner": locked.partner.name},
            code="wrong_side",
        )


def _notify_answer(locked, *, by, granted=(), left_out=()) -> None:
    context = {
        "dap_request": locked,
        "customer": locked.customer,
        "services": list(locked.services.all()),
        "granted": list(granted),
        "left_out": list(left_out),
    }
    if locked.origin == Origin.PARTNER:
        notify_partner(
            kind="dap_request.answered",
            partner=locked.partner,
            context=context,
            url=partner_requests_url(locked.partner),
            by=by,
        )
    else:
        audience = customer_audience(locked.customer)
        notify(
            kind="dap_request.answered",
            users=audience.users,
            context=context,
            url=customer_relationships_url(locked.customer),
            by=by,
        )


def dap_request_approve(
    *,
    dap_request: DelegatedAdminRequest,
    by,
    acting_customer: Customer | None = None,
    acting_partner: Partner | None = None,
    decisions: dict[str, str] | None = None,
    auto_extend: bool | None = None,
) -> DelegatedAdminRequest:
    """The answering side says yes: the customer (a partner's request) or the partner (a
    customer's request). The customer may leave out any service ("leave") and must choose
    "move" or "keep" for a service another partner holds; when the partner confirms a
    customer's request, the customer already chose to move what another partner holds.
    Grants last the request's duration from now."""
    decisions = decisions or {}
    with transaction.atomic():
        locked = _lock_open(dap_request)
        _check_side(
            locked,
            by=by,
            acting_customer=acting_customer,
            acting_partner=acting_partner,
            answering=True,
        )
        if auto_extend is None or locked.origin == Origin.CUSTOMER:
            auto_extend = locked.auto_extend
        outcomes: dict[str, str] = {}
        granted, left_out = [], []
        for row in dap_request_rows(locked):
            code = row.service.code
            choice = decisions.get(code)
            if locked.origin == Origin.CUSTOMER:
                choice = MOVE if row.state == "other" else GIVE
            if row.state == "other" and choice not in (MOVE, KEEP):
                raise ValidationError(
                    _(
                        "%(partner)s holds delegated admin for %(service)s today. Choose "
                        "whether to move it or keep it, then approve again. Nothing changed."
                    )
                    % {"partner": row.holder.partner.name, "service": row.service.display_name},
                    code="decision_missing",
                )
            if choice in (LEAVE, KEEP) or row.state == "same":
                outcomes[code] = "unchanged" if row.state == "same" else "left_out"
                if row.state != "same":
                    left_out.append(row.service)
                continue
            provisioning, support = row.provisioning, row.support
            if row.state == "extend":
                provisioning = provisioning or row.holder.provisioning
                support = support or row.holder.support
            change = grant_set(
                customer=locked.customer,
                service=row.service,
                partner=locked.partner,
                provisioning=provisioning,
                support=support,
                by=by,
                confirm_move=row.state == "other",
                acting_customer=acting_customer,
                duration_days=locked.duration_days,
                auto_extend=auto_extend,
            )
            outcomes[code] = change.outcome
            granted.append(row.service)
        locked.status = Status.APPROVED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.outcomes = outcomes
        locked.save(update_fields=["status", "decided_by", "decided_at", "outcomes"])
        audit_record(
            action="dap_request.approved",
            actor=by,
            acting_customer=acting_customer,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.partner],
            customer=locked.customer,
            data={"request": locked.public_id, "outcomes": outcomes},
        )
        _notify_answer(locked, by=by, granted=granted, left_out=left_out)
    return locked


def _close(
    dap_request: DelegatedAdminRequest,
    *,
    by,
    acting_customer: Customer | None,
    acting_partner: Partner | None,
    answering: bool,
    status: str,
    action: str,
) -> DelegatedAdminRequest:
    """Close an open request without granting anything: declined by the answering side or
    withdrawn by the asking side (`answering` says which side `by` must be on)."""
    with transaction.atomic():
        locked = _lock_open(dap_request)
        _check_side(
            locked,
            by=by,
            acting_customer=acting_customer,
            acting_partner=acting_partner,
            answering=answering,
        )
        locked.status = status
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            action=action,
            actor=by,
            acting_customer=acting_customer,
            acting_partner=acting_partner,
            target=locked,
            partners=[locked.partner],
            customer=locked.customer,
            data={"request": locked.public_id},
        )
        if answering:
            _notify_answer(locked, by=by)
    return locked


def dap_request_decline(
    *,
    dap_request: DelegatedAdminRequest,
    by,
    acting_customer: Customer | None = None,
    acting_partner: Partner | None = None,
) -> DelegatedAdminRequest:
    """The answering side says no. Nothing else changes."""
    return _close(
        dap_request,
        by=by,
        acting_customer=acting_customer,
        acting_partner=acting_partner,
        answering=True,
        status=Status.DECLINED,
        action="dap_request.declined",
    )


def dap_request_cancel(
    *,
    dap_request: DelegatedAdminRequest,
    by,
    acting_customer: Customer | None = None,
    acting_partner: Partner | None = None,
) -> DelegatedAdminRequest:
    """The asking side withdraws its request; its link stops working."""
    return _close(
        dap_request,
        by=by,
        acting_customer=acting_customer,
        acting_partner=acting_partner,
        answering=False,
        status=Status.CANCELLED,
        action="dap_request.cancelled",
    )
