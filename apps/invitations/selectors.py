"""Reads for invitation pages. Every query starts from the `visible_to(partner)` querysets in
models.py, so the rule "who sees which invitation" lives in one place."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from apps.partners.models import Partner, ResellerPartnership

from .models import Acceptance, Delivery, Invitation, LinkRequest

EFFECTIVE_STATUSES = ("active", "revoked", "expired", "used")
# Filter value for "the provider's own links" (issued for no reseller).
NO_RESELLER = "none"
# At most this many invitations in one bulk action (four pages of the list).
MAX_BULK = 100


# The invitation list's order (unique, so it can be paged by cursor; index inv_created_id_idx)
INVITATION_LIST_ORDER = ("-created_at", "-pk")


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
    return qs.order_by(*INVITATION_LIST_ORDER)


def with_accepted_customers(qs: QuerySet[Invitation], *, partner: Partner) -> QuerySet[Invitation]:
    """Prefetch, as `accepted_customers_list`, the acceptances the partner may see with their
    customer (one query per page, whatever its size): the list names who accepted."""
    return qs.prefetch_related(
        Prefetch(
            "acceptances",
            queryset=Acceptance.objects.visible_to(partner)
            .filter(outcome=Acceptance.Outcome.ACCEPTED, customer__isnull=False)
            .select_related("customer")
            .order_by("created_at", "pk"),
            to_attr="accepted_customers_list",
        )
    )


def invitations_to_manage(*, partner: Partner, public_ids) -> QuerySet[Invitation]:
    """The provider's own invitations among `public_ids` (what a bulk action may touch):
    a reseller, another provider's invitation or an unknown ID is silently left out."""
    return (
        Invitation.objects.filter(provider=partner, public_id__in=list(public_ids)[:MAX_BULK])
        .select_related("provider", "reseller")
        .order_by("-created_at", "-pk")
    )


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
    the invitation's own (copied) link, and for a reseller the acceptances through its
    provider's emails. Every row agrees: opened counts a link opened or answered. At most
    four queries whatever the numbers."""
    from django.utils.translation import gettext as _

    deliveries = Delivery.objects.visible_to(partner).filter(invitation=invitation)
    per_partner = (
        deliveries.order_by()
        .values("sent_by_partner")
        .annotate(
            deliveries=Count("pk", distinct=True),
            sent=Count("pk", filter=Q(sent_at__isnull=False), distinct=True),
            failed=Count("pk", filter=Q(sent_at__isnull=True, send_attempts__gt=0), distinct=True),
            # an answer means the link was opened (see InvitationQuerySet.with_funnel)
            opened=Count(
                "pk",
                filter=Q(first_opened_at__isnull=False) | Q(acceptances__isnull=False),
                distinct=True,
            ),
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
    answers = Acceptance.objects.visible_to(partner).filter(invitation=invitation)
    outcomes = {
        "accepted": Count("pk", filter=Q(outcome=Acceptance.Outcome.ACCEPTED)),
        "declined": Count("pk", filter=Q(outcome=Acceptance.Outcome.DECLINED)),
    }
    direct = answers.filter(delivery__isnull=True).aggregate(**outcomes)
    if direct["accepted"] or direct["declined"]:
        rows.append(
            FunnelRow(
                label=_("Invitation link (copied)"),
                partner=None,
                opened=direct["accepted"] + direct["declined"],
                **direct,
            )
        )
    if not partner.is_provider:
        # accepted through the provider's own emails: the customer is the reseller's too
        through_provider = (
            answers.filter(delivery__isnull=False)
            .exclude(delivery__sent_by_partner=partner)
            .aggregate(**outcomes)
        )
        if through_provider["accepted"] or through_provider["declined"]:
            rows.append(
                FunnelRow(
                    label=_("Emails sent by %(provider)s") % {"provider": invitation.provider.name},
                    partner=None,
                    opened=through_provider["accepted"] + through_provider["declined"],
                    **through_provider,
                )
            )
    return rows


def reseller_choices_for(provider: Partner) -> QuerySet[Partner]:
    """Resellers a provider may issue invitations for: those in an active partnership."""
    return Partner.objects.filter(
        provider_partnerships__provider=provider,
        provider_partnerships__state=ResellerPartnership.State.ACTIVE,
    ).order_by("name")


def reseller_filter_choices(provider: Partner) -> QuerySet[Partner]:
    """Resellers the provider ever issued invitations for (for the list filter)."""
    # a probe per partner in the (provider, reseller) index, not a DISTINCT over every
    # invitation the provider issued
    return Partner.objects.filter(
        Exists(Invitation.objects.filter(provider=provider, reseller=OuterRef("pk")))
    ).order_by("name")


def provider_filter_choices(reseller: Partner) -> QuerySet[Partner]:
    """Providers whose invitations the reseller can see today."""
    return Partner.objects.filter(
        reseller_partnerships__reseller=reseller,
        reseller_partnerships__state=ResellerPartnership.State.ACTIVE,
    ).order_by("name")


def link_requests_for_provider(provider: Partner, *, open_only: bool = False):
    """The link requests resellers sent `provider`, newest first (open ones first)."""
    qs = LinkRequest.objects.filter(provider=provider).select_related(
        "reseller", "requested_by", "handled_by"
    )
    if open_only:
        qs = qs.open()
    # "handled" sorts after "open"
    return qs.order_by("-status", "-created_at", "-pk")


EXPIRY_WARNING_DAYS = 7  # an active link expiring this soon is pending work


def home_section(membership):
    """The invitations part of a partner's home page. Providers: "Create customer invitation"
    first, active links, links nearing expiry, failed emails, resellers' link requests.
    Resellers: forwarding first, invitations ready to forward, new ones, failed forwards."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from apps.partners.home import HomeAction, HomeCount, HomeSection, PendingItem

    section = HomeSection()
    if not membership.has_perm("invitations.view"):
        return section
    partner = membership.partner
    kwargs = {"partner_id": partner.public_id}
    list_url = reverse("invitations:list", kwargs=kwargs)
    now = timezone.now()
    soon = now + timedelta(days=EXPIRY_WARNING_DAYS)
    usable = Invitation.objects.visible_to(partner).usable()
    numbers = usable.aggregate(
        active=Count("pk"),
        expiring=Count("pk", filter=Q(expires_at__lte=soon)),
    )
    if not partner.is_provider:
        numbers["new"] = (
            usable.filter(created_at__gte=now - timedelta(days=EXPIRY_WARNING_DAYS))
            .exclude(deliveries__sent_by_partner=partner)
            .count()
        )
    failed = (
        Delivery.objects.visible_to(partner)
        .filter(sent_at__isnull=True, send_attempts__gt=0, invitation__in=usable)
        .count()
    )
    if partner.is_provider:
        if membership.has_perm("invitations.create"):
            section.actions.append(
                HomeAction(
                    _("Create customer invitation"),
                    reverse("invitations:create", kwargs=kwargs),
                    primary=True,
                    order=0,
                )
            )
        section.counts.append(
            HomeCount(_("Active invitation links"), numbers["active"], f"{list_url}?status=active")
        )
        if membership.has_perm("invitations.create"):
            requests = LinkRequest.objects.open().filter(provider=partner).count()
            if requests:
                section.pending.append(
                    PendingItem(
                        ngettext(
                            "A reseller asked you for an invitation link",
                            "Resellers asked you for %(count)s invitation links",
                            requests,
                        )
                        % {"count": requests},
                        reverse("invitations:link_requests", kwargs=kwargs),
                        count=requests,
                    )
                )
    else:
        if membership.has_perm("invitations.send"):
            section.actions.append(
                HomeAction(
                    _("Forward an invitation"),
                    f"{list_url}?status=active",
                    primary=True,
                    order=0,
                )
            )
            section.actions.append(
                HomeAction(
                    _("Request a link from a provider"),
                    reverse("partners:providers", kwargs=kwargs),
                    order=10,
                )
            )
        section.counts.append(
            HomeCount(_("Invitations to forward"), numbers["active"], f"{list_url}?status=active")
        )
        if numbers["new"]:
            section.pending.append(
                PendingItem(
                    ngettext(
                        "%(count)s invitation issued for you in the last %(days)s days, "
                        "not forwarded yet",
                        "%(count)s invitations issued for you in the last %(days)s days, "
                        "not forwarded yet",
                        numbers["new"],
                    )
                    % {"count": numbers["new"], "days": EXPIRY_WARNING_DAYS},
                    f"{list_url}?status=active",
                    count=numbers["new"],
                    level="info",
                )
            )
    if numbers["expiring"]:
        section.pending.append(
            PendingItem(
                ngettext(
                    "%(count)s invitation link expires within %(days)s days",
                    "%(count)s invitation links expire within %(days)s days",
                    numbers["expiring"],
                )
                % {"count": numbers["expiring"], "days": EXPIRY_WARNING_DAYS},
                f"{list_url}?status=active",
                count=numbers["expiring"],
            )
        )
    if failed:
        section.pending.append(
            PendingItem(
                ngettext(
                    "%(count)s invitation email was not delivered: retry it on the invitation",
                    "%(count)s invitation emails were not delivered: retry them on the invitation",
                    failed,
                )
                % {"count": failed},
                f"{list_url}?status=active",
                count=failed,
            )
        )
    return section
