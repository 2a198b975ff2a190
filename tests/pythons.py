"""``make test-pythons``: the wheel installed on every Python from 3.11 on that this machine has, each
running the test suite against the installed package (not the clone's sources).

For each Python (``python3.N`` on the PATH, or pyenv's installations, found without pyenv on the PATH):
a fresh virtual environment in ``.venv-pythons/3.N`` with the lock's pins (one universal lock for every
Python) and the wheel built from this clone, then ``pytest`` on that environment's Python, from the
clone's root, where ``import repro`` finds the installed wheel. The lock's own Python is ``make
test``'s; here it is run too, installed, unless ``--skip 3.11``. The tests that compare with the
committed reference expect identical bytes on the reference's Python and "equivalent within
tolerance" on the others.

    python tests/pythons.py [--skip 3.11] [PYTEST ARGUMENTS ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installing import REPOSITORY, build, clean_environment, install, interpreters

VENVS = REPOSITORY / ".venv-pythons"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", action="append", default=[], metavar="3.N", help="a Python version to leave out")
    args, pytest_args = parser.parse_known_args(argv)
    found = {version: python for version, python in interpreters().items() if version not in args.skip}
    if not found:
        print("test-pythons: no Python from 3.11 on was found besides those skipped; nothing to test.")
        return 0
    print("test-pythons: " + ", ".join(f"{v} ({p})" for v, p in found.items()), flush=True)
    results = {}
    with tempfile.TemporaryDirectory() as dist:
        wheel, _ = build(Path(dist))
        for version, python in found.items():
            start = time.perf_counter()
            bin_dir = install(python, VENVS / version, wheel)
            print(f"test-pythons: {version}: installed {wheel.name} in {time.perf_counter() - start:.0f} s; "
                  "running the tests", flush=True)
            done = subprocess.run([str(bin_dir / "python"), "-m", "pytest", "-p", "no:cacheprovider", *pytest_args],
                                  cwd=REPOSITORY, env=clean_environment())
            results[version] = (done.returncode, time.perf_counter() - start)
    for version, (code, seconds) in results.items():
        print(f"test-pythons: {version}: {'passed' if code == 0 else f'FAILED (pytest exit {code})'} in {seconds:.0f} s")
    return 0 if all(code == 0 for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
