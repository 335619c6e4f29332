"""Operator side of partners: organizations, memberships, team invitations, partnerships.

Every change goes through apps.partners.services, so the admin writes the same audit events and
keeps the same rules (the last Global admin, one live partnership per pair, …) as the portal.
Changes a service refuses come back as a message, never as a server error. Auditors (view
permission only) see everything and can run no action.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin import AddThroughServiceMixin, ReadOnlyInline, ServiceErrorsAsMessagesMixin

from . import services
from .forms import PartnerCreateForm
from .models import Partner, PartnerMembership, ResellerPartnership, Role, TeamInvitation


class MembershipInline(ReadOnlyInline):
    model = PartnerMembership
    fields = ["user", "email", "role", "created_at"]
    readonly_fields = fields
    verbose_name_plural = _("members (change roles on each membership)")

    @admin.display(description=_("email"))
    def email(self, obj):
        return obj.user.email

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "partner")


class ProviderPartnershipInline(ReadOnlyInline):
    model = ResellerPartnership
    fk_name = "provider"
    fields = ["reseller", "invited_email", "state", "changed_at"]
    readonly_fields = fields
    verbose_name_plural = _("its resellers (as provider)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider", "reseller")


class ResellerPartnershipInline(ReadOnlyInline):
    model = ResellerPartnership
    fk_name = "reseller"
    fields = ["provider", "state", "changed_at"]
    readonly_fields = fields
    verbose_name_plural = _("its providers (as reseller)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider", "reseller")


@admin.register(Partner)
class PartnerAdmin(ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    list_display = ["name", "public_id", "kind", "status", "contact_email", "country", "created_at"]
    list_filter = ["kind", "status", "country"]
    search_fields = ["name", "public_id", "contact_email"]
    # Partner has no foreign keys to follow; the inlines select their own related rows.
    list_select_related = []
    show_full_result_count = False
    date_hierarchy = "created_at"
    fields = ["name", "public_id", "kind", "status", "contact_email", "country", "created_at"]
    readonly_fields = ["public_id", "kind", "status", "created_at"]
    inlines = [MembershipInline, ProviderPartnershipInline, ResellerPartnershipInline]
    actions = ["approve", "suspend"]

    def has_delete_permission(self, request, obj=None):
        # organizations are suspended, never deleted: relationships and the log point at them
        return False

    # -- creating: one form, one service, the same as `manage.py create_partner` ---------------
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PartnerCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                partner, invitation = services.partner_create(
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    first_admin_email=form.cleaned_data["first_admin_email"],
                    contact_email=form.cleaned_data["contact_email"],
                    country=form.cleaned_data["country"],
                    status=form.cleaned_data["status"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.log_addition(request, partner, [{"added": {}}])
                self.message_user(
                    request,
                    _(
                        "%(name)s was created with partner ID %(id)s. %(email)s was emailed a "
                        "link to set a password and join as Global admin."
                    )
                    % {"name": partner.name, "id": partner.public_id, "email": invitation.email},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:partners_partner_change", args=[partner.pk]))
        context = {
            **self.admin_site.each_context(request),
            **(extra_context or {}),
            "title": _("Create a partner and invite its first Global admin"),
            "form": form,
            "opts": self.model._meta,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, "partners/admin/create_partner.html", context)

    def save_model(self, request, obj, form, change):
        # only the profile is editable here; status changes through the actions
        services.partner_update(
            partner=Partner.objects.get(pk=obj.pk),
            by=request.user,
            name=obj.name,
            contact_email=obj.contact_email,
            country=obj.country,
        )

    @admin.action(description=_("Approve selected partners"), permissions=["change"])
    def approve(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda partner: services.partner_approve(partner=partner, by=request.user),
            lambda n: ngettext("%d partner approved.", "%d partners approved.", n) % n,
        )

    @admin.action(description=_("Suspend selected partners"), permissions=["change"])
    def suspend(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda partner: services.partner_suspend(partner=partner, by=request.user),
            lambda n: ngettext("%d partner suspended.", "%d partners suspended.", n) % n,
        )


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = PartnerMembership
        fields = ["user", "partner", "role"]

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if (
            instance.pk
            and instance.role == Role.GLOBAL_ADMIN
            and cleaned.get("role")
            and cleaned["role"] != Role.GLOBAL_ADMIN
            and PartnerMembership.objects.filter(
                partner_id=instance.partner_id, role=Role.GLOBAL_ADMIN
            ).count()
            <= 1
        ):
            raise forms.ValidationError(services.LAST_GLOBAL_ADMIN_MESSAGE)
        return cleaned


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(
    AddThroughServiceMixin, ServiceErrorsAsMessagesMixin, admin.ModelAdmin
):
    form = MembershipAdminForm
    list_display = ["user", "email", "partner", "role", "created_at"]
    list_filter = ["role", "partner__kind"]
    search_fields = ["user__email", "user__display_name", "partner__name", "partner__public_id"]
    autocomplete_fields = ["user", "partner"]
    list_select_related = ["user", "partner"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, obj):
        return obj.user.email

    def get_readonly_fields(self, request, obj=None):
        return ["user", "partner", "created_at"] if obj else []

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # removing goes through the service, one by one
        return actions

    def add_through_service(self, request, form):
        data = form.cleaned_data
        return services.membership_add(
            partner=data["partner"], user=data["user"], role=data["role"], by=request.user
        )

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        if "role" in form.changed_data:
            services.membership_change_role(
                membership=PartnerMembership.objects.get(pk=obj.pk),
                role=obj.role,
                by=request.user,
            )

    def delete_model(self, request, obj):
        services.membership_remove(membership=obj, by=request.user)


class TeamInvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return TeamInvitation.Status.choices

    def queryset(self, request, queryset):
        from django.utils import timezone

        now = timezone.now()
        open_ = queryset.filter(
            accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True
        )
        return {
            TeamInvitation.Status.PENDING: open_.filter(expires_at__gt=now),
            TeamInvitation.Status.EXPIRED: open_.filter(expires_at__lte=now),
            TeamInvitation.Status.ACCEPTED: queryset.filter(accepted_at__isnull=False),
            TeamInvitation.Status.DECLINED: queryset.filter(declined_at__isnull=False),
            TeamInvitation.Status.REVOKED: queryset.filter(revoked_at__isnull=False),
        }.get(self.value(), queryset)


class TeamInvitationAddForm(forms.ModelForm):
    class Meta:
        model = TeamInvitation
        fields = ["partner", "email", "role"]


@admin.register(TeamInvitation)
class TeamInvitationAdmin(AddThroughServiceMixin, ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    add_form = TeamInvitationAddForm
    add_fields = ["partner", "email", "role"]
    read_only_after_add = True
    list_display = [
        "email",
        "partner",
        "role",
        "status_display",
        "last_sent_at",
        "expires_at",
        "invited_by",
    ]
    list_filter = [TeamInvitationStatusFilter, "role", "partner__kind"]
    search_fields = ["email", "partner__name", "partner__public_id"]
    autocomplete_fields = ["partner"]
    list_select_related = ["partner", "invited_by"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["resend", "revoke"]
    readonly_fields = [
        "partner",
        "email",
        "role",
        "status_display",
        "invited_by",
        "created_at",
        "last_sent_at",
        "send_count",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "declined_at",
        "revoked_at",
        "revoked_by",
    ]

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return obj.get_status_display()

    def add_through_service(self, request, form):
        data = form.cleaned_data
        return services.team_invite(
            partner=data["partner"], by=request.user, email=data["email"], role=data["role"]
        )

    @admin.action(description=_("Resend selected invitations (new link)"), permissions=["change"])
    def resend(self, request, queryset):
        self.run_for_each(
            request,
            queryset.select_related("partner"),
            lambda inv: services.team_invitation_resend(invitation=inv, by=request.user),
            lambda n: ngettext("%d invitation sent again.", "%d invitations sent again.", n) % n,
        )

    @admin.action(description=_("Revoke selected invitations"), permissions=["change"])
    def revoke(self, request, queryset):
        self.run_for_each(
            request,
            queryset.select_related("partner"),
            lambda inv: services.team_invitation_revoke(invitation=inv, by=request.user),
            lambda n: ngettext("%d invitation revoked.", "%d invitations revoked.", n) % n,
        )


class PartnershipAddForm(forms.ModelForm):
    class Meta:
        model = ResellerPartnership
        fields = ["provider", "invited_email", "reseller"]
        help_texts = {
            "reseller": _("Optional: only this reseller organization's Global admins can accept."),
        }


@admin.register(ResellerPartnership)
class ResellerPartnershipAdmin(
    AddThroughServiceMixin, ServiceErrorsAsMessagesMixin, admin.ModelAdmin
):
    add_form = PartnershipAddForm
    add_fields = ["provider", "invited_email", "reseller"]
    read_only_after_add = True
    list_display = [
        "provider",
        "reseller",
        "invited_email",
        "state",
        "invited_at",
        "activated_at",
        "changed_at",
    ]
    list_filter = [
        "state",
        ("provider", admin.RelatedOnlyFieldListFilter),
        ("reseller", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "invited_email",
        "provider__name",
        "provider__public_id",
        "reseller__name",
        "reseller__public_id",
    ]
    autocomplete_fields = ["provider", "reseller"]
    list_select_related = ["provider", "reseller"]
    date_hierarchy = "invited_at"
    show_full_result_count = False
    actions = ["suspend", "reactivate", "end"]
    readonly_fields = [
        "provider",
        "reseller",
        "state",
        "invited_email",
        "invited_by",
        "invited_at",
        "last_sent_at",
        "expires_at",
        "responded_by",
        "responded_at",
        "activated_at",
        "suspended_by",
        "suspended_at",
        "ended_by",
        "ended_by_partner",
        "ended_at",
        "end_reason",
        "changed_at",
    ]

    def add_through_service(self, request, form):
        data = form.cleaned_data
        return services.partnership_invite(
            provider=data["provider"],
            by=request.user,
            email=data["invited_email"],
            reseller=data.get("reseller"),
        )

    @admin.action(description=_("Suspend selected partnerships"), permissions=["change"])
    def suspend(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda p: services.partnership_suspend(partnership=p, by=request.user),
            lambda n: ngettext("%d partnership suspended.", "%d partnerships suspended.", n) % n,
        )

    @admin.action(description=_("Reactivate selected partnerships"), permissions=["change"])
    def reactivate(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda p: services.partnership_reactivate(partnership=p, by=request.user),
            lambda n: (
                ngettext("%d partnership reactivated.", "%d partnerships reactivated.", n) % n
            ),
        )

    @admin.action(description=_("End selected partnerships"), permissions=["change"])
    def end(self, request, queryset):
        self.run_for_each(
            request,
            queryset,
            lambda p: services.partnership_end(
                partnership=p, by=request.user, reason=str(_("Ended by the operator"))
            ),
            lambda n: ngettext("%d partnership ended.", "%d partnerships ended.", n) % n,
        )
