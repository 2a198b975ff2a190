"""Build the package and install it as a user who never cloned it would: the wheel (and the sdist) by
``python -m build``, then a fresh virtual environment on a chosen Python with the lock's pins and the
wheel. Used by tests/test_installed.py and by ``make test-pythons`` (tests/pythons.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
LOCK = REPOSITORY / "requirements.lock"
#: The oldest Python the package supports (pyproject.toml's requires-python), and the newest looked for.
OLDEST, NEWEST = (3, 11), (3, 20)


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what would make another Python import this clone's package
    (PYTHONPATH) or another environment's (VIRTUAL_ENV), nor make's variables."""
    dropped = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    return {k: v for k, v in os.environ.items() if k not in dropped} | extra


def pinned_uv() -> str | None:
    """The uv the Makefile pins (it fetches it for `make env`), if it runs here; else None."""
    shown = subprocess.run(["make", "--no-print-directory", "-s", "-f", "-", "show"], cwd=REPOSITORY,
                           input="include Makefile\nshow:\n\t@echo '$(UV)'\n", capture_output=True, text=True,
                           env=clean_environment())
    uv = shown.stdout.strip()
    if shown.returncode == 0 and uv and shutil.which(uv) and subprocess.run([uv, "--version"], capture_output=True).returncode == 0:
        return uv
    return None


def build(outdir: Path) -> tuple[Path, Path]:
    """The wheel and the sdist, built from the clone by `python -m build` with the locked hatchling
    (no download: --no-isolation). The wheel is built from the sdist, so the sdist is checked too."""
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir), str(REPOSITORY)],
                          capture_output=True, text=True, env=clean_environment())
    if done.returncode != 0:
        raise RuntimeError(f"python -m build failed:\n{done.stdout}\n{done.stderr}")
    (wheel,) = outdir.glob("*.whl")
    (sdist,) = outdir.glob("*.tar.gz")
    return wheel, sdist


def install(python: str, venv: Path, wheel: Path) -> Path:
    """A fresh virtual environment at ``venv`` on ``python``, holding the lock's pins (hashes checked)
    and the wheel; returns its ``bin`` folder. uv where the Makefile's uv runs, else pip."""
    if venv.exists():
        shutil.rmtree(venv)
    uv = pinned_uv()
    env = clean_environment()
    steps = ([[uv, "venv", "--quiet", "--python", python, str(venv)],
              [uv, "pip", "sync", "--quiet", "--require-hashes", "--python", str(venv / "bin" / "python"), str(LOCK)],
              [uv, "pip", "install", "--quiet", "--no-deps", "--python", str(venv / "bin" / "python"), str(wheel)]]
             if uv else
             [[python, "-m", "venv", str(venv)],
              [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps", "-r", str(LOCK)],
              [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)]])
    # As `make env` does: the files a reproduction imports compiled once, on every core (uv compiles nothing).
    steps.append([str(venv / "bin" / "python"), "-m", "repro.bytecode", "compile", str(REPOSITORY / "requirements-imports.txt")])
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")
    return venv / "bin"


def _version(python: str) -> tuple[int, int] | None:
    try:
        done = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True,
                              text=True, timeout=30, env=clean_environment())
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    major, minor = map(int, done.stdout.split())
    return major, minor


def interpreters() -> dict[str, str]:
    """Every Python from 3.11 on that this machine has, one per minor version ("3.12" -> its path):
    ``python3.N`` on the PATH, then pyenv's installations (found in ``$PYENV_ROOT`` or ``~/.pyenv``
    without needing pyenv itself on the PATH, as on a CI machine)."""
    candidates = [shutil.which(f"python{major}.{minor}") for major, minor in
                  [(3, m) for m in range(OLDEST[1], NEWEST[1] + 1)]]
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    for folder in sorted((root / "versions").glob("*"), key=lambda p: [int(x) if x.isdigit() else 0
                                                                        for x in re.split(r"[.-]", p.name)]):
        if re.fullmatch(r"\d+\.\d+\.\d+", folder.name):  # CPython releases, not virtualenvs or other builds
            candidates.append(str(folder / "bin" / "python3"))
    found: dict[str, str] = {}
    for python in filter(None, candidates):
        if "/shims/" in python:  # a pyenv shim answers only when pyenv has that version selected
            continue
        version = _version(python) if Path(python).exists() else None
        if version and version >= OLDEST:
            found.setdefault(f"{version[0]}.{version[1]}", python)
    return dict(sorted(found.items(), key=lambda item: tuple(map(int, item[0].split(".")))))
