"""A gunicorn access logger that never writes invitation or one-time-link tokens."""

import re

from gunicorn.glogging import Logger

# /i/<token>/ (customer invitations) and /t/<token>/ (team and partnership links)
TOKEN_PATH = re.compile(r"^/(i|t)/[^/]{20,}")


def mask_token_path(path: str) -> str:
    return TOKEN_PATH.sub(r"/\1/[token]", path or "")


class TokenMaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = mask_token_path(atoms.get("U", ""))
        atoms["r"] = re.sub(r" /(i|t)/[^/ ]{20,}", r" /\1/[token]", atoms.get("r", ""))
        return atoms
