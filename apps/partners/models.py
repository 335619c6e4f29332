import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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

    def providers(self):
        return self.filter(kind__in=Partner.PROVIDER_KINDS)

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


class Role(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global admin")
    ADMIN_AGENT = "admin_agent", _("Admin agent")
    SALES_AGENT = "sales_agent", _("Sales agent")
    HELPDESK_AGENT = "helpdesk_agent", _("Helpdesk agent")


# The one place where roles and organization kinds turn into capabilities.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GLOBAL_ADMIN: frozenset(
        {
            "organization.view",
            "organization.edit",
            "team.view",
            "team.manage",
            "partnerships.view",
            "partnerships.manage",
            "invitations.view",
            "invitations.create",
            "invitations.send",
            "invitations.manage",
            "customers.view",
            "customers.manage",
            "activity.view",
        }
    ),
    Role.ADMIN_AGENT: frozenset(
        {
            "organization.view",
            "team.view",
            "partnerships.view",
            "invitations.view",
            "invitations.create",
            "invitations.send",
            "invitations.manage",
            "customers.view",
            "customers.manage",
            "activity.view",
        }
    ),
    Role.SALES_AGENT: frozenset(
        {
            "organization.view",
            "team.view",
            "partnerships.view",
            "invitations.view",
            "invitations.create",
            "invitations.send",
            "customers.view",
        }
    ),
    Role.HELPDESK_AGENT: frozenset(
        {"organization.view", "team.view", "partnerships.view", "customers.view"}
    ),
}
# Capabilities that only providers (indirect providers, direct partners) have.
PROVIDER_ONLY_PERMISSIONS = frozenset(
    {"invitations.create", "invitations.manage", "customers.manage"}
)
# Capabilities that change things: a pending or suspended organization has none of them.
WRITE_PERMISSIONS = frozenset(
    {
        "organization.edit",
        "team.manage",
        "partnerships.manage",
        "invitations.create",
        "invitations.send",
        "invitations.manage",
        "customers.manage",
    }
)


class PartnerMembership(models.Model):
    """A user's role in a partner organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_memberships"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
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
        """Whether this member may do `perm` for this organization, given role, kind and status."""
        if perm not in ROLE_PERMISSIONS.get(self.role, ()):
            return False
        if perm in PROVIDER_ONLY_PERMISSIONS and not self.partner.is_provider:
            return False
        return not (perm in WRITE_PERMISSIONS and not self.partner.is_active)

    @property
    def is_global_admin(self) -> bool:
        return self.role == Role.GLOBAL_ADMIN

    @property
    def can_create_invitations(self) -> bool:
        return self.has_perm("invitations.create")


class TeamInvitation(models.Model):
    """An emailed, single-use link inviting someone to join a partner organization with a role."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="team_invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["partner", "-created_at"], name="teaminv_partner_idx")]

    def __str__(self):
        return f"{self.email} → {self.partner.name}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class ResellerPartnership(models.Model):
    """Provider × reseller. Only an active partnership lets the reseller see its invitations."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")
        DECLINED = "declined", _("Declined")

    provider = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="reseller_partnerships"
    )
    # Empty while invited: the recipient picks or creates the reseller organization on accepting.
    reseller = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provider_partnerships",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.INVITED
    )
    invited_email = models.EmailField(_("invited email"))
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    expires_at = models.DateTimeField(_("invitation expires"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_at = models.DateTimeField(_("last change"), default=timezone.now)

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
                condition=Q(state__in=["invited", "declined"]) | Q(reseller__isnull=False),
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
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE
