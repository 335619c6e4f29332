"""Operator admin for customers, the service catalog, subscriptions, relationships and grants.

Rules that a plain edit could bypass go through the services: adding a customer, a customer
admin or a delegated-admin grant calls the same service as the portal (checks, locks, audit,
email); ending a relationship and revoking delegated admin are actions with a confirmation
page; relationships and grants are read-only inside the customer page. Every change is
written to the audit log.
"""

import contextlib
import uuid
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.audit.services import audit_record
from apps.core.admin import (
    AddThroughServiceMixin,
    DistinctValuesFilter,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ServiceErrorsAsMessagesMixin,
)
from apps.core.pagination import EstimatedCountPaginator
from apps.partners.models import Partner

from .models import (
    Customer,
    CustomerMembership,
    DelegatedAdminGrant,
    ResellerRelationship,
    Service,
    Subscription,
)
from .models_dap import DelegatedAdminRequest
from .selectors import customer_matches
from .services import (
    customer_create,
    customer_membership_add,
    grant_remove,
    grant_set,
    relationship_end,
)
from .verification import customer_verify_by_operator


def _partner_autocomplete(*names: str) -> list[str]:
    """Autocomplete partner fields when the partners admin offers search; a select otherwise."""
    partner_admin = admin.site._registry.get(Partner)
    return list(names) if partner_admin is not None and partner_admin.search_fields else []


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class VerifyNoteForm(forms.Form):
    reason = forms.CharField(
        label=_("How was the tenant checked?"),
        help_text=_("Who confirmed that this organization owns the tenant, and how."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OptionalNoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def confirm_action(modeladmin, request, queryset, *, action, title, form, explanation):
    """The intermediate page of an action that needs a reason."""
    return TemplateResponse(
        request,
        "customers/admin_confirm_action.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "form": form,
            "action": action,
            "explanation": explanation,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


# ------------------------------------------------------------------------------
# Customers
# ------------------------------------------------------------------------------
class MembershipInline(admin.TabularInline):
    model = CustomerMembership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    verbose_name = _("team member")
    verbose_name_plural = _("team members")


class RelationshipInline(ReadOnlyInline):
    model = ResellerRelationship
    fields = ["provider", "reseller", "state", "started_at", "ended_at", "end_reason"]
    readonly_fields = fields
    ordering = ["-started_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider", "reseller")


class GrantInline(ReadOnlyInline):
    model = DelegatedAdminGrant
    fields = [
        "service",
        "partner",
        "provisioning",
        "support",
        "granted_at",
        "revoked_at",
        "revoke_reason",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service", "partner")


class SubscriptionAdminForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = [
            "customer",
            "service",
            "external_id",
            "offer_name",
            "seats",
            "status",
            "purchase_channel",
            "partner_of_record",
            "started_at",
        ]

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("purchase_channel")
        partner = cleaned.get("partner_of_record")
        if channel == Subscription.Channel.OPERATOR_DIRECT and partner is not None:
            self.add_error(
                "partner_of_record",
                _("An operator-direct subscription has no partner of record."),
            )
        if channel == Subscription.Channel.CSP and partner is None:
            self.add_error(
                "partner_of_record", _("A CSP subscription needs its partner of record.")
            )
        return cleaned


def _audit_subscription(request, subscription: Subscription, created: bool, changed=()):
    audit_record(
        action="subscription.created" if created else "subscription.changed",
        actor=request.user,
        target=subscription,
        partners=[subscription.partner_of_record],
        customer=subscription.customer,
        data={
            "subscription_id": subscription.external_id,
            "service": subscription.service.code,
            "purchase_channel": subscription.purchase_channel,
            "partner_of_record": (
                subscription.partner_of_record.public_id if subscription.partner_of_record else None
            ),
            "changed": list(changed),
            "via": "admin",
        },
    )


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    form = SubscriptionAdminForm
    extra = 0
    fields = [
        "service",
        "external_id",
        "offer_name",
        "seats",
        "status",
        "purchase_channel",
        "partner_of_record",
        "started_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service", "partner_of_record")

    def get_autocomplete_fields(self, request):
        return _partner_autocomplete("partner_of_record")


class CustomerCountPaginator(EstimatedCountPaginator):
    EXACT_COUNT_LIMIT = 1_000


@admin.register(Customer)
class CustomerAdmin(ServiceErrorsAsMessagesMixin, AddThroughServiceMixin, admin.ModelAdmin):
    """Operators see unverified claims with their age (filter *verification*) and verify a
    tenant after an out-of-band check with the *Verify tenant* action (who and why recorded)."""

    add_fields = ["name", "tenant_domain", "tenant_id", "country"]
    list_display = [
        "name",
        "tenant_domain",
        "public_id",
        "verification_status",
        "claim_age",
        "country",
        "created_at",
    ]
    list_filter = ["verification_status", ("country", DistinctValuesFilter), "created_at"]
    search_fields = ["name", "tenant_domain", "=public_id", "=tenant_id"]
    readonly_fields = [
        "public_id",
        "created_at",
        "verification_status",
        "verified_at",
        "verified_by",
        "verification_method",
        "verification_note",
        "last_checked_at",
        "claim_closed_at",
        "claim_close_reason",
    ]
    fields = [
        "public_id",
        "name",
        "tenant_domain",
        "tenant_id",
        "country",
        "created_at",
        "verification_status",
        "verified_at",
        "verified_by",
        "verification_method",
        "verification_note",
        "last_checked_at",
        "claim_closed_at",
        "claim_close_reason",
    ]
    list_select_related = ["verified_by"]
    show_full_result_count = False
    # counts exactly up to a thousand, then says "about" (the planner's estimate): a search
    # matching 6,000 of 100,000 customers is not counted row by row on every page load
    paginator = CustomerCountPaginator
    actions = ["verify_tenant"]
    # name then id, both ascending: the (name, id) index gives a page without sorting every
    # customer (with the model's ["name"] alone the admin appends "-pk", which no index serves)
    ordering = ["name", "pk"]
    inlines = [MembershipInline, SubscriptionInline, RelationshipInline, GrantInline]

    def get_search_results(self, request, queryset, search_term):
        """Django's search over `search_fields` (every word must match one of them), written
        so that each field is read from an index: names and domains by trigram, the public ID
        (upper case) and the tenant ID (a UUID) by equality. Django's `=public_id` and
        `=tenant_id` compare UPPER(…) of each row, which no index serves, so that every search
        read all 100,000 customers."""
        words = [
            unescape_string_literal(w) if w[:1] in "\"'" else w for w in smart_split(search_term)
        ]
        if not words:
            return queryset, False
        for word in words:
            match = customer_matches(word)
            with contextlib.suppress(ValueError):
                match |= Q(tenant_id=uuid.UUID(word))
            queryset = queryset.filter(match)
        return queryset, False

    @admin.display(description=_("claim age (days)"))
    def claim_age(self, obj):
        if not obj.is_unverified:
            return "–"
        return (timezone.now() - obj.created_at).days

    @admin.action(
        description=_("Verify tenant (after an out-of-band check)"), permissions=["change"]
    )
    def verify_tenant(self, request, queryset):
        form = VerifyNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self.run_for_each(
                request,
                queryset,
                lambda customer: customer_verify_by_operator(
                    customer=customer, by=request.user, note=form.cleaned_data["reason"]
                ),
                lambda n: gettext("%(count)s tenant(s) verified.") % {"count": n},
            )
            return None
        return confirm_action(
            self,
            request,
            queryset,
            action="verify_tenant",
            title=gettext("Verify tenants"),
            form=form,
            explanation=gettext(
                "Verify only after checking, outside the portal, that the organization owns the "
                "tenant. Other unverified claims on the same domain are closed and told. Your "
                "name and note are recorded in the audit log."
            ),
        )

    def add_through_service(self, request, form):
        data = form.cleaned_data
        return customer_create(
            name=data["name"],
            tenant_domain=data["tenant_domain"],
            tenant_id=data.get("tenant_id"),
            country=data.get("country") or "CN",
            by=request.user,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            audit_record(
                action="customer.changed",
                actor=request.user,
                target=obj,
                customer=obj,
                data={"changed": form.changed_data, "via": "admin"},
            )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            created = instance.pk is None
            if isinstance(instance, CustomerMembership) and created:
                self.call_service(
                    customer_membership_add,
                    customer=instance.customer,
                    user=instance.user,
                    by=request.user,
                    role=instance.role,
                )
                continue
            changed = next((f.changed_data for f in formset.forms if f.instance is instance), [])
            instance.save()
            if isinstance(instance, Subscription):
                _audit_subscription(request, instance, created, changed)
        formset.save_m2m()


# ------------------------------------------------------------------------------
# Catalog and subscriptions
# ------------------------------------------------------------------------------
@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "name_zh_hans",
        "code",
        "is_active",
        "position",
        "admin_portal_url_template",
    ]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_it", "name_zh_hans", "code"]
    ordering = ["position", "name"]
    show_full_result_count = False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionAdminForm
    list_display = [
        "external_id",
        "customer",
        "service",
        "purchase_channel",
        "partner_of_record",
        "seats",
        "status",
        "imported_at",
    ]
    list_filter = ["purchase_channel", "status", "service"]
    list_select_related = ["customer", "service", "partner_of_record"]
    search_fields = [
        "=external_id",
        "customer__name",
        "customer__tenant_domain",
        "=customer__public_id",
        "partner_of_record__name",
        "=partner_of_record__public_id",
    ]
    autocomplete_fields = ["customer", "service"]
    readonly_fields = ["imported_at"]
    show_full_result_count = False

    def get_autocomplete_fields(self, request):
        return [*self.autocomplete_fields, *_partner_autocomplete("partner_of_record")]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_subscription(request, obj, not change, form.changed_data)


# ------------------------------------------------------------------------------
# Relationships and delegated admin
# ------------------------------------------------------------------------------
class RelationshipGrantInline(ReadOnlyInline):
    model = DelegatedAdminGrant
    fk_name = "relationship"
    fields = ["service", "partner", "provisioning", "support", "granted_at", "revoked_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service", "partner")


@admin.register(ResellerRelationship)
class ResellerRelationshipAdmin(ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    """Created by accepting invitations; ended with the action (which revokes its grants)."""

    list_display = ["customer", "provider", "reseller", "state", "started_at", "ended_at"]
    list_filter = ["state", "started_at"]
    list_select_related = ["customer", "provider", "reseller"]
    search_fields = [
        "customer__name",
        "customer__tenant_domain",
        "=customer__public_id",
        "provider__name",
        "=provider__public_id",
        "reseller__name",
        "=reseller__public_id",
    ]
    date_hierarchy = "started_at"
    show_full_result_count = False
    actions = ["end_relationship"]
    inlines = [RelationshipGrantInline]
    readonly_fields = [
        "customer",
        "provider",
        "reseller",
        "state",
        "accepted_by",
        "started_at",
        "ended_at",
        "ended_by",
        "end_reason",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("End relationship"), permissions=["change"])
    def end_relationship(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self.run_for_each(
                request,
                queryset.select_related("customer", "provider"),
                lambda relationship: relationship_end(
                    relationship=relationship,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                ),
                lambda n: gettext("%(count)s relationship(s) ended.") % {"count": n},
            )
            return None
        return confirm_action(
            self,
            request,
            queryset,
            action="end_relationship",
            title=gettext("End relationships"),
            form=form,
            explanation=gettext(
                "Delegated admin obtained through these relationships is revoked too. "
                "Subscriptions do not change. The customer and the partners are told by email."
            ),
        )


class ActiveGrantFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("Active")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


class GrantEndsWithinFilter(admin.SimpleListFilter):
    """Active grants by how soon they reach their end date, soonest first."""

    title = _("end date")
    parameter_name = "ends"

    def lookups(self, request, model_admin):
        return [
            ("passed", _("Passed (the job has not run yet)")),
            ("7", _("Within 7 days")),
            ("30", _("Within 30 days")),
            ("90", _("Within 90 days")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        active = queryset.filter(revoked_at__isnull=True).order_by("ends_at", "pk")
        if self.value() == "passed":
            return active.filter(ends_at__lte=now)
        if self.value() in ("7", "30", "90"):
            return active.filter(ends_at__lte=now + timedelta(days=int(self.value())))
        return queryset


class GrantAdminForm(forms.ModelForm):
    class Meta:
        model = DelegatedAdminGrant
        fields = [
            "customer",
            "service",
            "partner",
            "relationship",
            "provisioning",
            "support",
            "ends_at",
            "auto_extend",
        ]

    def clean(self):
        cleaned = super().clean()
        # Adding goes through services.grant_set, which owns its rules; this is for edits.
        if self.instance.pk and not (cleaned.get("provisioning") or cleaned.get("support")):
            raise forms.ValidationError(_("Choose at least one scope: provisioning or support."))
        if cleaned.get("auto_extend") and cleaned.get("provisioning") and cleaned.get("support"):
            raise forms.ValidationError(
                _("Delegated admin with both provisioning and support never extends itself.")
            )
        if self.instance.pk and "ends_at" in self.fields and not cleaned.get("ends_at"):
            raise forms.ValidationError(_("Delegated admin needs an end date."))
        return cleaned


@admin.register(DelegatedAdminGrant)
class DelegatedAdminGrantAdmin(
    AddThroughServiceMixin, ServiceErrorsAsMessagesMixin, admin.ModelAdmin
):
    form = GrantAdminForm
    # No relationship to pick: grant_set finds the one that makes the partner eligible.
    add_fields = ["customer", "service", "partner", "provisioning", "support"]
    list_display = [
        "customer",
        "service",
        "partner",
        "provisioning",
        "support",
        "granted_at",
        "ends_at",
        "days_to_end",
        "auto_extend",
        "revoked_at",
        "revoke_reason",
    ]
    list_filter = [
        ActiveGrantFilter,
        GrantEndsWithinFilter,
        "auto_extend",
        "service",
        "revoke_reason",
        "granted_at",
    ]
    list_select_related = ["customer", "service", "partner"]
    search_fields = [
        "customer__name",
        "customer__tenant_domain",
        "=customer__public_id",
        "partner__name",
        "=partner__public_id",
        "service__name",
    ]
    autocomplete_fields = ["customer", "service", "relationship"]
    date_hierarchy = "granted_at"
    show_full_result_count = False
    actions = ["revoke"]
    fields = [
        "customer",
        "service",
        "partner",
        "relationship",
        "provisioning",
        "support",
        "ends_at",
        "auto_extend",
        "granted_by",
        "granted_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "revoke_note",
    ]
    always_read_only = [
        "granted_by",
        "granted_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "revoke_note",
    ]

    def get_autocomplete_fields(self, request):
        return [*self.autocomplete_fields, *_partner_autocomplete("partner")]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.always_read_only
        if not obj.is_active:
            return self.fields
        return ["customer", "service", "partner", *self.always_read_only]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("days to end date"), ordering="ends_at")
    def days_to_end(self, obj):
        return obj.days_left if obj.is_active and obj.ends_at else "–"

    def add_through_service(self, request, form):
        """The same service as the customer's Partner relationships page: it locks the
        customer, checks that the partner may hold delegated admin, refuses to move a grant
        another partner holds (only the customer confirms a move), audits and notifies."""
        data = form.cleaned_data
        return grant_set(
            customer=data["customer"],
            service=data["service"],
            partner=data["partner"],
            provisioning=data.get("provisioning", False),
            support=data.get("support", False),
            by=request.user,
        ).grant

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        super().save_model(request, obj, form, change)
        audit_record(
            action="grant.updated",
            actor=request.user,
            target=obj,
            partners=[obj.partner],
            customer=obj.customer,
            data={
                "service": obj.service.code,
                "partner": obj.partner.public_id,
                "scopes": [s for s in ("provisioning", "support") if getattr(obj, s)],
                "changed": form.changed_data,
                "via": "admin",
            },
        )

    @admin.action(description=_("Revoke"), permissions=["change"])
    def revoke(self, request, queryset):
        form = OptionalNoteForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self.run_for_each(
                request,
                queryset.select_related("customer", "service", "partner"),
                lambda grant: grant_remove(
                    grant=grant,
                    by=request.user,
                    note=form.cleaned_data["reason"],
                    reason=DelegatedAdminGrant.RevokeReason.OPERATOR,
                ),
                lambda n: gettext("%(count)s grant(s) revoked.") % {"count": n},
            )
            return None
        return confirm_action(
            self,
            request,
            queryset,
            action="revoke",
            title=gettext("Revoke delegated admin"),
            form=form,
            explanation=gettext(
                "The partners lose delegated admin for these services and are told by email. "
                "Relationships and subscriptions do not change."
            ),
        )


@admin.register(DelegatedAdminRequest)
class DelegatedAdminRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delegated admin asked by a partner (or by the customer, by partner ID) and its answer.
    Read only: the customer answers in the portal, through the one-time link or its list."""

    list_display = [
        "public_id",
        "partner",
        "customer",
        "origin",
        "status",
        "provisioning",
        "support",
        "duration_days",
        "created_at",
        "decided_at",
    ]
    list_filter = ["status", "origin", "created_at"]
    list_select_related = ["partner", "customer"]
    search_fields = ["public_id", "partner__name", "customer__name"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    exclude = ["link_key"]  # a part of the approval link: never shown
    show_full_result_count = False
