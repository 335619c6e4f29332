"""Invitation links are bearer secrets (docs/product.md §5).

A link is `<prefix><key>.<signature>`: `key` is 128 random bits stored on the invitation (or
delivery), `signature` an HMAC-SHA256 of it made with SECRET_KEY (django.core.signing.Signer,
which also accepts SECRET_KEY_FALLBACKS during a key rotation). The database alone cannot
rebuild a working link; the provider can always display it again. Prefix `i` is the
invitation's own link, `d` a delivery's (so opening and acceptance are attributed to it).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.core.links import LinkProblem, LinkStash

from .models import Delivery, Invitation

SALT = "apps.invitations.link"
SEP = "."
INVITATION_PREFIX = "i"
DELIVERY_PREFIX = "d"
# Where the landing page finds the link after the token left the URL.
SESSION_KEY = "invitation_link"
LINK = LinkStash(SESSION_KEY)
# Set once an attempt to use a dead link in the session was recorded (one audit event each).
REPORTED = LinkStash("invitation_link_reported")


@dataclass(frozen=True)
class LinkResolution:
    invitation: Invitation | None = None
    delivery: Delivery | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.invitation is not None and not self.problem


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=SEP, algorithm="sha256")


def invitation_token(invitation: Invitation) -> str:
    return _signer().sign(INVITATION_PREFIX + invitation.link_key)


def delivery_token(delivery: Delivery) -> str:
    return _signer().sign(DELIVERY_PREFIX + delivery.link_key)


def link_path(token: str) -> str:
    return reverse("invitations:link", kwargs={"token": token})


def invitation_url(invitation: Invitation) -> str:
    return settings.PORTAL_BASE_URL + link_path(invitation_token(invitation))


def delivery_url(delivery: Delivery) -> str:
    return settings.PORTAL_BASE_URL + link_path(delivery_token(delivery))


def resolve_token(token: str) -> LinkResolution:
    """Find the invitation (and delivery) a token names and say what, if anything, is wrong.

    unknown: no such key (or a malformed token); tampered: the key exists but the signature
    does not match; revoked / used / expired: the invitation's derived status.
    """
    token = (token or "").strip()
    value, sep, _sig = token.rpartition(SEP)
    if not sep or len(value) < 2 or value[0] not in (INVITATION_PREFIX, DELIVERY_PREFIX):
        return LinkResolution(problem=LinkProblem.UNKNOWN)
    prefix, key = value[0], value[1:]
    delivery = None
    if prefix == DELIVERY_PREFIX:
        delivery = (
            Delivery.objects.select_related("invitation__provider", "invitation__reseller")
            .filter(link_key=key)
            .first()
        )
        invitation = delivery.invitation if delivery else None
    else:
        invitation = (
            Invitation.objects.select_related("provider", "reseller").filter(link_key=key).first()
        )
    if invitation is None:
        return LinkResolution(problem=LinkProblem.UNKNOWN)
    try:
        _signer().unsign(token)
    except signing.BadSignature:
        return LinkResolution(problem=LinkProblem.TAMPERED)
    status = invitation.effective_status
    problem = "" if status == "active" else status
    return LinkResolution(invitation=invitation, delivery=delivery, problem=problem)


def open_link(request, token: str):
    """Move the token from the URL into the session and redirect to the landing page, which
    has no token in its URL."""
    # A new opening of a link is a new attempt: the landing page may record it again.
    REPORTED.clear(request)
    return LINK.put_and_redirect(request, token, reverse("invitations:landing"))


def resolve_session_link(request) -> LinkResolution:
    """The link this browser opened last, re-checked now (it may have been revoked since)."""
    token = LINK.get(request)
    if not token:
        return LinkResolution(problem=LinkProblem.UNKNOWN)
    return resolve_token(token)


def forget_link(request) -> None:
    LINK.clear(request)
    REPORTED.clear(request)


def first_report_of_link(request) -> bool:
    """True once per opening of a link (so reloading the landing page records nothing new)."""
    token = LINK.get(request)
    if not token or REPORTED.get(request) == token:
        return False
    REPORTED.put(request, token)
    return True
