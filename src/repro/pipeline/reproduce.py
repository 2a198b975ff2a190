"""``repro reproduce``: run every notebook through papermill, in parallel, into a staging folder,
then write the report and the manifest, and only then replace the previous results.

- The output folder is checked before anything runs (:func:`repro.pipeline.outdir.check_output_folder`):
  no file of the user's is ever replaced.
- The notebooks run in ``jobs`` worker processes, each in a session of its own with one kernel that
  is reset between notebooks (:mod:`repro.pipeline.notebook_worker`); what they print goes to a log
  that is shown only when a notebook fails.
- SIGINT or SIGTERM stops every worker and kernel the run started, removes the staging folder and
  leaves the previous results as they were (:class:`Stopped`).
- The outputs depend only on the inputs: no absolute path, time or machine name is written, so two
  clones, two days and any ``jobs`` give the same bytes.
"""

from __future__ import annotations

import errno
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from repro import __version__, paths
from repro.handoff import ENVIRONMENT_VARIABLE as VALIDATED_ANALYSIS_VARIABLE
from repro.pipeline.notebook_params import check_parameters
from repro.pipeline.notebook_worker import log_heading
from repro.pipeline.outdir import check_output_folder, output_files, staged_output, write_manifest

#: The notebooks a reproduction runs, longest first so that parallel workers finish together.
NOTEBOOKS = ("sensitivity", "lotus", "force_field", "swot", "overview")
#: The default settings: the paper's language (a reproduction's default is its analysis's language), and PNG and PDF figures (SVG on request; the same as
#: repro.figures.common.DEFAULT_FORMATS, named here so as not to import matplotlib; a test keeps them equal).
DEFAULT_LANG = "ru"
DEFAULT_FORMATS = ("png", "pdf")
#: Parameters every notebook takes; the rest (seed, draws, ...) go to the notebooks that declare them.
COMMON_PARAMETERS = ("data_dir", "lang", "formats", "out_dir")
#: How the executed notebooks name their output folder: the results folder, seen from ``notebooks/``.
SHOWN_OUT_DIR = ".."
#: Scratch space inside the staging folder (logs, kernels' connection files, each notebook's own
#: output folder); removed before the manifest is written.
SCRATCH = ".work"
#: Lines of a failed notebook's log shown to the user.
LOG_LINES = 40


class ReproduceError(Exception):
    """A run that could not complete; the message names the notebook, cell and error."""


class ParameterError(ReproduceError):
    """Parameters refused before anything ran (a user mistake)."""


class NoSpaceError(ReproduceError):
    """A notebook could not write its outputs: the disk (or the user's quota) is full. Not a fault of
    the package: the user frees space and runs again (exit 2)."""


#: What a notebook's OSError says when the disk or the quota is full (errno ENOSPC, EDQUOT).
_NO_SPACE = re.compile(rf"^\[Errno ({errno.ENOSPC}|{errno.EDQUOT})\] (?P<cause>.*)")


class Stopped(BaseException):
    """SIGINT or SIGTERM arrived: every process the run started has been stopped and the staging
    folder removed. A BaseException, like KeyboardInterrupt, so that no ``except Exception`` eats it."""

    def __init__(self, signum: int):
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.signal_name}")

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports it: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


@dataclass
class NotebookRun:
    name: str
    seconds: float
    error: dict | None = None


def available_notebooks() -> list[str]:
    return [n for n in NOTEBOOKS if (paths.NOTEBOOKS / f"{n}.ipynb").exists()]


def why_not_applicable(name: str, analysis) -> str | None:
    """Why a notebook has nothing to build for ``analysis`` (None if it has)."""
    if name == "lotus" and analysis.lotus is None:
        return "the analysis has no lotus flower (no lotus.csv)"
    if name == "sensitivity" and not analysis.has_scores:
        return "the force field has no scores to perturb"
    return None


def _parameters_for(declared: dict, parameters: dict) -> dict:
    return {k: v for k, v in parameters.items() if k in COMMON_PARAMETERS or k in declared}


def _check_all_parameters(notebooks: list[str], parameters: dict, declared: dict[str, dict]) -> dict[str, dict]:
    """``declared`` (each notebook's declared parameters) for ``notebooks``; ParameterError when a
    parameter is unknown or ill-typed."""
    declared = {name: declared[name] for name in notebooks}
    known = set().union(*map(set, declared.values())) if declared else set()
    problems = [f"unknown parameter {k!r}: no notebook takes it (they take {', '.join(sorted(known))})."
                for k in parameters if k not in known]
    for name in notebooks:
        problems += check_parameters(paths.NOTEBOOKS / f"{name}.ipynb", _parameters_for(declared[name], parameters),
                                     declared[name])
    if problems:
        raise ParameterError("\n".join(problems))
    return declared


# --- stopping ------------------------------------------------------------------------------------

class _StopOnSignals:
    """While active, SIGINT and SIGTERM raise :class:`Stopped` in the main thread; after
    :meth:`finishing` they are only remembered, so that a run whose results are complete is swapped
    in whole rather than interrupted halfway through."""

    def __init__(self):
        self.finishing_now = False
        self.received: int | None = None

    def handle(self, signum, frame):
        self.received = signum
        if not self.finishing_now:
            self.finishing_now = True  # a second Ctrl-C must not interrupt the clean-up
            raise Stopped(signum)

    def finishing(self) -> None:
        self.finishing_now = True


@contextmanager
def _stop_on_signals():
    stopper = _StopOnSignals()
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield stopper
        return
    previous = {s: signal.signal(s, stopper.handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopper
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def stop_process_trees(pids: list[int], timeout: float = 5.0) -> list[int]:
    """Stop the processes ``pids`` and every process they started, at once; return every pid stopped.

    Each process is frozen (SIGSTOP) before its children are listed, so none can start another
    process unseen or leave a kernel behind by dying first (a kernel may run in a session of its
    own, so process groups cannot be relied on). Then all are killed and waited for.
    """
    import psutil

    frozen: dict[int, psutil.Process] = {}
    frontier = []
    for pid in pids:
        try:
            frontier.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    while frontier:
        found = []
        for process in frontier:
            try:
                process.suspend()
                frozen[process.pid] = process
                found += [c for c in process.children(recursive=True) if c.pid not in frozen]
            except psutil.NoSuchProcess:
                pass
        frontier = found
    for process in frozen.values():
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    _wait_until_gone(list(frozen.values()), timeout)
    return sorted(frozen)


def _wait_until_gone(processes, timeout: float) -> None:
    """Wait until every process has exited (a zombie, waiting for its parent to collect it, counts as
    gone: psutil's own wait would wait for the reaping of processes that are not our children)."""
    import psutil

    deadline = time.monotonic() + timeout
    alive = list(processes)
    while alive and time.monotonic() < deadline:
        still = []
        for process in alive:
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    still.append(process)
            except psutil.NoSuchProcess:
                pass
        alive = still
        if alive:
            time.sleep(0.02)


# --- the workers ---------------------------------------------------------------------------------

class _Worker:
    """One worker process (see :mod:`repro.pipeline.notebook_worker`) and its answer pipe. It starts
    its kernel at once, and then runs the notebooks it is sent."""

    def __init__(self, env: dict, log: Path, cwd: Path, inspect: list[str] = ()):
        self.log = log
        read_end, write_end = os.pipe()
        # A stop arriving halfway through starting the process could leave it running unrecorded:
        # SIGINT and SIGTERM wait until it is recorded (and so will be stopped with the others).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            with open(log, "ab") as log_file:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "repro.pipeline.notebook_worker", str(write_end), str(cwd), *inspect],
                    stdin=subprocess.PIPE, stdout=log_file, stderr=subprocess.STDOUT, pass_fds=(write_end,),
                    start_new_session=True, env=env, cwd=str(cwd), text=True, encoding="utf-8")
        finally:
            os.close(write_end)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self.answers = read_end  # read by :meth:`read_line`, with a buffer of our own (see there)
        self._unread = b""
        self.job: dict | None = None

    def has_line(self) -> bool:
        """Whether a whole answer is already read from the pipe, waiting in our buffer."""
        return b"\n" in self._unread

    def read_line(self) -> str:
        """The worker's next answer line ("" once it has exited). The pipe is read with a buffer of
        our own: a buffered file object could take two answers in one read and keep the second
        where ``select`` cannot see it, so that worker would wait for a job that never comes."""
        while b"\n" not in self._unread:
            chunk = os.read(self.answers, 65536)
            if not chunk:
                line, self._unread = self._unread, b""
                return line.decode("utf-8")
            self._unread += chunk
        line, self._unread = self._unread.split(b"\n", 1)
        return line.decode("utf-8") + "\n"

    def send(self, job: dict) -> None:
        self.job = job
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()

    def finish(self) -> None:
        """No more jobs: the worker shuts its kernel down and exits when its stdin ends."""
        if not self.process.stdin.closed:
            self.process.stdin.close()

    def release(self) -> None:
        """Wait for the worker's exit and close the pipes (after :meth:`finish`, or after it was stopped)."""
        self.process.wait()
        os.close(self.answers)
        try:
            self.process.stdin.close()
        except OSError:  # already closed, or nobody left to read it
            pass


def _log_of(name: str, log: Path) -> str:
    """The last lines a worker's log holds for notebook ``name`` (what its kernel and papermill printed)."""
    return _log_tail(log, log_heading(name))


def _log_tail(log: Path, after: str | None = None) -> str:
    """The last lines of a worker's log (of its part after the line ``after``, when given)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines = (text.split(after)[-1] if after else text).strip().splitlines()
    return "\n".join(lines[-LOG_LINES:])


def _failure(run: NotebookRun, log: Path) -> ReproduceError:
    """The error for a failed notebook: which notebook, which cell, which error, and what it printed;
    a full disk in one line of its own."""
    error = run.error
    full = _NO_SPACE.match(str(error.get("evalue", ""))) if error.get("ename") in ("OSError", "IOError") else None
    if full:
        return NoSpaceError(f"the results could not be written: {full['cause']} (notebook {run.name}.ipynb); "
                            "free some space and run again.")
    where = (f"cell {error['cell'] + 1} ({error['first_line']})" if error.get("cell") is not None  # counted from 1
             else "before any cell ran")
    message = f"notebook {run.name}.ipynb failed at {where}: {error['ename']}: {error['evalue']}"
    printed = _log_of(run.name, log)
    if printed:
        message += f"\nWhat it printed (last lines):\n{printed}"
    return ReproduceError(message)


class _WorkerPool:
    """``size`` workers, started on entering (their kernels start while the caller validates the data
    and checks the parameters); on leaving, shut down in parallel after success, or stopped at once,
    with every process they started, after an error or a stop.

    The first worker also reads the parameters that ``inspect`` (notebook names) declare, with the
    papermill it imports anyway (:meth:`declared_parameters`); the kernels find the analysis this
    process validated in the file ``validated`` (:mod:`repro.handoff`).
    """

    def __init__(self, size: int, scratch: Path, inspect: list[str], validated: Path):
        self.size = size
        self.scratch = scratch
        self.inspect = [str(paths.NOTEBOOKS / f"{name}.ipynb") for name in inspect]
        self.validated = validated
        self.workers: list[_Worker] = []

    def __enter__(self) -> "_WorkerPool":
        # Kernels' connection files go into the scratch folder, so a stop that kills them leaves none behind.
        # It is also the kernels' working directory: a file a notebook writes there is removed with it,
        # never left in the clone's notebooks/ or refused by a read-only installed package.
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(self.scratch / "runtime"),
               VALIDATED_ANALYSIS_VARIABLE: str(self.validated)}
        (self.scratch / "logs").mkdir(parents=True)
        try:
            for index in range(self.size):
                self.workers.append(_Worker(env, self.scratch / "logs" / f"worker-{index}.log", self.scratch,
                                            self.inspect if index == 0 else ()))
        except BaseException:
            self.__exit__(None, None, None, stop=True)
            raise
        return self

    def __exit__(self, kind, value, traceback, stop: bool | None = None) -> None:
        if stop or (stop is None and kind is not None):  # an error or a stop: no worker or kernel may outlive the run
            stop_process_trees([w.process.pid for w in self.workers])
        else:
            self.finish()
        for worker in self.workers:
            worker.release()
        self.workers = []

    def declared_parameters(self) -> dict[str, dict]:
        """The parameters each inspected notebook declares, by notebook name (the first worker's first answer)."""
        worker = self.workers[0]
        line = worker.read_line()
        answer = json.loads(line) if line else {"error": "its worker process stopped unexpectedly"}
        if answer.get("error"):
            raise ReproduceError(f"the notebooks' parameters could not be read: {answer['error']}")
        return {Path(path).stem: declared for path, declared in answer["declared"].items()}

    def finish(self) -> None:
        """No more jobs: every worker shuts its kernel down, all at once, while the caller goes on."""
        for worker in self.workers:
            worker.finish()

    def run(self, jobs: list[dict], progress) -> list[NotebookRun]:
        """Run ``jobs`` in the given order (the longest first), each on the next worker that is free;
        raise ReproduceError at the first failure.

        A worker says once that its kernel is ready, then answers each job it is sent; a job goes to
        a worker only when it is ready, so the longest goes to the kernel that was ready first."""
        queue = list(jobs)
        runs: list[NotebookRun] = []
        selector = selectors.DefaultSelector()
        for worker in self.workers:
            selector.register(worker.answers, selectors.EVENT_READ, worker)
        while len(runs) < len(jobs):
            waiting = [w for w in self.workers if w.has_line()]
            if not waiting:
                if not selector.get_map():
                    raise ReproduceError("every worker process stopped before the notebooks were run. "
                                         f"What the first one printed (last lines):\n{_log_tail(self.workers[0].log)}")
                waiting = [key.data for key, _ in selector.select()]
            for worker in waiting:
                line = worker.read_line()
                job = worker.job
                if not line and job is None:  # an idle worker ended: nothing was lost
                    selector.unregister(worker.answers)
                    continue
                if not line:  # the worker died without answering
                    raise ReproduceError(f"notebook {job['name']}.ipynb failed: its worker process stopped "
                                         f"unexpectedly.\n{_log_of(job['name'], worker.log)}")
                answer = json.loads(line)
                if "ready" not in answer:
                    run = NotebookRun(answer["name"], answer["seconds"], answer["error"])
                    runs.append(run)
                    status = "failed" if run.error else "done"
                    progress(f"[{len(runs)}/{len(jobs)}] {run.name}.ipynb {status} in {run.seconds:.1f} s")
                    if run.error:
                        raise _failure(run, worker.log)
                    worker.job = None
                if queue:
                    worker.send(queue.pop(0))
        return runs


def _merge_part(part: Path, staging: Path, maker: str, used: dict, makers: dict) -> None:
    """Move what one notebook wrote into the shared folders, remembering who made each file."""
    for path in sorted(p for p in part.rglob("*") if p.is_file()):
        rel = path.relative_to(part).as_posix()
        target = staging / rel
        if rel in makers:
            raise ReproduceError(f"{maker} and {makers[rel][0]} both wrote {rel}; each output file must have one maker.")
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
        makers[rel] = (maker, used)


def _replacements(data_folder: Path, shown_data: str, part: Path) -> list[tuple[str, str]]:
    """Absolute paths an output may print, and what to print instead, so outputs read the same on any machine."""
    pairs = [(str(part), SHOWN_OUT_DIR), (str(part.parents[2]), "<results>"), (str(data_folder), shown_data),
             (str(paths.PACKAGE), "<repro>"), (str(paths.RESOURCES), "<repository>"), (sys.prefix, "<python>")]
    return [(absolute, shown) for absolute, shown in pairs if len(absolute) > 1]


def reproduce(data_dir: str | Path | None = None, out_dir: str | Path = "results", lang: str | None = None,
              jobs: int = 2, formats=DEFAULT_FORMATS, notebooks: list[str] | None = None,
              extra_parameters: dict | None = None, progress=print) -> Path:
    """Run the notebooks and write figures, numbers, executed notebooks, report and manifest to ``out_dir``.

    Parameters
    ----------
    data_dir
        The analysis folder, relative to the working directory or absolute; None for the paper's data.
    out_dir
        The output folder: missing, empty, or an earlier run's results (see :mod:`repro.pipeline.outdir`).
    lang
        The language of the figures, the notebooks' sentences and the report (one of
        :data:`repro.i18n.LANGS`); None: the analysis's own (:attr:`repro.data.Analysis.language`), which
        is ``ru`` for the paper (as published) and ``en`` for an analysis written in English.
    jobs
        Notebooks run at once.
    formats, notebooks, extra_parameters
        Figure formats; which notebooks (default: all that apply); further notebook parameters.
    progress
        Called with one line of text per step.

    Returns
    -------
    Path
        The absolute output folder.

    Raises
    ------
    AnalysisError
        The data folder is not valid (nothing is run).
    OutputFolderError
        The output folder may not be written (nothing is run).
    ReproduceError
        A parameter is refused (nothing is run), or a notebook failed (previous results kept).
    Stopped
        SIGINT or SIGTERM arrived (every process stopped, previous results kept).
    """
    folder = paths.analysis_folder(data_dir)
    data_folder = folder.resolve()  # kernels run in the scratch folder: a relative path would point elsewhere
    if jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {jobs}")
    out = check_output_folder(out_dir, data_folder, note=lambda line: progress(f"note: {line}"))
    candidates = list(notebooks or available_notebooks())
    parameters = {"data_dir": str(data_folder), "lang": lang, "formats": list(formats), **(extra_parameters or {})}
    shown_data = paths.shown_folder(data_folder)

    start = time.perf_counter()
    with _stop_on_signals() as stopper, staged_output(out) as staging:
        scratch = staging / SCRATCH
        scratch.mkdir(mode=0o700)  # the user's alone, whatever the umask: the kernels read the analysis from it
        (staging / "notebooks").mkdir()
        # The kernels start first: starting one costs about 2 s of CPU, and this process's own work
        # before the first notebook (importing pandas, validating the data) then runs beside it on
        # the other core. Bad data still stops the run before any notebook runs or anything is kept.
        with _WorkerPool(min(jobs, len(candidates)), scratch, candidates, scratch / "analysis.json") as workers:
            from repro.data import load_analysis
            from repro.handoff import write_validated

            analysis = load_analysis(folder)
            write_validated(analysis, workers.validated)
            lang = parameters["lang"] = lang or analysis.language
            shown = {**parameters, "data_dir": shown_data}
            notebooks = []
            for name in candidates:
                reason = why_not_applicable(name, analysis)
                if reason:
                    progress(f"skipped {name}.ipynb: {reason}")
                else:
                    notebooks.append(name)
            declared = _check_all_parameters(notebooks, parameters, workers.declared_parameters())
            jobs_to_run, used = [], {}
            for name in notebooks:
                used[name] = _parameters_for(declared[name], shown)
                part = scratch / "parts" / name  # each notebook writes into a folder of its own, so every file's maker is known
                jobs_to_run.append({
                    "name": name, "notebook": str(paths.NOTEBOOKS / f"{name}.ipynb"), "cwd": str(scratch),
                    "output": str(staging / "notebooks" / f"{name}.ipynb"),
                    "parameters": {**_parameters_for(declared[name], parameters), "out_dir": str(part)},
                    "shown_parameters": {**used[name], "out_dir": SHOWN_OUT_DIR},
                    "replacements": _replacements(data_folder, shown_data, part)})
            runs = workers.run(jobs_to_run, progress)
            workers.finish()  # the kernels shut down while the results are put together
            makers: dict[str, tuple[str, dict]] = {}
            for run in runs:
                maker = f"notebooks/{run.name}.ipynb"
                makers[maker] = (maker, used[run.name])
                _merge_part(scratch / "parts" / run.name, staging, maker, used[run.name], makers)
            from repro.pipeline.report import write_report

            write_report(analysis, staging, lang, data_label=shown_data)
            makers["report.html"] = ("repro.pipeline.report.write_report", {"lang": lang})
        shutil.rmtree(scratch)  # once the workers are gone: their kernels' connection files are in it
        write_manifest(staging, {"version": __version__, "data_folder": shown_data,
                                 "inputs_sha256": analysis.input_hashes(), "parameters": shown}, makers)
        n_files = len(output_files(staging))
        stopper.finishing()  # the results are complete: a signal from here on waits for the swap
    progress(f"rebuilt {len(runs)} notebooks and {n_files} files in {time.perf_counter() - start:.1f} s")
    return out
