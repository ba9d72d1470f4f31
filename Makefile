# livedesk: `make run` starts a demo desk, `make test` runs every check CI runs.
# Everything a fresh machine needs is installed from here (uv, Python and npm
# packages, Debian's Chromium and nginx for the browser and multi-node tests).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
# uv from PATH, else the copy `pip install uv` puts into the interpreter.
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
PYTEST_ARGS ?=
# e.g. BENCH_ARGS="--engine sqlite --scale 0.1"; empty: the full load on every engine.
BENCH_ARGS ?=
CHROMIUM ?= /usr/bin/chromium
NGINX ?= /usr/sbin/nginx

UI_SOURCES := $(shell find ui/src -type f 2>/dev/null) ui/index.html ui/vite.config.ts ui/tsconfig.json
UI_DEPS_STAMP := ui/node_modules/.package-lock.json
UI_BUILD_STAMP := ui/dist/index.html

WIDGET_SOURCES := $(shell find widget/src -type f 2>/dev/null) widget/frame.html widget/build.mjs widget/tsconfig.json
WIDGET_DEPS_STAMP := widget/node_modules/.package-lock.json
WIDGET_BUILD_STAMP := widget/dist/widget.js

.PHONY: help run test lint fmt ui ui-check widget widget-check bench clean uv sync chromium nginx

help:
	@echo "make run    build everything and serve the demo desk on http://127.0.0.1:8000"
	@echo "make test   lint, typecheck and run every test (PYTEST_ARGS=... for pytest)"
	@echo "make lint   ruff, mypy, import contracts, UI typecheck"
	@echo "make fmt    format and auto-fix Python code"
	@echo "make ui     build the operator UI into ui/dist"
	@echo "make widget build the embeddable widget into widget/dist"
	@echo "make bench  run the load benchmark (BENCH_ARGS=... for livedesk bench)"
	@echo "make clean  remove build output and caches (keeps ./var and .venv)"

run: sync ui widget
	$(UV) run livedesk serve --demo

test: sync ui widget chromium nginx
	$(UV) run ruff check src tests
	$(UV) run ruff format --check src tests
	$(UV) run mypy
	$(UV) run lint-imports
	$(MAKE) --no-print-directory ui-check
	$(MAKE) --no-print-directory widget-check
	$(UV) run pytest $(PYTEST_ARGS)

lint: sync $(UI_DEPS_STAMP) $(WIDGET_DEPS_STAMP)
	$(UV) run ruff check src tests
	$(UV) run ruff format --check src tests
	$(UV) run mypy
	$(UV) run lint-imports
	cd ui && npm run typecheck
	cd widget && npm run typecheck

fmt: sync
	$(UV) run ruff format src tests
	$(UV) run ruff check --fix src tests

bench: sync
	$(UV) run livedesk bench $(BENCH_ARGS)

clean:
	rm -rf ui/dist ui/node_modules widget/dist widget/node_modules test-artifacts .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
	find src tests -name __pycache__ -type d -prune -exec rm -rf {} + 2>/dev/null || true

# --- Python -----------------------------------------------------------------

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --quiet --break-system-packages uv

sync: uv
	@if [ -f uv.lock ]; then $(UV) sync --frozen; else $(UV) sync; fi

# --- operator UI --------------------------------------------------------------

ui: $(UI_BUILD_STAMP)

ui-check: $(UI_DEPS_STAMP)
	cd ui && npm run typecheck
	cd ui && npm test

# npm writes node_modules/.package-lock.json on every install: reinstall only
# when the manifest or the lock file changed.
$(UI_DEPS_STAMP): ui/package.json ui/package-lock.json
	cd ui && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund)
	@touch $@

# Rebuilt only when a source is newer than the last build.
$(UI_BUILD_STAMP): $(UI_DEPS_STAMP) $(UI_SOURCES)
	cd ui && npm run build
	@touch $@

# --- embeddable widget ----------------------------------------------------------
# The loader (/widget.js) and the chat frame (/widget/frame); the build fails over
# its gzip size budget.

widget: $(WIDGET_BUILD_STAMP)

widget-check: $(WIDGET_DEPS_STAMP)
	cd widget && npm run typecheck

$(WIDGET_DEPS_STAMP): widget/package.json widget/package-lock.json
	cd widget && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund)
	@touch $@

$(WIDGET_BUILD_STAMP): $(WIDGET_DEPS_STAMP) $(WIDGET_SOURCES)
	cd widget && npm run build
	@touch $@

# --- browser for the end-to-end tests -------------------------------------------
# Debian's package only: test tools' own browser downloads cannot work here.

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# --- nginx for the multi-node tests -----------------------------------------------
# Debian's package. The tests run nginx themselves with a config of their own in a
# temporary directory; the system's nginx service is never started or touched.

nginx:
	@if [ ! -x $(NGINX) ]; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y nginx; \
	fi
