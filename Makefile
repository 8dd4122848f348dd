# The developer loop. A fresh machine needs only Python 3.11+ (python3 on PATH, or PYTHON=...):
#   make up      virtualenv + install, PostgreSQL and Redis (embedded under .data/ unless
#                DATABASE_URL / REDIS_URL are set), migrate, seed the demo mall, web + worker + beat
#   make test    same bootstrap, then the whole suite (ARGS="..." goes to pytest)
# The recipes are thin: the logic lives in infra/scripts/*.py, with docstrings saying why.

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
ARGS   ?=
PROVISION_ARGS ?=
NOOP_ARGS ?=
SETTLEMENT_ARGS ?=
SEARCH_ARGS ?=
COMPARISON_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install up test bench lint schema clean-data stop

help:
	@echo "make up          run the mall (http://mall.localhost:8000/), Ctrl-C stops it"
	@echo "make test        run the test suite (ARGS=\"-k name\" is passed to pytest)"
	@echo "make bench       run the benchmarks in tests/bench/ (JSON lines; PROVISION_ARGS, NOOP_ARGS,"
	@echo "                 LEDGER_ARGS, IMPORT_ARGS, INDEX_ARGS, STOREFRONT_ARGS, CHECKOUT_ARGS, FLASH_ARGS, SETTLEMENT_ARGS, SEARCH_ARGS, COMPARISON_ARGS pass flags for quick runs;"
	@echo "                 the storefront bench needs wrk: apt-get install wrk)"
	@echo "make schema      validate the OpenAPI schema (written to /tmp/schema.yml)"
	@echo "make lint        ruff when installed, else a byte-compile check"
	@echo "make install     create .venv and install (skipped when pyproject.toml is unchanged)"
	@echo "make stop        stop the embedded PostgreSQL left running in .data/"
	@echo "make clean-data  stop embedded servers and delete .data/ (database, media, logs)"

# Reinstalls only when pyproject.toml's hash differs from .venv/.installed (see bootstrap.py).
install:
	@$(PYTHON) infra/scripts/bootstrap.py

up: install
	$(VPY) infra/scripts/up.py

test: install
	$(VPY) infra/scripts/run_tests.py $(ARGS)

# Each benchmark makes a database of its own on the server DATABASE_URL names (embedded default).
bench: install
	$(VPY) infra/scripts/services.py run --purpose bench -- sh -c \
		'$(VPY) tests/bench/provision.py $(PROVISION_ARGS) && $(VPY) tests/bench/migrate_noop.py $(NOOP_ARGS) \
		&& $(VPY) tests/bench/stock_ledger.py $(LEDGER_ARGS) && $(VPY) tests/bench/catalog_import.py $(IMPORT_ARGS) \
		&& $(VPY) tests/bench/index_refresh.py $(INDEX_ARGS) && $(VPY) tests/bench/storefront.py $(STOREFRONT_ARGS) \
		&& $(VPY) tests/bench/checkout.py $(CHECKOUT_ARGS) && $(VPY) tests/bench/flash_sale.py $(FLASH_ARGS) \
		&& $(VPY) tests/bench/settlement.py $(SETTLEMENT_ARGS) && $(VPY) tests/bench/search.py $(SEARCH_ARGS) \
		&& $(VPY) tests/bench/comparison.py $(COMPARISON_ARGS)'

schema: install
	$(VPY) infra/scripts/services.py run --purpose schema --settings backend.settings.test -- \
		$(VPY) manage.py spectacular --validate --fail-on-warn --file /tmp/schema.yml
	@echo "OpenAPI schema valid: /tmp/schema.yml"

lint: install
	@if $(VPY) -m ruff --version >/dev/null 2>&1; then \
		$(VPY) -m ruff check . && $(VPY) -m ruff format --check .; \
	else \
		echo "ruff is not installed (.venv/bin/pip install ruff); byte-compiling only"; \
		$(VPY) -m compileall -q backend tenants shared_apps tenant_apps tests infra; \
	fi

stop:
	@if [ -x $(VPY) ]; then $(VPY) infra/scripts/services.py stop; fi

clean-data: stop
	rm -rf .data
