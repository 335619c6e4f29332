import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower, Upper
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.text import join_list
from apps.partners.models import Partner, new_public_id


def new_customer_public_id() -> str:
    return new_public_id("C")


def new_verification_token() -> str:
    """The value a customer publishes in its DNS TXT record (not a secret: it only has to be
    unguessable before it is issued, so nobody can publish it in advance)."""
    return secrets.token_hex(16)


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Claim closed")


class VerificationMethod(models.TextChoices):
    DNS = "dns", _("DNS TXT record")
    OPERATOR = "operator", _("Operator check")


class ClaimCloseReason(models.TextChoices):
    SUPERSEDED = "superseded", _("Another organization verified the domain first")
    EXPIRED = "expired", _("Not verified in time")


class CustomerRole(models.TextChoices):
    ADMIN = "admin", _("Customer admin")
    READER = "reader", _("Reader")


class CustomerQuerySet(models.QuerySet):
    def for_user(self, user):
        """Customer organizations the user administers."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def administered_by(self, user):
        """Customer organizations where the user is a Customer admin (not a Reader)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__role=CustomerRole.ADMIN)

    def verified(self):
        return self.filter(verification_status=VerificationStatus.VERIFIED)

    def unverified(self):
        return self.filter(verification_status=VerificationStatus.UNVERIFIED)


class Customer(models.Model):
    """An end-customer organization (tenant)."""

    public_id = models.CharField(
        _("customer ID"), max_length=16, unique=True, default=new_customer_public_id, editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    tenant_domain = models.CharField(
        _("tenant domain"),
        max_length=253,
        help_text=_("For example contoso.partner.onmschina.cn"),
    )
    tenant_id = models.UUIDField(_("tenant ID"), default=uuid.uuid4, unique=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # Proof of the tenant (docs/decisions.md, "Customers prove their tenant")
    verification_status = models.CharField(
        _("verification"),
        max_length=16,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    verification_token = models.CharField(
        _("verification value"), max_length=64, default=new_verification_token, editable=False
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    verification_method = models.CharField(
        _("verified through"),
        max_length=16,
        choices=VerificationMethod.choices,
        blank=True,
        editable=False,
    )
    verification_note = models.CharField(_("verification note"), max_length=500, blank=True)
    last_checked_at = models.DateTimeField(
        _("last DNS check"), null=True, blank=True, editable=False
    )
    claim_closed_at = models.DateTimeField(_("claim closed"), null=True, blank=True, editable=False)
    claim_close_reason = models.CharField(
        _("why the claim was closed"),
        max_length=16,
        choices=ClaimCloseReason.choices,
        blank=True,
        editable=False,
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            # Only a verified organization holds a tenant domain; unverified claims may compete.
            models.UniqueConstraint(
                Lower("tenant_domain"),
                condition=Q(verification_status="verified"),
                name="customer_verified_domain_unique",
            ),
            models.CheckConstraint(
                condition=~Q(verification_status="verified") | Q(verified_at__isnull=False),
                name="customer_verified_has_date",
            ),
        ]
        indexes = [
            models.Index(
                Lower("tenant_domain"), "verification_status", name="customer_domain_status_idx"
            ),
            # the customer lists' order: a page of a distributor's 50,000 customers is read in
            # index order instead of sorting them all (docs/performance.md)
            models.Index(fields=["name", "id"], name="customer_name_id_idx"),
            # the admin's country filter lists the distinct values: from the index alone
            models.Index(fields=["country"], name="customer_country_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.tenant_domain})"

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def is_unverified(self) -> bool:
        return self.verification_status == VerificationStatus.UNVERIFIED

    @property
    def is_claim_closed(self) -> bool:
        return self.verification_status == VerificationStatus.CLOSED

    @property
    def txt_record_value(self) -> str:
        """What the customer publishes as a TXT record on its tenant domain."""
        return f"{settings.TENANT_VERIFICATION_TXT_PREFIX}={self.verification_token}"

    @property
    def claim_expires_at(self):
        if not self.is_unverified:
            return None
        return self.created_at + timedelta(days=settings.TENANT_CLAIM_DAYS)


class CustomerMembership(models.Model):
    """A customer admin: a user who administers a customer organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="customer_memberships",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=CustomerRole.choices, default=CustomerRole.ADMIN
    )
    created_at = models.DateTimeField(_("member since"), default=timezone.now)

    class Meta:
        verbose_name = _("customer team member")
        verbose_name_plural = _("customer team members")
        constraints = [
            models.UniqueConstraint(fields=["user", "customer"], name="customer_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.customer.name}"

    @property
    def is_admin(self) -> bool:
        """Customer admins change things; Readers only look (the one place this is decided)."""
        return self.role == CustomerRole.ADMIN


class CustomerTeamInvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class CustomerTeamInvitation(models.Model):
    """An emailed, single-use link inviting a colleague into a customer organization's team.

    As for partner teams, only the SHA-256 hash of the link's token is stored.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        EXPIRED = "expired", _("Expired")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="team_invitations",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=CustomerRole.choices)
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
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = CustomerTeamInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer team invitation")
        verbose_name_plural = _("customer team invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "customer",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="customer_team_invitation_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.customer.name}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class Service(models.Model):
    """A license-based service in the catalog that operator staff maintain."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    # The operator's own names in the other languages of the portal ("由世纪互联运营的 Azure"):
    # a service's name is the operator's brand, not a phrase a translator may reword, so it
    # lives with the catalog (edited in the admin), not in the .po files.
    name_it = models.CharField(_("name in Italian"), max_length=200, blank=True)
    name_zh_hans = models.CharField(_("name in Simplified Chinese"), max_length=200, blank=True)
    admin_portal_url_template = models.CharField(
        _("admin portal link"),
        max_length=500,
        blank=True,
        help_text=_("May contain {tenant_domain} and {tenant_id}."),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["position", "name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language (the operator's name for it), else the English one."""
        language = (get_language() or "").lower()
        localized = {"it": self.name_it, "zh-hans": self.name_zh_hans}.get(language, "")
        return localized or self.name

    def admin_portal_url(self, customer: Customer) -> str:
        if not self.admin_portal_url_template:
            return ""
        return self.admin_portal_url_template.format(
            tenant_domain=customer.tenant_domain, tenant_id=customer.tenant_id
        )


class Subscription(models.Model):
    """Imported by the operator. Relationships and delegated admin never change it."""

    class Channel(models.TextChoices):
        OPERATOR_DIRECT = "operator_direct", _("Operator direct")
        ADVISOR = "advisor", _("Advisor program")
        CSP = "csp", _("Cloud Solution Provider")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    external_id = models.CharField(_("subscription ID"), max_length=64, unique=True)
    offer_name = models.CharField(_("offer"), max_length=200, blank=True)
    seats = models.PositiveIntegerField(_("seats"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    purchase_channel = models.CharField(
        _("purchase channel"), max_length=32, choices=Channel.choices
    )
    partner_of_record = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subscriptions_of_record",
        verbose_name=_("partner of record"),
    )
    started_at = models.DateField(_("start date"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["customer__name", "service__position"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purchase_channel="operator_direct")
                | Q(partner_of_record__isnull=True),
                name="subscription_operator_direct_has_no_partner",
            ),
        ]
        indexes = [models.Index(fields=["customer", "service"], name="subscription_cust_svc_idx")]

    def __str__(self):
        return f"{self.service} – {self.customer.name} ({self.external_id})"


class RelationshipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=ResellerRelationship.State.ACTIVE)


class ResellerRelationship(models.Model):
    """Customer × provider (the owner), with the reseller the customer came through, if any.

    How it came about (invitation, delivery, who accepted) is recorded on the invitations
    app's Acceptance, which points here; dependencies go invitations → customers.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="relationships"
    )
    provider = models.ForeignKey(
        Partner,
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="owned_relationships",
    )
    reseller = models.ForeignKey(
        Partner,
        verbose_name=_("reseller"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attached_relationships",
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ACTIVE)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("reseller relationship")
        verbose_name_plural = _("reseller relationships")
        ordering = ["-started_at"]
        constraints = [
            # one live relationship per customer, provider and attached reseller
            models.UniqueConstraint(
                fields=["customer", "provider", "reseller"],
                condition=Q(state="active", reseller__isnull=False),
                name="relationship_one_active_per_reseller",
            ),
            models.UniqueConstraint(
                fields=["customer", "provider"],
                condition=Q(state="active", reseller__isnull=True),
                name="relationship_one_active_direct",
            ),
            models.CheckConstraint(
                condition=Q(state="active") | Q(ended_at__isnull=False),
                name="relationship_ended_has_date",
            ),
        ]
        indexes = [
            # reseller last: "does this reseller have an active relationship with the provider"
            # (the customer list's reseller filter) is one probe
            models.Index(
                fields=["provider", "state", "reseller"], name="rel_provider_state_res_idx"
            ),
            models.Index(fields=["reseller", "state"], name="rel_reseller_state_idx"),
            models.Index(fields=["customer", "state"], name="rel_customer_state_idx"),
            # the admin's order (newest first, id breaking ties): a page without a sort
            models.Index(fields=["-started_at", "-id"], name="rel_started_id_idx"),
        ]

    def __str__(self):
        via = f" via {self.reseller.name}" if self.reseller_id else ""
        return f"{self.customer.name} ← {self.provider.name}{via}"


class GrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class DelegatedAdminGrant(models.Model):
    """Delegated admin privileges (DAP) for one service of one customer, held by one partner."""

    class RevokeReason(models.TextChoices):
        MOVED = "moved", _("Moved to another partner")
        REMOVED = "removed", _("Removed by the customer")
        RELATIONSHIP_ENDED = "relationship_ended", _("Relationship ended")
        EXPIRED = "expired", _("End date reached")
        OPERATOR = "operator", _("Revoked by the operator")
        RELINQUISHED = "relinquished", _("Given up by the partner")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="grants"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="grants"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="grants"
    )
    relationship = models.ForeignKey(
        ResellerRelationship,
        verbose_name=_("relationship"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
    )
    provisioning = models.BooleanField(_("provisioning"), default=False)
    support = models.BooleanField(_("support"), default=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    ends_at = models.DateTimeField(_("end date"), null=True, blank=True)
    # docs/decisions.md "Delegated admin with a lifetime": extended by
    # settings.DAP_AUTO_EXTEND_DAYS when the end date is reached; never with both scopes.
    auto_extend = models.BooleanField(_("auto-extend"), default=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.CharField(
        _("revoke reason"), max_length=32, choices=RevokeReason.choices, blank=True
    )
    revoke_note = models.CharField(_("note"), max_length=500, blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegated admin grant")
        verbose_name_plural = _("delegated admin grants")
        ordering = ["-granted_at"]
        constraints = [
            # docs/product.md rule 5: at most one partner holds DAP per service per customer
            models.UniqueConstraint(
                fields=["customer", "service"],
                condition=Q(revoked_at__isnull=True),
                name="grant_one_active_per_customer_service",
            ),
            models.CheckConstraint(
                condition=Q(provisioning=True) | Q(support=True), name="grant_has_a_scope"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="grant_revoked_has_reason",
            ),
            # both scopes is the highest privilege: it never extends itself
            models.CheckConstraint(
                condition=Q(auto_extend=False) | Q(provisioning=False) | Q(support=False),
                name="grant_highest_privilege_never_auto_extends",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "revoked_at"], name="grant_partner_idx"),
            models.Index(fields=["customer", "revoked_at"], name="grant_customer_idx"),
            models.Index(
                fields=["ends_at"],
                condition=Q(revoked_at__isnull=True),
                name="grant_active_ends_idx",
            ),
            models.Index(fields=["-granted_at", "-id"], name="grant_granted_id_idx"),
        ]

    def __str__(self):
        return f"{self.service} – {self.customer.name} → {self.partner.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def scopes_display(self) -> str:
        scopes = []
        if self.provisioning:
            scopes.append(str(_("provisioning")))
        if self.support:
            scopes.append(str(_("support")))
        return join_list(scopes)

    @property
    def is_highest_privilege(self) -> bool:
        """Both scopes: such a grant never auto-extends (docs/decisions.md)."""
        return self.provisioning and self.support

    @property
    def days_left(self) -> int | None:
        """Whole days until the end date (0 on its last day), None without one."""
        if self.ends_at is None:
            return None
        return max((self.ends_at - timezone.now()).days, 0)


class GrantReminder(models.Model):
    """One reminder sent for one end date of a grant: the unique constraint makes each
    reminder (30, 7, 1 day before) go out once, whatever the number of workers."""

    grant = models.ForeignKey(
        DelegatedAdminGrant,
        verbose_name=_("delegated admin grant"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    days_before = models.PositiveSmallIntegerField(_("days before the end date"))
    ends_at = models.DateTimeField(_("end date"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("delegated admin reminder")
        verbose_name_plural = _("delegated admin reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "days_before", "ends_at"], name="grant_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.grant} – {self.days_before}"


# Between the name and the domain in CustomerAccess.customer_search: neither holds one, so a
# search term (which never holds one either: apps.customers.selectors.customer_link_matches)
# is found in the name or in the domain, never across the two
SEARCH_SEPARATOR = "\n"


class CustomerAccess(models.Model):
    """A partner that may see a customer: derived data, one row per (partner, customer).

    The partner customer list used to find a partner's customers with two OR-ed subqueries
    (an active relationship it owns or is attached to, or an active grant it holds) checked
    against every customer; at 100,000 customers that cost half a second. This table holds the
    answer, indexed by partner. It is never edited by hand: saving or deleting a relationship
    or a grant (a relationship created or ended, a grant given, moved or removed) refreshes it
    for that customer in the same transaction (apps/customers/access.py), and the migration
    that created it filled it from the same definition (docs/performance.md).
    """

    # (partner, customer) is unique and indexed in that order: no separate partner index
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="access_links")
    # Copies of the customer's own fields, so that a partner's list is searched and put in
    # order on this table (apps.customers.selectors.partner_customers): a page walks the
    # partner's part of access_partner_list_idx, testing each entry's `customer_search` in the
    # index itself, and reads the customers table for the page's 25 rows only. Written with the
    # row and kept equal to the customer's by apps/customers/access.py (a rename reaches every
    # link of the customer).
    customer_name = models.CharField(_("customer name"), max_length=200, default="")
    customer_domain = models.CharField(_("tenant domain"), max_length=253, default="")
    customer_public_id = models.CharField(_("customer ID"), max_length=16, default="")
    # What the list's search compares, computed by the database: name and domain upper-cased
    # once per write instead of twice per row a search tests (UPPER is per character, so a
    # term upper-cased by the same function is found where `icontains` would find it)
    customer_search = models.GeneratedField(
        expression=Upper(Concat("customer_name", Value(SEARCH_SEPARATOR), "customer_domain")),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("customer visibility")
        verbose_name_plural = _("customer visibility")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "customer"], name="customer_access_partner_customer_unique"
            ),
        ]
        indexes = [
            # the list's order, then what a search compares and the row's id: a page, and a
            # search that walks the order, read the index alone (an index-only scan)
            models.Index(
                fields=[
                    "partner",
                    "customer_name",
                    "customer",
                    "customer_search",
                    "customer_public_id",
                    "id",
                ],
                name="access_partner_list_idx",
            ),
            models.Index(fields=["customer_public_id"], name="access_public_id_idx"),
        ]

    def __str__(self):
        return f"{self.partner_id} → {self.customer_id}"


from .models_dap import DelegatedAdminRequest  # noqa: E402,F401  (its own module, same app)
