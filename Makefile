# Convenience over the pmlib CLI. Windows/conda users: see README (python -m pmlib ...).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUARTER ?= 2026/27 Q2
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: help setup system-deps test lint format report validate rate lab demo-data bench clean

help:
	@echo "make report   set up and build the demo quarter's committee reports into outputs/"
	@echo "make test     set up and run lint + tests"
	@echo "make lab      start JupyterLab on the demo data"
	@echo "make demo-data  regenerate data/demo from its script"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,lab]'
	touch $@

setup: $(VENV)/.installed

# System packages for browser and PDF tests (Debian's Chromium, poppler's pdftotext/pdftoppm)
# and for the database tests (Debian's PostgreSQL server; its programs live in
# /usr/lib/postgresql/<version>/bin, off the PATH: tests/pg_server.py finds them).
# Installed only when missing and when we can (root + apt); otherwise those tests skip.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -qi "dejavu" || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    (apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends $$missing >/dev/null)) \
	      || echo "could not install$$missing: browser/PDF/PostgreSQL tests will be skipped"; \
	  else \
	    echo "missing$$missing (install with: sudo apt-get install$$missing); browser/PDF/PostgreSQL tests will be skipped"; \
	  fi; \
	fi

lint: setup
	$(BIN)/ruff check pmlib tests benchmarks data/demo
	$(BIN)/ruff format --check pmlib tests benchmarks data/demo

format: setup
	$(BIN)/ruff format pmlib tests benchmarks data/demo
	$(BIN)/ruff check --fix pmlib tests benchmarks data/demo
	$(BIN)/nbstripout notebooks/*.ipynb

test: setup system-deps lint
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --doctest-modules pmlib tests notebooks; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$status

validate: setup
	$(BIN)/pmlib validate

rate: setup
	$(BIN)/pmlib rate --period "$(QUARTER)"

# HTML always; PDF and the agenda pack too when Chromium is here (system-deps installs it).
report: setup system-deps
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$PMLIB_CHROMIUM" ]; then \
	  $(BIN)/pmlib run --quarter "$(QUARTER)" --format html,pdf --pack; \
	else \
	  echo "Chromium not found: building HTML only (PDF: sudo apt-get install chromium)"; \
	  $(BIN)/pmlib run --quarter "$(QUARTER)"; \
	fi

# Serves the project folder (so the explorer's links to outputs/ open) and opens the explorer;
# kernels run in the notebook's folder, as the notebooks expect. Root (containers) needs --allow-root.
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. notebooks/explore.ipynb $(if $(filter 0,$(shell id -u)),--allow-root)

demo-data: setup
	$(BIN)/python data/demo/generate.py

bench: setup
	$(BIN)/python benchmarks/bench_rate.py
	$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf outputs/*/ .pytest_cache .ruff_cache
