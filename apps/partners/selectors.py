"""Reads for partner organizations, teams and partnerships, scoped to the organization asked
about. Lists come back as querysets ready for pagination: one query per page whatever its
length (select_related and annotations, never a query per row)."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from apps.accounts.organizations import OrganizationLink
from apps.notifications.services import Audience

from .links import hash_token
from .models import Partner, PartnerMembership, ResellerPartnership, Role, TeamInvitation


def partner_organization_links(user) -> list[OrganizationLink]:
    memberships = (
        PartnerMembership.objects.filter(user=user)
        .select_related("partner")
        .order_by("partner__name")
    )
    return [
        OrganizationLink(
            kind_label=str(m.partner.get_kind_display()),
            name=m.partner.name,
            url=reverse("partners:home", kwargs={"partner_id": m.partner.public_id}),
            detail=str(m.get_role_display()),
        )
        for m in memberships
    ]


def active_provider_ids_for_reseller(reseller: Partner) -> QuerySet:
    """IDs of the providers whose invitations `reseller` may see and forward right now: those
    with an *active* partnership. Suspended, ended, declined and revoked partnerships count for
    nothing, from the moment they change. A lazy values queryset, so it works as a subquery:
    `Invitation.objects.filter(reseller=r, provider_id__in=active_provider_ids_for_reseller(r))`.
    """
    return (
        ResellerPartnership.objects.active()
        .filter(reseller_id=reseller.pk)
        .values_list("provider_id", flat=True)
    )


def reseller_partnerships_for_provider(
    provider: Partner, *, state: str = "", search: str = ""
) -> QuerySet:
    """The provider's Resellers list, with `customers_count` on each row; `search` matches the
    reseller's name, its partner ID or the email it was invited at."""
    qs = (
        ResellerPartnership.objects.filter(provider=provider)
        .select_related("reseller", "invited_by")
        .with_customer_counts()
        .order_by("reseller__name", "invited_email", "-invited_at")
    )
    if state:
        qs = qs.filter(state=state)
    search = (search or "").strip()[:200]
    if search:
        qs = qs.filter(
            Q(reseller__name__icontains=search)
            | Q(reseller__public_id__iexact=search)
            | Q(invited_email__icontains=search)
        )
    return qs


def provider_partnerships_for_reseller(reseller: Partner) -> QuerySet:
    """The reseller's Providers list: every partnership it accepted (invitations it never
    accepted are not its business), with `customers_count`."""
    return (
        ResellerPartnership.objects.filter(reseller=reseller)
        .exclude(
            state__in=[
                ResellerPartnership.State.INVITED,
                ResellerPartnership.State.DECLINED,
                ResellerPartnership.State.REVOKED,
            ]
        )
        .select_related("provider")
        .with_customer_counts()
        .order_by("provider__name", "-invited_at")
    )


def team_members(partner: Partner) -> QuerySet:
    return (
        PartnerMembership.objects.filter(partner=partner)
        .select_related("user")
        .order_by("user__email")
    )


def team_open_invitations(partner: Partner) -> QuerySet:
    """Pending and expired invitations (both can be resent or revoked)."""
    return (
        TeamInvitation.objects.open()
        .filter(partner=partner)
        .select_related("invited_by")
        .order_by("-last_sent_at")
    )


def global_admin_count(partner: Partner) -> int:
    return PartnerMembership.objects.filter(partner=partner, role=Role.GLOBAL_ADMIN).count()


def reseller_organizations_administered_by(user) -> QuerySet:
    """Reseller organizations where `user` is Global admin (they may accept partnerships)."""
    if not user.is_authenticated:
        return Partner.objects.none()
    return (
        Partner.objects.resellers()
        .filter(memberships__user=user, memberships__role=Role.GLOBAL_ADMIN)
        .order_by("name")
    )


def team_invitation_for_token_hash(token_hash: str) -> TeamInvitation | None:
    if not token_hash:
        return None
    return (
        TeamInvitation.objects.select_related("partner", "invited_by")
        .filter(token_hash=token_hash)
        .first()
    )


def partnership_for_token_hash(token_hash: str) -> ResellerPartnership | None:
    if not token_hash:
        return None
    return (
        ResellerPartnership.objects.select_related("provider", "reseller", "invited_by")
        .filter(token_hash=token_hash)
        .first()
    )


def link_target_for_token(token: str) -> TeamInvitation | ResellerPartnership | None:
    """What a `/t/<token>/` link points to, if anything."""
    token_hash = hash_token(token)
    return team_invitation_for_token_hash(token_hash) or partnership_for_token_hash(token_hash)


def partner_audience(partner: Partner) -> Audience:
    """Who hears about a partner's matters: its active Global admins (in the portal and by
    email) and its contact address (email only)."""
    admins = [
        m.user
        for m in PartnerMembership.objects.filter(
            partner=partner, role=Role.GLOBAL_ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]
    return Audience(users=admins, emails=[partner.contact_email] if partner.contact_email else [])
