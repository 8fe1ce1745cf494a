# The verbs a newcomer needs. Everything runs from .venv, created on demand.
PYTHON_SYS ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test lint format messages bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Local, embedded default: SQLite, database search, offline payments, inline tasks.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py ensure_demo_admin
	$(PY) manage.py runserver $(HOST):$(PORT)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

# Services are used when their URL is in the environment (DATABASE_URL=postgres://…,
# ELASTICSEARCH_URL, STRIPE_API_BASE); REQUIRE_SERVICES=1 turns a missing one into a failure.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

bench: install
	@ls bench/*.py >/dev/null 2>&1 && for b in bench/*.py; do $(PY) $$b; done || echo "no benchmarks yet"

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
