"""The audit log's vocabulary: every action the portal records, with a label people read.

`audit_record` refuses an action that is not listed here, so a typo fails the first test that
reaches it instead of writing an event nobody can filter for. The activity pages and the
admin's action filter show the labels; the stored value stays the dotted name (stable across
languages and releases).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # accounts
    ACCOUNT_SIGNED_IN = "account.signed_in", _("Signed in")
    ACCOUNT_SIGNED_OUT = "account.signed_out", _("Signed out")
    ACCOUNT_SIGN_IN_FAILED = "account.sign_in_failed", _("Sign-in failed")
    ACCOUNT_PASSWORD_RESET = "account.password_reset", _("Password reset")
    ACCOUNT_PASSWORD_CHANGED = "account.password_changed", _("Password changed")
    ACCOUNT_PROFILE_CHANGED = "account.profile_changed", _("Profile changed")
    ACCOUNT_PRIVILEGES_CHANGED = "account.privileges_changed", _("Privileges changed")
    ACCOUNT_PASSWORD_SET = "account.password_set", _("Password set by an operator")
    ACCOUNT_SIGNED_UP = "account.signed_up", _("Account created (email address confirmed)")
    GROUP_CHANGED = "group.changed", _("Permission group changed")
    GROUP_DELETED = "group.deleted", _("Permission group deleted")
    AUDITOR_ADDED = "auditor.added", _("Auditor added")
    # two-step verification
    MFA_ENROLLED = "mfa.enrolled", _("Two-step verification set up")
    MFA_REMOVED = "mfa.removed", _("Two-step verification removed")
    MFA_RECOVERY_CODES_ISSUED = "mfa.recovery_codes_issued", _("New recovery codes created")
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used", _("Recovery code used to sign in")
    MFA_PASSKEY_ADDED = "mfa.passkey_added", _("Passkey added")
    MFA_PASSKEY_REMOVED = "mfa.passkey_removed", _("Passkey removed")
    MFA_RESET_BY_OPERATOR = "mfa.reset_by_operator", _("Two-step verification reset by an operator")
    # partner organizations
    PARTNER_CREATED = "partner.created", _("Partner organization created")
    PARTNER_APPROVED = "partner.approved", _("Partner organization approved")
    PARTNER_SUSPENDED = "partner.suspended", _("Partner organization suspended")
    PARTNER_UPDATED = "partner.updated", _("Partner profile changed")
    PARTNER_MFA_REQUIREMENT_CHANGED = (
        "partner.mfa_requirement_changed",
        _("Two-step verification requirement changed"),
    )
    # partner teams
    TEAM_INVITED = "team.invited", _("Team member invited")
    TEAM_INVITATION_RESENT = "team.invitation_resent", _("Team invitation sent again")
    TEAM_INVITATION_REVOKED = "team.invitation_revoked", _("Team invitation revoked")
    TEAM_INVITATION_DECLINED = "team.invitation_declined", _("Team invitation declined")
    TEAM_JOINED = "team.joined", _("Joined the team")
    TEAM_MEMBER_ADDED = "team.member_added", _("Team member added")
    TEAM_ROLE_CHANGED = "team.role_changed", _("Team member's role changed")
    TEAM_MEMBER_REMOVED = "team.member_removed", _("Team member removed")
    # reseller partnerships
    PARTNERSHIP_INVITED = "partnership.invited", _("Reseller invited")
    PARTNERSHIP_INVITATION_RESENT = (
        "partnership.invitation_resent",
        _("Reseller invitation sent again"),
    )
    PARTNERSHIP_INVITATION_REVOKED = (
        "partnership.invitation_revoked",
        _("Reseller invitation revoked"),
    )
    PARTNERSHIP_ACCEPTED = "partnership.accepted", _("Reseller partnership accepted")
    PARTNERSHIP_DECLINED = "partnership.declined", _("Reseller partnership declined")
    PARTNERSHIP_SUSPENDED = "partnership.suspended", _("Reseller partnership suspended")
    PARTNERSHIP_REACTIVATED = "partnership.reactivated", _("Reseller partnership reactivated")
    PARTNERSHIP_ENDED = "partnership.ended", _("Reseller partnership ended")
    # customer invitations
    INVITATION_CREATED = "invitation.created", _("Invitation created")
    INVITATION_DELIVERED = "invitation.delivered", _("Invitation emailed")
    INVITATION_FORWARDED = "invitation.forwarded", _("Invitation forwarded")
    INVITATION_RESENT = "invitation.resent", _("Invitation email sent again")
    INVITATION_OPENED = "invitation.opened", _("Invitation link opened")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_DECLINED = "invitation.declined", _("Invitation declined")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
    INVITATION_EXTENDED = "invitation.extended", _("Invitation expiry extended")
    INVITATION_REVOKED_LINK_USED = "invitation.revoked_link_used", _("Revoked invitation link used")
    INVITATION_EXPIRED_LINK_USED = "invitation.expired_link_used", _("Expired invitation link used")
    INVITATION_LINK_REQUESTED = "invitation.link_requested", _("Invitation link requested")
    INVITATION_LINK_REQUEST_HANDLED = (
        "invitation.link_request_handled",
        _("Invitation link request handled"),
    )
    # customers
    CUSTOMER_CREATED = "customer.created", _("Customer organization created")
    CUSTOMER_CHANGED = "customer.changed", _("Customer organization changed")
    CUSTOMER_ADMIN_ADDED = "customer.admin_added", _("Customer admin added")
    CUSTOMER_VERIFIED = "customer.verified", _("Tenant domain verified")
    CUSTOMER_VERIFICATION_FAILED = (
        "customer.verification_failed",
        _("Tenant domain check found no record"),
    )
    CUSTOMER_VERIFICATION_RECHECKED = (
        "customer.verification_rechecked",
        _("Tenant domain checked again"),
    )
    CUSTOMER_CLAIM_CLOSED = "customer.claim_closed", _("Tenant claim closed")
    CUSTOMER_TEAM_INVITED = "customer.team_invited", _("Customer team member invited")
    CUSTOMER_TEAM_INVITATION_REVOKED = (
        "customer.team_invitation_revoked",
        _("Customer team invitation revoked"),
    )
    CUSTOMER_TEAM_JOINED = "customer.team_joined", _("Joined a customer team")
    CUSTOMER_MEMBER_REMOVED = "customer.member_removed", _("Customer team member removed")
    RELATIONSHIP_CREATED = "relationship.created", _("Reseller relationship created")
    RELATIONSHIP_ENDED = "relationship.ended", _("Reseller relationship ended")
    GRANT_CREATED = "grant.created", _("Delegated admin granted")
    GRANT_UPDATED = "grant.updated", _("Delegated admin scopes changed")
    GRANT_MOVED = "grant.moved", _("Delegated admin moved")
    GRANT_REMOVED = "grant.removed", _("Delegated admin removed")
    GRANT_EXTENDED = "grant.extended", _("Delegated admin extended")
    GRANT_AUTO_EXTENDED = "grant.auto_extended", _("Delegated admin extended automatically")
    GRANT_AUTO_EXTEND_CHANGED = "grant.auto_extend_changed", _("Auto-extension turned on or off")
    GRANT_EXPIRED = "grant.expired", _("Delegated admin ended at its end date")
    GRANT_RELINQUISHED = "grant.relinquished", _("Delegated admin given up by the partner")
    GRANT_REMINDER_SENT = "grant.reminder_sent", _("Delegated admin end date reminder sent")
    DAP_REQUEST_CREATED = "dap_request.created", _("Delegated admin requested")
    DAP_REQUEST_APPROVED = "dap_request.approved", _("Delegated admin request approved")
    DAP_REQUEST_DECLINED = "dap_request.declined", _("Delegated admin request declined")
    DAP_REQUEST_CANCELLED = "dap_request.cancelled", _("Delegated admin request withdrawn")
    SUBSCRIPTION_CREATED = "subscription.created", _("Subscription added")
    SUBSCRIPTION_CHANGED = "subscription.changed", _("Subscription changed")
    SUBSCRIPTION_IMPORTED = "subscription.imported", _("Subscriptions imported")
    # the automation API (apps/api)
    API_KEY_CREATED = "api_key.created", _("API key created")
    API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
    API_REQUEST = "api.request", _("API call")
    API_REFUSED = "api.refused", _("API call refused")
    WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created", _("Webhook endpoint added")
    WEBHOOK_ENDPOINT_REMOVED = "webhook.endpoint_removed", _("Webhook endpoint removed")
    WEBHOOK_RESENT = "webhook.resent", _("Webhook delivery sent again")
    # the email outbox
    EMAIL_REQUEUED = "email.requeued", _("Failed email queued again")


def action_label(action: str) -> str:
    """The label of a recorded action; an action no longer listed shows its dotted name."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action


# ------------------------------------------------------------------------------
# Who may filter for what: the actions an organization's activity page offers
# ------------------------------------------------------------------------------

# Dotted-name prefixes of the actions that can concern each kind of organization. The action
# filter of a partner's (customer's) activity page lists only these, so a customer never picks
# from a partner's team vocabulary (`team.invited`) and nobody sees the operator's own
# (`group.changed`, `email.requeued`).
PARTNER_ACTION_PREFIXES = (
    "account.signed_in",
    "account.signed_out",
    "account.password_reset",
    "account.password_changed",
    "account.profile_changed",
    "mfa.",
    "partner.",
    "team.",
    "partnership.",
    "invitation.",
    "customer.",
    "relationship.",
    "grant.",
    "subscription.",
)
CUSTOMER_ACTION_PREFIXES = (
    "account.signed_in",
    "account.signed_out",
    "account.profile_changed",
    "mfa.",
    "invitation.",
    "customer.",
    "relationship.",
    "grant.",
    "subscription.",
)


def actions_for_audience(audience: str) -> list[str]:
    """The registered actions an organization of kind `audience` ("partner" or "customer") can
    filter its activity by, in registry order."""
    prefixes = {"partner": PARTNER_ACTION_PREFIXES, "customer": CUSTOMER_ACTION_PREFIXES}[audience]
    return [action.value for action in AuditAction if action.value.startswith(prefixes)]


# ------------------------------------------------------------------------------
# Data keys people read: the details of an event, in words
# ------------------------------------------------------------------------------

DATA_KEY_LABELS = {
    "admin": _("Admin"),
    "attempts": _("Attempts"),
    "changed": _("Changed"),
    "changes": _("Changes"),
    "codes_left": _("Recovery codes left"),
    "count": _("Number"),
    "created": _("Created"),
    "decisions": _("Decisions per service"),
    "delivery": _("Delivery"),
    "delivery_id": _("Delivery"),
    "device": _("Device"),
    "email": _("Email"),
    "first_admin_email": _("First admin's email"),
    "founder": _("Founder"),
    "from": _("From"),
    "from_partner": _("Moved from"),
    "group": _("Group"),
    "invitation": _("Invitation"),
    "kind": _("Kind"),
    "language": _("Language"),
    "last_error": _("Last error"),
    "members": _("Members"),
    "method": _("Method"),
    "mfa_enabled": _("Two-step verification on"),
    "name": _("Name"),
    "new_account": _("New account"),
    "note": _("Note"),
    "partner": _("Partner"),
    "partner_of_record": _("Partner of record"),
    "previous": _("Before"),
    "expires_before": _("Expired (or would expire) on"),
    "expires_at": _("Expires on"),
    "provider": _("Provider"),
    "purchase_channel": _("Purchase channel"),
    "purpose": _("Purpose"),
    "reason": _("Reason"),
    "recipient_email": _("Recipient's email"),
    "relationship": _("Relationship"),
    "relationship_created": _("Relationship created"),
    "requests_dap": _("Asks for delegated admin"),
    "require_mfa": _("Two-step verification required"),
    "reseller": _("Reseller"),
    "revoked_grants": _("Delegated admin revoked"),
    "role": _("Role"),
    "scopes": _("Scopes"),
    "scopes_before": _("Scopes before"),
    "service": _("Service"),
    "services": _("Services"),
    "status": _("Status"),
    "subscription_id": _("Subscription"),
    "tenant_domain": _("Tenant domain"),
    "times_sent": _("Times sent"),
    "to": _("To"),
    "usable": _("Usable"),
    "use_count": _("Times used"),
    "via": _("Through"),
}


def data_key_label(key: str) -> str:
    """What a person reads for a data key: its label, else the key in words
    (`times_sent` -> "Times sent"), never the raw identifier."""
    label = DATA_KEY_LABELS.get(key)
    if label is not None:
        return str(label)
    words = key.replace("_", " ").replace(".", " ").strip()
    return words[:1].upper() + words[1:] if words else key


# ------------------------------------------------------------------------------
# Audiences: what each concerned organization may read (docs/decisions.md, "Audit audiences")
# ------------------------------------------------------------------------------

# Data keys that hold personal data (people's email addresses and names), per action. They are
# shown only to the organization the event belongs to (see apps/audit/audience.py) and to
# operators; every other concerned organization sees the event with these values hidden.
# Any other value that looks like an email address is hidden the same way, so a key missing
# here cannot leak an address; this list is what a reader can rely on and what the tests walk.
PERSONAL_DATA_KEYS: dict[str, frozenset[str]] = {
    AuditAction.ACCOUNT_SIGN_IN_FAILED: frozenset({"email"}),
    AuditAction.ACCOUNT_PROFILE_CHANGED: frozenset({"changes"}),
    AuditAction.PARTNER_CREATED: frozenset({"first_admin_email"}),
    AuditAction.PARTNER_UPDATED: frozenset({"changes"}),
    AuditAction.TEAM_INVITED: frozenset({"email"}),
    AuditAction.TEAM_INVITATION_RESENT: frozenset({"email"}),
    AuditAction.TEAM_INVITATION_REVOKED: frozenset({"email"}),
    AuditAction.TEAM_INVITATION_DECLINED: frozenset({"email"}),
    AuditAction.TEAM_JOINED: frozenset({"email"}),
    AuditAction.TEAM_MEMBER_ADDED: frozenset({"email"}),
    AuditAction.TEAM_ROLE_CHANGED: frozenset({"email"}),
    AuditAction.TEAM_MEMBER_REMOVED: frozenset({"email"}),
    AuditAction.PARTNERSHIP_INVITED: frozenset({"email"}),
    AuditAction.PARTNERSHIP_INVITATION_RESENT: frozenset({"email"}),
    AuditAction.PARTNERSHIP_INVITATION_REVOKED: frozenset({"email"}),
    AuditAction.PARTNERSHIP_DECLINED: frozenset({"email"}),
    AuditAction.INVITATION_CREATED: frozenset({"recipient_email"}),
    AuditAction.INVITATION_DELIVERED: frozenset({"email"}),
    AuditAction.INVITATION_FORWARDED: frozenset({"email"}),
    AuditAction.INVITATION_RESENT: frozenset({"email"}),
    AuditAction.CUSTOMER_CREATED: frozenset({"admin"}),
    AuditAction.CUSTOMER_ADMIN_ADDED: frozenset({"admin"}),
    AuditAction.CUSTOMER_TEAM_INVITED: frozenset({"email"}),
    AuditAction.CUSTOMER_TEAM_INVITATION_REVOKED: frozenset({"email"}),
    AuditAction.CUSTOMER_TEAM_JOINED: frozenset({"email"}),
    AuditAction.CUSTOMER_MEMBER_REMOVED: frozenset({"email"}),
    AuditAction.EMAIL_REQUEUED: frozenset({"to"}),
}


def personal_data_keys(action: str) -> frozenset[str]:
    """The data keys of `action` that only the event's own organization may read."""
    return PERSONAL_DATA_KEYS.get(action, frozenset())
