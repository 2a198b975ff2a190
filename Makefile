# Two commands a replicator needs:  make reproduce  and  make test.
# Both build the pinned environment first (.venv, from requirements.lock, every package checked against
# its hash), so a fresh clone with Python 3.11 and make needs nothing else.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
BENCH_LOG   := $(VENV)/setup-bench.log
JOBS   ?= 2

# Bytecode: uv, unlike pip, compiles nothing at install (compiling all ~9000 files would cost more than
# a reproduction), so the set-up compiles, on every core, the ~2100 files that `make reproduce` imports
# (requirements-imports.txt, see src/repro/bytecode.py); anything else is compiled on first use. (pip,
# the fallback, compiles every file itself.)
# A shell that sets PYTHONDONTWRITEBYTECODE (Docker images, some CI machines) would make every run
# compile every module again, which doubles `make reproduce` (measured: 90 s against 42 s), so make's
# commands run without it. The __pycache__ folders it writes are git-ignored.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: reproduce reference test test-pythons dist env browser lab lock imports-list validate benchmark bench-env lock-bench fixtures clean

reproduce: $(STAMP)
	$(BIN)/repro validate
	$(BIN)/repro summary
	$(BIN)/repro reproduce --out results --jobs $(JOBS)
	$(BIN)/repro verify results

# Make the current results/ the committed reference that `make reproduce` verifies against. An explicit
# step on purpose: review `git diff` of the reference before committing it.
reference: $(STAMP)
	$(BIN)/repro verify --update results

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The wheel built from this clone, installed on every Python from 3.11 on that the machine has (python3.N
# on the PATH, or pyenv's, found without pyenv on the PATH), each in a fresh .venv-pythons/3.N with the
# lock's pins, running the whole suite against the installed package (tests/pythons.py). `make
# test-pythons SKIP_PYTHONS=3.11` leaves out the lock's Python, which `make test` runs.
SKIP_PYTHONS ?=
test-pythons: $(STAMP) browser
	$(BIN)/python tests/pythons.py $(foreach v,$(SKIP_PYTHONS),--skip $(v))

# The report is checked in Debian's headless Chromium. Installed here when missing and run as root
# (as CI is); elsewhere the browser test is skipped with a note.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the report's browser test"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium is not installed (needs root to install); the browser test will be skipped"; fi; }

# The wheel and the sdist, into dist/ (python -m build with the locked hatchling): the wheel carries
# the paper's data, the notebooks and the reference, and is what `pip install`, `pipx install` and
# `uv tool install` take (README).
dist: $(STAMP)
	$(BIN)/python -m build --no-isolation --outdir dist .

# Only the environment. The empty recipe keeps make from saying "Nothing to be done" when it is built.
env: $(STAMP)
	@:

# ---------------------------------------------------------------------------------------------------
# The environment. uv installs the lock in seconds where pip takes minutes, so make fetches uv itself
# from PyPI, pinned below by version and by the hash of every file of that release. It goes into a
# folder of its own inside .venv, outside the environment's site-packages, so that syncing the
# environment to the lock leaves it alone. Where uv cannot be had (no wheel for this platform, no pip
# to fetch it with, a network that only pip is configured for) or fails, pip installs the same lock
# with the same hashes. `make env UV=false` forces pip; `UV=/path/to/uv` uses another uv.
UV_VERSION := 0.13.9
UV_HASHES  := \
  --hash=sha256:16963d19594e18d746a70c7fce82237bde4f2cac4cfcf0ca2b84796fe9d0c6e9 \
  --hash=sha256:2c45530751517d6c3bbc69a19473f6effe47cce047bede01ffd8af7ea7b36b25 \
  --hash=sha256:3eeeb51a267a2144640fcd8f38d4a2f63439b39bc47445fd84727c3fc462c843 \
  --hash=sha256:5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe \
  --hash=sha256:56ec37616c00220032fc7b8c9d0ef51367fd0d70d9cd6ddd841660f949f84fed \
  --hash=sha256:66c512266d633bef48384a1f53003f41f2a8e7b36fe6e7fbfd3e0fd52d96fa63 \
  --hash=sha256:6a44b2ed8111d2f60d2b92627c5dccda3f7ed7570b18ce115e569cd68c28246b \
  --hash=sha256:6b0c7b9f47a5d011939d61e324d3fe18a8bc155d8dd53add738709a92f290a7c \
  --hash=sha256:6d5114bba238adddacb32fb11904f2b3ff4e988f8e9ff0d8d3b5e9822cf836b8 \
  --hash=sha256:7ec1e1dd9b6cb335c301afdf877989df384227313981850755a59561f75e4ab8 \
  --hash=sha256:a2ee66fe8b6608e1482ab1bde5799da04705c1cb40324c7f66054ecf46ae6e40 \
  --hash=sha256:a6e845f387e4ed55bb59342957a9179e24a631fcc7668bda3426ae1cef8ed4b9 \
  --hash=sha256:c16ed11e013557536b3e60065f1b912f6407bd6518e041b961e23ef9e6b4fbf5 \
  --hash=sha256:c5dbdb7c8737cd183a9dce95b39cfd1f3d54ec2a27a1bb58f160293f9ba2c805 \
  --hash=sha256:d7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19 \
  --hash=sha256:db5c8df7145c21ffea9c0f74e38823bac3af60cbadf0e26b8633f08627b17bab \
  --hash=sha256:dd6f4f93ddf8a668c73f0945f3638444b2140a4e15a3912067493fc6335543e4 \
  --hash=sha256:ecb6028d79dc96fbeafffe5c8af62a7099487ebc05a701e76714eebcffd06375 \
  --hash=sha256:eeb92051c2123b9730c46b04cc843cfa4bc7d7b0aec56df431a2215ef4cb0273
# uv is kept per user, beside uv's own cache (XDG_CACHE_HOME, else ~/.cache), so that another clone on
# the same machine finds it instead of fetching it again (about 2 s); without a home folder, in .venv.
USER_CACHE := $(or $(XDG_CACHE_HOME),$(if $(HOME),$(HOME)/.cache))
UV_HOME    := $(if $(USER_CACHE),$(USER_CACHE)/repro/uv-$(UV_VERSION),$(VENV)/uv-$(UV_VERSION))
UV         ?= $(UV_HOME)/bin/uv
# What each installer says goes to a log, shown only when the installation fails.
UV_LOG     := $(VENV)/setup-uv.log
PIP_LOG    := $(VENV)/setup-pip.log

# uv runs, or is fetched: only a wheel (--only-binary: a source build of uv would need Rust), only the
# pinned version, only with a listed hash. PIP_ROOT_USER_ACTION silences pip's note when run as root.
UV_READY = $(UV) --version || { \
  test "$(UV)" = "$(UV_HOME)/bin/uv" && mkdir -p "$(dir $(UV_HOME))" && \
  printf '%s\n' 'uv==$(UV_VERSION) $(UV_HASHES)' >$(UV_HOME).txt && \
  PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install --disable-pip-version-check --no-deps --only-binary :all: \
    --require-hashes --upgrade --target $(UV_HOME) -r $(UV_HOME).txt && \
  $(UV) --version; }

# The environment becomes exactly the lock (sync removes what the lock does not name; pip itself is
# kept), then the package itself goes in, editable, without dependencies (they are all in the lock).
# Meanwhile, in the background, the files a reproduction imports are compiled (see above; the recipe
# waits for it): installing the package and the kernel take about 1.5 s that this way cost nothing.
UV_SYNC = $(UV) pip sync --require-hashes --python $(BIN)/python requirements.lock && \
  { PYTHONPATH=src $(BIN)/python -m repro.bytecode compile requirements-imports.txt & } && \
  $(UV) pip install --no-deps --python $(BIN)/python --editable .

# The fallback: the environment's own pip (ensurepip brings it when the folder was made without),
# the same lock, the same hashes.
PIP_SYNC = { { $(BIN)/python -m pip --version || $(BIN)/python -m ensurepip --default-pip; } && \
  $(BIN)/python -m pip install --require-hashes --no-deps -r requirements.lock && \
  $(BIN)/python -m pip install --no-deps --editable . ; } >$(PIP_LOG) 2>&1 || { cat $(PIP_LOG) >&2; exit 1; }

# The stamp depends on the lock, the list of files to compile and pyproject.toml: editing any of them
# rebuilds the environment (a sync of an unchanged environment takes well under a second).
$(STAMP): requirements.lock requirements-imports.txt pyproject.toml
	@echo "setting up $(VENV)/ from requirements.lock"
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	@if { $(UV_READY); } >$(UV_LOG) 2>&1 && { $(UV_SYNC); } >>$(UV_LOG) 2>&1; then :; else wait; \
	  echo "note: uv could not be used (see $(UV_LOG)); installing with pip instead, which takes a few minutes" >&2; \
	  $(PIP_SYNC); fi; \
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (repro)" >/dev/null; \
	installed=$$?; wait; exit $$installed
	@touch $(STAMP)

# Remake the list of files the set-up compiles: run after `make lock` (a test fails while it is stale).
imports-list: $(STAMP)
	$(BIN)/python -m repro.bytecode list requirements-imports.txt

validate: $(STAMP)
	$(BIN)/repro validate

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# explorer_browser.py moves the explorer's sliders in JupyterLab in Debian's headless chromium (needs
# bench-env and browser). The last one clones the repository into temporary folders and times a fresh
# clone's `make reproduce` against a second one in the same clone (a few minutes).
benchmark: $(BENCH_STAMP) browser
	$(BIN)/python benchmarks/reproduce.py
	$(BIN)/python benchmarks/sensitivity.py
	$(BIN)/python benchmarks/explorer.py
	$(BIN)/python benchmarks/explorer_browser.py
	$(BIN)/python benchmarks/fresh_clone.py

# The benchmarks' own packages (Playwright for Python), pinned with hashes in their own lock so that
# requirements.lock holds only what the package needs. They are added to the environment; a rebuild of
# the environment (a sync to requirements.lock) removes them, and this stamp, then older than the
# environment's, adds them again. Installed like the environment: uv, or pip where uv cannot be used.
bench-env: $(BENCH_STAMP)
	@:

$(BENCH_STAMP): $(STAMP) requirements-bench.lock
	@echo "adding the benchmarks' packages to $(VENV)/ from requirements-bench.lock"
	@{ $(UV) pip install --require-hashes --no-deps --python $(BIN)/python -r requirements-bench.lock || { \
	    { $(BIN)/python -m pip --version || $(BIN)/python -m ensurepip --default-pip; } && \
	    $(BIN)/python -m pip install --require-hashes --no-deps -r requirements-bench.lock; }; \
	  } >$(BENCH_LOG) 2>&1 || { cat $(BENCH_LOG) >&2; exit 1; }
	@touch $(BENCH_STAMP)

# Re-pin every package (needs the registry): one universal lock, with hashes, that resolves for every
# Python from 3.11 on and every platform (markers say which pins apply where). Pins already in the lock
# are kept where they still fit; `make lock UPGRADE=--upgrade` moves every package to its newest release.
# Run after changing dependencies in pyproject.toml, then `make imports-list`.
lock:
	@mkdir -p $(VENV) && { $(UV_READY); } >$(UV_LOG) 2>&1 || { cat $(UV_LOG) >&2; exit 1; }
	$(UV) pip compile pyproject.toml --extra lab --extra test --universal --python-version 3.11 \
	  --generate-hashes --no-emit-index-url --custom-compile-command "make lock" --quiet $(UPGRADE) \
	  --output-file requirements.lock

# Re-pin the benchmarks' packages within requirements.lock's versions (needs the registry). Run after
# `make lock` or after changing requirements-bench.in.
lock-bench:
	@mkdir -p $(VENV) && { $(UV_READY); } >$(UV_LOG) 2>&1 || { cat $(UV_LOG) >&2; exit 1; }
	$(UV) pip compile requirements-bench.in --universal --python-version 3.11 --generate-hashes \
	  --no-emit-index-url --custom-compile-command "make lock-bench" --quiet --output-file requirements-bench.lock

# Remake the students' files the tests read (tests/fixtures/clients/README.md): Excel's bytes, and
# LibreOffice Calc's own output (installed from Debian when missing and run as root). Commit the result.
fixtures: $(STAMP)
	sh tests/fixtures/clients/make_fixtures.sh

clean:
	rm -rf results verify-diff .pytest_cache
