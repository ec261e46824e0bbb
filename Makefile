# Everyday commands. `make run` and `make test` set everything up themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

# Tests and local serving run with settings that are safe only on this machine.
test lint: export DJANGO_SECRET_KEY ?= insecure-key-for-tests-only
test lint: export DJANGO_HTTPS ?= 0
run migrate superuser: export DJANGO_DEBUG ?= 1

# The benchmark: its own PostgreSQL database, production settings, no page cache.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/healthsite_bench
BENCH_ARTICLES ?= 100000
bench: export DJANGO_SECRET_KEY ?= insecure-key-for-bench-only
bench: export DJANGO_HTTPS ?= 0
bench: export DJANGO_PAGE_CACHE ?= 0
bench: export DATABASE_URL = $(BENCH_DATABASE_URL)

.PHONY: help install run test lint migrate superuser bench clean

help:
	@echo "make run        set up, migrate, load demo content, serve on http://127.0.0.1:8000"
	@echo "make test       set up and run every test (PostgreSQL when DATABASE_URL is set)"
	@echo "make lint       ruff and the migrations check"
	@echo "make bench      seed BENCH_ARTICLES (100000) articles on PostgreSQL, time search"
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

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	@# Creates the default database; bring your own for another BENCH_DATABASE_URL.
	@createdb -h 127.0.0.1 -U postgres healthsite_bench 2>&1 | grep -v "already exists" >&2 || true
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_bench --articles $(BENCH_ARTICLES) --top-up
	$(BIN)/python manage.py bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
