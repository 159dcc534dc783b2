# JoinedUp — the README's commands live here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test check fmt bench install chromium java wrk assets clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,spark]"
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright is pointed at it; no browser download),
# and Pango for WeasyPrint's PDFs (subject access packs).
chromium:
	@{ command -v chromium >/dev/null 2>&1 && ldconfig -p | grep -q libpangoft2-1.0; } || { \
	  echo "Installing Debian's chromium and pango"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends \
	    chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; }

# Java 17 for the Spark linkage engine (pyspark runs a local JVM; the slow Spark test needs it).
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "Installing Debian's openjdk-17-jre-headless"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends \
	    openjdk-17-jre-headless; }

# wrk drives the intake API benchmark with 16 concurrent clients (a C load generator, so the
# clients take little of the CPU the server is measured on).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends wrk; }

run: export JOINEDUP_DEMO_MODE ?= true
run: install
	$(BIN)/joinedup db upgrade
	$(BIN)/joinedup demo load --if-empty
	$(BIN)/joinedup demo logins
	$(BIN)/joinedup serve --host 127.0.0.1 --port 8000

test: install chromium java
	$(BIN)/pytest -q -p no:cacheprovider -n 2

check: install
	$(BIN)/ruff check src tests migrations
	$(BIN)/ruff format --check src tests migrations
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix src tests migrations
	$(BIN)/ruff format src tests migrations

bench: install wrk
	$(BIN)/joinedup bench all

# Rebuild the GOV.UK Frontend stylesheet with JoinedUp's font (the built files are committed).
assets:
	cd assets && npm ci --no-audit --no-fund && npm run build

clean:
	rm -rf $(VENV) var
