"""Production settings plus the bench's URLs (a bare view, a stock admin for comparison)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("PORTAL_BASE_URL", "https://portal.bench.test")
os.environ.setdefault("DJANGO_STATIC_ROOT", "/tmp/pp-bench-static")

from config.settings.production import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
# The bench signs in with sessions it makes itself; no rate limit or MFA prompt in the way
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The operator's session is made by the bench (force_login), without a second factor: the
# admin's "set up two-step verification first" redirect would be all it measured.
MFA_REQUIRED_FOR_STAFF = False
