"""Time what a reviewer pays for a fresh clone: its whole `make reproduce` (building `.venv` included)
against a second `make reproduce` in the same clone, side by side in one session, alternating.

Each round clones the repository's HEAD into a temporary folder and times, in this order:

1. `make reproduce` in the fresh clone, with empty caches (uv's, pip's, matplotlib's: a new machine);
2. `make reproduce` again in the same clone (the environment exists: the warm run);
3. `make reproduce` in a second fresh clone that finds the caches step 1 filled (a machine that has
   built this environment before);
4. `make env` alone in fresh clones: with uv and with pip (`UV=false`, the fallback), each with empty
   caches, then each again with the caches it filled.

Every step is timed in wall-clock seconds and in CPU seconds (user + system, make and everything it
waited for): on a machine shared with other work the CPU time moves much less than the wall time.
The ratio fresh/warm is taken within each round (the two runs are minutes apart, so they see about
the same load), and its median is judged against the target (at most 1.5) in both cases:

- warm caches, "on this machine" as the target says: a machine that has built this environment
  before (as when the target was set: uv installed the lock "in about 4 s", from its cache);
- empty caches, a machine that never has: the same, plus downloading about 110 MB of wheels, which
  no set-up can avoid and whose time is the network's.

`git clone` of a local repository takes well under a second and is left out.

Usage: python benchmarks/fresh_clone.py [--rounds N] [--repo PATH] [--no-pip]
(--repo: the repository to clone, this one by default; --no-pip skips the pip builds, about 2 minutes
a round.) Needs git, make, Python 3.11 and the package registry, as a reviewer's `make reproduce` does.
It times the committed HEAD: commit a change to the set-up before timing it.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.5
# Variables a parent make passes down (e.g. `make benchmark UV=false`) would change what the clone's
# make does; the clone must run as a reviewer's would.
INHERITED_MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
FRESH, WARM, FRESH_WARM_CACHES = "fresh clone, empty caches", "second run", "fresh clone, warm caches"


class Timing(NamedTuple):
    """One timed command: wall-clock and CPU seconds, and how many lines it printed."""

    wall: float
    cpu: float
    lines: int


class MakeFailed(RuntimeError):
    """A timed `make` exited non-zero; the message holds the end of its output."""


def child_environment(cache: Path) -> dict[str, str]:
    """The environment of a reviewer's shell, with every cache the set-up uses moved into `cache`.

    Parameters
    ----------
    cache : Path
        Folder for uv's, pip's and matplotlib's caches: empty for a new machine, reused for a warm one.

    Returns
    -------
    dict of str to str
        This process's environment without make's variables, without an activated virtual
        environment, and with the caches redirected.
    """
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_MAKE_VARIABLES and k != "VIRTUAL_ENV"}
    if sys.prefix != sys.base_prefix:  # run from a venv's python: keep that venv's bin off the clone's PATH
        venv_bin = str(Path(sys.prefix) / "bin")
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env.update(XDG_CACHE_HOME=str(cache), UV_CACHE_DIR=str(cache / "uv"), PIP_CACHE_DIR=str(cache / "pip"),
               MPLCONFIGDIR=str(cache / "matplotlib"))
    return env


def fresh_clone(repo: Path, dest: Path) -> Path:
    """Clone `repo`'s HEAD into `dest` (committed files only, as a reviewer gets them)."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(repo), str(dest)], check=True)
    return dest


def children_cpu_seconds() -> float:
    """User + system CPU seconds of every finished child process this one has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_make(clone: Path, cache: Path, log: Path, *args: str) -> Timing:
    """Run `make ARGS` in `clone`, its output in `log`, and time it.

    Raises
    ------
    MakeFailed
        When make exits non-zero: a timing of a failed run would mean nothing.
    """
    with log.open("w") as out:
        cpu_before, start = children_cpu_seconds(), time.perf_counter()
        result = subprocess.run(["make", *args], cwd=clone, env=child_environment(cache), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wall, cpu = time.perf_counter() - start, children_cpu_seconds() - cpu_before
    printed = log.read_text(errors="replace").splitlines()
    if result.returncode != 0:
        raise MakeFailed(f"`make {' '.join(args)}` in {clone} exited {result.returncode}; its last lines:\n"
                         + "\n".join(printed[-25:]))
    return Timing(wall, cpu, len(printed))


def one_round(repo: Path, folder: Path, with_pip: bool) -> dict[str, Timing]:
    """Time one round of every measurement, each in clones and caches of its own under `folder`."""
    timings: dict[str, Timing] = {}
    cache = folder / "cache"
    clone = fresh_clone(repo, folder / "fresh")
    timings[FRESH] = timed_make(clone, cache, folder / "fresh.log", "reproduce")
    timings[WARM] = timed_make(clone, cache, folder / "second.log", "reproduce")
    shutil.rmtree(clone)
    clone = fresh_clone(repo, folder / "fresh-again")
    timings[FRESH_WARM_CACHES] = timed_make(clone, cache, folder / "fresh-again.log", "reproduce")
    shutil.rmtree(clone)

    installers = {"uv": ()} | ({"pip": ("UV=false",)} if with_pip else {})
    for installer, make_args in installers.items():
        installer_cache = folder / f"cache-{installer}"  # empty for the first build, filled by it for the second
        for caches in ("empty", "warm"):
            clone = fresh_clone(repo, folder / f"env-{installer}-{caches}")
            timings[f"make env, {installer}, {caches} caches"] = timed_make(
                clone, installer_cache, folder / f"env-{installer}-{caches}.log", "env", *make_args)
            shutil.rmtree(clone)
    return timings


def describe(timing: Timing) -> str:
    return f"{timing.wall:6.1f} s wall {timing.cpu:6.1f} s CPU  {round(timing.lines):3d} lines printed"


def report(rounds: list[dict[str, Timing]]) -> None:
    """Print the medians, the ratio fresh/warm against the target, and uv's gain over pip."""
    print(f"\nmedians over {len(rounds)} round(s):")
    median = {key: Timing(*(statistics.median(getattr(r[key], field) for r in rounds) for field in Timing._fields))
              for key in rounds[0]}
    for key, timing in median.items():
        print(f"  {key:<32} {describe(timing)}")

    for fresh, caches in ((FRESH_WARM_CACHES, "warm caches (this machine)"), (FRESH, "empty caches (a new machine)")):
        wall = statistics.median(r[fresh].wall / r[WARM].wall for r in rounds)
        cpu = statistics.median(r[fresh].cpu / r[WARM].cpu for r in rounds)
        verdict = f"  (target at most {TARGET_RATIO}: {'met' if wall <= TARGET_RATIO else 'NOT met'})"
        print(f"fresh clone / second run, {caches}: {wall:.2f} wall, {cpu:.2f} CPU{verdict}")
    if "make env, pip, empty caches" in median:
        for caches in ("empty", "warm"):
            uv, pip = median[f"make env, uv, {caches} caches"].wall, median[f"make env, pip, {caches} caches"].wall
            print(f"environment alone, {caches} caches: uv {uv:.1f} s, pip {pip:.1f} s (pip takes {pip / uv:.0f}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds to alternate (default 2)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="repository to clone (default: this one)")
    parser.add_argument("--no-pip", action="store_true", help="skip the environment builds with pip")
    options = parser.parse_args()

    rounds = []
    with tempfile.TemporaryDirectory(prefix="repro-fresh-clone-") as tmp:
        for k in range(1, options.rounds + 1):
            folder = Path(tmp) / f"round{k}"
            folder.mkdir()
            try:
                rounds.append(one_round(options.repo.resolve(), folder, with_pip=not options.no_pip))
            except MakeFailed as failure:
                print(failure, file=sys.stderr)
                return 1
            print(f"round {k}:")
            for key, timing in rounds[-1].items():
                print(f"  {key:<32} {describe(timing)}", flush=True)
    report(rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
