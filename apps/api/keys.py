"""API key secrets: `pp_<prefix>_<secret>`. The prefix finds the row; the SHA-256 of the whole
key is compared in constant time (like the invitation links: the database alone cannot
rebuild a working key)."""

import hashlib
import hmac
import secrets

KEY_START = "pp_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """A fresh key: (key, prefix, hash). 8 + 32 url-safe characters (about 190 bits)."""
    prefix = secrets.token_hex(4)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, hash_key(key)


def split_key(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    if not key.startswith(KEY_START) or len(key) > 200:
        return None
    prefix, _, rest = key[len(KEY_START) :].partition("_")
    if len(prefix) != 8 or not rest:
        return None
    return prefix


def matches(key: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), key_hash)
