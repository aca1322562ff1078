# `make run`: venv, dependencies, migrations, demo data, and the portal at http://localhost:$(PORT).
# `make test`: the same set-up plus test dependencies and Chromium, then the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 3000
export PORT
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test deps test-deps chromium migrate demo lint bench clean

$(VENV)/.deps: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements-test.txt $(VENV)/.deps
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

migrate: deps
	$(VENV)/bin/alembic upgrade head

demo: migrate
	$(PY) -m reseller_app demo

run: demo
	$(PY) -m reseller_app check
	$(VENV)/bin/reflex run --env prod

PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

REACHABLE = $(PY) -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)"

test: test-deps chromium migrate
	$(PY) -m pytest -q -p no:cacheprovider --ignore=tests/e2e/test_scale_out.py --ignore=tests/scale_out
	@if $(REACHABLE) 5432 2>/dev/null; then \
		echo "== the suite again on PostgreSQL ($(PG_TEST_URL)), browser tests excluded =="; \
		TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q -p no:cacheprovider --ignore=tests/e2e --ignore=tests/scale_out || exit 1; \
		if $(REACHABLE) 6379 2>/dev/null; then \
			echo "== scale-out: limits shared through Redis; two workers on PostgreSQL and Redis, in the browser =="; \
			$(PY) -m pytest -q -p no:cacheprovider tests/scale_out tests/e2e/test_scale_out.py || exit 1; \
		else echo "Redis not reachable on 127.0.0.1:6379: skipped the scale-out test"; fi; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run and the scale-out test"; fi

lint: test-deps
	$(VENV)/bin/ruff check reseller_app tests bench
	$(VENV)/bin/ruff format --check reseller_app tests bench

bench: test-deps
	$(PY) bench/rate_bench.py
	$(PY) bench/load_bench.py

clean:
	rm -rf .web data .states
