"""Writes for partner organizations, their teams and provider–reseller partnerships.

Every function runs in one transaction, validates with clear messages (ValidationError), and
records one audit event per change inside that transaction. Emails go out on commit. Rows two
requests can race for (an invitation being accepted, a partner's memberships while a Global
admin is demoted or removed) are locked with select_for_update().

One module per sub-domain: `organizations`, `team`, `partnerships` (with its transitions
table), and `common` for what they share. Callers import from here
(`from apps.partners import services`), so the split stays an internal matter.
"""

from .common import NewAccount
from .organizations import (
    partner_approve,
    partner_create,
    partner_set_mfa_required,
    partner_suspend,
    partner_update,
)
from .partnerships import (
    PARTNERSHIP_ACTIONS,
    PARTNERSHIP_TRANSITIONS,
    partnership_accept,
    partnership_decline,
    partnership_end,
    partnership_invitation_resend,
    partnership_invitation_revoke,
    partnership_invite,
    partnership_reactivate,
    partnership_suspend,
    partnership_transition,
)
from .team import (
    LAST_GLOBAL_ADMIN_MESSAGE,
    membership_add,
    membership_change_role,
    membership_remove,
    team_invitation_accept,
    team_invitation_decline,
    team_invitation_resend,
    team_invitation_revoke,
    team_invite,
)

__all__ = [
    "LAST_GLOBAL_ADMIN_MESSAGE",
    "PARTNERSHIP_ACTIONS",
    "PARTNERSHIP_TRANSITIONS",
    "NewAccount",
    "membership_add",
    "membership_change_role",
    "membership_remove",
    "partner_approve",
    "partner_create",
    "partner_suspend",
    "partner_update",
    "partner_set_mfa_required",
    "partnership_accept",
    "partnership_decline",
    "partnership_end",
    "partnership_invitation_resend",
    "partnership_invitation_revoke",
    "partnership_invite",
    "partnership_reactivate",
    "partnership_suspend",
    "partnership_transition",
    "team_invitation_accept",
    "team_invitation_decline",
    "team_invitation_resend",
    "team_invitation_revoke",
    "team_invite",
]
