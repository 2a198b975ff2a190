"""Stopping is clean: SIGTERM or SIGINT in the middle of a real `repro reproduce` stops every process
it started within seconds, removes the unfinished folder, keeps the previous results and exits
143 or 130 with one line saying so."""

from __future__ import annotations

import signal
import subprocess
import time

import psutil
import pytest

from conftest import earlier_results, repro_executable, tree_snapshot

#: How long a stop may take, from the signal to the command's exit (generous: a busy 2-core machine).
STOP_SECONDS = 10


def _alive(process: psutil.Process) -> bool:
    """Whether the process still runs (a zombie waiting to be collected has stopped)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _collect(root: psutil.Process, seen: dict[int, psutil.Process]) -> None:
    try:
        for child in root.children(recursive=True):
            seen.setdefault(child.pid, child)
    except psutil.NoSuchProcess:
        pass


def _is_kernel(process: psutil.Process) -> bool:
    try:
        return "ipykernel_launcher" in " ".join(process.cmdline())
    except psutil.Error:
        return False


@pytest.mark.parametrize("signum, exit_code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_reproduction_leaves_no_process_and_no_partial_folder(signum, exit_code, tmp_path):
    results = earlier_results(tmp_path / "results")
    before = tree_snapshot(results)
    command = subprocess.Popen([repro_executable(), "reproduce", "--out", str(results)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(command.pid)
    started: dict[int, psutil.Process] = {}  # every descendant ever seen, collected while it runs
    deadline = time.monotonic() + 120
    while not any(_is_kernel(p) for p in started.values() if _alive(p)):
        assert command.poll() is None, command.communicate()
        assert time.monotonic() < deadline, "no kernel started within two minutes"
        _collect(root, started)
        time.sleep(0.05)
    time.sleep(0.5)  # let the kernels get into their work
    _collect(root, started)
    command.send_signal(signum)
    sent = time.monotonic()
    while command.poll() is None:
        _collect(root, started)
        time.sleep(0.05)
    took = time.monotonic() - sent
    out, err = command.communicate()

    assert command.returncode == exit_code, err
    assert took < STOP_SECONDS
    assert err.splitlines()[-1] == (
        f"repro: stopped by {signal.Signals(signum).name}: every process it started was stopped and the unfinished "
        f"run removed; the previous results in {results} are untouched.")
    assert "Traceback" not in err and "KeyboardInterrupt" not in err  # no worker or kernel spoke up
    assert len(started) >= 2  # at least a worker and the kernel it started were seen
    survivors = [p for p in started.values() if _alive(p)]
    assert survivors == [], [(p.pid, p.cmdline()) for p in survivors]
    assert [p.name for p in tmp_path.iterdir()] == ["results"]  # no .results.partial-* left
    assert tree_snapshot(results) == before


def test_a_stop_before_any_results_existed_creates_nothing(tmp_path):
    command = subprocess.Popen([repro_executable(), "reproduce", "--out", "new-results"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(command.pid)
    deadline = time.monotonic() + 120
    while not any(_is_kernel(p) for p in root.children(recursive=True)):
        assert command.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    command.send_signal(signal.SIGTERM)
    _, err = command.communicate(timeout=STOP_SECONDS)
    assert command.returncode == 143
    assert "new-results was not created" in err
    assert list(tmp_path.iterdir()) == []
