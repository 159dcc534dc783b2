# JoinedUp — the README's commands live here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test check fmt bench install chromium assets clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright is pointed at it; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

run: export JOINEDUP_DEMO_MODE ?= true
run: install
	$(BIN)/joinedup db upgrade
	$(BIN)/joinedup demo load --if-empty
	$(BIN)/joinedup demo logins
	$(BIN)/joinedup serve --host 127.0.0.1 --port 8000

test: install chromium
	$(BIN)/pytest -q -p no:cacheprovider

check: install
	$(BIN)/ruff check src tests migrations
	$(BIN)/ruff format --check src tests migrations
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix src tests migrations
	$(BIN)/ruff format src tests migrations

bench: install
	$(BIN)/joinedup bench all

# Rebuild the GOV.UK Frontend stylesheet with JoinedUp's font (the built files are committed).
assets:
	cd assets && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) var
