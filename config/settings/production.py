"""Production: every secret and URL from the environment; HTTPS only; static files via WhiteNoise.

Required: DJANGO_SECRET_KEY, DATABASE_URL, DJANGO_ALLOWED_HOSTS, PORTAL_BASE_URL.
Optional: EMAIL_URL (smtp://user:pass@host:587/?tls=True), DJANGO_DEFAULT_FROM_EMAIL,
DJANGO_SECURE_SSL_REDIRECT, DJANGO_SECURE_HSTS_SECONDS, DJANGO_ADMIN_URL, DJANGO_STATIC_ROOT,
DB_POOL_MIN_SIZE, DB_POOL_MAX_SIZE (default GUNICORN_THREADS), DB_POOL_TIMEOUT (seconds, default 3),
DB_POOL_MAX_LIFETIME (seconds, default 1800).
Migrations: PORTAL_DATABASE_ROLE=owner with DATABASE_MIGRATE_URL (the owner role).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# ------------------------------------------------------------------------------
# Database: psycopg 3 with Django's connection pool, one pool per gunicorn worker process
# ------------------------------------------------------------------------------
# Two roles (docs/operations.md#database-roles): the portal connects as the application role
# (DATABASE_URL), which owns nothing and may only read and append to the audit log; `migrate` and
# `db_roles` run with PORTAL_DATABASE_ROLE=owner, connecting as the owner role
# (DATABASE_MIGRATE_URL). A switch rather than a second alias: `migrate --database` runs
# third-party data migrations on "default" all the same.
_database_role = env.str("PORTAL_DATABASE_ROLE", default="app")
if _database_role not in ("app", "owner"):
    raise ImproperlyConfigured("PORTAL_DATABASE_ROLE must be app or owner")
DATABASES = {
    "default": env.db("DATABASE_MIGRATE_URL" if _database_role == "owner" else "DATABASE_URL")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A worker's threads each hold at most one connection, so the pool needs no more than that.
    # Size PostgreSQL for it: nodes x workers x DB_POOL_MAX_SIZE + task-queue worker processes
    # <= max_connections - superuser_reserved_connections (docs/operations.md).
    _pool_max_size = env.int("DB_POOL_MAX_SIZE", default=env.int("GUNICORN_THREADS", default=2))
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(env.int("DB_POOL_MIN_SIZE", default=1), _pool_max_size),
        "max_size": _pool_max_size,
        # A request waits at most this long for a connection, then fails fast (a 500 or /healthz
        # 503) instead of piling up behind a database that is down or saturated.
        "timeout": env.float("DB_POOL_TIMEOUT", default=3.0),
        # Recycle connections now and then (seconds) so none outlives a proxy or firewall limit.
        "max_lifetime": env.float("DB_POOL_MAX_LIFETIME", default=30 * 60.0),
    }
    # Pooled connections are never persistent per thread (Django requires it)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # With a pool, Django turns this into psycopg_pool's check=ConnectionPool.check_connection:
    # each connection is checked (a cheap round trip) before the pool hands it out, so after a
    # PostgreSQL restart or failover the dead ones are dropped and replaced and the first request
    # afterwards succeeds instead of failing on a connection the server closed.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------
# Security
# ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# ------------------------------------------------------------------------------
# Static files: hashed names, compressed, served by WhiteNoise
# ------------------------------------------------------------------------------
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ------------------------------------------------------------------------------
# Email: SMTP from EMAIL_URL
# ------------------------------------------------------------------------------
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
