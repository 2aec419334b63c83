# Initiative Tracker: `make run` to try it, `make test` to check it. Nothing else to install.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-all lint format assets worker clean-instance chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

## run: install, migrate, load the demo council if the database is empty, sweep once,
## then serve the web app and the worker (which sweeps every SWEEP_INTERVAL_MINUTES);
## supervise.py starts the worker again if it exits, and the embedded Redis if it dies
run: $(VENV)/.runtime-installed
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app demo load --if-empty
	@$(BIN)/flask --app app redis start
	$(BIN)/flask --app app alerts sweep
	@echo "Serving on http://$(HOST):$(PORT)/ - demo logins are in README.md. Ctrl-C stops it."
	@$(BIN)/python supervise.py & supervisor=$$!; \
	  trap 'kill $$supervisor 2>/dev/null; wait $$supervisor 2>/dev/null; $(BIN)/flask --app app redis stop' EXIT INT TERM; \
	  $(BIN)/flask --app app run --host $(HOST) --port $(PORT)

## worker: only the RQ worker (with its scheduler)
worker: $(VENV)/.runtime-installed
	$(BIN)/python worker.py

## chromium: Debian's Chromium for the browser tests, installed when missing
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "--- installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## test: install, then the whole suite (fault-injection tests marked slow run in CI)
test: $(VENV)/.dev-installed chromium
	$(BIN)/pytest -n 2 -m "not slow"

test-all: $(VENV)/.dev-installed chromium
	$(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --severity-level low -r tracker app.py worker.py supervise.py 2>/dev/null

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## assets: rebuild static/govuk from the npm packages (only when upgrading govuk-frontend)
assets:
	cd assets_src && npm ci --no-audit --no-fund && npm run build
