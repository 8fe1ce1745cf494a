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

# bench/api.py needs the generated catalogue of 100,000 listings in a database. Without
# BENCH_API_DATABASE_URL in the environment it is built once into bench/.data/ (SQLite,
# ~5 minutes) and migrated before each run; set it to a PostgreSQL URL to measure that engine.
BENCH_DATA := bench/.data
ifeq ($(origin BENCH_API_DATABASE_URL), undefined)
BENCH_API_DATABASE_URL := sqlite:///$(CURDIR)/$(BENCH_DATA)/api.sqlite3
BENCH_API_DB := $(BENCH_DATA)/api.sqlite3
endif

$(BENCH_DATA)/api.sqlite3: | install
	mkdir -p $(BENCH_DATA)
	rm -f $@.part*
	env -u ELASTICSEARCH_URL DATABASE_URL=sqlite:///$(CURDIR)/$@.part $(PY) manage.py migrate --noinput -v0
	env -u ELASTICSEARCH_URL DATABASE_URL=sqlite:///$(CURDIR)/$@.part $(PY) manage.py generate_catalogue \
		--instruments 40000 --incubators 20000 --technologies 40000 --seed 20260101 \
		-o $(BENCH_DATA)/catalogue.json
	env -u ELASTICSEARCH_URL DATABASE_URL=sqlite:///$(CURDIR)/$@.part $(PY) manage.py import_catalogue \
		$(BENCH_DATA)/catalogue.json --no-progress
	$(PY) -c "import sqlite3; c = sqlite3.connect('$@.part'); c.execute('PRAGMA journal_mode=DELETE'); c.close()"
	mv $@.part $@

bench: install $(BENCH_API_DB)
	env -u ELASTICSEARCH_URL DATABASE_URL=$(BENCH_API_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	@for b in bench/*.py; do BENCH_API_DATABASE_URL=$(BENCH_API_DATABASE_URL) $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
