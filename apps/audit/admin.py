from django.contrib import admin

from .models import AuditEvent, AuditEventPartner


class ReadOnlyAdminMixin:
    """Nobody, not even a superuser, adds, changes or deletes through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditEventPartnerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditEventPartner
    extra = 0
    fields = ["partner"]
    readonly_fields = ["partner"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "actor_email",
        "acting_partner",
        "target_repr",
        "customer",
    ]
    list_filter = ["action", "created_at"]
    list_select_related = ["acting_partner", "customer"]
    search_fields = ["action", "actor_email", "target_repr", "target_id", "request_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [AuditEventPartnerInline]
    readonly_fields = [
        "created_at",
        "action",
        "actor",
        "actor_email",
        "acting_partner",
        "acting_customer",
        "target_type",
        "target_id",
        "target_repr",
        "customer",
        "data",
        "ip_address",
        "request_id",
    ]

    def get_actions(self, request):
        return {}
