"""Reads for invitation pages. Every query starts from the `visible_to(partner)` querysets in
models.py, so the rule "who sees which invitation" lives in one place."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from apps.partners.models import Partner, ResellerPartnership

from .models import Acceptance, Delivery, Invitation

EFFECTIVE_STATUSES = ("active", "revoked", "expired", "used")
# Filter value for "the provider's own links" (issued for no reseller).
NO_RESELLER = "none"


def invitation_list(
    *,
    partner: Partner,
    status: str = "",
    kind: str = "",
    reseller: str = "",
    provider: str = "",
    search: str = "",
) -> QuerySet[Invitation]:
    """Invitations the partner can see, filtered, with the funnel counts, newest first.

    `reseller` is a reseller's public ID or NO_RESELLER; `provider` a provider's public ID
    (useful to resellers who work with several providers).
    """
    qs = (
        Invitation.objects.visible_to(partner)
        .select_related("provider", "reseller", "created_by")
        .prefetch_related("services")
        .with_funnel(partner)
    )
    if status in EFFECTIVE_STATUSES:
        qs = qs.with_effective_status(status)
    if kind in Invitation.Kind.values:
        qs = qs.filter(kind=kind)
    if reseller == NO_RESELLER:
        qs = qs.filter(reseller__isnull=True)
    elif reseller:
        qs = qs.filter(reseller__public_id=reseller)
    if provider:
        qs = qs.filter(provider__public_id=provider)
    search = (search or "").strip()
    if search:
        # Each term on its own index, united (docs/performance.md): public IDs are upper case
        # (the unique btree), texts by trigram, partners by name then their invitations. An OR
        # over joins made PostgreSQL read every invitation and DISTINCT them to sort and count.
        partners = Partner.objects.filter(name__icontains=search).values("pk")
        matching = (
            Invitation.objects.filter(public_id=search.upper())
            .order_by()
            .values("pk")
            .union(
                Invitation.objects.filter(recipient_email__icontains=search)
                .order_by()
                .values("pk"),
                Invitation.objects.filter(message__icontains=search).order_by().values("pk"),
                Invitation.objects.filter(reseller_id__in=partners).order_by().values("pk"),
                Invitation.objects.filter(provider_id__in=partners).order_by().values("pk"),
                Delivery.objects.filter(email__icontains=search).order_by().values("invitation_id"),
            )
        )
        qs = qs.filter(pk__in=matching)
    return qs.order_by("-created_at", "-pk")


def invitation_get(*, partner: Partner, public_id: str) -> Invitation:
    """One invitation the partner can see, or 404 (outsiders learn nothing about it)."""
    invitation = (
        Invitation.objects.visible_to(partner)
        .select_related("provider", "reseller", "created_by", "revoked_by")
        .prefetch_related("services")
        .with_funnel(partner)
        .filter(public_id=public_id)
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def delivery_list(*, partner: Partner, invitation: Invitation) -> QuerySet[Delivery]:
    """Sendings of one invitation the partner can see, with their accepted count."""
    return (
        Delivery.objects.visible_to(partner)
        .filter(invitation=invitation)
        .select_related("invitation", "sent_by", "sent_by_partner")
        .annotate(
            accepted_count=Count(
                "acceptances", filter=Q(acceptances__outcome=Acceptance.Outcome.ACCEPTED)
            )
        )
        .order_by("-created_at", "-pk")
    )


def delivery_get(*, partner: Partner, invitation: Invitation, delivery_id: int) -> Delivery:
    delivery = (
        Delivery.objects.visible_to(partner)
        .select_related("invitation__provider", "invitation__reseller", "sent_by_partner")
        .filter(invitation=invitation, pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery


def acceptance_list(*, partner: Partner, invitation: Invitation) -> QuerySet[Acceptance]:
    return (
        Acceptance.objects.visible_to(partner)
        .filter(invitation=invitation)
        .select_related("customer", "user", "delivery__sent_by_partner")
        .order_by("-created_at", "-pk")
    )


@dataclass
class FunnelRow:
    """Sent → opened → accepted for the sendings of one partner (or the plain link)."""

    label: str
    partner: Partner | None
    deliveries: int = 0
    sent: int = 0
    failed: int = 0
    opened: int = 0
    accepted: int = 0
    declined: int = 0


def invitation_funnel(*, partner: Partner, invitation: Invitation) -> list[FunnelRow]:
    """The funnel per sending partner (provider, reseller), plus answers that came through
    the invitation's own (copied) link. Three queries whatever the numbers."""
    from django.utils.translation import gettext as _

    deliveries = Delivery.objects.visible_to(partner).filter(invitation=invitation)
    per_partner = (
        deliveries.order_by()
        .values("sent_by_partner")
        .annotate(
            deliveries=Count("pk", distinct=True),
            sent=Count("pk", filter=Q(sent_at__isnull=False), distinct=True),
            failed=Count("pk", filter=Q(sent_at__isnull=True, send_attempts__gt=0), distinct=True),
            opened=Count("pk", filter=Q(first_opened_at__isnull=False), distinct=True),
            accepted=Count(
                "acceptances",
                filter=Q(acceptances__outcome=Acceptance.Outcome.ACCEPTED),
                distinct=True,
            ),
            declined=Count(
                "acceptances",
                filter=Q(acceptances__outcome=Acceptance.Outcome.DECLINED),
                distinct=True,
            ),
        )
    )
    per_partner = list(per_partner)
    partners = Partner.objects.in_bulk([row["sent_by_partner"] for row in per_partner])
    rows = []
    for row in per_partner:
        sender = partners.get(row.pop("sent_by_partner"))
        rows.append(FunnelRow(label=sender.name if sender else "", partner=sender, **row))
    rows.sort(key=lambda r: (r.partner is None or r.partner.pk != invitation.provider_id, r.label))
    direct = (
        Acceptance.objects.visible_to(partner)
        .filter(invitation=invitation, delivery__isnull=True)
        .aggregate(
            accepted=Count("pk", filter=Q(outcome=Acceptance.Outcome.ACCEPTED)),
            declined=Count("pk", filter=Q(outcome=Acceptance.Outcome.DECLINED)),
        )
    )
    if direct["accepted"] or direct["declined"]:
        rows.append(FunnelRow(label=_("Invitation link (copied)"), partner=None, **direct))
    return rows


def reseller_choices_for(provider: Partner) -> QuerySet[Partner]:
    """Resellers a provider may issue invitations for: those in an active partnership."""
    return Partner.objects.filter(
        provider_partnerships__provider=provider,
        provider_partnerships__state=ResellerPartnership.State.ACTIVE,
    ).order_by("name")


def reseller_filter_choices(provider: Partner) -> QuerySet[Partner]:
    """Resellers the provider ever issued invitations for (for the list filter)."""
    return (
        Partner.objects.filter(received_invitations__provider=provider).distinct().order_by("name")
    )


def provider_filter_choices(reseller: Partner) -> QuerySet[Partner]:
    """Providers whose invitations the reseller can see today."""
    return Partner.objects.filter(
        reseller_partnerships__reseller=reseller,
        reseller_partnerships__state=ResellerPartnership.State.ACTIVE,
    ).order_by("name")
