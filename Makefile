# Shouhu — the commands of a fresh machine. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/shouhu

.PHONY: run install migrate demo serve totp test test-sqlite test-postgres lint format messages bench browser-deps clean

## run: install, migrate, load the demo city and serve on http://127.0.0.1:8000 (web + worker)
run: install migrate demo serve

## install: create .venv and install the locked dependencies
install: $(VENV)/.installed

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(BIN)/uv
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --no-progress
	touch $@

migrate: install
	$(BIN)/python manage.py migrate --no-input

## demo: load the demo city (idempotent) and print the demo accounts
demo: install
	$(BIN)/python manage.py load_demo

serve: install
	@echo "Shouhu on http://$(HOST):$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python manage.py run_huey --quiet & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## totp: print the current second-factor code of a demo account (demo only), e.g. make totp ACCOUNT=demo_city_admin
totp: install
	$(BIN)/python manage.py totp_code $(ACCOUNT)

## test: the whole suite on the database of DATABASE_URL (SQLite when unset)
test: install browser-deps
	$(BIN)/pytest

test-sqlite: install browser-deps
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install browser-deps
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

## lint: ruff, mypy, import layering, migrations up to date, translations complete
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check_translations

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## messages: extract strings into every app's zh_Hans catalogue and compile them
messages: install
	$(BIN)/python manage.py update_translations

## bench: the benchmarks in bench/ (see README), e.g. make bench BENCH=regions; DATABASE_URL picks the database
bench: install
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --no-progress --group bench
	$(BIN)/python -m bench $(BENCH)

## browser-deps: Debian's Chromium and a CJK font for the browser tests (needs root or sudo)
browser-deps:
	@bash scripts/ensure-browser.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
