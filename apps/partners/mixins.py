"""The one way into partner-organization pages.

The organization comes from the URL (`partner_id`, its public ID). A user who is not a member
gets 404 (nothing says the organization exists); a member without the capability the view
declares gets 403 with the reason.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from apps.accounts.mfa import MFARequired, is_verified

from .models import PartnerMembership
from .permissions import (
    PROVIDER_ONLY_PERMISSIONS,
    RESELLER_ONLY_PERMISSIONS,
    ROLE_PERMISSIONS,
    WRITE_PERMISSIONS,
    Permission,
    Role,
)

RESELLER_CANNOT_CREATE = _(
    "Only providers (indirect providers and direct partners) create invitations. Resellers "
    "forward the invitations their providers issue for them."
)
# What a service says when asked to do something the organization's kind never may (the
# admin and the API show it too); the pages refine it per role in denial_reason().
DENIED_MESSAGES = {"invitations.create": RESELLER_CANNOT_CREATE}


def get_membership_or_404(user, partner_public_id: str) -> PartnerMembership:
    if not user.is_authenticated:
        raise Http404
    try:
        membership = PartnerMembership.objects.select_related("partner").get(
            user=user, partner__public_id=partner_public_id
        )
    except PartnerMembership.DoesNotExist:
        raise Http404 from None
    if membership.partner.require_mfa and not is_verified(user):
        raise MFARequired  # MFAMiddleware sends the member to set it up or to pass it
    return membership


def roles_allowed(perm: str) -> list[str]:
    """The labels of the roles that may do `perm`, in the table's order."""
    return [Role(role).label for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def denial_reason(membership: PartnerMembership, perm: str) -> str:
    """Why `membership` may not do `perm`: its organization's kind, its status, or the role.

    The reason speaks to the person refused: a reseller hears about resellers, a provider's
    Helpdesk agent about its role and who in its own organization can do it.
    """
    perm = Permission(perm)
    partner = membership.partner
    if perm == Permission.INVITATIONS_CREATE and not partner.is_provider:
        return RESELLER_CANNOT_CREATE
    if perm in PROVIDER_ONLY_PERMISSIONS and not partner.is_provider:
        if perm.startswith("resellers."):
            return _("Only providers (indirect providers and direct partners) have resellers.")
        return _("Only providers (indirect providers and direct partners) can do this.")
    if perm in RESELLER_ONLY_PERMISSIONS and not partner.is_reseller:
        return _("Only indirect resellers have providers.")
    role_allows = perm in ROLE_PERMISSIONS.get(membership.role, ())
    if role_allows and perm in WRITE_PERMISSIONS and not partner.is_active:
        return _("This organization is not active, so it cannot make changes.")
    allowed = roles_allowed(perm)
    if allowed == [Role.GLOBAL_ADMIN.label]:
        return _("Only Global admins can do this. Your role is %(role)s.") % {
            "role": membership.get_role_display()
        }
    return _(
        "Your role, %(role)s, does not include this (%(permission)s). In %(organization)s, "
        "ask someone with one of these roles: %(roles)s."
    ) % {
        "role": membership.get_role_display(),
        "permission": Permission(perm).label,
        "organization": partner.name,
        # a translated separator: Chinese joins a list with "、", not an ASCII comma
        "roles": pgettext("list separator", ", ").join(str(label) for label in allowed),
    }


def require_perm(membership: PartnerMembership, perm: str, request=None) -> None:
    if not membership.has_perm(perm):
        if request is not None:
            # the 403 page shows the organization's navigation (config.views.permission_denied)
            request.denied_partner_membership = membership
        raise PermissionDenied(denial_reason(membership, perm))


class PartnerMixin:
    """Resolve `self.membership` and `self.partner` from the URL and check `permission`."""

    permission: str | None = "organization.view"

    def dispatch(self, request, *args, **kwargs):
        self.membership = get_membership_or_404(request.user, kwargs["partner_id"])
        self.partner = self.membership.partner
        if self.permission:
            require_perm(self.membership, self.permission, request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partner"] = self.partner
        context["membership"] = self.membership
        return context
