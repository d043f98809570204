# The two commands of the README: `make demo` runs the pipeline, `make test`
# runs the tests. Each sets up what it needs first: the virtual environment,
# the Python packages, Kafka's jars (through Maven, on the first broker start)
# and, for the browser tests, Debian's Chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test test-fast lint format bench chromium clean

demo: $(STAMP)
	$(BIN)/ourastream up --open

test: $(STAMP) chromium
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -m "not kafka and not browser"

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

chromium:
	@[ -x $(CHROMIUM) ] || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) artifacts .pytest_cache
