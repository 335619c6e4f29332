#!/usr/bin/env bash
# The whole suite on PostgreSQL: installs Chromium when missing (as root), starts PostgreSQL
# when it is down, lints, then runs pytest. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# --- Chromium for the browser tests (Debian's package; Playwright must not download one)
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    echo "Installing Chromium from Debian's packages…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: install it with 'sudo apt-get install -y chromium'" >&2
    exit 1
  fi
fi

# --- PostgreSQL
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/partner_portal}"
pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! pg_ready; then
  echo "PostgreSQL is down: starting it…"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "PostgreSQL did not start" >&2; exit 1; }
fi

# --- Lint, migrations in sync, then the suite
$BIN/ruff check .
DJANGO_SETTINGS_MODULE=config.settings.test $BIN/python manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "Models and migrations differ: run makemigrations" >&2; exit 1; }
exec $BIN/pytest "$@"
