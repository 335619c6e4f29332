"""A gunicorn access logger that never writes invitation or one-time-link tokens."""

import re

from gunicorn.glogging import Logger

MASK = "[token]"
# Paths that carry a bearer secret, matched at the start of a path, after the method in the
# request line ("GET /i/<token>/ HTTP/1.1") or after the host of a URL (the Referer):
# /i/<token>/ (customer invitations), /t/<token>/ (team and partnership links) and
# /accounts/password/reset/<uid>/<token>/ (Django swaps the token for "set-password").
TOKEN_PATHS = [
    re.compile(r"(^|\s|://[^/\s]*)(/[it]/)[^/?\s]{20,}"),
    re.compile(
        r"(^|\s|://[^/\s]*)(/accounts/password/reset/[^/?\s]+/)(?!set-password/)[^/?\s]{20,}"
    ),
]


def mask_token_path(text: str) -> str:
    """Replace the token in any secret-bearing path of a path or request line."""
    text = text or ""
    for pattern in TOKEN_PATHS:
        text = pattern.sub(rf"\1\2{MASK}", text)
    return text


class TokenMaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            atoms[key] = mask_token_path(atoms.get(key, ""))
        # The Referer may carry a token too (links opened from another page of the portal)
        atoms["f"] = mask_token_path(atoms.get("f", ""))
        return atoms
