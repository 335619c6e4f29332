"""Per-request context (request id, client IP) that audit_record picks up without a request."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


EMPTY_CONTEXT = RequestContext()
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "audit_request_context",
    default=EMPTY_CONTEXT,  # noqa: B039 - a frozen dataclass is immutable
)


def get_request_context() -> RequestContext:
    return _current.get()


def set_request_context(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset_request_context(token: contextvars.Token) -> None:
    _current.reset(token)
