import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .permissions import (
    PROVIDER_ONLY_PERMISSIONS,
    RESELLER_ONLY_PERMISSIONS,
    ROLE_PERMISSIONS,
    WRITE_PERMISSIONS,
    Permission,
    Role,
)

# Crockford-style alphabet: no 0/O or 1/I/L to misread when partners read IDs to each other
PUBLIC_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_public_id(prefix: str) -> str:
    """A short, unguessable public identifier (about 50 bits), never the database key."""
    return prefix + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(10))


def new_partner_public_id() -> str:
    return new_public_id("P")


class PartnerQuerySet(models.QuerySet):
    def for_user(self, user):
        """Partner organizations the user may act for (through a membership)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def resellers(self):
        return self.filter(kind=Partner.Kind.INDIRECT_RESELLER)

    def active(self):
        return self.filter(status=Partner.Status.ACTIVE)


class Partner(models.Model):
    """An organization in the CSP program."""

    class Kind(models.TextChoices):
        INDIRECT_PROVIDER = "indirect_provider", _("Indirect provider")
        INDIRECT_RESELLER = "indirect_reseller", _("Indirect reseller")
        DIRECT_PARTNER = "direct_partner", _("Direct partner")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    PROVIDER_KINDS = (Kind.INDIRECT_PROVIDER, Kind.DIRECT_PARTNER)

    public_id = models.CharField(
        _("partner ID"), max_length=16, unique=True, default=new_partner_public_id, editable=False
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    require_mfa = models.BooleanField(
        _("requires two-step verification"),
        default=False,
        help_text=_("Members pass two-step verification before any page of the organization."),
    )

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "status"], name="partner_kind_status_idx")]

    def __str__(self):
        return f"{self.name} ({self.public_id})"

    @property
    def is_provider(self) -> bool:
        """Indirect providers and direct partners issue customer invitations."""
        return self.kind in self.PROVIDER_KINDS

    @property
    def is_reseller(self) -> bool:
        return self.kind == self.Kind.INDIRECT_RESELLER

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class PartnerMembership(models.Model):
    """A user's role in a partner organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_memberships",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("member since"), default=timezone.now)

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")
        ordering = ["partner__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="partner_membership_unique"),
        ]
        indexes = [models.Index(fields=["partner", "role"], name="membership_partner_role_idx")]

    def __str__(self):
        return f"{self.user} – {self.partner.name} ({self.get_role_display()})"

    def has_perm(self, perm: str) -> bool:
        """Whether this member may do `perm` for this organization, given role, kind and status.
        An unknown `perm` raises ValueError: a typo must fail, not silently deny."""
        perm = Permission(perm)
        if perm not in ROLE_PERMISSIONS.get(self.role, ()):
            return False
        if perm in PROVIDER_ONLY_PERMISSIONS and not self.partner.is_provider:
            return False
        if perm in RESELLER_ONLY_PERMISSIONS and not self.partner.is_reseller:
            return False
        return not (perm in WRITE_PERMISSIONS and not self.partner.is_active)

    @property
    def is_global_admin(self) -> bool:
        return self.role == Role.GLOBAL_ADMIN


class TeamInvitationQuerySet(models.QuerySet):
    def open(self):
        """Not accepted, declined or revoked (it may have expired: it can still be resent)."""
        return self.filter(
            accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True
        )


class TeamInvitation(models.Model):
    """An emailed, single-use link inviting someone to join a partner organization with a role.

    Only the SHA-256 hash of the link's token is stored: the database alone cannot rebuild a
    working link. Resending replaces the token (and the old link stops working).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        EXPIRED = "expired", _("Expired")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="team_invitations",
        verbose_name=_("partner"),
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last sent"), default=timezone.now)
    send_count = models.PositiveSmallIntegerField(_("times sent"), default=1)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = TeamInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        ordering = ["-created_at"]
        constraints = [
            # one open invitation per address and organization: resend it instead
            models.UniqueConstraint(
                Lower("email"),
                "partner",
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True)
                & Q(revoked_at__isnull=True),
                name="teaminv_one_open_per_email",
            ),
        ]
        indexes = [models.Index(fields=["partner", "-created_at"], name="teaminv_partner_idx")]

    def __str__(self):
        return f"{self.email} → {self.partner.name}"

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.declined_at is not None:
            return self.Status.DECLINED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def is_open(self) -> bool:
        """Pending or expired: it can still be resent or revoked."""
        return self.status in (self.Status.PENDING, self.Status.EXPIRED)


class ResellerPartnershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=ResellerPartnership.State.ACTIVE)

    def live(self):
        """Invited, active or suspended: the pair may not be invited again."""
        return self.filter(state__in=ResellerPartnership.LIVE_STATES)

    def with_customer_counts(self):
        """Annotate `customers_count`: active customer relationships the provider owns with this
        reseller attached. One correlated count per row, answered from the (provider, state,
        reseller) index alone: a distributor's resellers hold tens of thousands of
        relationships, which a join then GROUP BY read row by row (41 ms at scale). (The
        customers app depends on this one, so the model is reached through the relation
        rather than imported.)"""
        relationships = (
            self.model._meta.get_field("reseller")
            .related_model._meta.get_field("attached_relationships")
            .related_model
        )
        counts = (
            relationships.objects.filter(
                provider=models.OuterRef("provider"),
                reseller=models.OuterRef("reseller"),
                state="active",
            )
            .order_by()
            .values("reseller")
            .annotate(n=models.Count("*"))
            .values("n")
        )
        return self.annotate(
            customers_count=Coalesce(models.Subquery(counts, output_field=models.IntegerField()), 0)
        )


class ResellerPartnership(models.Model):
    """Provider × reseller. Only an active partnership lets the reseller see its invitations."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Invitation revoked")

    LIVE_STATES = (State.INVITED, State.ACTIVE, State.SUSPENDED)

    provider = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="reseller_partnerships",
        verbose_name=_("provider"),
    )
    # Empty while invited unless the provider named the reseller: the recipient picks or
    # creates the reseller organization on accepting.
    reseller = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provider_partnerships",
        verbose_name=_("reseller"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.INVITED
    )
    invited_email = models.EmailField(_("invited email"))
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("invitation last sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("invitation expires"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted or declined by"),
    )
    responded_at = models.DateTimeField(_("accepted or declined"), null=True, blank=True)
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("suspended by"),
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ended by"),
    )
    # Which side ended it (or revoked the invitation); empty when operator staff did.
    ended_by_partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ended by partner"),
    )
    end_reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_at = models.DateTimeField(_("last change"), default=timezone.now)

    objects = ResellerPartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("reseller partnership")
        verbose_name_plural = _("reseller partnerships")
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reseller"],
                condition=Q(state__in=["invited", "active", "suspended"]),
                name="partnership_one_live_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(provider=models.F("reseller")), name="partnership_not_self"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["invited", "declined", "revoked"])
                | Q(reseller__isnull=False),
                name="partnership_reseller_set_once_accepted",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "state"], name="partnership_provider_state_idx"),
            models.Index(fields=["reseller", "state"], name="partnership_reseller_state_idx"),
        ]

    def __str__(self):
        reseller = self.reseller.name if self.reseller_id else self.invited_email
        return f"{self.provider.name} → {reseller} ({self.get_state_display()})"

    @property
    def invitation_is_pending(self) -> bool:
        return (
            self.state == self.State.INVITED
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def invitation_is_expired(self) -> bool:
        return self.state == self.State.INVITED and not self.invitation_is_pending

    @property
    def since(self):
        """When the current state began."""
        return self.changed_at
