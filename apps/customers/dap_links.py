"""The one-time link of a partner's delegated admin request (a bearer secret, like an
invitation link: docs/product.md §5).

A link is `r<key>.<signature>`: `key` is 128 random bits stored on the request, `signature`
an HMAC-SHA256 made with SECRET_KEY, so the database alone cannot rebuild it. Opening it moves
the token into the session (apps.core.links.LinkStash) and redirects to a URL without it; the
link works until the request is answered, withdrawn or expired (apps.core.links.LinkProblem).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.core.links import LinkProblem, LinkStash

from .models_dap import DelegatedAdminRequest

SALT = "apps.customers.dap_request_link"
SEP = "."
PREFIX = "r"
LINK = LinkStash("dap_request_link")

_PROBLEM_BY_STATUS = {
    DelegatedAdminRequest.Status.APPROVED: LinkProblem.USED,
    DelegatedAdminRequest.Status.DECLINED: LinkProblem.DECLINED,
    DelegatedAdminRequest.Status.CANCELLED: LinkProblem.REVOKED,
}


@dataclass(frozen=True)
class RequestLink:
    dap_request: DelegatedAdminRequest | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.dap_request is not None and not self.problem


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=SEP, algorithm="sha256")


def request_token(dap_request: DelegatedAdminRequest) -> str:
    return _signer().sign(PREFIX + dap_request.link_key)


def request_url(dap_request: DelegatedAdminRequest) -> str:
    return settings.PORTAL_BASE_URL + reverse(
        "customers:dap_request_link", kwargs={"token": request_token(dap_request)}
    )


def resolve_token(token: str) -> RequestLink:
    """unknown (no such key), tampered (bad signature), used / declined / revoked (answered or
    withdrawn) or expired; else the open request."""
    value, sep, _sig = (token or "").strip().rpartition(SEP)
    if not sep or len(value) < 2 or not value.startswith(PREFIX):
        return RequestLink(problem=LinkProblem.UNKNOWN)
    dap_request = (
        DelegatedAdminRequest.objects.select_related("customer", "partner")
        .filter(link_key=value[len(PREFIX) :])
        .first()
    )
    if dap_request is None:
        return RequestLink(problem=LinkProblem.UNKNOWN)
    try:
        _signer().unsign(token.strip())
    except signing.BadSignature:
        return RequestLink(problem=LinkProblem.TAMPERED)
    if dap_request.status in _PROBLEM_BY_STATUS:
        return RequestLink(dap_request, _PROBLEM_BY_STATUS[dap_request.status])
    if dap_request.is_expired:
        return RequestLink(dap_request, LinkProblem.EXPIRED)
    return RequestLink(dap_request)


def resolve_session_link(request) -> RequestLink:
    token = LINK.get(request)
    return resolve_token(token) if token else RequestLink(problem=LinkProblem.UNKNOWN)
