"""One-time links for team invitations and reseller-partnership invitations (`/t/<token>/`).

The token is `secrets.token_urlsafe(32)` (256 bits). Only its SHA-256 hash is stored, so the
database alone cannot rebuild a working link; resending an invitation makes a new token and
the old link stops working. Opening a link moves the hash into the session and redirects to a
token-free landing page (as Django's password reset does), so the token never leaks through
Referer headers, browser history or access logs.
"""

import hashlib
import secrets

from django.conf import settings
from django.urls import reverse

from apps.core.links import LinkProblem, LinkStash, problem_message

from .models import ResellerPartnership, TeamInvitation

TOKEN_BYTES = 32
# Session slots holding the *hash* of the link this browser opened last.
SESSION_TEAM_LINK = "partners_team_link"
SESSION_PARTNERSHIP_LINK = "partners_partnership_link"
TEAM_LINK = LinkStash(SESSION_TEAM_LINK)
PARTNERSHIP_LINK = LinkStash(SESSION_PARTNERSHIP_LINK)


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def link_url(token: str) -> str:
    """The absolute link for emails."""
    return settings.PORTAL_BASE_URL + reverse("partners:link", kwargs={"token": token})


def team_invitation_problem(invitation: TeamInvitation | None) -> str:
    """'' when the invitation can be accepted now, else a core LinkProblem."""
    if invitation is None:
        return LinkProblem.UNKNOWN
    return {
        TeamInvitation.Status.PENDING: "",
        TeamInvitation.Status.EXPIRED: LinkProblem.EXPIRED,
        TeamInvitation.Status.REVOKED: LinkProblem.REVOKED,
        TeamInvitation.Status.ACCEPTED: LinkProblem.USED,
        TeamInvitation.Status.DECLINED: LinkProblem.DECLINED,
    }[invitation.status]


def partnership_invitation_problem(partnership: ResellerPartnership | None) -> str:
    if partnership is None:
        return LinkProblem.UNKNOWN
    state = partnership.state
    if state == ResellerPartnership.State.INVITED:
        return "" if partnership.invitation_is_pending else LinkProblem.EXPIRED
    if state == ResellerPartnership.State.REVOKED:
        return LinkProblem.REVOKED
    if state == ResellerPartnership.State.DECLINED:
        return LinkProblem.DECLINED
    return LinkProblem.USED


__all__ = ["LinkProblem", "problem_message"]  # the vocabulary, re-exported for callers
