from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .actions import action_label


class AuditEventQuerySet(models.QuerySet):
    def for_partner(self, partner):
        """Events that concern a partner, including what its staff did while acting for it.

        audit_record links the acting partner as a partner concerned, so the link table alone
        answers this: an `id IN (SELECT event_id … WHERE partner_id = …)` semi-join on the
        (partner, event) index, with no OR across a join and no DISTINCT. On a million events
        it serves a page in about a millisecond where the OR + DISTINCT took 0.5–0.8 s.
        """
        partner_id = getattr(partner, "pk", partner)
        return self.filter(
            pk__in=AuditEventPartner.objects.filter(partner_id=partner_id).values("event_id")
        )

    def for_customer(self, customer):
        """Events that concern a customer or that its admins did (two indexed columns)."""
        customer_id = getattr(customer, "pk", customer)
        return self.filter(
            models.Q(customer_id=customer_id) | models.Q(acting_customer_id=customer_id)
        )

    def for_target(self, target_type: str, target_id: str):
        """Events about one object, e.g. ("invitations.invitation", "42")."""
        return self.filter(target_type=target_type, target_id=str(target_id))


class AuditEvent(models.Model):
    """Append-only record of a change. Database triggers reject UPDATE and DELETE.

    References use db_constraint=False and DO_NOTHING so that deleting a user or an
    organization never needs to touch (and so cannot erase) the log; snapshots keep the text.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_email = models.CharField(_("actor email"), max_length=254, blank=True)
    acting_partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("acting for partner"),
    )
    acting_customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("acting for customer"),
    )
    action = models.CharField(_("action"), max_length=100)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target ID"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("customer concerned"),
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the log's order (newest first, id breaking ties): pages of ids are read from it
            # alone (docs/performance.md)
            models.Index(fields=["-created_at", "-id"], name="audit_created_id_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
            models.Index(fields=["acting_partner", "-created_at"], name="audit_acting_partner_idx"),
            models.Index(fields=["customer", "-created_at"], name="audit_customer_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            # operators look up everything one request did from the ID a user reports
            models.Index(fields=["request_id"], name="audit_request_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_repr}"

    @property
    def action_label(self) -> str:
        """The action as people read it (in the active language)."""
        return action_label(self.action)


class AuditEventPartner(models.Model):
    """A partner concerned by an event (for filtering). Append-only like the event."""

    event = models.ForeignKey(
        AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False, related_name="partner_links"
    )
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = _("partner concerned")
        verbose_name_plural = _("partners concerned")
        constraints = [
            models.UniqueConstraint(fields=["event", "partner"], name="audit_partner_unique"),
        ]
        indexes = [models.Index(fields=["partner", "event"], name="audit_partner_event_idx")]

    def __str__(self):
        return f"event {self.event_id} – partner {self.partner_id}"
