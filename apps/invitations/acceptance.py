"""A customer's answer to an invitation (docs/product.md flow 4).

Accepting creates or reuses the provider-owned relationship with the reseller attached,
creates (or, where the customer chose so, moves) the delegated admin grants, counts one use of
the link and records the Acceptance with its audit event, all in one transaction. The
invitation row is locked first, so concurrent submits of a single-use link serialize and the
second one sees the link used (or the acceptance already recorded).
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.audit.services import audit_record
from apps.core.dates import format_when
from apps.customers.emails import notify_grant, notify_partner
from apps.customers.models import (
    Customer,
    CustomerMembership,
    CustomerRole,
    DelegatedAdminGrant,
    Service,
)
from apps.customers.services import customer_create, grant_set, relationship_get_or_create
from apps.partners.models import Partner, ResellerPartnership

from .models import Acceptance, Delivery, Invitation


class PreviewState(StrEnum):
    """What accepting would change for one requested service."""

    NEW = "new"  # nobody holds delegated admin for it
    SAME = "same"  # the recipient already holds it with these scopes
    EXTEND = "extend"  # the recipient holds it with fewer scopes
    OTHER = "other"  # another partner holds it: the customer decides


class Decision:
    """The customer's choice per requested service: for one another partner holds today, move
    it or keep it there; for any other, give it (the default) or leave it out."""

    MOVE = "move"
    KEEP = "keep"
    GIVE = "give"
    LEAVE = "leave"


class Outcome:
    """What accepting did for each requested service (stored in Acceptance.decisions)."""

    GRANTED = "granted"
    MOVED = "moved"
    KEPT = "kept"
    UNCHANGED = "unchanged"
    LEFT_OUT = "left_out"
    # the customer has not verified its tenant: the grant starts when it does
    PENDING = "pending_verification"
    # verified later, but the grant could no longer be given (relationship ended, partner
    # suspended...)
    LAPSED = "lapsed"


@dataclass
class ServicePreview:
    """One requested service: who holds delegated admin today and what accepting changes."""

    service: Service
    recipient: Partner
    provisioning: bool
    support: bool
    holder: DelegatedAdminGrant | None = None

    @property
    def state(self) -> PreviewState:
        if self.holder is None:
            return PreviewState.NEW
        if self.holder.partner_id != self.recipient.pk:
            return PreviewState.OTHER
        if (self.provisioning and not self.holder.provisioning) or (
            self.support and not self.holder.support
        ):
            return PreviewState.EXTEND
        return PreviewState.SAME

    @property
    def scopes(self) -> list[str]:
        names = []
        if self.provisioning:
            names.append(_("provisioning"))
        if self.support:
            names.append(_("support"))
        return names


def acceptance_preview(
    *, invitation: Invitation, customer: Customer | None
) -> list[ServicePreview]:
    """The requested services, with today's holder for `customer` (none when unknown)."""
    if not invitation.requests_dap:
        return []
    services = list(invitation.services.order_by("position", "name"))
    rows = [
        ServicePreview(
            service=service,
            recipient=invitation.dap_recipient,
            provisioning=invitation.dap_provisioning,
            support=invitation.dap_support,
        )
        for service in services
    ]
    if customer is not None and rows:
        holders = {
            g.service_id: g
            for g in DelegatedAdminGrant.objects.active()
            .filter(customer=customer, service__in=services)
            .select_related("partner")
        }
        for row in rows:
            row.holder = holders.get(row.service.pk)
    return rows


@dataclass(frozen=True)
class AcceptanceResult:
    acceptance: Acceptance
    already: bool = False
    relationship_created: bool = False
    outcomes: dict = field(default_factory=dict)


def _refuse_unusable(invitation: Invitation) -> None:
    status = invitation.effective_status
    if status == "revoked":
        raise ValidationError(
            _("This invitation was revoked by the provider. Nothing was changed."),
            code="revoked",
        )
    if status == "used":
        raise ValidationError(
            _(
                "This invitation link has already been used as many times as allowed. "
                "Nothing was changed."
            ),
            code="used",
        )
    if status == "expired":
        raise ValidationError(
            _(
                "This invitation expired on %(date)s. Nothing was changed. "
                "Ask the sender for a new one."
            )
            % {"date": format_when(invitation.expires_at)},
            code="expired",
        )


def _refuse_wrong_recipient(invitation: Invitation, *, by) -> None:
    if invitation.kind == Invitation.Kind.PERSONAL and (
        (by.email or "").lower() != (invitation.recipient_email or "").lower()
    ):
        raise ValidationError(
            _(
                "This personal invitation was sent to a different email address. Sign in with "
                "the address it was sent to."
            ),
            code="wrong_recipient",
        )


def _refuse_inactive_partners(invitation: Invitation) -> None:
    if not invitation.provider.is_active:
        raise ValidationError(
            _("%(provider)s cannot take on new customers at the moment. Nothing was changed.")
            % {"provider": invitation.provider.name},
            code="provider_inactive",
        )
    if (
        invitation.reseller_id
        and not ResellerPartnership.objects.filter(
            provider_id=invitation.provider_id,
            reseller_id=invitation.reseller_id,
            state=ResellerPartnership.State.ACTIVE,
        ).exists()
    ):
        raise ValidationError(
            _(
                "%(reseller)s no longer works with %(provider)s, so this invitation cannot be "
                "accepted. Nothing was changed."
            )
            % {"reseller": invitation.reseller.name, "provider": invitation.provider.name},
            code="partnership_inactive",
        )


def _check_admin(customer: Customer, *, by) -> None:
    if not CustomerMembership.objects.filter(
        user=by, customer=customer, role=CustomerRole.ADMIN
    ).exists():
        raise ValidationError(
            _("You are not an admin of this customer organization."), code="not_admin"
        )


def _refuse_closed_claim(customer: Customer) -> None:
    if customer.is_claim_closed:
        raise ValidationError(
            _(
                "The claim of %(customer)s on its tenant domain is closed, so it cannot accept "
                "invitations. Nothing was changed."
            )
            % {"customer": customer.name},
            code="claim_closed",
        )


def _lock(invitation: Invitation, delivery: Delivery | None) -> Invitation:
    locked = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("provider", "reseller")
        .get(pk=invitation.pk)
    )
    if delivery is not None and delivery.invitation_id != locked.pk:
        raise ValidationError(_("This link does not belong to this invitation."), code="delivery")
    return locked


def _concerned_partners(invitation: Invitation, delivery: Delivery | None) -> list[Partner]:
    partners = {invitation.provider.pk: invitation.provider}
    if invitation.reseller is not None:
        partners[invitation.reseller.pk] = invitation.reseller
    if delivery is not None and delivery.sent_by_partner_id not in partners:
        partners[delivery.sent_by_partner_id] = delivery.sent_by_partner
    return list(partners.values())


def _invitation_url(invitation: Invitation, partner: Partner) -> str:
    return reverse(
        "invitations:detail",
        kwargs={"partner_id": partner.public_id, "invitation_id": invitation.public_id},
    )


def invitation_accept(
    *,
    invitation: Invitation,
    by,
    customer: Customer,
    decisions: dict[str, str] | None = None,
    delivery: Delivery | None = None,
    auto_extend: bool | None = None,
) -> AcceptanceResult:
    """Accept `invitation` for `customer` (which `by` administers).

    `decisions` maps a service code to "move" or "keep" for every requested service another
    partner holds today; a missing choice is refused (the page the customer saw is stale).
    Any other requested service may be left out ("leave"; "give" or nothing grants it).
    New grants last the invitation's duration and auto-extend when `auto_extend` (None: as
    the invitation proposes), never with both scopes.
    Accepting again for the same customer changes nothing and says so (`already`).
    """
    decisions = decisions or {}
    _check_admin(customer, by=by)
    try:
        with transaction.atomic():
            inv = _lock(invitation, delivery)
            existing = (
                Acceptance.objects.filter(
                    invitation=inv, customer=customer, outcome=Acceptance.Outcome.ACCEPTED
                )
                .select_related("relationship")
                .first()
            )
            if existing is not None:
                return AcceptanceResult(acceptance=existing, already=True)
            _refuse_unusable(inv)
            _refuse_wrong_recipient(inv, by=by)
            _refuse_inactive_partners(inv)
            _refuse_closed_claim(customer)

            relationship, created = relationship_get_or_create(
                customer=customer, provider=inv.provider, reseller=inv.reseller, by=by
            )
            outcomes: dict[str, str] = {}
            granted, moved = [], []
            if auto_extend is None:
                auto_extend = inv.dap_auto_extend
            for row in acceptance_preview(invitation=inv, customer=customer):
                code = row.service.code
                if row.state != PreviewState.OTHER and decisions.get(code) == Decision.LEAVE:
                    outcomes[code] = Outcome.LEFT_OUT
                    continue
                if row.state == PreviewState.SAME:
                    outcomes[code] = Outcome.UNCHANGED
                    continue
                if row.state == PreviewState.OTHER:
                    choice = decisions.get(code)
                    if choice not in (Decision.MOVE, Decision.KEEP):
                        raise ValidationError(
                            _(
                                "%(partner)s holds delegated admin for %(service)s today. "
                                "Choose whether to move it or keep it, then accept again. "
                                "Nothing was changed."
                            )
                            % {
                                "partner": row.holder.partner.name,
                                "service": row.service.display_name,
                            },
                            code="decision_missing",
                        )
                    if choice == Decision.KEEP:
                        outcomes[code] = Outcome.KEPT
                        continue
                if not customer.is_verified:
                    # docs/decisions.md: an unverified customer may accept; its grants wait
                    outcomes[code] = Outcome.PENDING
                    continue
                provisioning, support = row.provisioning, row.support
                if row.state == PreviewState.EXTEND:
                    provisioning = provisioning or row.holder.provisioning
                    support = support or row.holder.support
                change = grant_set(
                    customer=customer,
                    service=row.service,
                    partner=row.recipient,
                    provisioning=provisioning,
                    support=support,
                    by=by,
                    confirm_move=row.state == PreviewState.OTHER,
                    relationship=relationship,
                    acting_customer=customer,
                    notify=False,
                    duration_days=inv.dap_duration_days,
                    auto_extend=auto_extend,
                )
                if change.outcome == "moved":
                    outcomes[code] = Outcome.MOVED
                    moved.append(change)
                else:
                    outcomes[code] = Outcome.GRANTED
                granted.append(change.grant)

            Invitation.objects.filter(pk=inv.pk).update(use_count=F("use_count") + 1)
            acceptance = Acceptance.objects.create(
                invitation=inv,
                delivery=delivery,
                customer=customer,
                relationship=relationship,
                outcome=Acceptance.Outcome.ACCEPTED,
                user=by,
                decisions=outcomes,
            )
            partners = _concerned_partners(inv, delivery)
            audit_record(
                action="invitation.accepted",
                actor=by,
                acting_customer=customer,
                target=inv,
                partners=partners + [c.previous.partner for c in moved],
                customer=customer,
                data={
                    "invitation": inv.public_id,
                    "delivery": delivery.pk if delivery else None,
                    "relationship": relationship.pk,
                    "relationship_created": created,
                    "decisions": outcomes,
                },
            )
            context = {
                "invitation": inv,
                "customer": customer,
                "relationship": relationship,
                "granted": granted,
                "kept": [c for c, o in outcomes.items() if o == Outcome.KEPT],
                "pending": [c for c, o in outcomes.items() if o == Outcome.PENDING],
                "user": by,
            }
            for partner in partners:
                notify_partner(
                    kind="invitation.accepted",
                    partner=partner,
                    context={**context, "partner": partner},
                    url=_invitation_url(inv, partner),
                )
            for change in moved:
                notify_grant(grant=change.previous, kind="moved_away", successor=change.grant)
    except IntegrityError:
        # The partial unique constraint caught a concurrent acceptance for this customer.
        existing = Acceptance.objects.filter(
            invitation=invitation, customer=customer, outcome=Acceptance.Outcome.ACCEPTED
        ).first()
        if existing is None:
            raise
        return AcceptanceResult(acceptance=existing, already=True)
    invitation.use_count = Invitation.objects.values_list("use_count", flat=True).get(
        pk=invitation.pk
    )
    return AcceptanceResult(acceptance=acceptance, relationship_created=created, outcomes=outcomes)


def pending_grants_start(*, customer: Customer, by) -> int:
    """The customer just verified its tenant: give the delegated admin it accepted while
    unverified (receivers are told as for any grant). Runs in the verifying transaction
    (apps.customers.verification.customer_verified). Returns the number of grants given."""
    started = 0
    acceptances = (
        Acceptance.objects.select_for_update(of=("self",))
        .filter(customer=customer, outcome=Acceptance.Outcome.ACCEPTED)
        .select_related("invitation", "relationship")
        .order_by("created_at", "pk")
    )
    for acceptance in acceptances:
        pending = [c for c, o in acceptance.decisions.items() if o == Outcome.PENDING]
        if not pending:
            continue
        decisions = dict(acceptance.decisions)
        for row in acceptance_preview(invitation=acceptance.invitation, customer=customer):
            code = row.service.code
            if code not in pending:
                continue
            if row.state == PreviewState.SAME:
                decisions[code] = Outcome.UNCHANGED
                continue
            provisioning, support = row.provisioning, row.support
            if row.state == PreviewState.EXTEND:
                provisioning = provisioning or row.holder.provisioning
                support = support or row.holder.support
            try:
                with transaction.atomic():
                    change = grant_set(
                        customer=customer,
                        service=row.service,
                        partner=row.recipient,
                        provisioning=provisioning,
                        support=support,
                        by=acceptance.user or by,
                        confirm_move=True,
                        relationship=acceptance.relationship,
                        acting_customer=customer,
                    )
            except ValidationError:
                decisions[code] = Outcome.LAPSED
                continue
            decisions[code] = Outcome.MOVED if change.outcome == "moved" else Outcome.GRANTED
            started += 1
        acceptance.decisions = decisions
        acceptance.save(update_fields=["decisions"])
    return started


@dataclass(frozen=True)
class DeclineResult:
    acceptance: Acceptance
    already: bool = False


def invitation_decline(
    *,
    invitation: Invitation,
    by,
    customer: Customer | None = None,
    delivery: Delivery | None = None,
) -> DeclineResult:
    """Record that the customer declined. Nothing else changes; the link stays usable."""
    if customer is not None:
        _check_admin(customer, by=by)
    with transaction.atomic():
        inv = _lock(invitation, delivery)
        if (
            customer is not None
            and Acceptance.objects.filter(
                invitation=inv, customer=customer, outcome=Acceptance.Outcome.ACCEPTED
            ).exists()
        ):
            raise ValidationError(
                _(
                    "%(customer)s already accepted this invitation. To stop working with the "
                    "partner, remove its delegated admin on your Partner relationships page."
                )
                % {"customer": customer.name},
                code="accepted",
            )
        _refuse_unusable(inv)
        _refuse_wrong_recipient(inv, by=by)
        existing = Acceptance.objects.filter(
            invitation=inv, customer=customer, user=by, outcome=Acceptance.Outcome.DECLINED
        ).first()
        if existing is not None:
            return DeclineResult(acceptance=existing, already=True)
        acceptance = Acceptance.objects.create(
            invitation=inv,
            delivery=delivery,
            customer=customer,
            outcome=Acceptance.Outcome.DECLINED,
            user=by,
        )
        partners = _concerned_partners(inv, delivery)
        audit_record(
            action="invitation.declined",
            actor=by,
            acting_customer=customer,
            target=inv,
            partners=partners,
            customer=customer,
            data={"invitation": inv.public_id, "delivery": delivery.pk if delivery else None},
        )
        for partner in partners:
            notify_partner(
                kind="invitation.declined",
                partner=partner,
                context={"invitation": inv, "customer": customer, "partner": partner},
                url=_invitation_url(inv, partner),
            )
    return DeclineResult(acceptance=acceptance)


def invitation_signup(
    *,
    display_name: str,
    email: str,
    password: str,
    organization_name: str,
    tenant_domain: str,
) -> tuple[User, Customer]:
    """Create a customer admin account and its organization in one go (from a link)."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, password, display_name=display_name.strip())
            customer = customer_create(
                name=organization_name, tenant_domain=tenant_domain, admin=user
            )
    except IntegrityError:
        raise ValidationError(
            {"email": _("An account with this email already exists. Sign in instead.")}
        ) from None
    return user, customer
