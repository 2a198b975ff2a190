# Two commands a replicator needs:  make reproduce  and  make test.
# Both build the pinned environment first (.venv, from requirements.lock), so a fresh clone
# with Python 3.11 and make needs nothing else.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: reproduce test env browser lab lock validate sensitivity benchmark clean

reproduce: $(STAMP)
	$(BIN)/repro validate
	$(BIN)/repro summary
	$(BIN)/repro reproduce --out results --jobs $(JOBS)
	$(BIN)/repro sensitivity --out results/sensitivity

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The report is checked in Debian's headless Chromium. Installed here when missing and run as root
# (as CI is); elsewhere the browser test is skipped with a note.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the report's browser test"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium is not installed (needs root to install); the browser test will be skipped"; fi; }

env: $(STAMP)

# The stamp depends on the lock and on pyproject.toml: editing either rebuilds the environment.
$(STAMP): requirements.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (repro)" >/dev/null
	touch $(STAMP)

validate: $(STAMP)
	$(BIN)/repro validate

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

benchmark: $(STAMP)
	$(BIN)/python benchmarks/reproduce.py
	$(BIN)/python benchmarks/sensitivity.py

# Re-pin every package (needs the registry). Run after changing dependencies in pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra test --generate-hashes --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

clean:
	rm -rf results .pytest_cache
