import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.text import join_list
from apps.customers.models import Customer, ResellerRelationship, Service
from apps.partners.models import Partner, ResellerPartnership, new_public_id


def new_invitation_public_id() -> str:
    return new_public_id("I")


def new_link_key() -> str:
    """The stored half of a link: 128 random bits. The link adds an HMAC made with SECRET_KEY,
    so the database alone cannot rebuild a working link (see apps.invitations.tokens)."""
    return secrets.token_urlsafe(16)


def default_dap_duration_days() -> int:
    """How long delegated admin asked by a new invitation lasts (settings, 1 day to 2 years)."""
    return settings.DAP_DEFAULT_DURATION_DAYS


def _count_subquery(queryset, outer_field: str):
    """COUNT(*) of `queryset` per outer row, as a subquery (no row multiplication, no N+1)."""
    counted = queryset.order_by().values(outer_field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, partner: Partner):
        """The one scoping rule for invitations.

        A provider sees what it issued. A reseller sees what its providers issued *for it*, and
        only while the partnership with that provider is active. Anyone else sees nothing.
        """
        if partner.is_provider:
            return self.filter(provider=partner)
        if partner.is_reseller:
            active_partnership = ResellerPartnership.objects.filter(
                provider=OuterRef("provider"),
                reseller=partner,
                state=ResellerPartnership.State.ACTIVE,
            )
            return self.filter(Exists(active_partnership), reseller=partner)
        return self.none()

    def usable(self):
        now = timezone.now()
        return self.filter(
            Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses")),
            status=Invitation.Status.ACTIVE,
            expires_at__gt=now,
        )

    def with_effective_status(self, status: str):
        """Filter by the derived status (active, revoked, expired, used), evaluated now.

        Same precedence as Invitation.effective_status: revoked, then used, then expired.
        """
        now = timezone.now()
        used = Q(max_uses__isnull=False, use_count__gte=F("max_uses"))
        live = Q(status=Invitation.Status.ACTIVE)
        if status == "revoked":
            return self.filter(status=Invitation.Status.REVOKED)
        if status == "used":
            return self.filter(live & used)
        if status == "expired":
            return self.filter(live & ~used & Q(expires_at__lte=now))
        if status == "active":
            return self.usable()
        return self

    def with_funnel(self, partner: Partner):
        """Annotate deliveries_count, sent_count, opened_count, accepted_count.

        Counted with subqueries so a page of any size costs one query. A reseller only counts
        its own forwards; answers count what the partner may see (see Acceptance.visible_to).
        The counts agree with each other and with the detail page: an answer means its link
        was opened, so *opened* counts the deliveries opened or answered plus the answers that
        came through a link the partner did not send (the copied link, the provider's email).
        """
        deliveries = Delivery.objects.filter(invitation=OuterRef("pk"))
        answers = Acceptance.objects.filter(invitation=OuterRef("pk"))
        if not partner.is_provider:
            deliveries = deliveries.filter(sent_by_partner=partner)
            answers = answers.filter(reseller_answer_visibility(partner))
            not_through_own = Q(delivery__isnull=True) | ~Q(delivery__sent_by_partner=partner)
        else:
            not_through_own = Q(delivery__isnull=True)
        opened = Q(first_opened_at__isnull=False) | Q(acceptances__isnull=False)
        return self.annotate(
            deliveries_count=_count_subquery(deliveries, "invitation"),
            sent_count=_count_subquery(deliveries.filter(sent_at__isnull=False), "invitation"),
            opened_count=_count_subquery(
                deliveries.filter(pk__in=Delivery.objects.filter(opened).values("pk")),
                "invitation",
            )
            + _count_subquery(answers.filter(not_through_own), "invitation"),
            accepted_count=_count_subquery(
                answers.filter(outcome=Acceptance.Outcome.ACCEPTED), "invitation"
            ),
        )


class Invitation(models.Model):
    """A CSP invitation ("reseller relationship request") issued by a provider."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Open (reusable, any customer)")
        PERSONAL = "personal", _("Personal (one recipient, single use)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    public_id = models.CharField(
        _("invitation ID"),
        max_length=16,
        unique=True,
        default=new_invitation_public_id,
        editable=False,
    )
    provider = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="issued_invitations",
        verbose_name=_("provider"),
    )
    reseller = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_invitations",
        verbose_name=_("reseller"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OPEN)
    recipient_email = models.EmailField(_("recipient email"), blank=True)
    requests_dap = models.BooleanField(_("requests delegated admin"), default=False)
    dap_provisioning = models.BooleanField(_("provisioning"), default=False)
    dap_support = models.BooleanField(_("support"), default=False)
    dap_duration_days = models.PositiveSmallIntegerField(
        _("delegated admin duration (days)"), default=default_dap_duration_days
    )
    dap_auto_extend = models.BooleanField(_("auto-extend delegated admin"), default=False)
    services = models.ManyToManyField(
        Service, blank=True, related_name="invitations", verbose_name=_("services")
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    expires_at = models.DateTimeField(_("expires"))
    max_uses = models.PositiveIntegerField(_("use limit"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("times accepted"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    link_key = models.CharField(max_length=32, unique=True, default=new_link_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="personal") | (~Q(recipient_email="") & Q(max_uses=1)),
                name="invitation_personal_has_recipient_single_use",
            ),
            models.CheckConstraint(
                condition=Q(requests_dap=False) | Q(dap_provisioning=True) | Q(dap_support=True),
                name="invitation_dap_has_scope",
            ),
            models.CheckConstraint(
                condition=Q(dap_duration_days__gte=1) & Q(dap_duration_days__lte=730),
                name="invitation_dap_duration_1_day_to_2_years",
            ),
            models.CheckConstraint(
                condition=Q(dap_auto_extend=False)
                | Q(dap_provisioning=False)
                | Q(dap_support=False),
                name="invitation_highest_privilege_never_auto_extends",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(use_count__lte=F("max_uses")),
                name="invitation_never_over_used",
            ),
            models.CheckConstraint(
                condition=~Q(provider=F("reseller")), name="invitation_reseller_not_provider"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(revoked_at__isnull=False),
                name="invitation_revoked_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "-created_at"], name="inv_provider_created_idx"),
            models.Index(fields=["reseller", "-created_at"], name="inv_reseller_created_idx"),
            # the list's reseller filter: which resellers a provider issued invitations for
            models.Index(fields=["provider", "reseller"], name="inv_provider_reseller_idx"),
            models.Index(
                fields=["provider", "status", "expires_at"], name="inv_provider_status_idx"
            ),
            # the admin's order over every provider (newest first, id breaking ties)
            models.Index(fields=["-created_at", "-id"], name="inv_created_id_idx"),
        ]

    def __str__(self):
        return f"{self.public_id} ({self.provider.name})"

    @property
    def dap_recipient(self) -> Partner:
        """Who receives delegated admin on acceptance: the reseller it is for, else the provider."""
        return self.reseller if self.reseller_id else self.provider

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_used_up(self) -> bool:
        return self.max_uses is not None and self.use_count >= self.max_uses

    @property
    def effective_status(self) -> str:
        """active, revoked, expired or used: expired and used are derived, never stored."""
        if self.status == self.Status.REVOKED:
            return "revoked"
        if self.is_used_up:
            return "used"
        if self.is_expired:
            return "expired"
        return "active"

    @property
    def is_usable(self) -> bool:
        return self.effective_status == "active"

    def get_effective_status_display(self) -> str:
        return str(EFFECTIVE_STATUS_LABELS[self.effective_status])

    @property
    def is_personal(self) -> bool:
        return self.kind == self.Kind.PERSONAL

    @property
    def scopes_display(self) -> str:
        scopes = []
        if self.dap_provisioning:
            scopes.append(str(_("provisioning")))
        if self.dap_support:
            scopes.append(str(_("support")))
        return join_list(scopes)


# The derived statuses, for filters and badges (Invitation.Status only stores active / revoked).
EFFECTIVE_STATUS_LABELS = {
    "active": _("Active"),
    "revoked": _("Revoked"),
    "expired": _("Expired"),
    "used": _("Used up"),
}


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, partner: Partner):
        """A provider sees every sending of its invitations; a reseller only its own forwards
        of invitations it can see."""
        invitations = Invitation.objects.visible_to(partner)
        qs = self.filter(invitation__in=invitations)
        if not partner.is_provider:
            qs = qs.filter(sent_by_partner=partner)
        return qs


class Delivery(models.Model):
    """One sending of an invitation to one address, by provider staff or a reseller (a forward).

    It has its own link, so opening and acceptance are attributed to it.
    """

    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    email = models.EmailField(_("recipient"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_by_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="deliveries_sent",
        verbose_name=_("sent by partner"),
    )
    message = models.TextField(_("message"), blank=True, max_length=4000)
    language = models.CharField(_("language"), max_length=10, blank=True)
    link_key = models.CharField(max_length=32, unique=True, default=new_link_key, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["invitation", "-created_at"], name="delivery_invitation_idx"),
            models.Index(fields=["sent_by_partner", "-created_at"], name="delivery_partner_idx"),
        ]

    def __str__(self):
        return f"{self.invitation.public_id} → {self.email}"

    @property
    def has_failed(self) -> bool:
        """Tried at least once and never got through."""
        return self.sent_at is None and self.send_attempts > 0


def reseller_answer_visibility(reseller: Partner) -> Q:
    """The answers a reseller sees (see AcceptanceQuerySet.visible_to)."""
    return (
        Q(delivery__isnull=True)
        | Q(delivery__sent_by_partner=reseller)
        | Q(outcome="accepted")  # Acceptance.Outcome.ACCEPTED
    )


class AcceptanceQuerySet(models.QuerySet):
    def visible_to(self, partner: Partner):
        """A provider sees every answer to its invitations. A reseller sees, of the invitations
        it can see, the answers through its own forwards or the invitation's link, and every
        acceptance: the customer who accepted is attached to the reseller and is on its
        Customers tab, so the invitation page must not say nobody answered."""
        qs = self.filter(invitation__in=Invitation.objects.visible_to(partner))
        if not partner.is_provider:
            qs = qs.filter(reseller_answer_visibility(partner))
        return qs


class Acceptance(models.Model):
    """A customer's answer to an invitation: accepted (with what it created) or declined."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.PROTECT,
        related_name="acceptances",
    )
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("delivery"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acceptances",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acceptances",
    )
    relationship = models.ForeignKey(
        ResellerRelationship,
        verbose_name=_("relationship"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acceptances",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # per requested service: "granted", "moved", "kept" (kept with another partner),
    # "left_out" (the customer left it out), "unchanged"
    decisions = models.JSONField(_("decisions"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = AcceptanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["-created_at"]
        constraints = [
            # accepting the same invitation twice for one customer creates nothing new
            models.UniqueConstraint(
                fields=["invitation", "customer"],
                condition=Q(outcome="accepted"),
                name="acceptance_once_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(outcome="declined")
                | Q(customer__isnull=False, relationship__isnull=False),
                name="acceptance_accepted_has_relationship",
            ),
        ]
        indexes = [
            models.Index(fields=["invitation", "outcome"], name="acceptance_invitation_idx"),
        ]

    def __str__(self):
        return f"{self.invitation.public_id}: {self.get_outcome_display()}"


class LinkRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=LinkRequest.Status.OPEN)


class LinkRequest(models.Model):
    """A reseller asks one of its providers for a customer invitation link (resellers never
    create invitations themselves: docs/product.md rule 2). It lands in the provider's pending
    work until someone there marks it handled."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Handled")

    provider = models.ForeignKey(
        Partner,
        verbose_name=_("provider"),
        on_delete=models.CASCADE,
        related_name="link_requests_received",
    )
    reseller = models.ForeignKey(
        Partner,
        verbose_name=_("reseller"),
        on_delete=models.CASCADE,
        related_name="link_requests_sent",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = LinkRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("link request")
        verbose_name_plural = _("link requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", handled_at__isnull=True)
                | Q(status="handled", handled_at__isnull=False),
                name="link_request_handled_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["provider", "status", "created_at"], name="link_request_provider_idx"
            ),
        ]

    def __str__(self):
        return f"{self.reseller.name} → {self.provider.name}"
