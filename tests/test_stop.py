"""Every way a reproduction ends leaves nothing behind: finished, failed in a notebook, past a
notebook's time limit, stopped by SIGINT or SIGTERM, or killed by SIGKILL. No process it started
outlives it, and $HOME and $TMPDIR (fresh, empty folders for each run here) are left as they were:
no kernel connection file, no IPython history or profile, no matplotlib cache. A stop or a failure
also removes the unfinished folder and keeps the previous results; a stop exits 143 or 130 with one
line saying so. The unfinished folder a SIGKILL leaves is removed by the next command that writes
into the same folder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import earlier_results, repro_executable, tree_snapshot

#: How long a stop may take, from the signal to the command's exit (generous: a busy 2-core machine).
STOP_SECONDS = 10
#: How long the kernels of a killed run may take to notice and exit (they look twice a second).
ORPHAN_SECONDS = 10
#: Variables that would send a kernel's or the command's files somewhere other than $HOME and $TMPDIR.
REDIRECTS = ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR",
             "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")


class Run:
    """A ``repro`` (or Python) process run with $HOME and $TMPDIR set to fresh empty folders, every
    process it starts recorded while it runs."""

    def __init__(self, tmp_path: Path, *command: str):
        self.home, self.tmp, self.cwd = tmp_path / "home", tmp_path / "tmp", tmp_path / "run"
        for folder in (self.home, self.tmp, self.cwd):
            folder.mkdir()
        env = {k: v for k, v in os.environ.items() if k not in REDIRECTS}
        env.update(HOME=str(self.home), TMPDIR=str(self.tmp))
        self.env = env
        self.process = subprocess.Popen(list(command), cwd=self.cwd, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.root = psutil.Process(self.process.pid)
        self.started: dict[int, psutil.Process] = {}  # every descendant ever seen
        self.commands: set[str] = set()  # every command line seen (a forked child shows its parent's until it execs)

    def collect(self) -> None:
        try:
            children = self.root.children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            self.started.setdefault(child.pid, child)
            try:
                self.commands.add(" ".join(child.cmdline()))
            except psutil.Error:
                pass

    def wait_for_kernels(self) -> None:
        deadline = time.monotonic() + 120
        while not any(_is_kernel(p) for p in self.started.values() if _alive(p)):
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "no kernel started within two minutes"
            self.collect()
            time.sleep(0.05)

    def wait(self) -> tuple[int, str, str]:
        while self.process.poll() is None:
            self.collect()
            time.sleep(0.05)
        out, err = self.process.communicate()
        return self.process.returncode, out, err

    def survivors(self, within: float = 0.0) -> list:
        deadline = time.monotonic() + within
        while any(_alive(p) for p in self.started.values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return [(p.pid, p.cmdline()) for p in self.started.values() if _alive(p)]

    def left_in_home_and_tmp(self) -> dict:
        return {**tree_snapshot(self.home), **tree_snapshot(self.tmp)}


def _alive(process: psutil.Process) -> bool:
    """Whether the process still runs (a zombie waiting to be collected has stopped)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _is_kernel(process: psutil.Process) -> bool:
    try:
        return "ipykernel_launcher" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def test_a_finished_reproduction_leaves_nothing_in_home_or_tmp(tmp_path):
    run = Run(tmp_path, repro_executable(), "reproduce", "--out", "results")
    code, out, err = run.wait()
    assert code == 0, err
    # two kernels, known by their connection files (matplotlib may have run fc-list in them)
    kernels = {m for command in run.commands for m in re.findall(r"ipykernel_launcher -f \S+/(kernel-\d+\.json)", command)}
    assert kernels == {"kernel-0.json", "kernel-1.json"}
    assert run.survivors() == []
    assert run.left_in_home_and_tmp() == {}
    assert [p.name for p in run.cwd.iterdir()] == ["results"]


def test_a_failed_notebook_leaves_nothing_behind(tmp_path):
    results = earlier_results(tmp_path / "results")
    before = tree_snapshot(results)
    run = Run(tmp_path, sys.executable, "-c", "import sys; from repro.pipeline.reproduce import reproduce; "
              "reproduce(out_dir=sys.argv[1], lang='xx', notebooks=['swot'])", str(results))
    code, out, err = run.wait()
    assert code == 1 and "ReproduceError: notebook swot.ipynb failed at cell" in err
    assert run.survivors() == []
    assert run.left_in_home_and_tmp() == {}
    assert tree_snapshot(results) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "results", "run", "tmp"]


def test_a_notebook_past_its_time_limit_ends_the_run_with_its_name(tmp_path):
    # No notebook of the paper's runs in 1 s of its kernel's time: the longest takes 4-6 s here
    results = earlier_results(tmp_path / "results")
    before = tree_snapshot(results)
    run = Run(tmp_path, repro_executable(), "reproduce", "--out", str(results), "--timeout", "1")
    started = time.monotonic()
    code, out, err = run.wait()
    assert code == 1
    assert time.monotonic() - started < 60  # bounded: the kernels' start, then 1 s
    assert re.fullmatch(r"repro: notebook \w+\.ipynb did not finish within its time limit of 1 s \(--timeout\) "
                        r"and was stopped at cell \d+ \(.+\)", err.splitlines()[0]), err
    assert "Traceback" not in err
    assert run.survivors() == []
    assert run.left_in_home_and_tmp() == {}
    assert tree_snapshot(results) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "results", "run", "tmp"]


@pytest.mark.parametrize("given", ["0", "-5", "nan", "inf", "86401", "soon"])
def test_a_time_limit_that_is_no_time_limit_is_refused(given, tmp_path):
    done = subprocess.run([repro_executable(), "reproduce", "--out", str(tmp_path / "out"), "--timeout", given],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--timeout" in done.stderr and "seconds above 0 and at most" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("signum, exit_code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_reproduction_leaves_no_process_and_no_partial_folder(signum, exit_code, tmp_path):
    results = earlier_results(tmp_path / "results")
    before = tree_snapshot(results)
    run = Run(tmp_path, repro_executable(), "reproduce", "--out", str(results))
    run.wait_for_kernels()
    time.sleep(0.5)  # let the kernels get into their work
    run.collect()
    run.process.send_signal(signum)
    sent = time.monotonic()
    code, out, err = run.wait()
    took = time.monotonic() - sent

    assert code == exit_code, err
    assert took < STOP_SECONDS
    assert err.splitlines()[-1] == (
        f"repro: stopped by {signal.Signals(signum).name}: every process it started was stopped and the unfinished "
        f"run removed; the previous results in {results} are untouched.")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err  # no kernel spoke up
    assert len(run.started) >= 2  # at least the two kernels were seen
    assert run.survivors() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "results", "run", "tmp"]  # no .results.partial-*
    assert tree_snapshot(results) == before
    assert run.left_in_home_and_tmp() == {}


def test_a_stop_before_any_results_existed_creates_nothing(tmp_path):
    run = Run(tmp_path, repro_executable(), "reproduce", "--out", "new-results")
    run.wait_for_kernels()
    run.process.send_signal(signal.SIGTERM)
    _, err = run.process.communicate(timeout=STOP_SECONDS)
    assert run.process.returncode == 143
    assert "new-results was not created" in err
    assert list(run.cwd.iterdir()) == []
    assert run.left_in_home_and_tmp() == {}


def test_a_reproduction_killed_by_sigkill_leaves_no_kernel_behind(tmp_path):
    # Killed as soon as its kernels are seen, while they still import: they must notice by themselves.
    run = Run(tmp_path, repro_executable(), "reproduce", "--out", "results")
    run.wait_for_kernels()
    run.collect()
    run.process.kill()
    run.wait()
    assert run.survivors(within=ORPHAN_SECONDS) == []
    assert run.left_in_home_and_tmp() == {}
    # The unfinished folder stays beside --out, the kernels' files inside it, until the next command
    # that writes there removes it (the output folder's recovery) and says so.
    [left] = [p.name for p in run.cwd.iterdir()]
    assert left.startswith(".results.partial-") and (run.cwd / left / ".work" / "runtime").is_dir()
    done = subprocess.run([repro_executable(), "sensitivity", "--out", "results", "--draws", "100"], cwd=run.cwd,
                          env=run.env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"note: removed {left}: the unfinished or unused results of a run into results that was stopped." \
        in done.stdout + done.stderr
    assert [p.name for p in run.cwd.iterdir()] == ["results"]
    assert run.left_in_home_and_tmp() == {}
