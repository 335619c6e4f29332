"""Operator admin for invitations. Creating and revoking go through the same services as the
portal, so a reseller is refused as provider here too; deliveries and answers are read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin import AddThroughServiceMixin, ReadOnlyAdminMixin, ReadOnlyInline
from apps.customers.models import Service
from apps.partners.models import Partner

from .models import EFFECTIVE_STATUS_LABELS, Acceptance, Delivery, Invitation, LinkRequest
from .services import invitation_create, invitation_revoke


def _searchable_admin(model) -> bool:
    """Autocomplete needs the related model's admin, with search fields, registered first."""
    model_admin = admin.site._registry.get(model)
    return bool(model_admin and model_admin.search_fields)


class EffectiveStatusFilter(admin.SimpleListFilter):
    """active / revoked / expired / used, derived at read time like everywhere else."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(EFFECTIVE_STATUS_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in EFFECTIVE_STATUS_LABELS:
            return queryset.with_effective_status(self.value())
        return queryset


class InvitationAddForm(forms.ModelForm):
    """Validated and saved by services.invitation_create (never by ModelForm.save)."""

    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        required=False,
        help_text=_("Empty: the default validity."),
    )
    send_to_recipient = forms.BooleanField(
        label=_("Email a personal invitation to its recipient"), required=False
    )

    class Meta:
        model = Invitation
        fields = [
            "provider",
            "reseller",
            "kind",
            "recipient_email",
            "requests_dap",
            "services",
            "dap_provisioning",
            "dap_support",
            "max_uses",
            "message",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "services" in self.fields:
            self.fields["services"].queryset = Service.objects.filter(is_active=True)


class DeliveryInline(ReadOnlyInline):
    show_change_link = False

    model = Delivery
    extra = 0
    fields = [
        "email",
        "sent_by_partner",
        "sent_by",
        "created_at",
        "sent_at",
        "send_attempts",
        "last_error",
        "first_opened_at",
    ]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sent_by_partner", "sent_by")


class AcceptanceInline(ReadOnlyInline):
    show_change_link = False

    model = Acceptance
    extra = 0
    fields = ["outcome", "customer", "relationship", "delivery", "user", "created_at"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("customer", "relationship", "delivery", "user")
        )


@admin.register(Invitation)
class InvitationAdmin(AddThroughServiceMixin, admin.ModelAdmin):
    add_form = InvitationAddForm
    add_fields = [*InvitationAddForm.Meta.fields, "valid_days", "send_to_recipient"]
    read_only_after_add = True
    list_display = [
        "public_id",
        "provider",
        "reseller",
        "kind",
        "status_display",
        "requests_dap",
        "expires_at",
        "use_count",
        "max_uses",
        "created_at",
    ]
    list_filter = [
        "kind",
        EffectiveStatusFilter,
        ("provider", admin.RelatedOnlyFieldListFilter),
        ("reseller", admin.RelatedOnlyFieldListFilter),
        "requests_dap",
        "created_at",
    ]
    search_fields = [
        "public_id",
        "provider__name",
        "provider__public_id",
        "reseller__name",
        "recipient_email",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["provider", "reseller"]
    show_full_result_count = False
    actions = ["revoke"]
    if _searchable_admin(Partner):
        autocomplete_fields = ["provider", "reseller"]
    else:
        raw_id_fields = ["provider", "reseller"]
    readonly_fields = [
        "public_id",
        "provider",
        "reseller",
        "kind",
        "recipient_email",
        "requests_dap",
        "services_display",
        "dap_provisioning",
        "dap_support",
        "dap_recipient",
        "message",
        "expires_at",
        "max_uses",
        "use_count",
        "status",
        "status_display",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
    ]
    inlines = [DeliveryInline, AcceptanceInline]

    @admin.display(description=_("status now"))
    def status_display(self, obj):
        return obj.get_effective_status_display()

    @admin.display(description=_("services"))
    def services_display(self, obj):
        return ", ".join(s.name for s in obj.services.all()) or "–"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services")

    # --- adding goes through services.invitation_create ---------------------------------
    def add_through_service(self, request, form):
        data = form.cleaned_data
        return invitation_create(
            provider=data["provider"],
            by=request.user,
            reseller=data.get("reseller"),
            kind=data["kind"],
            recipient_email=data.get("recipient_email", ""),
            requests_dap=data.get("requests_dap", False),
            services=list(data.get("services") or []),
            dap_provisioning=data.get("dap_provisioning", False),
            dap_support=data.get("dap_support", False),
            valid_days=data.get("valid_days"),
            max_uses=data.get("max_uses"),
            message=data.get("message", ""),
            send_to_recipient=data.get("send_to_recipient", False),
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "provider",
                            "reseller",
                            "kind",
                            "recipient_email",
                            "send_to_recipient",
                            "valid_days",
                            "max_uses",
                            "message",
                        ]
                    },
                ),
                (
                    _("Delegated admin privileges"),
                    {"fields": ["requests_dap", "services", "dap_provisioning", "dap_support"]},
                ),
            ]
        return [(None, {"fields": self.readonly_fields})]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- revoking goes through services.invitation_revoke --------------------------------
    @admin.action(description=_("Revoke selected invitations"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = already = 0
        for invitation in queryset.select_related("provider", "reseller"):
            try:
                invitation_revoke(invitation=invitation, by=request.user)
            except ValidationError:
                already += 1
            else:
                revoked += 1
        if revoked:
            self.message_user(
                request,
                ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", revoked)
                % {"count": revoked},
                messages.SUCCESS,
            )
        if already:
            self.message_user(
                request,
                ngettext(
                    "%(count)d invitation was already revoked.",
                    "%(count)d invitations were already revoked.",
                    already,
                )
                % {"count": already},
                messages.WARNING,
            )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "invitation",
        "email",
        "sent_by_partner",
        "created_at",
        "sent_at",
        "send_attempts",
        "first_opened_at",
    ]
    list_filter = [("sent_by_partner", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["email", "invitation__public_id", "sent_by_partner__name"]
    date_hierarchy = "created_at"
    list_select_related = ["invitation__provider", "sent_by_partner"]
    show_full_result_count = False
    readonly_fields = [
        "invitation",
        "email",
        "sent_by",
        "sent_by_partner",
        "message",
        "language",
        "created_at",
        "sent_at",
        "send_attempts",
        "last_error",
        "first_opened_at",
    ]
    fields = readonly_fields


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["invitation", "outcome", "customer", "delivery", "user", "created_at"]
    list_filter = ["outcome", "created_at"]
    search_fields = ["invitation__public_id", "customer__name", "customer__tenant_domain"]
    date_hierarchy = "created_at"
    list_select_related = ["invitation__provider", "customer", "delivery__invitation", "user"]
    show_full_result_count = False
    readonly_fields = [
        "invitation",
        "delivery",
        "customer",
        "relationship",
        "outcome",
        "user",
        "decisions",
        "created_at",
    ]
    fields = readonly_fields


@admin.register(LinkRequest)
class LinkRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A reseller's request to its provider for a new invitation link (read only: the
    provider handles it in the portal)."""

    list_display = ["reseller", "provider", "status", "requested_by", "created_at", "handled_at"]
    list_filter = ["status", "created_at"]
    list_select_related = ["reseller", "provider", "requested_by"]
    search_fields = ["reseller__name", "provider__name"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
