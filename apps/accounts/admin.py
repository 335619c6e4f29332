from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ReadOnlyInline

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User

# accounts imports no other app (dependencies point to it); the membership models are looked
# up by name so that the user page can still show which organizations someone belongs to.
PARTNER_MEMBERSHIP = "partners.PartnerMembership"
CUSTOMER_MEMBERSHIP = "customers.CustomerMembership"


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _change_link(obj) -> str:
    """A link to the object's admin page when it has one, else its text."""
    opts = obj._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return format_html("{}", obj)
    return format_html('<a href="{}">{}</a>', url, obj)


class ReadOnlyMembershipInline(ReadOnlyInline):
    """Memberships are managed by the organizations' own screens and services; here they are
    shown, never edited."""

    show_change_link = False


class OrganizationListFilter(admin.SimpleListFilter):
    title = _("organization")
    parameter_name = "organization"

    def lookups(self, request, model_admin):
        return [
            ("partner", _("Partner staff")),
            ("customer", _("Customer admins")),
            ("none", _("No organization")),
        ]

    def queryset(self, request, queryset):
        partner = _model(PARTNER_MEMBERSHIP)
        customer = _model(CUSTOMER_MEMBERSHIP)
        in_partner = Exists(partner.objects.filter(user=OuterRef("pk"))) if partner else None
        in_customer = Exists(customer.objects.filter(user=OuterRef("pk"))) if customer else None
        if self.value() == "partner" and in_partner is not None:
            return queryset.filter(in_partner)
        if self.value() == "customer" and in_customer is not None:
            return queryset.filter(in_customer)
        if self.value() == "none":
            for condition in (in_partner, in_customer):
                if condition is not None:
                    queryset = queryset.filter(~condition)
        return queryset


class PartnerMembershipInline(ReadOnlyMembershipInline):
    model = _model(PARTNER_MEMBERSHIP)
    fk_name = "user"
    verbose_name = _("partner membership")
    verbose_name_plural = _("partner memberships")
    fields = ["partner_link", "partner_kind", "role", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner")

    @admin.display(description=_("partner"))
    def partner_link(self, membership):
        return _change_link(membership.partner)

    @admin.display(description=_("kind"))
    def partner_kind(self, membership):
        return membership.partner.get_kind_display()


class CustomerMembershipInline(ReadOnlyMembershipInline):
    model = _model(CUSTOMER_MEMBERSHIP)
    fk_name = "user"
    verbose_name = _("customer organization administered")
    verbose_name_plural = _("customer organizations administered")
    fields = ["customer_link", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer")

    @admin.display(description=_("customer"))
    def customer_link(self, membership):
        return _change_link(membership.customer)


MEMBERSHIP_INLINES = [
    inline for inline in (PartnerMembershipInline, CustomerMembershipInline) if inline.model
]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "is_staff",
        "is_superuser",
        "is_active",
        "last_login",
        "date_joined",
    ]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        OrganizationListFilter,
        "groups",
        "language",
        "last_login",
        "date_joined",
    ]
    search_fields = [
        "email",
        "display_name",
        "partner_memberships__partner__name",
        "partner_memberships__partner__public_id",
        "customer_memberships__customer__name",
        "customer_memberships__customer__tenant_domain",
    ]
    search_help_text = _("Email, name, or the name or ID of an organization the user belongs to.")
    date_hierarchy = "date_joined"
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "language", "time_zone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    inlines = MEMBERSHIP_INLINES

    def get_inlines(self, request, obj):
        # Memberships exist only for a saved user; the add page shows none.
        return self.inlines if obj is not None else []


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Django's, without counting every group on each page load like every list here."""

    show_full_result_count = False
