"""The notebook engine of `repro reproduce` (repro.pipeline.notebook_engine).

The dispatch is tested with stand-in kernels on the pool's real event loop: each kernel takes the
next notebook when it is ready, so the longest goes to the kernel ready first; a kernel that cannot
start leaves the notebooks to the others; a notebook past its time limit, or a stop, ends the run
at once. Real kernels then show what only they can: a hung notebook ends the run in bounded time
with its name and cell, a kernel runs with its history off and its folders in the run's scratch
folder, and a kernel does not outlive the process that started it, even one killed by SIGKILL.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from repro.pipeline.notebook_engine import Job, KernelPool, NotebookFailed, _Kernel, kernel_environment

#: How long a kernel may take to start and import the library on a busy 2-core machine (generous).
START_SECONDS = 60


class StandInKernel:
    """Answers like a kernel of the pool: ready after ``ready_after`` seconds (or failing to start),
    then each notebook takes the seconds ``durations`` gives it."""

    failure = _Kernel.failure
    pid = None

    def __init__(self, name, ready_after, durations=None, fails_to_start=False, log=None):
        self.name, self.ready_after, self.durations = name, ready_after, durations or {}
        self.fails_to_start = fails_to_start
        self.log = log or Path(os.devnull)
        self.where = "before any cell ran"
        self.received, self.cancelled = [], []

    async def connect(self):
        await asyncio.sleep(self.ready_after)
        if self.fails_to_start:
            raise RuntimeError("Kernel died before replying to kernel_info")

    async def run(self, job):
        self.received.append(job.name)
        try:
            await asyncio.sleep(self.durations.get(job.name, 0.01))
        except asyncio.CancelledError:
            self.cancelled.append(job.name)
            raise

    async def shut_down(self):
        pass


class StandInPool(KernelPool):
    """The pool's own loop, thread and dispatch, with stand-in kernels: no processes."""

    def __init__(self, *kernels):
        super().__init__(len(kernels), Path(os.devnull), {})
        self.stand_ins = list(kernels)

    async def _launch(self):
        self.kernels = list(self.stand_ins)


def run_stand_ins(kernels, jobs, time_limit=60.0):
    with StandInPool(*kernels) as pool:
        return pool.run(jobs, time_limit, progress=lambda line: None)


def jobs(*names):
    return [Job(name=n, notebook=Path(f"{n}.ipynb"), output=Path(os.devnull), parameters={}, shown_parameters={})
            for n in names]


JOBS = jobs("longest", "middle", "short")


def test_the_longest_notebook_goes_to_the_kernel_ready_first():
    slow_start = StandInKernel("slow start", ready_after=0.3)
    fast_start = StandInKernel("fast start", ready_after=0.0, durations={"longest": 0.6})
    runs = run_stand_ins([slow_start, fast_start], JOBS)
    assert fast_start.received[0] == "longest"
    # "middle" and "short" go to the other kernel as soon as it is ready, while "longest" still runs
    assert slow_start.received == ["middle", "short"]
    assert sorted(run.name for run in runs) == ["longest", "middle", "short"]


def test_a_kernel_that_cannot_start_leaves_the_notebooks_to_the_others():
    dead = StandInKernel("dead", ready_after=0.0, fails_to_start=True)
    alive = StandInKernel("alive", ready_after=0.1)
    runs = run_stand_ins([dead, alive], JOBS)
    assert alive.received == ["longest", "middle", "short"] and dead.received == []
    assert len(runs) == 3


def test_when_no_kernel_starts_the_run_fails_with_the_log(tmp_path):
    log = tmp_path / "kernel-0.log"
    log.write_text("Traceback ...\nOSError: no kernel could start\n", encoding="utf-8")
    kernels = [StandInKernel(f"dead {k}", ready_after=0.0, fails_to_start=True, log=log) for k in range(2)]
    with pytest.raises(NotebookFailed, match="no kernel could start, so no notebook ran") as caught:
        run_stand_ins(kernels, JOBS)
    assert "OSError: no kernel could start" in str(caught.value)


def test_a_notebook_past_its_time_limit_ends_the_run_at_once():
    stuck = StandInKernel("stuck", ready_after=0.0, durations={"longest": 3600})
    other = StandInKernel("other", ready_after=0.1, durations={"middle": 3600})
    started = time.monotonic()
    with pytest.raises(NotebookFailed) as caught:
        run_stand_ins([stuck, other], JOBS, time_limit=0.3)
    assert time.monotonic() - started < 5  # not the hour either notebook would take
    assert str(caught.value) == ("notebook longest.ipynb did not finish within its time limit of 0.3 s (--timeout) "
                                 "and was stopped before any cell ran")
    assert other.cancelled == ["middle"]  # the other notebook was stopped with it


def test_the_pool_works_where_the_caller_runs_an_event_loop_already():
    # as reproduce() called in a Jupyter notebook: the cell runs inside the kernel's event loop
    async def cell():
        return run_stand_ins([StandInKernel("only", ready_after=0.0)], JOBS)

    assert [run.name for run in asyncio.run(cell())] == ["longest", "middle", "short"]


class Interrupted(Exception):
    pass


def test_a_signal_while_the_notebooks_run_stops_them_at_once():
    # Ctrl-C's handler raises in the main thread, which only waits for the pool's loop: the notebooks
    # running in the loop are cancelled at their next step
    busy = StandInKernel("busy", ready_after=0.0, durations={"longest": 3600})
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: (_ for _ in ()).throw(Interrupted()))
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted):
            run_stand_ins([busy], JOBS)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 2
    assert busy.cancelled == ["longest"]


class SlowLaunch(StandInPool):
    """A pool whose second kernel takes an hour to launch."""

    launch_cancelled = False

    async def _launch(self):
        self.kernels = self.stand_ins[:1]
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.launch_cancelled = True
            raise


def test_a_signal_while_the_kernels_launch_stops_the_launch_before_the_kernels_are_stopped():
    # else a kernel launched after the pool stopped its kernels would be left running
    shut_down = []
    kernel = StandInKernel("first", ready_after=0.0)
    kernel.shut_down = lambda: asyncio.sleep(0, shut_down.append(pool.launch_cancelled))
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: (_ for _ in ()).throw(Interrupted()))
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    pool = SlowLaunch(kernel)
    try:
        with pytest.raises(Interrupted):
            with pool:
                pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert shut_down == [True]  # the launch had ended when the kernel it launched was stopped
    assert pool.kernels == []


# --- real kernels ----------------------------------------------------------------------------------

def write_notebook(path: Path, *sources: str) -> Path:
    """A notebook with a parameters cell, then a code cell for each of ``sources``."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    parameters = nbformat.v4.new_code_cell("word = 'none'")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A test notebook"), parameters,
                *(nbformat.v4.new_code_cell(textwrap.dedent(source)) for source in sources)]
    nbformat.write(nb, path)
    return path


def job_for(notebook: Path, out: Path, **parameters) -> Job:
    return Job(name=notebook.stem, notebook=notebook, output=out / notebook.name, parameters=parameters,
               shown_parameters=parameters)


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_hung_notebook_ends_the_run_in_bounded_time_with_its_name_and_cell(tmp_path):
    hung = write_notebook(tmp_path / "hung.ipynb", "import time", "time.sleep(3600)  # never ends")
    scratch = tmp_path / "scratch"
    with pytest.raises(NotebookFailed) as caught:
        with KernelPool(1, scratch, kernel_environment(scratch, {})) as pool:
            pid = pool.kernels[0].pid
            started = time.monotonic()
            pool.run([job_for(hung, tmp_path)], time_limit=3, progress=lambda line: None)
    took = time.monotonic() - started
    assert str(caught.value) == ("notebook hung.ipynb did not finish within its time limit of 3 s (--timeout) "
                                 "and was stopped at cell 4 (time.sleep(3600)  # never ends)")
    assert took < 3 + START_SECONDS  # the kernel's start is not counted in the limit, but is bounded
    assert _gone(pid)  # the kernel, busy in its cell, was stopped with the run
    assert list((scratch / "runtime").iterdir()) == []  # its connection file went with it


def test_a_kernel_that_dies_in_a_cell_is_named_with_the_cell(tmp_path):
    # as a crash in compiled code would end it: no Python exception, no reply, no more kernel
    crash = write_notebook(tmp_path / "crash.ipynb", "import os", "os._exit(1)  # the kernel's process ends")
    scratch = tmp_path / "scratch"
    started = time.monotonic()
    with pytest.raises(NotebookFailed) as caught:
        with KernelPool(1, scratch, kernel_environment(scratch, {})) as pool:
            pool.run([job_for(crash, tmp_path)], time_limit=600, progress=lambda line: None)
    assert str(caught.value).startswith(
        "notebook crash.ipynb failed at cell 4 (os._exit(1)  # the kernel's process ends): its kernel died")
    assert time.monotonic() - started < START_SECONDS  # noticed at once, not at the time limit


def test_a_kernel_keeps_no_history_and_writes_only_into_the_scratch_folder(tmp_path):
    notebook = write_notebook(tmp_path / "where.ipynb", """
        import json, os, tempfile
        import matplotlib
        try:
            input()
            asks = "waited for input"
        except Exception as error:  # no front end to ask: fails at once instead of waiting forever
            asks = type(error).__name__
        print(json.dumps({"history": get_ipython().history_manager.enabled,
                          "ipython": get_ipython().profile_dir.location, "temporary": tempfile.gettempdir(),
                          "matplotlib": matplotlib.get_configdir(), "cwd": os.getcwd(), "input": asks,
                          "word": word}))
        """)
    scratch, out = tmp_path / "scratch", tmp_path / "out"
    out.mkdir()
    with KernelPool(1, scratch, kernel_environment(scratch, {})) as pool:
        runs = pool.run([job_for(notebook, out, word="injected")], time_limit=60, progress=lambda line: None)
    assert [run.name for run in runs] == ["where"]
    executed = nbformat.read(out / "where.ipynb", as_version=4)
    seen = json.loads(executed.cells[-1].outputs[0]["text"])
    assert seen["history"] is False
    assert seen["input"] == "StdinNotImplementedError"
    assert seen["word"] == "injected"  # papermill's injected parameters, after the parameters cell
    assert executed.cells[2].metadata["tags"] == ["injected-parameters"]
    for key in ("ipython", "temporary", "matplotlib", "cwd"):
        assert Path(seen[key]).resolve().is_relative_to(scratch.resolve()), (key, seen[key])
    assert list((scratch / "runtime").iterdir()) == []  # connection files removed at the end


def test_a_full_disk_in_a_cell_is_the_reproductions_one_line_no_space_error(tmp_path):
    # What a figure's save raises on a full disk: the failure carries the cell's error, from which the
    # reproduction makes its one-line NoSpaceError (exit 2) rather than a notebook's failure (exit 1).
    from repro.pipeline.reproduce import NoSpaceError, _reproduce_error

    full = write_notebook(tmp_path / "full.ipynb", "import errno, os",
                          "raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), 'figure.png')")
    scratch = tmp_path / "scratch"
    with pytest.raises(NotebookFailed) as caught:
        with KernelPool(1, scratch, kernel_environment(scratch, {})) as pool:
            pool.run([job_for(full, tmp_path)], time_limit=60, progress=lambda line: None)
    failure = caught.value
    assert (failure.notebook, failure.error_name) == ("full", "OSError")
    assert failure.error_value == "[Errno 28] No space left on device: 'figure.png'"
    error = _reproduce_error(failure)
    assert isinstance(error, NoSpaceError)
    assert str(error) == ("the results could not be written: No space left on device: 'figure.png' "
                          "(notebook full.ipynb); free some space and run again.")


def test_a_cells_output_is_one_stream_however_the_kernel_flushed_it(tmp_path):
    # The kernel sends what a cell prints on a timer (every 0.2 s): two prints half a second apart
    # arrive as two messages. The written notebook holds one stream, as it would from a fast run, so
    # two reproductions give the same bytes whatever the machine's load.
    notebook = write_notebook(tmp_path / "two_prints.ipynb", "import time\nprint('first')\ntime.sleep(0.5)\nprint('second')")
    scratch, out = tmp_path / "scratch", tmp_path / "out"
    out.mkdir()
    with KernelPool(1, scratch, kernel_environment(scratch, {})) as pool:
        pool.run([job_for(notebook, out)], time_limit=60, progress=lambda line: None)
    outputs = nbformat.read(out / "two_prints.ipynb", as_version=4).cells[-1].outputs
    assert [(o.output_type, o.name, o.text) for o in outputs] == [("stream", "stdout", "first\nsecond\n")]


def test_a_stop_while_the_kernels_are_being_stopped_waits_until_they_all_are(tmp_path, monkeypatch):
    import repro.pipeline.notebook_engine as engine

    scratch = tmp_path / "scratch"
    pool = KernelPool(2, scratch, kernel_environment(scratch, {})).__enter__()
    pids = [kernel.pid for kernel in pool.kernels]
    stop_process_trees = engine.stop_process_trees

    def stopped_halfway(pids, **kwargs):  # SIGTERM arrives after the first kernel's stop
        stop_process_trees(pids[:1])
        os.kill(os.getpid(), signal.SIGTERM)
        return stop_process_trees(pids[1:])

    def stop(signum, frame):
        raise Interrupted(f"stopped with {sum(not _gone(pid) for pid in pids)} kernels running")

    monkeypatch.setattr(engine, "stop_process_trees", stopped_halfway)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(Interrupted, match="stopped with 0 kernels running"):  # raised once all are stopped
            pool.finish()
        assert list((scratch / "runtime").iterdir()) == []
    finally:
        signal.signal(signal.SIGTERM, previous)
        pool.__exit__(None, None, None)


#: Starts a pool of one kernel and prints the kernel's pid, at once or once it is ready; then waits.
PARENT = """
import sys, time
from pathlib import Path
from repro.pipeline.notebook_engine import KernelPool, kernel_environment
scratch = Path(sys.argv[1])
pool = KernelPool(1, scratch, kernel_environment(scratch, {})).__enter__()
if sys.argv[2] == "ready":
    pool.wait_until_ready()
print(pool.kernels[0].pid, flush=True)
time.sleep(3600)
"""
#: Runs PARENT, kills it with SIGKILL and says whether its kernel exited within 10 s. Orphans come to
#: this process (a child subreaper), as they go to the service manager on a Linux desktop, not to
#: process 1: ipykernel's own poller then notices a parent gone only if it was already running.
GRANDPARENT = """
import ctypes, os, signal, subprocess, sys, time
PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl failed")
parent = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2], sys.argv[3]], stdout=subprocess.PIPE,
                          text=True)
kernel = int(parent.stdout.readline())
parent.kill()
parent.wait()
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    pid, _ = os.waitpid(-1, os.WNOHANG)
    if pid == kernel:
        print("exited")
        break
    time.sleep(0.05)
else:
    os.kill(kernel, signal.SIGKILL)
    print("outlived its parent")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a child subreaper (prctl) is Linux's")
@pytest.mark.parametrize("when", ["starting", "ready"])
def test_a_kernel_does_not_outlive_a_parent_killed_by_sigkill(when, tmp_path):
    # "starting": killed while the kernel still imports, before ipykernel's poller runs; "ready":
    # killed while the kernel waits for work.
    done = subprocess.run([sys.executable, "-c", GRANDPARENT, PARENT, str(tmp_path / "scratch"), when],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "exited", done.stderr
