"""Test suite: PostgreSQL (DATABASE_URL), fast hashing, emails in memory."""

from .base import *  # noqa: F401,F403
from .base import env

SECRET_KEY = "test-only-secret-key-3f9a1c7e5b2d4a6c8e0f"
DEBUG = False
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/partner_portal"),
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The database task backend as in production (a rolled-back change leaves no task row), and
# delivery in-process after commit so tests that run on_commit callbacks see mail.outbox.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
OUTBOX_DELIVER_ON_COMMIT = True
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PORTAL_BASE_URL = "http://testserver"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
WHITENOISE_AUTOREFRESH = True  # no collectstatic needed for the test client
# Local memory whatever REDIS_URL says (each test starts with an empty cache, tests/conftest.py);
# the Redis tests in tests/test_rate_limits.py point the cache at Redis themselves.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests change rows directly and read pages again: each test that is about the page cache turns
# it on itself (tests/core/test_page_cache.py)
PORTAL_PAGE_CACHE_SECONDS = 0
# Most tests sign staff in with force_login; tests/accounts/test_mfa*.py turn this on
MFA_REQUIRED_FOR_STAFF = False
# Webhook receivers in tests listen on 127.0.0.1 over http (tests/api/receiver.py)
WEBHOOKS_ALLOW_PRIVATE_URLS = True
WEBHOOKS_DELIVER_ON_COMMIT = True
# Never the internet: tests serve TXT records from an in-process table (tests can set it).
TENANT_DNS_RESOLVER = "apps.customers.verification.static_txt_lookup"
