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


def render_link_problem(request, problem: str) -> HttpResponse:
    """The page for a link that does not work: it says which problem, with its status code,
    and nothing about any other invitation."""
    problem = LinkProblem(problem or LinkProblem.UNKNOWN)
    return render(
        request,
        "core/link_problem.html",
        {"problem": problem, "title": problem.title, "message": problem.message},
        status=problem.status,
    )
