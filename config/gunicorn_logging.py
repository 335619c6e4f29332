"""A gunicorn access logger that never writes invitation or one-time-link tokens."""

from gunicorn.glogging import Logger

from .log_masking import mask_token_path

__all__ = ["TokenMaskingLogger", "mask_token_path"]


class TokenMaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # the path, the request line and the Referer (a link opened from a portal page)
        for key in ("U", "r", "f"):
            atoms[key] = mask_token_path(atoms.get(key, ""))
        return atoms
