# Everyday commands. `make run` and `make test` set everything up themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

# Tests and local serving run with settings that are safe only on this machine.
test lint: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
test lint: export DJANGO_HTTPS ?= 0
run migrate superuser: export DJANGO_DEBUG ?= 1

# The benchmark: its own PostgreSQL databases (1,000 and 100,000 articles), production
# settings. bench_http starts gunicorn itself (page cache off, then on) and drives it.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/healthsite_bench
BENCH_ARTICLES ?= 100000
BENCH_SMALL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/healthsite_bench_1k
BENCH_SMALL_ARTICLES ?= 1000
BENCH_HTTP_OPTIONS ?= --duration 10 --connections 32
BENCH_RESULTS ?= $(or $(TMPDIR),/tmp)/healthsite-bench
bench: export DJANGO_SECRET_KEY ?= insecure-key-for-bench-only
bench: export DJANGO_HTTPS ?= 0
bench: export DJANGO_PAGE_CACHE ?= 0
bench: export DATABASE_URL = $(BENCH_DATABASE_URL)

.PHONY: help install run test lint migrate superuser bench clean lighthouse

help:
	@echo "make run        set up, migrate, load demo content, serve on http://127.0.0.1:8000"
	@echo "make test       set up and run every test (PostgreSQL when DATABASE_URL is set)"
	@echo "make lint       ruff and the migrations check"
	@echo "make bench      pages/s through gunicorn at 1,000 and 100,000 articles, search timing"
	@echo "make lighthouse Lighthouse scores for the home and an article page (each must be 100)"
	@echo "make superuser  create an admin login"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(INSTALLED)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py load_demo
	@echo
	@echo "Healthsite: http://127.0.0.1:8000/   admin: http://127.0.0.1:8000/admin/"
	@echo "For an admin login, in another terminal: make superuser"
	@echo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

superuser: migrate
	$(BIN)/python manage.py createsuperuser

# Node packages for the browser checks (axe-core, Lighthouse), from package-lock.json.
# Without npm, the axe-core browser tests skip locally and `make lighthouse` stops.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the axe-core browser tests will skip" >&2; fi

test: install node_modules/.package-lock.json
	$(BIN)/python -m pytest

lighthouse: export CHROME_PATH ?= /usr/bin/chromium
lighthouse: install node_modules/.package-lock.json
	$(BIN)/python scripts/lighthouse.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	@# wrk (Debian) drives the pages; without it bench_http uses its Python load generator.
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; } \
		>/dev/null 2>&1; } || echo "wrk is not installed: using the Python load generator." >&2
	@# Creates the default databases; bring your own for other BENCH_*DATABASE_URLs.
	@for db in healthsite_bench_1k healthsite_bench; do \
		createdb -h 127.0.0.1 -U postgres $$db 2>&1 | grep -v "already exists" >&2 || true; done
	DATABASE_URL=$(BENCH_SMALL_DATABASE_URL) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(BENCH_SMALL_DATABASE_URL) $(BIN)/python manage.py seed_bench \
		--articles $(BENCH_SMALL_ARTICLES) --top-up
	DATABASE_URL=$(BENCH_SMALL_DATABASE_URL) $(BIN)/python manage.py bench_http \
		$(BENCH_HTTP_OPTIONS) --save $(BENCH_RESULTS)/small.json
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_bench --articles $(BENCH_ARTICLES) --top-up
	$(BIN)/python manage.py bench_http $(BENCH_HTTP_OPTIONS) \
		--save $(BENCH_RESULTS)/large.json --compare $(BENCH_RESULTS)/small.json
	$(BIN)/python manage.py bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules artifacts
