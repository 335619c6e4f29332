"""Local development: DEBUG on, SQLite unless DATABASE_URL says otherwise, emails on the console."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-dev-only-not-secret-2b7f0c9d8e")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Links in emails point at the server `make run PORT=…` started unless PORTAL_BASE_URL is set
PORTAL_BASE_URL = env(
    "PORTAL_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
).rstrip("/")

# Django's DEBUG error pages use inline CSS and JS, which the policy would block: while
# debugging it only reports (the browser console still shows what production refuses).
if DEBUG:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = CONTENT_SECURITY_POLICY
    CONTENT_SECURITY_POLICY = None
