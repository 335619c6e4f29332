# Two commands do everything on a fresh machine:
#   make run   – virtualenv, install, migrate, demo data, serve http://127.0.0.1:$(PORT) (SQLite;
#                PORT defaults to 8000: `make run PORT=8301`); emails print on this console
#   make test  – install test tools (and Chromium), start PostgreSQL if down, lint, run all tests
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install lint migrate messages clean

$(STAMP): pyproject.toml
	# Debian ships venv separately (python3-venv): install it when root, else say so
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null && \
	    $(PYTHON) -m venv $(VENV); \
	  else echo "Install python3-venv: sudo apt-get install -y python3-venv" >&2; exit 1; fi; }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) messages

# Compiled translation catalogs (locale/*/LC_MESSAGES/django.mo) are built here, not committed.
# msgfmt comes from GNU gettext: installed from Debian's packages when root, else say so.
messages: $(STAMP)
	command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "Install gettext: sudo apt-get install -y gettext" >&2; exit 1; fi; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=staticfiles --ignore=test-artifacts

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	# web server + task worker (Procfile.dev); emails go to the console, so they print here.
	# PORTAL_BASE_URL pins the links in emails to this server (honcho gives each process its
	# own PORT, so the worker must not derive it)
	PYTHONUNBUFFERED=1 PORT=$(PORT) PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$(PORT)} \
	  $(BIN)/honcho -f Procfile.dev start --port $(PORT)

lint: install
	$(BIN)/ruff check .

test: install
	bash scripts/test.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts
