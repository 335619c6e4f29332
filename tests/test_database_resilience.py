"""A PostgreSQL restart must not cost the production server a single failed request.

A restart (or failover) closes every server-side connection the pool holds; the next request
must get a fresh one. Restarting the real server would break every other test run sharing it, so
the test does to the app's connections what a restart does: `pg_terminate_backend`.
"""

import re
import subprocess
import time
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from apps.accounts.models import User
from tests.factories import make_user
from tests.test_production import (
    BASE_DIR,
    BIN,
    HOST,
    Server,
    database_url,
    free_port,
    manage,
    production_env,
    stop,
)

pytestmark = pytest.mark.django_db(transaction=True)


def other_backends(admin: psycopg.Connection, spared: set[int]) -> list[int]:
    """Server processes connected to the test database, except the test's own."""
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> ALL(%s)",
        [settings.DATABASES["default"]["NAME"], list(spared)],
    ).fetchall()
    return [pid for (pid,) in rows]


def terminate_app_connections(spared: set[int]) -> int:
    """Kill the gunicorn worker's pooled connections as a restart does; wait till they are gone."""
    with psycopg.connect(database_url(), autocommit=True) as admin:
        spared = {*spared, admin.info.backend_pid}
        victims = other_backends(admin, spared)
        for pid in victims:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while other_backends(admin, spared) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not set(victims) & set(other_backends(admin, spared)), "backends survived"
    return len(victims)


def sign_in(server: Server, email: str, password: str) -> None:
    _, login_page = server.request("GET", "/accounts/login/")
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    response, _ = server.request(
        "POST",
        "/accounts/login/",
        body=urlencode(
            {"csrfmiddlewaretoken": csrf.decode(), "username": email, "password": password}
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/accounts/login/",
        },
    )
    assert response.status == 302, "sign-in failed"


def test_the_first_requests_after_the_database_drops_every_connection_succeed(tmp_path):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("production runs on PostgreSQL")
    hasher = PBKDF2PasswordHasher()
    password = "Resilient-Pool-2026"
    user = make_user("resilient@example.test")
    encoded = hasher.encode(password, hasher.salt(), iterations=1000)
    User.objects.filter(pk=user.pk).update(password=encoded)
    with connection.cursor() as cursor:  # the test's own connection must survive
        cursor.execute("SELECT pg_backend_pid()")
        test_pid = cursor.fetchone()[0]

    env = production_env(DATABASE_URL=database_url(), DJANGO_STATIC_ROOT=str(tmp_path / "static"))
    collected = manage("collectstatic", "--noinput", "-v0", env=env, timeout=120)
    assert collected.returncode == 0, collected.stderr  # pages link the hashed static files

    port = free_port()
    server = Server(port)
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env={
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "1",
                "GUNICORN_THREADS": "2",
                "DB_POOL_MIN_SIZE": "2",
                "PYTHONUNBUFFERED": "1",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            server.wait_until_up(process)
            sign_in(server, "resilient@example.test", password)
            dashboard, _ = server.request("GET", "/")
            assert dashboard.status == 200

            assert terminate_app_connections({test_pid}) >= 1

            # no retry, no pause: each of the next requests must succeed at once; several, so
            # that every connection the pool held is handed out again
            for _ in range(4):
                health, body = server.request("GET", "/healthz")
                assert health.status == 200, body
                page, content = server.request("GET", "/")  # session and user from the database
                assert page.status == 200, content[:500]
                assert "Welcome" in content.decode()
        finally:
            stop(process)

    server_log = log_path.read_text()
    assert "Traceback" not in server_log, server_log
    assert "database unavailable" not in server_log, server_log
    assert '"GET /healthz HTTP/1.1" 503' not in server_log, server_log
