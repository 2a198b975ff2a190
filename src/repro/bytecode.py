"""The bytecode of what a reproduction imports, compiled when the environment is built.

uv installs packages without compiling them (pip compiles every file, about 9,000 here, which costs
more than a reproduction). Python then compiles each module the first time it is imported, and a
reproduction's first run imports about 2,100 of them in three processes at once (the command and
two kernels): both kernels compile the same modules side by side. That made a fresh
clone's first ``make reproduce`` about 5 s slower than the next. So ``make`` compiles exactly those
files once, on every core, right after installing them, and this package's own modules with them.

The list (``requirements-imports.txt``, paths relative to site-packages) is made by running the
paper's reproduction with an empty ``PYTHONPYCACHEPREFIX``: every module any of its processes
imports leaves its bytecode there. Remake it with ``make imports-list`` after changing the lock; a
test fails while a listed file is missing from the environment. A module it misses is still
compiled on first import, as before: the list only saves time.

    python -m repro.bytecode compile LIST    compile the listed files that exist, and this package (quietly)
    python -m repro.bytecode list LIST       run a reproduction and write the files it imports
"""

from __future__ import annotations

import compileall
import os
import re
import subprocess
import sys
import sysconfig
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

#: What ``make reproduce`` runs, each a ``repro`` command line: the list covers all of them.
REPRODUCTION = (["validate"], ["summary"], ["reproduce", "--out", "{out}"], ["verify", "{out}"])


def site_packages() -> Path:
    return Path(sysconfig.get_paths()["purelib"])


def listed_files(listing: Path, root: Path | None = None) -> list[Path]:
    """The files ``listing`` names (one path relative to ``root``, site-packages by default, a line)."""
    root = root or site_packages()
    lines = listing.read_text(encoding="utf-8").splitlines()
    return [root / line.strip() for line in lines if line.strip() and not line.startswith("#")]


def own_modules() -> list[Path]:
    """This package's own modules: every process of a reproduction imports some of them too (they are
    not in site-packages, so not in the list)."""
    return sorted(Path(__file__).resolve().parent.rglob("*.py"))


def _compile_some(paths: list[str]) -> int:
    """Compile ``paths`` in this process; the number that failed (a file Python cannot compile is
    left for the interpreter to report when it is imported, as without this step)."""
    return sum(not compileall.compile_file(path, quiet=2) for path in paths)


def compile_files(paths: list[Path], workers: int | None = None) -> tuple[int, int]:
    """Compile the existing files of ``paths`` into their ``__pycache__``, on ``workers`` processes
    (every core by default); already compiled, unchanged files are skipped. Returns (compiled or
    up to date, missing)."""
    existing = [str(p) for p in paths if p.is_file()]
    workers = max(1, min(workers or os.cpu_count() or 1, len(existing) or 1))
    chunks = [existing[k::workers] for k in range(workers)]  # interleaved: each gets big and small packages
    if workers == 1:
        failed = _compile_some(existing)
    else:
        with ProcessPoolExecutor(workers) as pool:
            failed = sum(pool.map(_compile_some, chunks))
    return len(existing) - failed, len(paths) - len(existing)


def locked_distributions(lock: Path) -> set[str]:
    """The distributions ``lock`` pins (``name==version`` lines), names normalised as PEP 503 does."""
    names = set()
    for line in lock.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            names.add(re.sub(r"[-_.]+", "-", line.split("==")[0].strip()).lower())
    return names


def _from_the_lock(relative: str, lock: set[str], owners: dict[str, list[str]]) -> bool:
    """Whether the file (relative to site-packages) belongs to a distribution of the lock: an
    environment built from the lock has exactly those (not, say, a setuptools left by another tool)."""
    top = relative.split("/")[0].removesuffix(".py")
    return any(re.sub(r"[-_.]+", "-", owner).lower() in lock for owner in owners.get(top, []))


def imported_files(commands=REPRODUCTION, lock: Path = Path("requirements.lock")) -> list[str]:
    """Run ``commands`` (the paper's reproduction) with an empty bytecode prefix and return the
    site-packages files any of their processes imported that belong to a distribution of ``lock``,
    relative to site-packages, sorted."""
    from importlib.metadata import packages_distributions

    locked, owners = locked_distributions(lock), packages_distributions()
    root = site_packages().resolve()
    with tempfile.TemporaryDirectory() as prefix, tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": prefix}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        out = str(Path(work) / "results")
        for command in commands:
            argv = [sys.executable, "-m", "repro.cli", *(part.format(out=out) for part in command)]
            done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, cwd=work)
            # verify says by its status whether the results match the reference (0, 1, 3); it ran either way
            if done.returncode not in ((0, 1, 3) if command[0] == "verify" else (0,)):
                raise subprocess.CalledProcessError(done.returncode, argv)
        found = set()
        for pyc in Path(prefix).rglob("*.pyc"):
            # <prefix>/<absolute folder of the source>/<module>.cpython-311.pyc
            source = Path("/", pyc.parent.relative_to(prefix), pyc.name.split(".")[0] + ".py")
            if root in source.parents and source.is_file():
                relative = source.relative_to(root).as_posix()
                if _from_the_lock(relative, locked, owners):
                    found.add(relative)
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    action, listing = (args + ["", ""])[:2]
    if action == "compile" and listing:
        compile_files(listed_files(Path(listing)) + own_modules())
        return 0
    if action == "list" and listing:
        files = imported_files()
        Path(listing).write_text("# Files of the locked packages that `make reproduce` imports, relative to "
                                 "site-packages;\n# compiled when the environment is built. Remake: make "
                                 "imports-list\n" + "\n".join(files) + "\n", encoding="utf-8")
        print(f"{listing}: {len(files)} files")
        return 0
    print("usage: python -m repro.bytecode compile|list LIST", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
