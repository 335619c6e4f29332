"""Settings shared by every environment. Everything that differs comes from the environment."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APPS_DIR = BASE_DIR / "apps"

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A name set in the environment is shown as written; the default one is translated (lazily)
SITE_NAME = env("PORTAL_SITE_NAME", default="") or _("Multichannel Partner Portal")
# Absolute base used in emails and copied links, e.g. https://partners.example.cn
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# ------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "apps.portal.admin_site.PortalAdminConfig",  # django.contrib.admin; auditors cannot POST
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files
]
LOCAL_APPS = [
    "apps.core",
    "apps.accounts",
    "apps.audit",
    "apps.notifications",
    "apps.partners",
    "apps.customers",
    "apps.invitations",
    # the composition layer (admin site, activity pages, demo data): last, imports every app
    "apps.portal",
    # the automation API and webhooks (above the composition layer: reads its selectors)
    "apps.api",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# ------------------------------------------------------------------------------
# Middleware
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.RejectNulBytesMiddleware",
    "apps.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.core.middleware.PrivateCacheControlMiddleware",
    "apps.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.core.middleware.IdleTimeoutMiddleware",  # signs out idle sessions (PORTAL_IDLE_*)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.core.csp.CachedCSPMiddleware",  # django-csp, the header built once (apps/core/csp.py)
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a rate limit hit -> RATELIMIT_VIEW (429)
    # last: a signed-in page served again while the database has not changed (PostgreSQL)
    "apps.core.page_cache.PageCacheMiddleware",
]

# ------------------------------------------------------------------------------
# Two-step verification (django-otp: TOTP apps and hashed recovery codes; apps/accounts/mfa.py)
# ------------------------------------------------------------------------------
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# OTPMiddleware right after authentication (request.user.is_verified()); ours after sign-in
# is required: a user with a second factor passes it before any page, staff enrol before admin
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.LoginRequiredMiddleware") + 1,
    "apps.accounts.middleware.MFAMiddleware",
)
# Operator staff must have a second factor (and have passed it) before any admin page
MFA_REQUIRED_FOR_STAFF = env.bool("PORTAL_MFA_REQUIRED_FOR_STAFF", default=True)
OTP_TOTP_ISSUER = env("PORTAL_MFA_ISSUER", default="Multichannel Partner Portal")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Passkeys (django-otp-webauthn) as a second factor only, never a password replacement. The
# relying party is the host of PORTAL_BASE_URL (credentials are bound to it: changing it later
# means users register their passkeys again) and its name the site's name. Browsers refuse an
# IP address and plain http except on localhost, so a local http://127.0.0.1 setup uses
# http://localhost (open the portal there to try passkeys).
INSTALLED_APPS += ["django_otp_webauthn"]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
_portal_url = urlsplit(PORTAL_BASE_URL)
if _portal_url.scheme != "https" and _portal_url.hostname != "localhost":
    _port = f":{_portal_url.port}" if _portal_url.port else ""
    _portal_url = urlsplit(f"http://localhost{_port}")
OTP_WEBAUTHN_RP_ID = env("PORTAL_WEBAUTHN_RP_ID", default="") or _portal_url.hostname
OTP_WEBAUTHN_RP_NAME_CALLABLE = "apps.accounts.mfa.webauthn_rp_name"
PORTAL_WEBAUTHN_RP_NAME = env("PORTAL_WEBAUTHN_RP_NAME", default="")  # default: SITE_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list(
    "PORTAL_WEBAUTHN_ORIGINS", default=[f"{_portal_url.scheme}://{_portal_url.netloc}"]
)

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation for the portal's connections (docs/performance.md): its queries return
    # a page of rows, yet on large tables their cost estimates pass jit_above_cost and
    # PostgreSQL spent 250 ms compiling a 90 ms query. Per connection, not per query: no
    # query of the portal gains from JIT, and the setting is then true for every one of them.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# ------------------------------------------------------------------------------
# Authentication
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before any password check
    "axes.backends.AxesStandaloneBackend",
    "apps.accounts.backends.EmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: lock an email + IP pair after repeated failures
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
# Count failures per account whatever the letter case, per client IP as the audit log sees it
AXES_USERNAME_CALLABLE = "apps.accounts.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "apps.audit.middleware.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# ------------------------------------------------------------------------------
# Templates
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.portal",
                "apps.notifications.context_processors.notifications",
            ],
        },
    },
]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ------------------------------------------------------------------------------
# Internationalization
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("it", _("Italian")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("PORTAL_TIME_ZONE", default="Asia/Shanghai")

# ------------------------------------------------------------------------------
# Static files (Bootstrap comes from the bootstrap-wrapper package's wheel, never a CDN)
# ------------------------------------------------------------------------------
import bootstrap_wrapper  # noqa: E402

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# ------------------------------------------------------------------------------
# Email
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Partner Portal <noreply@localhost>")
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)

# ------------------------------------------------------------------------------
# Background tasks and the email outbox (apps/core/outbox.py)
# ------------------------------------------------------------------------------
# django-tasks with its database backend: a task row is written in the transaction that
# queues it, and `manage.py db_worker` (any number of them) runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Attempts before a message is failed; waits double from the base up to the cap
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=60 * 60)
# SMTP connect/read timeout for one attempt: a hung server holds a worker, never a request
OUTBOX_SEND_TIMEOUT = env.int("OUTBOX_SEND_TIMEOUT", default=10)
# `manage.py outbox_requeue` re-queues rows overdue by this long that have no waiting task
OUTBOX_REQUEUE_AFTER_SECONDS = env.int("OUTBOX_REQUEUE_AFTER_SECONDS", default=15 * 60)
# Also deliver in-process right after commit (no worker needed): tests, or a local run
# without the worker. Production leaves it off; requests then never wait on SMTP.
OUTBOX_DELIVER_ON_COMMIT = env.bool("OUTBOX_DELIVER_ON_COMMIT", default=False)

# ------------------------------------------------------------------------------
# Security (production tightens these through environment variables)
# ------------------------------------------------------------------------------
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 12)
# Sessions are read from the cache (Redis in production) and written to both it and the
# database: every signed-in request saves a database query, and the database stays the record
# (a Redis outage is logged and the database answers; Django >= 5.1). Issue 18.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Trust X-Forwarded-For only behind a known proxy (the audit log records the client IP)
PORTAL_TRUST_X_FORWARDED_FOR = env.bool("PORTAL_TRUST_X_FORWARDED_FOR", default=False)
# Content-Security-Policy (django-csp): our own files only, no inline script or style (templates
# keep JS in static/js and CSS in static/css). Bootstrap's CSS draws its icons as data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# ------------------------------------------------------------------------------
# Cache, rate limits and idle sessions
# ------------------------------------------------------------------------------
# REDIS_URL (e.g. redis://127.0.0.1:6379/0) makes Redis the default cache, shared by every app
# server: set it in production so rate limits count across nodes. Without it each process
# counts on its own (local memory), which is enough for one process or a development server.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("REDIS_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate limits (apps/core/ratelimit.py, django-ratelimit): each scope counts per client IP and
# per account (the signed-in user, else the email typed in a sign-up or reset form); over
# either rate the portal answers 429 and changes nothing. A rate is "count/period" ("20/h",
# "5/10m"); RATELIMIT_<SCOPE>_IP / RATELIMIT_<SCOPE>_ACCOUNT override it, empty turns it off.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "config.views.too_many_requests"
_RATE_LIMIT_DEFAULTS = {
    "link_open": ("120/h", "60/h"),  # GET /i/<token>/ and /t/<token>/
    "link_page": ("300/h", "120/h"),  # /t/team/ and /t/partnership/ (view, accept, decline)
    "respond": ("60/h", "30/h"),  # POST /i/respond/accept/ and /i/respond/decline/
    "signup": ("20/h", "10/h"),  # sign-up forms (customer organization, team, reseller)
    "password_reset": ("20/h", "5/h"),  # POST /accounts/password/reset/
}
PORTAL_RATE_LIMITS = {
    scope: {
        "ip": env(f"RATELIMIT_{scope.upper()}_IP", default=ip_rate),
        "account": env(f"RATELIMIT_{scope.upper()}_ACCOUNT", default=account_rate),
    }
    for scope, (ip_rate, account_rate) in _RATE_LIMIT_DEFAULTS.items()
}
# Idle sessions are signed out (apps.core.middleware.IdleTimeoutMiddleware): operator staff
# after 30 minutes without a request, everyone else after 8 hours.
PORTAL_IDLE_TIMEOUT_STAFF = env.int("PORTAL_IDLE_TIMEOUT_STAFF_MINUTES", default=30) * 60
PORTAL_IDLE_TIMEOUT = env.int("PORTAL_IDLE_TIMEOUT_MINUTES", default=8 * 60) * 60

# ------------------------------------------------------------------------------
# Delegated admin lifetime (docs/decisions.md "Delegated admin with a lifetime")
# ------------------------------------------------------------------------------
# A grant lasts 1 day to 2 years; invitations and requests asking delegated admin start at the
# default. Auto-extension adds DAP_AUTO_EXTEND_DAYS at the end date (never for both scopes);
# reminders go out the given numbers of days before it.
DAP_MIN_DAYS = 1
DAP_MAX_DAYS = 730
DAP_DEFAULT_DURATION_DAYS = min(
    max(env.int("PORTAL_DAP_DEFAULT_DURATION_DAYS", default=730), DAP_MIN_DAYS), DAP_MAX_DAYS
)
DAP_AUTO_EXTEND_DAYS = 180
DAP_REMINDER_DAYS = (30, 7, 1)
DAP_REQUEST_VALID_DAYS = env.int("PORTAL_DAP_REQUEST_VALID_DAYS", default=30)

# ------------------------------------------------------------------------------
# Admin
# ------------------------------------------------------------------------------
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

# ------------------------------------------------------------------------------
# Logging
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # one-time tokens in paths (/i/<token>/ …) never reach a log line, e.g. "Not Found: …"
    "filters": {"mask_tokens": {"()": "config.log_masking.TokenMaskingFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# ------------------------------------------------------------------------------
# Portal
# ------------------------------------------------------------------------------
PORTAL_PAGE_SIZE = 25
# Seconds a rendered signed-in page may be served again to the same session while nothing was
# written to the database (apps/core/page_cache.py); 0 turns the page cache off.
PORTAL_PAGE_CACHE_SECONDS = env.int("PORTAL_PAGE_CACHE_SECONDS", default=30)
INVITATION_DEFAULT_DAYS = env.int("INVITATION_DEFAULT_DAYS", default=30)
INVITATION_MAX_DAYS = env.int("INVITATION_MAX_DAYS", default=90)
TEAM_INVITATION_DAYS = env.int("TEAM_INVITATION_DAYS", default=7)

# Tenant verification (docs/operations.md, "Tenant verification"): customers publish a DNS TXT
# record; unverified claims expire after TENANT_CLAIM_DAYS (customers_expire_claims).
TENANT_CLAIM_DAYS = env.int("TENANT_CLAIM_DAYS", default=14)
TENANT_VERIFICATION_TXT_PREFIX = "partner-portal-verification"
# A dotted path to a callable (domain) -> list of TXT strings; tests inject a fake one.
TENANT_DNS_RESOLVER = env(
    "TENANT_DNS_RESOLVER", default="apps.customers.verification.dnspython_txt_lookup"
)
# Empty: the system's resolvers (/etc/resolv.conf); else a comma-separated list of addresses.
TENANT_DNS_NAMESERVERS = env.list("TENANT_DNS_NAMESERVERS", default=[])
TENANT_DNS_TIMEOUT = env.float("TENANT_DNS_TIMEOUT", default=5.0)
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# Emails are unique case-insensitively through a functional unique constraint
# (accounts_user_email_ci_unique), which this check cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# ------------------------------------------------------------------------------
# Automation API and webhooks (apps/api, docs/api.md)
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.api.authentication.KeyPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.api.views.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Multichannel Partner Portal API",
    "DESCRIPTION": "Invitations, deliveries, customers, relationships, delegated admin grants, "
    "reseller partnerships and the audit log. Authenticate with `Authorization: Bearer <key>`.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.add_error_responses",
    ],
}
# Calls per key: "count/period" in the default cache (Redis when REDIS_URL); empty: no limit
API_RATE_LIMIT = env("API_RATE_LIMIT", default="600/m")
# Webhook sending: attempts, exponential backoff (base doubled per attempt, capped), timeout
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=8)
WEBHOOKS_RETRY_BASE_SECONDS = env.int("WEBHOOKS_RETRY_BASE_SECONDS", default=30)
WEBHOOKS_RETRY_MAX_SECONDS = env.int("WEBHOOKS_RETRY_MAX_SECONDS", default=6 * 60 * 60)
WEBHOOKS_TIMEOUT_SECONDS = env.int("WEBHOOKS_TIMEOUT_SECONDS", default=10)
# Tests only: http and loopback receivers (production: https to public addresses only)
WEBHOOKS_ALLOW_PRIVATE_URLS = False
# Send in-process right after commit as well as through the worker (tests)
WEBHOOKS_DELIVER_ON_COMMIT = env.bool("WEBHOOKS_DELIVER_ON_COMMIT", default=False)
