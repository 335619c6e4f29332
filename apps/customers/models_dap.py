"""Delegated admin requests: DAP only with the receiving partner's consent.

A partner asks a customer it works with for delegated admin (the customer approves through a
one-time link), or a customer asks a partner by the partner ID it was given (the partner
confirms). Either way nothing is granted until the other side says yes. See docs/product.md
("Delegated admin with a lifetime") and apps/customers/dap_requests.py.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.partners.models import Partner, new_public_id


def new_request_public_id() -> str:
    return new_public_id("R")


def new_request_link_key() -> str:
    """128 random bits; the link adds an HMAC made with SECRET_KEY (apps.customers.dap_links)."""
    return secrets.token_urlsafe(16)


class DelegatedAdminRequest(models.Model):
    class Origin(models.TextChoices):
        PARTNER = "partner", _("Asked by the partner")
        CUSTOMER = "customer", _("Asked by the customer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Withdrawn")

    public_id = models.CharField(
        _("request ID"), max_length=16, unique=True, default=new_request_public_id, editable=False
    )
    link_key = models.CharField(max_length=32, unique=True, default=new_request_link_key)
    origin = models.CharField(_("asked by"), max_length=16, choices=Origin.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="dap_requests",
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="dap_requests",
        help_text=_("The partner that would hold delegated admin."),
    )
    services = models.ManyToManyField(
        "customers.Service", verbose_name=_("services"), related_name="+"
    )
    provisioning = models.BooleanField(_("provisioning"), default=False)
    support = models.BooleanField(_("support"), default=False)
    duration_days = models.PositiveSmallIntegerField(_("duration (days)"))
    auto_extend = models.BooleanField(_("auto-extend"), default=False)
    message = models.CharField(_("message"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    expires_at = models.DateTimeField(_("answer by"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # what the approval did per service code: granted, moved, left out
    outcomes = models.JSONField(_("outcome per service"), default=dict, blank=True)

    class Meta:
        verbose_name = _("delegated admin request")
        verbose_name_plural = _("delegated admin requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(provisioning=True) | Q(support=True), name="dap_request_has_a_scope"
            ),
            models.CheckConstraint(
                condition=Q(duration_days__gte=1) & Q(duration_days__lte=730),
                name="dap_request_duration_1_day_to_2_years",
            ),
            models.CheckConstraint(
                condition=Q(auto_extend=False) | Q(provisioning=False) | Q(support=False),
                name="dap_request_highest_privilege_never_auto_extends",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "status"], name="dapreq_partner_status_idx"),
            models.Index(fields=["customer", "status"], name="dapreq_customer_status_idx"),
        ]

    def __str__(self):
        return f"{self.public_id}: {self.partner} → {self.customer}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and not self.is_expired

    @property
    def scopes_display(self) -> str:
        scopes = []
        if self.provisioning:
            scopes.append(str(_("provisioning")))
        if self.support:
            scopes.append(str(_("support")))
        return ", ".join(scopes)
