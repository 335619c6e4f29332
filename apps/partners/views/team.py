"""Team pages: members and open invitations; Global admins invite, change roles, remove, and
resend or revoke invitations."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from apps.core.confirm import ConfirmActionMixin
from apps.core.forms import error_text
from apps.core.pagination import BoundedPaginationMixin, paginate

from .. import selectors, services
from ..forms import MemberRoleForm, TeamInviteForm
from ..mixins import PartnerMixin
from ..models import PartnerMembership, Role, TeamInvitation
from .common import PostOnlyPartnerView, SendLinkFormView


class TeamView(PartnerMixin, BoundedPaginationMixin, ListView):
    """Members and open invitations. Global admins change roles, remove and invite."""

    permission = "team.view"
    template_name = "partners/team.html"
    context_object_name = "members"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        return selectors.team_members(self.partner)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_manage = self.membership.has_perm("team.manage")
        context["can_manage"] = can_manage
        context["global_admin_count"] = selectors.global_admin_count(self.partner)
        context["role_choices"] = Role.choices
        context["invitations_page"] = paginate(
            self.request, selectors.team_open_invitations(self.partner), "invitations_page"
        )
        return context


class TeamInviteView(SendLinkFormView):
    permission = "team.manage"
    template_name = "partners/team_invite.html"
    form_class = TeamInviteForm

    def send_link(self, form):
        invitation = services.team_invite(
            partner=self.partner,
            by=self.request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            acting_partner=self.partner,
        )
        return invitation, invitation.email, invitation.expires_at

    def link_sent_url(self, sent) -> str:
        return reverse("partners:team", kwargs={"partner_id": self.partner.public_id})


class MemberMixin:
    def get_member(self) -> PartnerMembership:
        return get_object_or_404(
            PartnerMembership.objects.select_related("user", "partner"),
            pk=self.kwargs["membership_id"],
            partner=self.partner,
        )

    def get_success_url(self) -> str:
        return reverse("partners:team", kwargs={"partner_id": self.partner.public_id})


class MemberRoleView(MemberMixin, PostOnlyPartnerView):
    permission = "team.manage"

    def post(self, request, *args, **kwargs):
        member = self.get_member()
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the roles."))
            return self.back()
        try:
            services.membership_change_role(
                membership=member,
                role=form.cleaned_data["role"],
                by=request.user,
                acting_partner=self.partner,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.back()
        messages.success(
            request,
            _("%(email)s is now %(role)s.")
            % {"email": member.user.email, "role": member.get_role_display()},
        )
        return self.back()


class MemberRemoveView(ConfirmActionMixin, MemberMixin, PartnerMixin, TemplateView):
    """Confirm (GET), then remove (a confirmed POST; an unconfirmed one only asks again)."""

    permission = "team.manage"
    template_name = "partners/member_remove.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.get_member()
        context["cancel_url"] = self.get_success_url()
        return context

    def act(self):
        request = self.request
        member = self.get_member()
        try:
            services.membership_remove(
                membership=member, by=request.user, acting_partner=self.partner
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(self.get_success_url())
        messages.success(
            request,
            _("%(email)s is no longer a member of %(name)s.")
            % {"email": member.user.email, "name": self.partner.name},
        )
        if member.user_id == request.user.pk:
            return redirect("dashboard")
        return redirect(self.get_success_url())


class TeamInvitationActionView(PostOnlyPartnerView):
    """Resend an open team invitation (revoking has its confirmation page, below)."""

    permission = "team.manage"
    action = ""

    def get_success_url(self) -> str:
        return reverse("partners:team", kwargs={"partner_id": self.partner.public_id})

    def post(self, request, *args, **kwargs):
        invitation = get_object_or_404(
            TeamInvitation, pk=kwargs["invitation_id"], partner=self.partner
        )
        service = {
            "resend": services.team_invitation_resend,
            "revoke": services.team_invitation_revoke,
        }[self.action]
        try:
            service(invitation=invitation, by=request.user, acting_partner=self.partner)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.back()
        if self.action == "resend":
            messages.success(
                request,
                _(
                    "Invitation sent again to %(email)s with a new link; the old link no longer "
                    "works."
                )
                % {"email": invitation.email},
            )
        else:
            messages.success(
                request,
                _("Invitation to %(email)s revoked; its link no longer works.")
                % {"email": invitation.email},
            )
        return self.back()


class TeamInvitationRevokeView(ConfirmActionMixin, PartnerMixin, TemplateView):
    """What revoking a team invitation does (GET); a confirmed POST revokes it."""

    permission = "team.manage"
    template_name = "partners/team_invitation_revoke.html"

    def get_invitation(self) -> TeamInvitation:
        return get_object_or_404(
            TeamInvitation, pk=self.kwargs["invitation_id"], partner=self.partner
        )

    def get_success_url(self) -> str:
        return reverse("partners:team", kwargs={"partner_id": self.partner.public_id})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitation"] = self.get_invitation()
        context["cancel_url"] = self.get_success_url()
        return context

    def act(self):
        invitation = self.get_invitation()
        try:
            services.team_invitation_revoke(
                invitation=invitation, by=self.request.user, acting_partner=self.partner
            )
        except ValidationError as exc:
            messages.error(self.request, error_text(exc))
        else:
            messages.success(
                self.request,
                _("Invitation to %(email)s revoked; its link no longer works.")
                % {"email": invitation.email},
            )
        return redirect(self.get_success_url())
