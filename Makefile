# Two entry points for a fresh machine: `make demo` and `make test`.
# Each bootstraps .venv from nothing (pip is upgraded first: the system pip cannot
# resolve azure-monitor-opentelemetry together with opentelemetry-sdk).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium
ALERTMANAGER := /usr/bin/prometheus-alertmanager
PROMETHEUS := /usr/bin/prometheus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint wheel-check bench clean browser prometheus

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,azure,dashboard,scale]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/synctel demo

# The dashboard's real-browser test drives Debian's Chromium (Playwright downloads no browser).
browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The alerts' and metrics' tests start Debian's real Alertmanager and Prometheus (and promtool) on
# loopback. Only the binaries are needed: the services the packages start are stopped again.
prometheus:
	@test -x $(ALERTMANAGER) -a -x $(PROMETHEUS) || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    prometheus prometheus-alertmanager >/dev/null && \
	  { ! command -v systemctl >/dev/null || \
	    $(SUDO) systemctl disable --now prometheus prometheus-alertmanager 2>/dev/null || true; }; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The wheel a new user installs: built, installed in a fresh venv outside the checkout, and
# its CLI run from another directory (see .ci/wheel-check).
wheel-check: $(STAMP)
	PY=$(PY) PYTHON=$(PYTHON) .ci/wheel-check

test: lint browser prometheus wheel-check
	@# pytest exits 5 when it collected nothing: that is not a pass.
	$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo 'pytest ran no tests: failing the run' >&2; exit 1; fi; exit $$rc

bench: $(STAMP)
	$(VENV)/bin/synctel bench

clean:
	rm -rf $(VENV) synctel-data .pytest_cache .mypy_cache .ruff_cache
