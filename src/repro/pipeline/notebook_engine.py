"""The notebooks of ``repro reproduce``, run in kernels kept warm, several at once, by one process.

Starting a kernel and importing matplotlib, pandas and the library in it costs about 2 s of CPU,
more than most notebooks' own work. So :class:`KernelPool`:

- launches its kernels first (jupyter_client's ``AsyncKernelManager``), and each imports the library
  as it starts (:func:`repro.pipeline.in_kernel.warm_up`, as ipykernel's ``exec_lines``), while the
  caller validates the data on the other core;
- drives every kernel from one asyncio event loop: as soon as a kernel answers, it takes the next
  notebook from the queue (longest first), so the longest goes to the kernel that was ready first,
  and each kernel runs notebook after notebook, reset in between
  (:func:`repro.pipeline.in_kernel.fresh_start`);
- runs each notebook as papermill does (its ``load_notebook_node`` and ``parameterize_notebook``
  inject the parameters) through nbclient's ``NotebookClient``, which is handed the running kernel
  (its documented ``km`` argument) and executes the cells;
- gives each notebook a time limit, from its kernel's reset to its last cell: a notebook that runs
  past it fails the run, named with the cell it was running (:class:`NotebookFailed`);
- leaves nothing behind: the kernels' connection files, IPython profile (history off),
  matplotlib settings and cache, and temporary files all live in the run's scratch folder, and a
  kernel exits by itself when this process dies (ipykernel's parent poller, and
  :func:`repro.pipeline.in_kernel.exit_with_parent` for the moments before it starts);
- stops at once: an exception in the caller's thread (Ctrl-C's) cancels the running notebooks, and
  leaving the pool kills every kernel and whatever it started.

What a kernel prints outside any cell (ipykernel's own messages, a crash) goes to a log in the
scratch folder, each notebook's part headed by :func:`log_heading`; it is shown only when a
notebook fails. The executed notebooks are tidied (:func:`tidy_notebook`) so that they depend only
on their inputs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

#: The comment papermill writes above the injected parameters, and what the paths in them mean.
PARAMETERS_COMMENT = ("Parameters injected by repro reproduce (data_dir relative to the repository, or the "
                      "folder's name when outside it; out_dir is the results folder this notebook lies in)")
#: The id of the injected-parameters cell; papermill gives it a random one, which would change every run.
INJECTED_CELL_ID = "injected-parameters"
#: How long a kernel may take to start and import the library, on a busy 2-core machine.
START_TIMEOUT = 180
#: How long a stopped run waits for its cancelled tasks and killed kernels, in seconds.
STOP_TIMEOUT = 5.0
#: Lines of a failed notebook's log shown to the user.
LOG_LINES = 40
#: Run in each kernel as it starts, before it answers its first request.
WARM_UP = "from repro.pipeline.in_kernel import warm_up; warm_up()"
#: Run in the kernel before each notebook.
FRESH_START = "from repro.pipeline.in_kernel import fresh_start; fresh_start()"


class NotebookFailed(Exception):
    """A notebook failed, ran past its time limit, or lost its kernel; the message names it, the
    cell, the error, and what its kernel printed.

    Attributes
    ----------
    notebook
        The notebook's name (without ``.ipynb``).
    error_name, error_value
        The error's type and text as the cell raised it (``"OSError"``, ``"[Errno 28] No space left
        on device: ..."``), or as this process met it writing the notebook; empty for a time limit
        or a dead kernel.
    """

    def __init__(self, message: str, notebook: str = "", error_name: str = "", error_value: str = ""):
        super().__init__(message)
        self.notebook, self.error_name, self.error_value = notebook, error_name, error_value


@dataclass
class Job:
    """One notebook to run: where it is and where the executed copy goes, its parameters as passed
    and as shown to people, and the absolute paths its outputs may print (with what to show instead)."""

    name: str
    notebook: Path
    output: Path
    parameters: dict
    shown_parameters: dict
    replacements: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class NotebookRun:
    name: str
    seconds: float


def log_heading(name: str) -> str:
    """The line that opens a notebook's part of a kernel's log."""
    return f"----- {name}.ipynb -----"


def skip_slow_format_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (pulled in by jupyter-events' extras).

    That module compiles a grammar when imported: about 1 s of CPU in every process that imports
    nbformat (jsonschema issue #1392). jsonschema imports it only to check the ``iri`` formats,
    which no notebook schema uses; without it jsonschema simply has no ``iri`` checker. Only for
    processes repro owns (the ``repro`` command), never on import of the library.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def kernel_environment(scratch: Path, extra: dict[str, str]) -> dict[str, str]:
    """The environment of a run's kernels: this process's, plus ``extra``, with every folder a
    kernel would write to in ``scratch``, which goes with the run: no IPython profile or history
    under ``~/.ipython``, no matplotlib folders under ``~/.config`` or ``~/.cache``, no Jupyter
    runtime files, no temporary files in ``$TMPDIR``. A user's own IPython start-up files and
    matplotlibrc are therefore not read either, so they cannot change the outputs.
    """
    folders = {"IPYTHONDIR": "ipython", "MPLCONFIGDIR": "matplotlib", "JUPYTER_RUNTIME_DIR": "runtime",
               "TMPDIR": "tmp"}
    for name in folders.values():
        (scratch / name).mkdir(parents=True, exist_ok=True)
    for font_list in _matplotlib_font_lists():
        try:
            shutil.copyfile(font_list, scratch / "matplotlib" / font_list.name)
        except OSError:  # unreadable: the kernels list the fonts themselves
            pass
    return {**os.environ, **extra, **{variable: str(scratch / name) for variable, name in folders.items()}}


def _matplotlib_font_lists() -> list[Path]:
    """The font lists matplotlib has cached for this user, if any, found where matplotlib keeps them.

    matplotlib lists the system's fonts once and keeps the list in its cache folder; without it,
    each kernel would list them again on every run (0.2 s of CPU with a few dozen fonts, seconds
    with thousands). The kernels get a copy, read here and never written back. A list of another
    matplotlib version is ignored by theirs, so a copy too many costs nothing.
    """
    try:
        home = Path.home()
    except RuntimeError:  # no home folder at all: nothing cached there
        return []
    if os.environ.get("MPLCONFIGDIR"):
        folders = [Path(os.environ["MPLCONFIGDIR"])]
    else:
        folders = [Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "matplotlib", home / ".matplotlib"]
    for folder in folders:
        found = sorted(folder.glob("fontlist-v*.json"))
        if found:
            return found
    return []


# --- notebooks -------------------------------------------------------------------------------------

def _scrub(text: str, replacements: list[tuple[str, str]]) -> str:
    for absolute, shown in replacements:
        text = text.replace(absolute, shown)
    return text


def _scrub_output(output: dict, replacements: list[tuple[str, str]]) -> None:
    """Replace machine-specific absolute paths in one output's texts (warnings name files, for one)."""
    if "text" in output:
        output["text"] = _scrub(output["text"], replacements)
    if "traceback" in output:
        output["traceback"] = [_scrub(line, replacements) for line in output["traceback"]]
    if "evalue" in output:
        output["evalue"] = _scrub(output["evalue"], replacements)
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") and isinstance(value, str):
            output["data"][mime] = _scrub(value, replacements)


def tidy_notebook(nb, shown_parameters: dict, replacements: list[tuple[str, str]]) -> None:
    """Make an executed notebook depend only on its inputs, not on where, when or how fast it ran.

    Removes papermill's per-run metadata and the cells' execution timestamps; writes the injected
    parameters as they are shown to people (paths relative to the repository) under a fixed cell id;
    replaces the absolute paths listed in ``replacements`` (longest first) wherever an output prints
    one. (The pieces of printed text a kernel happened to send apart are joined as the cells run:
    nbclient's ``coalesce_streams``.)
    """
    from papermill.translators import translate_parameters

    replacements = sorted(replacements, key=lambda pair: -len(pair[0]))
    nb.metadata["papermill"] = {"parameters": shown_parameters}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = INJECTED_CELL_ID
            cell.source = translate_parameters("python3", "python", shown_parameters, PARAMETERS_COMMENT)
        for output in cell.get("outputs", []):
            _scrub_output(output, replacements)


def parameterized(job: Job):
    """The job's notebook with its parameters injected, as papermill's ``execute_notebook`` prepares it."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(job.notebook))
    return parameterize_notebook(nb, job.parameters, kernel_name="python3") if job.parameters else nb


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def _log_tail(log: Path, after: str | None = None) -> str:
    """The last lines of a kernel's log (of its part after the line ``after``, when given)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines = (text.split(after)[-1] if after else text).strip().splitlines()
    return "\n".join(lines[-LOG_LINES:])


# --- one kernel ------------------------------------------------------------------------------------

class _Kernel:
    """One kernel of the pool: its manager, its client (connected once, for every notebook it runs),
    its log, and where it is (for the messages)."""

    def __init__(self, manager, log: Path):
        self.manager = manager
        self.log = log
        self.client = None
        self.language_info: dict | None = None
        self.where = "before any cell ran"  # where the notebook running now is, as its failure says

    @property
    def pid(self) -> int | None:
        """The kernel's process id, once it is launched."""
        return getattr(self.manager.provisioner, "pid", None)

    async def connect(self) -> None:
        """Wait until the kernel answers (it has then imported the library), and ask what it runs."""
        if self.client is not None:
            return
        self.client = self.manager.client()
        self.client.start_channels(stdin=False, hb=False, control=False)  # the manager tells whether it lives
        self.client.allow_stdin = False  # a cell that asks for input fails at once instead of waiting forever
        await self.client.wait_for_ready(timeout=START_TIMEOUT)
        reply = await self.client.kernel_info(reply=True, timeout=START_TIMEOUT)
        self.language_info = reply["content"]["language_info"]

    async def run(self, job: Job) -> None:
        """Execute ``job``'s notebook from a fresh start; write it, tidied, to ``job.output``.

        Raises what nbclient raises (a cell's error, a dead kernel); :meth:`failure` names it.
        """
        import nbformat
        from nbclient import NotebookClient

        self.where = "before any cell ran"
        with self.log.open("a", encoding="utf-8") as log:
            print(log_heading(job.name), file=log)
        reply = await self.client.execute_interactive(FRESH_START, silent=True, store_history=False,
                                                      output_hook=lambda message: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel could not be reset: {reply['content'].get('ename')}: "
                               f"{reply['content'].get('evalue')}")
        nb = parameterized(job)
        nb.metadata["language_info"] = self.language_info
        # As papermill runs it: outputs that arrive late fail the run rather than go missing.
        # coalesce_streams: a kernel sends what a cell prints in pieces cut wherever its output timer
        # fell, so a busy machine can cut one print in two; merged, each stream is one output and the
        # executed notebook's bytes do not depend on timing.
        client = NotebookClient(nb, km=self.manager, raise_on_iopub_timeout=True, coalesce_streams=True)
        client.kc = self.client  # the kernel's own client, connected once
        for index, cell in enumerate(nb.cells):
            self.where = f"at cell {index + 1} ({_first_line(cell.source)})"  # counted from 1, as a reader counts
            await client.async_execute_cell(cell, index)
        self.where = "after its last cell"
        client.set_widgets_metadata()
        tidy_notebook(nb, job.shown_parameters, job.replacements)
        nbformat.write(nb, str(job.output))

    def failure(self, job: Job, error: BaseException, time_limit: float) -> NotebookFailed:
        """The message for ``job``, which ``error`` ended in this kernel (a TimeoutError: its time
        limit): which notebook, which cell, which error, and what the kernel printed meanwhile."""
        from nbclient.exceptions import CellExecutionError, DeadKernelError

        where = self.where
        error_name, error_value = "", ""
        if isinstance(error, TimeoutError):
            message = (f"notebook {job.name}.ipynb did not finish within its time limit of {time_limit:g} s "
                       f"(--timeout) and was stopped {where}")
        elif isinstance(error, CellExecutionError):
            error_name, error_value = error.ename, error.evalue
            message = f"notebook {job.name}.ipynb failed {where}: {error_name}: {error_value}"
        elif isinstance(error, DeadKernelError):
            message = f"notebook {job.name}.ipynb failed {where}: its kernel died"
        else:  # a kernel that cannot be reset, a notebook that cannot be read or written
            error_name = "OSError" if isinstance(error, OSError) else type(error).__name__  # as a cell names it
            error_value = str(error)
            message = f"notebook {job.name}.ipynb failed {where}: {type(error).__name__}: {error}"
        printed = _log_tail(self.log, log_heading(job.name))
        if printed:
            message += f"\nWhat its kernel printed (last lines):\n{printed}"
        return NotebookFailed(message, job.name, error_name, error_value)

    async def shut_down(self) -> None:
        """Close the connections, collect the kernel's process (stopped by the pool already) and
        remove its connection file. A manager whose launch a stop cancelled has no process, and
        only its files to remove."""
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.manager.has_kernel:
            await self.manager.shutdown_kernel(now=True)
        else:
            await self.manager.cleanup_resources()


# --- the pool --------------------------------------------------------------------------------------

class KernelPool:
    """``size`` kernels for one run, driven from an event loop in a thread of its own (see the
    module's docstring).

    Entering launches the kernels and returns at once; :meth:`run` runs the notebooks; leaving (or
    :meth:`finish`, earlier) stops every kernel and every process it started.

    The caller's thread only waits for the loop's work, so an exception raised there while it waits
    (a signal handler's, such as Ctrl-C's) stops the pool's work at its next step, never halfway
    through launching a kernel; and the pool works the same where the caller runs an event loop of
    its own (a Jupyter kernel calling :func:`repro.pipeline.reproduce.reproduce`).

    Parameters
    ----------
    size
        How many kernels: how many notebooks run at once.
    scratch
        The run's scratch folder: the kernels' connection files, logs and working folder go there.
    environment
        The kernels' environment (see :func:`kernel_environment`).
    """

    def __init__(self, size: int, scratch: Path, environment: dict[str, str]):
        self.size = size
        self.scratch = scratch
        self.environment = environment
        self.kernels: list[_Kernel] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "KernelPool":
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="repro-kernels", daemon=True)
        self._thread.start()
        try:
            self._wait_for(self._launch())
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            self.finish()
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
            self.loop.close()

    def _wait_for(self, coroutine):
        """Run ``coroutine`` in the pool's loop and wait here for its result. Anything raised here
        meanwhile (a signal handler's exception) cancels it at its next step, and is raised on."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    async def _launch(self) -> None:
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager

        # Only this Python's own ipykernel: a "python3" kernel a user installed elsewhere could run
        # another Python, without this package.
        specs = KernelSpecManager(kernel_dirs=[])
        work = self.scratch / "kernel-cwd"  # a folder of the run's own: the package's may be read-only
        for folder in (self.scratch / "logs", self.scratch / "runtime", work):
            folder.mkdir(parents=True, exist_ok=True)
        for index in range(self.size):
            manager = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=specs,
                                         connection_file=str(self.scratch / "runtime" / f"kernel-{index}.json"))
            kernel = _Kernel(manager, self.scratch / "logs" / f"kernel-{index}.log")
            self.kernels.append(kernel)  # before it starts: a stop from here on stops it too
            with kernel.log.open("ab") as output:
                await manager.start_kernel(cwd=str(work), env=self.environment, stdout=output, stderr=output,
                                           extra_arguments=["--HistoryManager.enabled=False",
                                                            f"--IPKernelApp.exec_lines={WARM_UP}"])

    def wait_until_ready(self) -> None:
        """Wait until every kernel answers, having imported the library (:meth:`run` waits for each
        by itself; this is for measuring the start)."""
        self._wait_for(self._connect_all())

    async def _connect_all(self) -> None:
        await asyncio.gather(*(kernel.connect() for kernel in self.kernels))

    def run(self, jobs: list[Job], time_limit: float, progress) -> list[NotebookRun]:
        """Run ``jobs`` in the given order (the longest first), each in the next kernel that is free.

        Each notebook may take ``time_limit`` seconds. Raises :class:`NotebookFailed` at the first
        failure; leaving the pool then stops every kernel. ``progress`` is called with a line as
        each notebook is done (from the pool's thread).
        """
        return self._wait_for(self._run(jobs, time_limit, progress))

    async def _run(self, jobs: list[Job], time_limit: float, progress) -> list[NotebookRun]:
        queue = deque(jobs)
        runs: list[NotebookRun] = []
        not_started: list[_Kernel] = []

        async def drive(kernel: _Kernel) -> None:
            try:
                await kernel.connect()
            except Exception:  # the other kernels take the notebooks; if none started, said below
                not_started.append(kernel)
                return
            while queue:
                job = queue.popleft()
                start = time.perf_counter()
                limit = asyncio.timeout(time_limit)
                try:
                    async with limit:
                        await kernel.run(job)
                except Exception as error:
                    # nbclient turns the cancellation of a cell into DeadKernelError: a limit that
                    # expired is known by the limit itself
                    raise kernel.failure(job, TimeoutError() if limit.expired() else error, time_limit) from None
                runs.append(NotebookRun(job.name, time.perf_counter() - start))
                progress(f"[{len(runs)}/{len(jobs)}] {job.name}.ipynb done in {runs[-1].seconds:.1f} s")

        tasks = [asyncio.ensure_future(drive(kernel)) for kernel in self.kernels]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in tasks:  # in the kernels' order, should two fail at once
                if task in done and task.exception() is not None:
                    raise task.exception()
        finally:  # the first failure (or a stop) ends the others' notebooks too
            await _cancel(tasks)
        if queue:  # every kernel failed to start
            raise NotebookFailed("no kernel could start, so no notebook ran. What the first one printed "
                                 f"(last lines):\n{_log_tail(not_started[0].log)}")
        return runs

    def finish(self) -> None:
        """Stop every kernel, at once, and whatever it started; close the connections and collect
        the processes. After success every notebook is written, so a kernel has nothing left to
        save (a polite shutdown request made the run wait for nothing); after an error or a stop,
        no kernel may outlive the run. Called again, it does nothing.

        SIGINT and SIGTERM wait until it is done (a stop halfway through could leave a kernel
        running); one that came meanwhile is handled as it returns.
        """
        with _stops_deferred():
            # First whatever the loop still runs (a launch or a notebook a stop cancelled) ends, so
            # that every kernel launched is known; then all are killed at once, and collected.
            self._wait_for(_cancel())
            if self.kernels:
                stop_process_trees([k.pid for k in self.kernels if k.pid is not None])
                self._wait_for(self._shut_down())
                self.kernels = []


    async def _shut_down(self) -> None:
        await asyncio.gather(*(kernel.shut_down() for kernel in self.kernels))


@contextmanager
def _stops_deferred():
    """SIGINT and SIGTERM wait until the block is done, then take effect as they would have.

    Their handlers are replaced by ones that only remember them (a signal mask would not do: it
    holds for one thread, and the pool's loop runs in another), then put back, and the first signal
    that came is raised again. Signals reach the main thread only: elsewhere, nothing to do.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: received.append(signum))
                for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if received:
            signal.raise_signal(received[0])


async def _cancel(tasks=None) -> None:
    """Cancel ``tasks`` (default: every task of the loop but the one calling) and wait until they
    have ended; what they raised on the way out is taken (else reported as never retrieved)."""
    tasks = [task for task in (asyncio.all_tasks() if tasks is None else tasks) if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=STOP_TIMEOUT)
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()


def stop_process_trees(pids: list[int], timeout: float = STOP_TIMEOUT) -> list[int]:
    """Stop the processes ``pids`` and every process they started, at once; return every pid stopped.

    Each process is frozen (SIGSTOP) before its children are listed, so none can start another
    process unseen or leave a child behind by dying first (a kernel runs in a session of its own,
    so process groups cannot be relied on). Then all are killed and waited for.
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
