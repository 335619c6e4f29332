"""Partner staff roles and what they may do: the one registry of permissions.

A permission is asked of a membership (`membership.has_perm(Permission.CUSTOMERS_VIEW)` or a
view's `permission = "customers.view"`); the answer depends on the role, the organization's
kind (some permissions exist only for providers or only for resellers) and its status (a
pending or suspended organization has no write permission). An unknown name raises, so a typo
fails the first test that reaches it instead of silently denying.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global admin")
    ADMIN_AGENT = "admin_agent", _("Admin agent")
    SALES_AGENT = "sales_agent", _("Sales agent")
    HELPDESK_AGENT = "helpdesk_agent", _("Helpdesk agent")


class Permission(models.TextChoices):
    ORGANIZATION_VIEW = "organization.view", _("See the organization")
    ORGANIZATION_EDIT = "organization.edit", _("Edit the organization's profile")
    TEAM_VIEW = "team.view", _("See the team")
    TEAM_MANAGE = "team.manage", _("Invite, change and remove team members")
    PARTNERSHIPS_VIEW = "partnerships.view", _("See reseller partnerships")
    PARTNERSHIPS_MANAGE = "partnerships.manage", _("Manage reseller partnerships")
    RESELLERS_VIEW = "resellers.view", _("See resellers")
    RESELLERS_MANAGE = "resellers.manage", _("Invite, suspend and end resellers")
    PROVIDERS_VIEW = "providers.view", _("See providers")
    PROVIDERS_MANAGE = "providers.manage", _("End partnerships with providers")
    INVITATIONS_VIEW = "invitations.view", _("See customer invitations")
    INVITATIONS_CREATE = "invitations.create", _("Create customer invitations")
    INVITATIONS_SEND = "invitations.send", _("Email and forward customer invitations")
    INVITATIONS_MANAGE = "invitations.manage", _("Revoke customer invitations")
    CUSTOMERS_VIEW = "customers.view", _("See customers")
    CUSTOMERS_MANAGE = "customers.manage", _("End customer relationships")
    DELEGATED_ADMIN_MANAGE = (
        "delegated_admin.manage",
        _("Ask customers for delegated admin, confirm their requests and give it up"),
    )
    ACTIVITY_VIEW = "activity.view", _("See the activity log")
    API_MANAGE = "api.manage", _("Manage API keys and webhooks")


P = Permission
_READ = frozenset(
    {P.ORGANIZATION_VIEW, P.TEAM_VIEW, P.PARTNERSHIPS_VIEW, P.RESELLERS_VIEW, P.PROVIDERS_VIEW}
)
_SELL = frozenset({P.INVITATIONS_VIEW, P.INVITATIONS_CREATE, P.INVITATIONS_SEND, P.CUSTOMERS_VIEW})

# The one place where roles turn into capabilities.
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.GLOBAL_ADMIN: frozenset(Permission),
    Role.ADMIN_AGENT: _READ
    | _SELL
    | {P.INVITATIONS_MANAGE, P.CUSTOMERS_MANAGE, P.DELEGATED_ADMIN_MANAGE, P.ACTIVITY_VIEW},
    Role.SALES_AGENT: _READ | _SELL,
    Role.HELPDESK_AGENT: _READ | {P.CUSTOMERS_VIEW},
}
# Capabilities that only providers (indirect providers, direct partners) have.
PROVIDER_ONLY_PERMISSIONS = frozenset(
    {
        P.INVITATIONS_CREATE,
        P.INVITATIONS_MANAGE,
        P.CUSTOMERS_MANAGE,
        P.RESELLERS_VIEW,
        P.RESELLERS_MANAGE,
    }
)
# Capabilities that only indirect resellers have (their side of reseller partnerships).
RESELLER_ONLY_PERMISSIONS = frozenset({P.PROVIDERS_VIEW, P.PROVIDERS_MANAGE})
# Capabilities that change things: a pending or suspended organization has none of them.
WRITE_PERMISSIONS = frozenset(
    {
        P.ORGANIZATION_EDIT,
        P.TEAM_MANAGE,
        P.PARTNERSHIPS_MANAGE,
        P.RESELLERS_MANAGE,
        P.PROVIDERS_MANAGE,
        P.INVITATIONS_CREATE,
        P.INVITATIONS_SEND,
        P.INVITATIONS_MANAGE,
        P.CUSTOMERS_MANAGE,
        P.DELEGATED_ADMIN_MANAGE,
    }
)
