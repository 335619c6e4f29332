import copy

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .forms import AdminUserChangeForm, AdminUserCreationForm
from .models import User
from .services import (
    PRIVILEGE_FLAGS,
    PROFILE_FIELDS,
    group_record_change,
    group_state,
    mfa_reset_by_operator,
    user_admin_record_created,
    user_admin_set_password,
    user_set_privileges,
    user_update_profile,
)


def password_form_by(by) -> type[AdminPasswordChangeForm]:
    """The admin's set-password form, saving through `user_admin_set_password` as `by`."""

    class AuditedAdminPasswordChangeForm(AdminPasswordChangeForm):
        def save(self, commit=True):
            usable = self.cleaned_data.get("set_usable_password", True)
            return user_admin_set_password(
                user=self.user,
                by=by,
                password=self.cleaned_data["password1"] if usable else None,
            )

    return AuditedAdminPasswordChangeForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """The account itself. Which organizations a user belongs to is added by the composition
    layer (apps/portal/admin.py), which knows partners and customers; accounts does not."""

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
        "groups",
        "language",
        "last_login",
        "date_joined",
    ]
    search_fields = [
        "email",
        "display_name",
    ]
    date_hierarchy = "date_joined"
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "language", "time_zone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Two-step verification"), {"fields": ("mfa_enabled",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )
    readonly_fields = ["last_login", "date_joined", "mfa_enabled"]
    actions = ["reset_mfa"]

    @admin.action(
        description=_("Reset two-step verification (the user lost it)"),
        permissions=["change"],
    )
    def reset_mfa(self, request, queryset):
        """Remove the second factors of the selected users, each recorded and told by email
        (accounts.services.mfa_reset_by_operator); auditors, who may only look, never see it."""
        done = 0
        for user in queryset:
            try:
                if mfa_reset_by_operator(user=user, by=request.user):
                    done += 1
                else:
                    self.message_user(
                        request,
                        gettext("%(email)s has no two-step verification to reset.")
                        % {"email": user.email},
                        messages.WARNING,
                    )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext(
                    "Two-step verification was reset for %(count)d user; they were told by email.",
                    "Two-step verification was reset for %(count)d users; they were told by email.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )

    # Every privilege and profile change goes through the accounts services, which record
    # it (old -> new) in the admin's own transaction (issue 15, defect 4). The form has put
    # the new values on `obj`; save_model puts the stored ones back and keeps the new ones
    # for save_related, which hands them to the services after the other fields are saved.

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            user_admin_record_created(user=obj, by=request.user)
            return None
        stored = User.objects.get(pk=obj.pk)
        requested = {}
        for name in (*PROFILE_FIELDS, *PRIVILEGE_FLAGS):
            if name in form.cleaned_data:
                requested[name] = getattr(obj, name)
                setattr(obj, name, getattr(stored, name))
        form._audited_values = requested
        return super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        groups = form.cleaned_data.pop("groups", None)
        permissions = form.cleaned_data.pop("user_permissions", None)
        super().save_related(request, form, formsets, change)
        requested = getattr(form, "_audited_values", {})
        user = form.instance
        user_update_profile(
            user=user,
            by=request.user,
            **{k: v for k, v in requested.items() if k in PROFILE_FIELDS},
        )
        user_set_privileges(
            user=user,
            by=request.user,
            groups=groups,
            permissions=permissions,
            **{k: v for k, v in requested.items() if k in PRIVILEGE_FLAGS},
        )

    def user_change_password(self, request, id, form_url=""):
        # A copy of this admin for the request, whose form saves as the operator signed in
        # (the admin itself is shared between threads).
        bound = copy.copy(self)
        bound.change_password_form = password_form_by(request.user)
        return BaseUserAdmin.user_change_password(bound, request, id, form_url)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Django's, without counting every group on each page load like every list here."""

    show_full_result_count = False

    # Which permissions a group grants is a privilege of every member: recorded (old -> new)
    # through the accounts service in the admin's transaction (issue 15, defect 4).

    def save_model(self, request, obj, form, change):
        form._group_before = group_state(Group.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group_record_change(
            group=form.instance, by=request.user, before=getattr(form, "_group_before", None)
        )

    def delete_model(self, request, obj):
        group_record_change(group=obj, by=request.user, before=group_state(obj), deleted=True)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for group in queryset:
            group_record_change(
                group=group, by=request.user, before=group_state(group), deleted=True
            )
        super().delete_queryset(request, queryset)
