# `make run`: venv, dependencies, migrations, demo data, and the portal at http://localhost:$(PORT).
# `make test`: the same set-up plus test dependencies and Chromium, lint and type check, then the whole suite.
# `make test-fast`: the suite without browser tests on SQLite (the dev loop). See README, Developing.
# Every install is pinned by constraints.txt (what CI tested); `make lock` refreshes it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 3000
export PORT
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test test-fast screenshots deps test-deps chromium migrate demo lint typecheck lock bench clean \
	catalogues extract

PIP_INSTALL := $(PY) -m pip install -q --disable-pip-version-check -c constraints.txt

$(VENV)/.deps: requirements.txt constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements-test.txt constraints.txt $(VENV)/.deps
	$(PIP_INSTALL) -r requirements-test.txt
	touch $@

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

migrate: deps
	$(VENV)/bin/alembic upgrade head

demo: migrate
	$(PY) -m reseller_app demo

# The client portal's languages (README, Languages): the .po catalogues under reseller_app/i18n/locales are
# committed; `catalogues` compiles them to .mo (never committed), `extract` refreshes the .pot templates and every
# language's .po from the source (the domains of reseller_app/i18n/domains.py).
LOCALES := reseller_app/i18n/locales

catalogues: deps
	$(VENV)/bin/pybabel -q compile -d $(LOCALES) -D "$$($(PY) -m reseller_app.i18n domains)"

extract: deps
	$(PY) -m reseller_app.i18n extract

run: demo catalogues
	$(PY) -m reseller_app check
	$(VENV)/bin/reflex run --env prod

PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

REACHABLE = $(PY) -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)"

# Lint and the type check first: a style slip fails in seconds, not after the browser tests. Then the suite on
# SQLite and, side by side on the other core, again on PostgreSQL (browser tests excluded, and the billing engine's
# and the catalogues' tests, which use no database; its output is shown when both are done); then the browser
# tests; then scale-out.
PG_LOG := $(VENV)/pg-suite.log
test: lint typecheck test-deps chromium migrate catalogues
	@pg=; if $(REACHABLE) 5432 2>/dev/null; then \
		echo "== the suite on SQLite, and on PostgreSQL ($(PG_TEST_URL)) beside it; browser tests after =="; \
		TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q -p no:cacheprovider --ignore=tests/e2e \
			--ignore=tests/scale_out --ignore=tests/billing --ignore=tests/i18n > $(PG_LOG) 2>&1 & pg=$$!; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run and the scale-out test"; fi; \
	TEST_DATABASE_URL= $(PY) -m pytest -q -p no:cacheprovider --ignore=tests/e2e --ignore=tests/scale_out; sqlite=$$?; \
	pgrc=0; if [ -n "$$pg" ]; then wait $$pg; pgrc=$$?; echo "== on PostgreSQL =="; cat $(PG_LOG); fi; \
	if [ $$sqlite -ne 0 ] || [ $$pgrc -ne 0 ]; then exit 1; fi; \
	echo "== browser tests =="; \
	$(PY) -m pytest -q -p no:cacheprovider tests/e2e --ignore=tests/e2e/test_scale_out.py || exit 1; \
	if [ -n "$$pg" ]; then \
		if $(REACHABLE) 6379 2>/dev/null; then \
			echo "== scale-out: limits shared through Redis; two workers on PostgreSQL and Redis, in the browser =="; \
			$(PY) -m pytest -q -p no:cacheprovider tests/scale_out tests/e2e/test_scale_out.py || exit 1; \
		else echo "Redis not reachable on 127.0.0.1:6379: skipped the scale-out test"; fi; \
	fi

# The dev loop: no browser, always SQLite (TEST_DATABASE_URL emptied), no lint.
test-fast: test-deps catalogues
	TEST_DATABASE_URL= $(PY) -m pytest -q -p no:cacheprovider --ignore=tests/e2e --ignore=tests/scale_out

# The browser tests that take docs/screenshots/*.png, writing them there (other runs write to a temp dir).
screenshots: test-deps chromium catalogues
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q -p no:cacheprovider -m screenshots tests/e2e

lint: test-deps
	$(VENV)/bin/ruff check reseller_app tests bench
	$(VENV)/bin/ruff format --check reseller_app tests bench

# mypy --strict on the modules listed in pyproject.toml ([tool.mypy] files).
typecheck: test-deps
	$(VENV)/bin/mypy

# Re-resolve requirements*.txt to the newest versions they allow and pin the result in constraints.txt (pip's
# resolver in dry-run mode: nothing is installed). Then `make test` installs the new pins; commit both files.
define LOCK_PY
import json, sys
report = json.load(open(sys.argv[1]))
pins = sorted(((i["metadata"]["name"], i["metadata"]["version"]) for i in report["install"]), key=lambda p: p[0].lower())
print("# Every package (and version) that requirements-test.txt resolves to: what CI tests and `make run` installs.")
print("# Used as `pip install -c constraints.txt ...` by the Makefile. Refresh with `make lock` (see README, Developing).")
print("".join(f"{name}=={version}\n" for name, version in pins), end="")
endef
export LOCK_PY

lock: deps
	$(PY) -m pip install -q --disable-pip-version-check --dry-run --ignore-installed \
		--report $(VENV)/lock-report.json -r requirements-test.txt
	$(PY) -c "$$LOCK_PY" $(VENV)/lock-report.json > constraints.txt.new
	mv constraints.txt.new constraints.txt

bench: test-deps
	$(PY) bench/rate_bench.py
	$(PY) bench/load_bench.py
	$(PY) bench/contention_bench.py

clean:
	rm -rf .web data .states
