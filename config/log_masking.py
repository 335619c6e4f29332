"""Keep one-time tokens out of every log line (gunicorn's access log and Django's loggers).

Links such as /i/<token>/ are bearer secrets: whoever reads a log must not be able to use one.
"""

import logging
import re

MASK = "[token]"
# Paths that carry a bearer secret, matched at the start of a path, after the method in the
# request line ("GET /i/<token>/ HTTP/1.1") or after the host of a URL (the Referer):
# /i/<token>/ (customer invitations), /t/<token>/ (team and partnership links), /r/<token>/
# (delegated admin requests) and
# /accounts/password/reset/<uid>/<token>/ (Django swaps the token for "set-password").
TOKEN_PATHS = [
    re.compile(r"(^|\s|://[^/\s]*)(/[itr]/)[^/?\s]{20,}"),
    re.compile(
        r"(^|\s|://[^/\s]*)(/accounts/password/reset/[^/?\s]+/)(?!set-password/)[^/?\s]{20,}"
    ),
]


def mask_token_path(text: str) -> str:
    """Replace the token in any secret-bearing path of a path, request line or URL."""
    text = text or ""
    for pattern in TOKEN_PATHS:
        text = pattern.sub(rf"\1\2{MASK}", text)
    return text


class TokenMaskingFilter(logging.Filter):
    """Masks tokens in a record's message and arguments, e.g. Django's "Not Found: /i/…"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_token_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_token_path(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                key: mask_token_path(arg) if isinstance(arg, str) else arg
                for key, arg in record.args.items()
            }
        return True
