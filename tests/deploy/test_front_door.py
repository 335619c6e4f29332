"""nginx in front of gunicorn, for real: slow clients wait in nginx, oversized bodies stop there.

nginx (Debian's package; scripts/test.sh installs it) runs as a child of the test with
deploy/nginx.conf rendered by deploy/render-nginx-conf.sh, on free loopback ports, with a
self-signed certificate, in front of the production gunicorn with one worker of two threads:
without nginx, two slow clients would be enough to stall it.
"""

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_production import (
    BASE_DIR,
    BIN,
    HOST,
    TOKEN,
    database_url,
    free_port,
    manage,
    production_env,
    stop,
)

# django_db: pytest-django only creates the test database when a collected test asks for it
pytestmark = [pytest.mark.frontdoor, pytest.mark.django_db]

SLOW_CLIENTS = 64
ORDINARY_REQUESTS = 12
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return context


def connect(port: int, timeout: float, tls: bool = True) -> socket.socket:
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return tls_context().wrap_socket(raw, server_hostname=HOST) if tls else raw


def fetch(port: int, path: str, timeout: float = 5, tls: bool = True) -> tuple[bytes, float]:
    """GET over a new connection; returns the status line and how long the answer took."""
    started = time.monotonic()
    with connect(port, timeout, tls) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        response = b""
        while chunk := conn.recv(65536):
            response += chunk
    return response.split(b"\r\n", 1)[0], time.monotonic() - started


def status(status_line: bytes) -> int:
    return int(status_line.split(b" ", 2)[1])


class Slowloris:
    """Connections that send their request headers one byte at a time and never finish."""

    def __init__(self, port: int, count: int, seconds: float, tls: bool = True):
        self.sockets = [connect(port, timeout=5, tls=tls) for _ in range(count)]
        self.request = f"GET /accounts/login/ HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: {'a' * 200}"
        self.deadline = time.monotonic() + seconds  # bounded, whatever happens to the test
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)

    def trickle(self) -> None:
        for byte in self.request.encode():
            if self.stopped.is_set() or time.monotonic() > self.deadline:
                return
            for conn in self.sockets:
                with contextlib.suppress(OSError):  # nginx closed it: the timeout works
                    conn.sendall(bytes([byte]))
            self.stopped.wait(0.3)

    def outcomes(self) -> Counter:
        """Per connection: "waiting" (held open, unanswered), "closed", or the status line."""
        seen: Counter = Counter()
        for conn in self.sockets:
            conn.settimeout(0.01)
            try:
                answer = conn.recv(64)
            except TimeoutError:
                seen["waiting"] += 1
            except OSError:
                seen["closed"] += 1
            else:
                seen[answer.split(b"\r\n", 1)[0].decode() if answer else "closed"] += 1
        return seen

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=5)
        for conn in self.sockets:
            conn.close()


@dataclass
class FrontDoor:
    https_port: int
    http_port: int
    gunicorn_port: int
    gunicorn_log: Path
    nginx_dir: Path


@pytest.fixture(scope="module")
def front_door(django_db_setup, tmp_path_factory):
    """gunicorn with production settings on the test database behind nginx, for this module."""
    tmp_path = tmp_path_factory.mktemp("front-door")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("production runs on PostgreSQL")
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/test.sh installs Debian's package)")

    env = production_env(DATABASE_URL=database_url(), DJANGO_STATIC_ROOT=str(tmp_path / "static"))
    collected = manage("collectstatic", "--noinput", "-v0", env=env, timeout=120)
    assert collected.returncode == 0, collected.stderr

    # nginx's workers drop root privileges: give them a directory they may enter
    nginx_dir = Path(tempfile.mkdtemp(prefix="portal-nginx-"))
    nginx_dir.chmod(0o755)
    gunicorn_log = tmp_path / "gunicorn.log"
    processes: list[subprocess.Popen] = []
    try:
        gunicorn_port, https_port, http_port = free_port(), free_port(), free_port()
        write_nginx_config(nginx_dir, gunicorn_port, https_port, http_port)
        with gunicorn_log.open("w") as log:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
                    cwd=BASE_DIR,
                    env={
                        **env,
                        "GUNICORN_BIND": f"127.0.0.1:{gunicorn_port}",
                        "GUNICORN_WORKERS": "1",
                        "GUNICORN_THREADS": "2",
                        "PYTHONUNBUFFERED": "1",
                    },
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        processes.append(
            subprocess.Popen(
                [
                    NGINX,
                    "-p",
                    nginx_dir,
                    "-c",
                    "nginx.conf",
                    "-e",
                    "error.log",
                    "-g",
                    "daemon off;",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,  # everything goes to error.log (-e)
                start_new_session=True,
            )
        )
        deadline = time.monotonic() + 30
        while True:
            for process in processes:
                assert process.poll() is None, (
                    f"{process.args[0]} exited with {process.returncode}:\n"
                    + gunicorn_log.read_text()
                    + (nginx_dir / "error.log").read_text()
                )
            try:
                if status(fetch(https_port, "/healthz")[0]) == 200:
                    break
            except (OSError, IndexError, ValueError):
                pass
            assert time.monotonic() < deadline, "nginx + gunicorn did not answer within 30 s"
            time.sleep(0.2)
        yield FrontDoor(https_port, http_port, gunicorn_port, gunicorn_log, nginx_dir)
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(nginx_dir, ignore_errors=True)


def write_nginx_config(nginx_dir: Path, gunicorn_port: int, https_port: int, http_port: int):
    """deploy/nginx.conf rendered by its script, inside a minimal nginx.conf of the test's own."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-keyout", nginx_dir / "tls.key", "-out", nginx_dir / "tls.pem"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    rendered = subprocess.run(
        ["bash", str(BASE_DIR / "deploy/render-nginx-conf.sh")],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PORTAL_SERVER_NAME": HOST,
            "PORTAL_TLS_CERTIFICATE": str(nginx_dir / "tls.pem"),
            "PORTAL_TLS_CERTIFICATE_KEY": str(nginx_dir / "tls.key"),
            "PORTAL_HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "PORTAL_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
            "GUNICORN_BIND": f"127.0.0.1:{gunicorn_port}",
            "PORTAL_NGINX_LOG_DIR": str(nginx_dir),
        },
        check=True, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    (nginx_dir / "portal.conf").write_text(rendered.stdout)
    (nginx_dir / "nginx.conf").write_text(
        f"""
worker_processes 1;
pid {nginx_dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {nginx_dir}/body;
    proxy_temp_path {nginx_dir}/proxy;
    fastcgi_temp_path {nginx_dir}/fastcgi;
    uwsgi_temp_path {nginx_dir}/uwsgi;
    scgi_temp_path {nginx_dir}/scgi;
    include {nginx_dir}/portal.conf;
}}
"""
    )


def test_slow_clients_wait_in_nginx_while_ordinary_requests_are_answered(front_door):
    with Slowloris(front_door.https_port, SLOW_CLIENTS, seconds=30) as slow:
        time.sleep(1)  # every slow connection has started its headers
        paths = ["/healthz", "/accounts/login/"] * (ORDINARY_REQUESTS // 2)
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda path: fetch(front_door.https_port, path), paths))
        # the slow clients were not turned away: nginx holds them until client_header_timeout
        # (10 s from their first byte, so on a slow machine the first ones may be timed out)
        outcomes = slow.outcomes()
    assert outcomes["waiting"] >= SLOW_CLIENTS // 2, outcomes
    assert set(outcomes) <= {"waiting", "closed", "HTTP/1.1 408 Request Time-out"}, outcomes
    assert [status(line) for line, _ in answers] == [200] * ORDINARY_REQUESTS
    slowest = max(seconds for _, seconds in answers)
    assert slowest < 2, f"an ordinary request took {slowest:.1f}s"


def test_a_50_megabyte_body_is_refused_by_nginx_and_never_reaches_gunicorn(front_door):
    with connect(front_door.https_port, timeout=10) as conn:
        conn.sendall(
            f"POST /accounts/login/ HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n".encode()
        )
        try:
            for _ in range(16):  # the first megabyte of it, if nginx lets us
                conn.sendall(b"x" * 65536)
        except OSError:
            pass  # nginx answered and closed: exactly what should happen
        answer = conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    time.sleep(0.5)  # let gunicorn's access log catch up, were anything to reach it
    assert "POST" not in front_door.gunicorn_log.read_text()


def test_plain_http_is_redirected_to_https(front_door):
    status_line, _ = fetch(front_door.http_port, "/accounts/login/", tls=False)
    assert status(status_line) == 301


def test_the_nginx_access_log_shows_no_token(front_door):
    fetch(front_door.https_port, f"/i/{TOKEN}/")
    access_log = (front_door.nginx_dir / "partner-portal.access.log").read_text()
    assert "/i/[token]/" in access_log
    assert TOKEN not in access_log


def test_without_nginx_the_same_slow_clients_stall_gunicorn(front_door):
    """The control experiment: what the front door is for (last, it ties gunicorn up a while)."""
    with Slowloris(front_door.gunicorn_port, SLOW_CLIENTS, seconds=10, tls=False):
        time.sleep(1)
        with pytest.raises(TimeoutError):
            fetch(front_door.gunicorn_port, "/healthz", timeout=2, tls=False)
