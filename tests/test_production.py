"""Production readiness: check --deploy, friendly error pages, gunicorn + WhiteNoise for real."""

import http.client
import importlib.util
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import path, reverse

from apps.accounts.models import User
from config import urls as project_urls
from config import views as project_views
from config.gunicorn_logging import mask_token_path
from config.log_masking import TokenMaskingFilter
from config.settings import base as base_settings
from tests.factories import make_user

BASE_DIR = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
HOST = "partners.example.test"
# what the proxy in front of gunicorn says after terminating TLS
HTTPS = {"Host": HOST, "X-Forwarded-Proto": "https"}


def production_env(**extra: str) -> dict[str, str]:
    """Exactly the documented required variables (plus PATH to find programs)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "PORTAL_BASE_URL": f"https://{HOST}",
        **extra,
    }


def manage(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------
def test_check_deploy_passes_with_production_settings_and_only_the_documented_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def load_production_settings(monkeypatch, **environment: str):
    """Import config/settings/production.py afresh under the given environment."""
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "EMAIL_", "PORTAL_", "DB_POOL_", "GUNICORN_")) or name in (
            "DATABASE_URL",
        ):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "config.settings._production_under_test", BASE_DIR / "config/settings/production.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_production_settings_are_secure_by_default(monkeypatch):
    env = production_env()
    del env["PATH"], env["DJANGO_SETTINGS_MODULE"]
    prod = load_production_settings(monkeypatch, **env)
    assert prod.DEBUG is False
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SECURE_HSTS_SECONDS >= 60 * 60 * 24 * 365
    assert prod.SECURE_REFERRER_POLICY == "same-origin"
    assert prod.X_FRAME_OPTIONS == "DENY"
    assert prod.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert prod.DATABASES["default"]["NAME"] == "portal"
    assert prod.STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise.")


def test_the_database_pool_is_health_checked_fails_fast_and_fits_the_gunicorn_threads(monkeypatch):
    env = production_env(GUNICORN_THREADS="4")
    del env["PATH"], env["DJANGO_SETTINGS_MODULE"]
    database = load_production_settings(monkeypatch, **env).DATABASES["default"]
    pool = database["OPTIONS"]["pool"]
    # one connection per gunicorn thread; psycopg_pool checks each before handing it out
    assert pool["max_size"] == 4
    assert pool["min_size"] <= pool["max_size"]
    assert pool["timeout"] == 3
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] == 0

    env.update(DB_POOL_MAX_SIZE="6", DB_POOL_MIN_SIZE="9", DB_POOL_TIMEOUT="1.5")
    pool = load_production_settings(monkeypatch, **env).DATABASES["default"]["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (6, 6, 1.5)


def test_bootstrap_comes_from_an_installed_wheel_not_from_the_repository():
    from bootstrap_wrapper import get_bootstrap_dir

    assert (get_bootstrap_dir() / "css/bootstrap.min.css").is_file()
    assert ("vendor/bootstrap", get_bootstrap_dir()) in settings.STATICFILES_DIRS
    assert not list((BASE_DIR / "static").rglob("bootstrap*.css"))


def test_production_sends_email_through_the_smtp_server_in_email_url(monkeypatch):
    env = production_env(EMAIL_URL="smtp+tls://mailer:s3cret@smtp.example.cn:587")
    del env["PATH"], env["DJANGO_SETTINGS_MODULE"]
    prod = load_production_settings(monkeypatch, **env)
    assert prod.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    assert (prod.EMAIL_HOST, prod.EMAIL_PORT, prod.EMAIL_USE_TLS) == ("smtp.example.cn", 587, True)
    assert (prod.EMAIL_HOST_USER, prod.EMAIL_HOST_PASSWORD) == ("mailer", "s3cret")


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(monkeypatch, missing):
    env = production_env()
    del env["PATH"], env["DJANGO_SETTINGS_MODULE"], env[missing]
    with pytest.raises(ImproperlyConfigured):
        load_production_settings(monkeypatch, **env)


def test_development_prints_emails_and_tests_keep_them_in_memory():
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    base = (BASE_DIR / "config/settings/base.py").read_text()
    assert "django.core.mail.backends.console.EmailBackend" in base


# ------------------------------------------------------------------------------
# Friendly error pages with DEBUG off (this module doubles as a test-only URLconf)
# ------------------------------------------------------------------------------
def _denied(request):
    raise PermissionDenied("Only Global admins manage the team.")


def _broken(request):
    raise RuntimeError("something deep down broke")


urlpatterns = [
    path("test-only/denied/", _denied),
    path("test-only/broken/", _broken),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


def assert_in_the_layout(content: str) -> None:
    assert '<main id="main"' in content
    assert 'href="#main"' in content  # skip link
    assert "<header>" in content and "<footer" in content
    assert "Traceback" not in content


@pytest.mark.django_db
def test_an_unknown_page_gets_the_friendly_404_page(client, user):
    client.force_login(user)
    response = client.get("/there-is-nothing-here/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert user.get_short_name() in content  # the usual navigation, signed in
    assert_in_the_layout(content)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_refusal_gets_the_friendly_403_page_with_its_reason(client, user):
    client.force_login(user)
    response = client.get("/test-only/denied/")
    assert response.status_code == 403
    content = response.content.decode()
    assert "Not allowed" in content
    assert "Only Global admins manage the team." in content
    assert_in_the_layout(content)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crash_gets_the_friendly_500_page_with_a_reference(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get("/test-only/broken/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong" in content
    assert "something deep down broke" not in content
    assert response["X-Request-ID"] in content
    assert_in_the_layout(content)


@pytest.mark.django_db
def test_the_500_page_does_not_touch_the_database(django_assert_num_queries):
    class UnusableUser:
        def __getattr__(self, name):
            raise AssertionError("the 500 page must not look at the user")

    request = RequestFactory().get("/")
    request.user = UnusableUser()
    request.request_id = "req-12345678"
    with django_assert_num_queries(0):
        response = project_views.server_error(request)
    assert response.status_code == 500
    assert "req-12345678" in response.content.decode()


@pytest.mark.django_db
def test_a_request_for_an_unknown_host_gets_the_friendly_400_page(client):
    response = client.get(reverse("accounts:login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_form_gets_the_friendly_csrf_page(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"display_name": "Ada"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name != "Ada"


# ------------------------------------------------------------------------------
# The access log never shows one-time tokens
# ------------------------------------------------------------------------------
TOKEN = "Xk3v9QpL2mN8rT5wY7zB4cD6fG1hJ0aS.Ab12Cd34Ef56"


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        (f"GET /i/{TOKEN}/ HTTP/1.1", "GET /i/[token]/ HTTP/1.1"),
        (f"/t/{TOKEN}/accept/", "/t/[token]/accept/"),
        (f"https://{HOST}/i/{TOKEN}/", f"https://{HOST}/i/[token]/"),
        (
            "GET /accounts/password/reset/MQ/cxyz12-0123456789abcdef0123456789abcdef/ HTTP/1.1",
            "GET /accounts/password/reset/MQ/[token]/ HTTP/1.1",
        ),
        (
            "GET /accounts/password/reset/MQ/set-password/ HTTP/1.1",
            "GET /accounts/password/reset/MQ/set-password/ HTTP/1.1",
        ),
        (
            "GET /partners/P-1234/invitations/ HTTP/1.1",
            "GET /partners/P-1234/invitations/ HTTP/1.1",
        ),
    ],
)
def test_the_access_log_masks_tokens_in_paths(logged, expected):
    assert mask_token_path(logged) == expected


def test_django_log_records_mask_tokens_too():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/i/{TOKEN}/",), None
    )
    assert TokenMaskingFilter().filter(record) is True
    assert record.getMessage() == "Not Found: /i/[token]/"
    # production logs through base settings' console handler, which applies the filter
    configured = base_settings.LOGGING["handlers"]["console"]["filters"]
    assert base_settings.LOGGING["filters"][configured[0]]["()"].endswith("TokenMaskingFilter")


# ------------------------------------------------------------------------------
# gunicorn + WhiteNoise, for real, on a free loopback port
# ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    """The test database pytest-django created, for the gunicorn process."""
    db = connection.settings_dict  # renamed to test_… by pytest-django's database setup
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{quote(db['NAME'])}"


class Server:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, body: str | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        all_headers = {**HTTPS, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, url, body=body, headers=all_headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({k: m.value for k, m in cookie.items()})
        return response, content

    def wait_until_up(self, process: subprocess.Popen, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {process.returncode}")
            try:
                response, _ = self.request("GET", "/healthz")
                if response.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {seconds}s")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the gunicorn we started (master and workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_pages_and_static_files_with_production_settings(tmp_path):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("production runs on PostgreSQL")
    static_root = tmp_path / "static"
    env = production_env(DATABASE_URL=database_url(), DJANGO_STATIC_ROOT=str(static_root))
    collected = manage("collectstatic", "--noinput", "-v0", env=env, timeout=120)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    bootstrap_css = manifest["vendor/bootstrap/css/bootstrap.min.css"]
    assert bootstrap_css != "vendor/bootstrap/css/bootstrap.min.css"  # hashed name

    # a user whose password production's hasher can check (the tests hash with MD5)
    hasher = PBKDF2PasswordHasher()
    password = "Gunicorn-Smoke-2026"
    user = make_user("smoke@example.test")
    encoded = hasher.encode(password, hasher.salt(), iterations=1000)  # gunicorn upgrades it
    User.objects.filter(pk=user.pk).update(password=encoded)

    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    server = Server(port)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env={
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "1",
                "DB_POOL_MIN_SIZE": "1",
                "PYTHONUNBUFFERED": "1",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            server.wait_until_up(process)

            # plain HTTP is redirected to HTTPS
            plain, _ = server.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": ""})
            assert plain.status == 301
            assert plain.headers["Location"] == f"https://{HOST}/accounts/login/"

            # a page, with the security headers
            page, content = server.request("GET", "/accounts/login/")
            assert page.status == 200, content[:500]
            assert page.headers["Referrer-Policy"] == "same-origin"
            assert page.headers["X-Frame-Options"] == "DENY"
            assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
            assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
            assert page.headers["X-Content-Type-Options"] == "nosniff"
            html = content.decode()
            assert f"/static/{bootstrap_css}" in html  # templates link the hashed files

            # the hashed static file, served by WhiteNoise with a long cache lifetime
            css, css_body = server.request("GET", f"/static/{bootstrap_css}")
            assert css.status == 200
            assert css.headers["Content-Type"].startswith("text/css")
            assert "immutable" in css.headers["Cache-Control"]
            assert b"Bootstrap" in css_body[:500]

            # signing in works behind the proxy: secure cookies, CSRF by origin, sessions in DB
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            signed_in, _ = server.request(
                "POST",
                "/accounts/login/",
                body=urlencode(
                    {
                        "csrfmiddlewaretoken": csrf,
                        "username": "SMOKE@example.test",
                        "password": password,
                    }
                ),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{HOST}",
                    "Referer": f"https://{HOST}/accounts/login/",
                },
            )
            assert signed_in.status == 302
            assert signed_in.headers["Location"] == "/"
            assert "sessionid" in server.cookies
            assert "; secure" in str(signed_in.headers).lower()
            dashboard, dashboard_body = server.request("GET", "/")
            assert dashboard.status == 200
            assert "Welcome" in dashboard_body.decode()

            # one-time links (whether or not they resolve): no token may reach any log line
            server.request("GET", f"/i/{TOKEN}/")
            server.request("GET", f"/t/{TOKEN}/")
        finally:
            stop(process)

    access_log = log_path.read_text()
    assert "GET /accounts/login/" in access_log
    assert "/i/[token]/" in access_log
    assert TOKEN not in access_log
    assert "Traceback" not in access_log, access_log


# ------------------------------------------------------------------------------
# The one-command demo (make run) on SQLite
# ------------------------------------------------------------------------------
def test_the_demo_migrates_and_seeds_on_sqlite(tmp_path):
    """`make run` is SQLite: every migration and the demo data must work there too (the suite
    itself runs on PostgreSQL, so a PostgreSQL-only lookup or SQL would otherwise slip by)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "PORTAL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    )
    migrated = manage("migrate", "--noinput", env=env, timeout=300)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    for _ in range(2):  # idempotent
        seeded = manage("seed_demo", env=env, timeout=300)
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        assert "admin@northwind.test" in seeded.stdout
