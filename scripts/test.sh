#!/usr/bin/env bash
# The whole suite on PostgreSQL: installs Chromium and PostgreSQL when missing (as root), starts
# PostgreSQL when it is down, lints, checks migrations, then runs pytest. Exits non-zero on any
# failure. Arguments go to pytest, e.g. `bash scripts/test.sh -k invitations -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

apt_install() {
  if [ "$(id -u)" != "0" ]; then
    echo "$1 is missing: install it with 'sudo apt-get install -y $2'" >&2
    exit 1
  fi
  echo "Installing $1 from Debian's packages…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# --- Chromium for the browser tests (Debian's package; Playwright must not download one)
[ -x /usr/bin/chromium ] || apt_install Chromium chromium

# --- GNU gettext: compiles the translation catalogs (and tests/i18n runs makemessages)
command -v msgfmt >/dev/null 2>&1 || apt_install "GNU gettext" gettext

# --- PostgreSQL
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/partner_portal}"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt_install PostgreSQL postgresql
  # A cluster we just created for the tests: let local TCP connections in without a password,
  # as DATABASE_URL's default expects.
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+$/\1trust/' "$hba"
  done
  PG_RELOAD=1
fi
PG_VERSION="$(ls /etc/postgresql | sort -V | tail -n 1)"
pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! pg_ready; then
  echo "PostgreSQL is down: starting it…"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "PostgreSQL did not start" >&2; exit 1; }
elif [ -n "${PG_RELOAD:-}" ]; then
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main reload || true
fi

# --- Lint, migrations in sync, then the suite
$BIN/ruff check .
$BIN/lint-imports
DJANGO_SETTINGS_MODULE=config.settings.test $BIN/python manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "Models and migrations differ: run makemigrations" >&2; exit 1; }
# compiled catalogs (.mo) are built, never committed
$BIN/python manage.py compilemessages --ignore=.venv --ignore=staticfiles --ignore=test-artifacts >/dev/null
# screenshots and HTML of failed browser tests land here; start each run clean
rm -rf test-artifacts/browser
exec $BIN/pytest -p no:cacheprovider "$@"
