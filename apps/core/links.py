"""One-time links: the session stash and the problem vocabulary.

Opening a one-time link moves its token (or what identifies it) into the session and
redirects to a URL without it (as Django's password reset does), so the secret never leaks
through Referer headers, browser history or access logs. What a token is and how it is
checked stays with each app; this module only carries it and names what can be wrong.
"""

from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

# A real token is well under this; anything much longer is not worth keeping in a session.
MAX_TOKEN_LENGTH = 200


class LinkStash:
    """One session slot holding the link this browser opened last."""

    def __init__(self, session_key: str):
        self.session_key = session_key

    def put(self, request, value: str) -> None:
        request.session[self.session_key] = value

    def get(self, request) -> str | None:
        return request.session.get(self.session_key) or None

    def clear(self, request) -> None:
        request.session.pop(self.session_key, None)

    def put_and_redirect(self, request, value: str, to: str) -> HttpResponse:
        """Stash `value` (forget it when it is absurdly long) and redirect to the token-free
        `to`, telling the browser to send no Referer from the URL that held the token."""
        if value and len(value) <= MAX_TOKEN_LENGTH:
            self.put(request, value)
        else:
            self.clear(request)
        response = HttpResponseRedirect(to)
        response["Referrer-Policy"] = "no-referrer"
        return response


class LinkProblem(models.TextChoices):
    """What can be wrong with a one-time link, in the words its page uses."""

    UNKNOWN = "unknown", _("This invitation link is not valid")
    TAMPERED = "tampered", _("This invitation link is damaged")
    REVOKED = "revoked", _("This invitation was revoked")
    EXPIRED = "expired", _("This invitation has expired")
    USED = "used", _("This invitation was already used")
    DECLINED = "declined", _("This invitation was declined")

    @property
    def title(self) -> str:
        return self.label

    @property
    def message(self) -> str:
        return PROBLEM_MESSAGES[self]

    @property
    def status(self) -> int:
        """404 for a link that never worked (unknown, tampered), 410 for one that is dead."""
        return 404 if self in (LinkProblem.UNKNOWN, LinkProblem.TAMPERED) else 410


PROBLEM_MESSAGES = {
    LinkProblem.UNKNOWN: _(
        "No invitation matches this link, or no link is open in this browser. Open the whole "
        "link from the most recent email again; if the invitation was sent again, only the "
        "newest link works."
    ),
    LinkProblem.TAMPERED: _(
        "The link is incomplete or was changed on the way. Copy the whole link from the email "
        "into your browser, or ask the person who sent it to send it again."
    ),
    LinkProblem.REVOKED: _(
        "The organization that sent it withdrew it, so it can no longer be accepted. Ask them "
        "for a new invitation if you think this is a mistake."
    ),
    LinkProblem.EXPIRED: _(
        "Invitations are valid for a limited time and this one has run out. Ask the person "
        "who sent it for a new invitation."
    ),
    LinkProblem.USED: _(
        "It has been accepted as many times as it allows. If your organization accepted it, "
        "sign in: the partner is on your Partner relationships page, or the organization on "
        "your dashboard. Otherwise ask the person who sent it for a new invitation."
    ),
    LinkProblem.DECLINED: _(
        "It was declined, so it can no longer be accepted. Ask for a new one if you changed "
        "your mind."
    ),
}


def problem_message(problem: str) -> str:
    """Title and explanation in one sentence pair (for flash messages)."""
    problem = LinkProblem(problem)
    return f"{problem.title}. {problem.message}"


# Links that are not invitations: their own words for each problem (title, explanation);
# a problem not listed for a kind falls back to the invitation's words.
LINK_KIND_WORDS = {
    "signup": {
        LinkProblem.UNKNOWN: (
            _("This confirmation link is not valid"),
            _(
                "No sign-up matches this link, or no link is open in this browser. Open the "
                "whole link from the most recent email again."
            ),
        ),
        LinkProblem.TAMPERED: (
            _("This confirmation link is damaged"),
            _(
                "The link is incomplete or was changed on the way. Copy the whole link from "
                "the email into your browser."
            ),
        ),
        LinkProblem.EXPIRED: (
            _("This confirmation link has expired"),
            _("Confirmation links work for a limited time. Sign up again to get a new one."),
        ),
        LinkProblem.USED: (
            _("This confirmation link was already used"),
            _("The address is confirmed and its account exists: sign in with it."),
        ),
    },
    "dap_request": {
        LinkProblem.UNKNOWN: (
            _("This delegated admin request link is not valid"),
            _(
                "No request matches this link, or no link is open in this browser. Open the "
                "whole link from the most recent email again."
            ),
        ),
        LinkProblem.TAMPERED: (
            _("This delegated admin request link is damaged"),
            _(
                "The link is incomplete or was changed on the way. Copy the whole link from "
                "the email into your browser."
            ),
        ),
        LinkProblem.REVOKED: (
            _("This delegated admin request was withdrawn"),
            _("The partner withdrew it. Nothing changes for your services."),
        ),
        LinkProblem.EXPIRED: (
            _("This delegated admin request has expired"),
            _("Ask the partner for a new request if you still want to give it delegated admin."),
        ),
        LinkProblem.USED: (
            _("This delegated admin request was already answered"),
            _("Your organization's Partner relationships page shows who holds what today."),
        ),
        LinkProblem.DECLINED: (
            _("This delegated admin request was declined"),
            _("Ask the partner for a new request if you changed your mind."),
        ),
    },
}


def render_link_problem(request, problem: str, *, kind: str = "invitation") -> HttpResponse:
    """The page for a link that does not work: it says which problem, with its status code,
    and nothing about any other link. `kind` picks the words ("invitation", "signup",
    "dap_request")."""
    problem = LinkProblem(problem or LinkProblem.UNKNOWN)
    title, message = LINK_KIND_WORDS.get(kind, {}).get(problem, (problem.title, problem.message))
    return render(
        request,
        "core/link_problem.html",
        {"problem": problem, "title": title, "message": message},
        status=problem.status,
    )
