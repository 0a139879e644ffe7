# Tollgate: `make run` serves the API on the embedded defaults; `make test` runs lint and the tests.
# Both set up what they need (.venv from PyPI). PostgreSQL and Redis must be reachable for tests
# (127.0.0.1:5432 trust auth, 127.0.0.1:6379), or a Docker engine for testcontainers.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_PLUGINS := build/test-plugins
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core of the 2-core machines here; each file runs whole in one of them.
TEST_WORKERS ?= 2
STRIPE ?= emulator

.PHONY: install run demo test lint typecheck format bench emulator worker scheduler migrate clean promtool chromium clients

# The generated Python client (clients/python) too, for the demo's tenant apps: editable in compat mode (a
# path in a .pth file), so that `make clients` takes effect at once and mypy finds the package.
$(STAMP): pyproject.toml clients/python/setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet -e ./clients/python --config-settings editable_mode=compat
	touch $(STAMP)

$(TEST_PLUGINS)/.installed: $(STAMP) $(wildcard tests/example_plugin/*.toml tests/example_plugin/*/*.py tests/example_plugin/*/migrations/versions/*.py tests/inbox_plugin/*.toml tests/inbox_plugin/*/*.py)
	rm -rf $(TEST_PLUGINS)
	$(BIN)/pip install --quiet --no-deps --target $(TEST_PLUGINS) ./tests/example_plugin ./tests/inbox_plugin
	touch $@

install: $(STAMP)

# The TypeScript client's tools, pinned by its package-lock.json; without npm its tests are skipped.
NPM_STAMP := clients/typescript/node_modules/.installed
$(NPM_STAMP): clients/typescript/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd clients/typescript && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "npm not installed: the TypeScript client's tests are skipped"; fi

# The published clients (clients/): the OpenAPI document built from the app with settings.toml, then the
# Python package and the TypeScript types generated from it; tests/clients fails when they are not current.
clients: $(STAMP) $(NPM_STAMP)
	$(BIN)/python clients/generate.py

# Offline by default: the Stripe emulator stands in for Stripe (STRIPE=real: the secrets' keys, Stripe itself).
run: $(STAMP)
ifeq ($(STRIPE),real)
	$(BIN)/tollgate run
else
	$(BIN)/python -m demo.serve
endif

# The five reference tenants on one deployment, each app's main scenario walked through the generated
# Python client (clients/python), offline against the Stripe emulator. `make demo STRIPE=real`: the
# secrets' own test keys, up to the first page where a person must pay. `make demo SERVE=1`: then keep
# serving the walk's deployment, printing the console's URL and the keys that sign in to it.
demo: $(STAMP)
	$(BIN)/python -m demo --stripe $(STRIPE)$(if $(SERVE), --serve)

# The Stripe emulator alone, for `make run` with TOLLGATE_STRIPE__API_BASE=http://127.0.0.1:12111.
emulator: $(STAMP)
	$(BIN)/python -m stripe_emulator --port 12111 --auto-accounts 'sk_test_\w+'

migrate: $(STAMP)
	$(BIN)/tollgate db upgrade

worker: $(STAMP)
	$(BIN)/tollgate worker

scheduler: $(STAMP)
	$(BIN)/tollgate scheduler

lint: $(STAMP)
	$(BIN)/ruff check core plugins tenants stripe_emulator tests demo clients/generate.py
	$(BIN)/ruff format --check core plugins tenants demo clients/generate.py
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format core plugins tenants stripe_emulator tests demo
	$(BIN)/ruff check --fix core plugins tenants stripe_emulator tests demo

# promtool checks deploy/prometheus (Debian's prometheus package); where apt cannot install it, that
# one test is skipped and the rules still get their schema test.
promtool:
	@command -v promtool >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 || \
		  { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends prometheus >/dev/null 2>&1; }; }; } || echo "promtool not installed: its test is skipped"

# Debian's Chromium for the console's browser tests (Playwright drives /usr/bin/chromium); nothing when it is
# there. Where apt cannot install it, those tests are skipped and say so.
chromium:
	@test -x /usr/bin/chromium || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || \
		  { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends chromium >/dev/null 2>&1; }; }; } || echo "chromium not installed: the console's browser tests are skipped"

test: $(STAMP) $(TEST_PLUGINS)/.installed $(NPM_STAMP) lint promtool chromium
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Benchmarks print figures and ratios against pgbench in the same database; never part of `make test`.
bench: $(STAMP) $(TEST_PLUGINS)/.installed
	$(BIN)/python -m tests.benchmarks.ledger_spend
	$(BIN)/python -m tests.benchmarks.ledger_expiry
	$(BIN)/python -m tests.benchmarks.webhooks
	$(BIN)/python -m tests.benchmarks.reads
	$(BIN)/python -m tests.benchmarks.metrics

clean:
	rm -rf $(VENV) build var .pytest_cache .mypy_cache .ruff_cache .hypothesis
