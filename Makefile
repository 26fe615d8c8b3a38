# Two entry points for newcomers: `make serve` and `make test`. Each bootstraps .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# `make serve` needs only the runtime dependencies; `make test` adds the [dev] extras (linters, kgx, selenium).
RUNTIME := $(VENV)/.runtime-stamp
DEV := $(VENV)/.dev-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

YASGUI_VERSION := 4.6.2
ASSETS := server/web/static/vendor/yasgui/yasgui.min.js

.PHONY: serve build test lint typecheck unit doctest fmt clean assets browser virtuoso graphviz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV): pyproject.toml $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The query page's YASGUI, bundled from its npm package and served by us (no CDN at run time).
$(ASSETS):
	mkdir -p build/npm server/web/static/vendor/yasgui
	cd build/npm && npm pack --silent @zazuko/yasgui@$(YASGUI_VERSION) >/dev/null
	tar -xzf build/npm/zazuko-yasgui-$(YASGUI_VERSION).tgz -C build/npm
	cp build/npm/package/build/yasgui.min.js build/npm/package/build/yasgui.min.css server/web/static/vendor/yasgui/
	echo "@zazuko/yasgui $(YASGUI_VERSION) (MIT licence), from its npm package" > server/web/static/vendor/yasgui/SOURCE

assets: $(ASSETS)

# Headless Chromium for the query-page test (Debian's package; installed only when missing).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  { echo "make test needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver" >&2; exit 1; }

# Virtuoso for the triple-store tests (Debian's binaries only: no service is started; the tests start their own
# on free 127.0.0.1 ports with a throw-away database). Installed only when missing; the fixture skips with the
# reason where it cannot be installed.
virtuoso:
	@command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends virtuoso-opensource-7-bin >/dev/null; } || \
	  echo "Virtuoso not installed (apt-get install virtuoso-opensource-7-bin): its tests will be skipped" >&2

# Graphviz's dot draws the mechanism diagrams (Debian's package; installed only when missing). Without it the pages
# show their claims without a diagram, and the diagram tests fail saying so.
graphviz:
	@command -v dot >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends graphviz >/dev/null; } || \
	  echo "Graphviz not installed (apt-get install graphviz): pages will show no mechanism diagram" >&2

serve: $(RUNTIME) assets graphviz
	@$(BIN)/msckg serve --host $(HOST) --port $(PORT)

build: $(RUNTIME)
	$(BIN)/msckg build

lint: $(DEV)
	$(BIN)/ruff check server tests benchmarks
	$(BIN)/ruff format --check server tests benchmarks

typecheck: $(DEV)
	$(BIN)/mypy

unit: $(DEV) assets browser virtuoso graphviz
	$(BIN)/pytest

doctest: $(DEV)
	$(BIN)/xdoctest server all

test: lint typecheck unit doctest build

fmt: $(DEV)
	$(BIN)/msckg fmt
	$(BIN)/ruff format server tests benchmarks

clean:
	rm -rf build
