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
    AUDITOR_ADDED = "auditor.added", _("Auditor added")
    # two-step verification
    MFA_ENROLLED = "mfa.enrolled", _("Two-step verification set up")
    MFA_REMOVED = "mfa.removed", _("Two-step verification removed")
    MFA_RECOVERY_CODES_ISSUED = "mfa.recovery_codes_issued", _("New recovery codes created")
    MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used", _("Recovery code used to sign in")
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
    INVITATION_REVOKED_LINK_USED = "invitation.revoked_link_used", _("Revoked invitation link used")
    INVITATION_EXPIRED_LINK_USED = "invitation.expired_link_used", _("Expired invitation link used")
    # customers
    CUSTOMER_CREATED = "customer.created", _("Customer organization created")
    CUSTOMER_CHANGED = "customer.changed", _("Customer organization changed")
    CUSTOMER_ADMIN_ADDED = "customer.admin_added", _("Customer admin added")
    RELATIONSHIP_CREATED = "relationship.created", _("Reseller relationship created")
    RELATIONSHIP_ENDED = "relationship.ended", _("Reseller relationship ended")
    GRANT_CREATED = "grant.created", _("Delegated admin granted")
    GRANT_UPDATED = "grant.updated", _("Delegated admin scopes changed")
    GRANT_MOVED = "grant.moved", _("Delegated admin moved")
    GRANT_REMOVED = "grant.removed", _("Delegated admin removed")
    SUBSCRIPTION_CREATED = "subscription.created", _("Subscription added")
    SUBSCRIPTION_CHANGED = "subscription.changed", _("Subscription changed")
    SUBSCRIPTION_IMPORTED = "subscription.imported", _("Subscriptions imported")
    # the email outbox
    EMAIL_REQUEUED = "email.requeued", _("Failed email queued again")


def action_label(action: str) -> str:
    """The label of a recorded action; an action no longer listed shows its dotted name."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action
