import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.partners.models import Partner, new_public_id


def new_customer_public_id() -> str:
    return new_public_id("C")


class CustomerQuerySet(models.QuerySet):
    def for_user(self, user):
        """Customer organizations the user administers."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


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

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("tenant_domain"), name="customer_tenant_domain_ci_unique"
            ),
        ]
        # the customer lists' order: a page of a distributor's 50,000 customers is read in
        # index order instead of sorting them all (docs/performance.md)
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_id_idx"),
            # the admin's country filter lists the distinct values: from the index alone
            models.Index(fields=["country"], name="customer_country_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.tenant_domain})"


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
    created_at = models.DateTimeField(_("admin since"), default=timezone.now)

    class Meta:
        verbose_name = _("customer admin")
        verbose_name_plural = _("customer admins")
        constraints = [
            models.UniqueConstraint(fields=["user", "customer"], name="customer_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} – {self.customer.name}"


class Service(models.Model):
    """A license-based service in the catalog that operator staff maintain."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
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
        return self.name

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
            models.Index(fields=["provider", "state"], name="rel_provider_state_idx"),
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
        ]
        indexes = [
            models.Index(fields=["partner", "revoked_at"], name="grant_partner_idx"),
            models.Index(fields=["customer", "revoked_at"], name="grant_customer_idx"),
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
        return ", ".join(scopes)


class CustomerAccess(models.Model):
    """A partner that may see a customer: derived data, one row per (partner, customer).

    The partner customer list used to find a partner's customers with two OR-ed subqueries
    (an active relationship it owns or is attached to, or an active grant it holds) checked
    against every customer; at 100,000 customers that cost half a second. This table holds the
    answer, indexed by partner. It is never edited by hand: the services that change who may
    see a customer (a relationship created or ended, a grant given, moved or removed) call
    `customer_access_refresh` for that customer in the same transaction, and the migration
    that created it filled it from the same definition (docs/performance.md).
    """

    # (partner, customer) is unique and indexed in that order: no separate partner index
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("customer visibility")
        verbose_name_plural = _("customer visibility")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "customer"], name="customer_access_partner_customer_unique"
            ),
        ]

    def __str__(self):
        return f"{self.partner_id} → {self.customer_id}"
