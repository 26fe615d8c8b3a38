# Two entry points for newcomers: `make serve` and `make test`. Each bootstraps .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: serve build test lint typecheck unit doctest fmt clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Until the SPARQL endpoint lands, `serve` builds the release that the endpoint will serve.
serve: build

build: $(STAMP)
	$(BIN)/msckg build

lint: $(STAMP)
	$(BIN)/ruff check server tests benchmarks
	$(BIN)/ruff format --check server tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

doctest: $(STAMP)
	$(BIN)/xdoctest server all

test: lint typecheck unit doctest build

fmt: $(STAMP)
	$(BIN)/msckg fmt
	$(BIN)/ruff format server tests benchmarks

clean:
	rm -rf build
