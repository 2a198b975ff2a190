"""A worker of ``repro reproduce``: a process of its own that runs notebooks through papermill, one
at a time, as its parent sends them, all in one kernel of its own.

Starting a kernel and importing matplotlib, pandas and the library in it costs about 3 s of CPU, more
than most notebooks' own work; so each worker starts one kernel, imports once (:func:`warm_up`), and
before every notebook returns the kernel to that state (:func:`fresh_start`): an empty namespace,
the execution counter at 1, no figure open, matplotlib's settings, the warning filters and the
working directory as they were. Every notebook thus starts from the same state whichever notebooks
ran before it in the kernel, so ``--jobs 1`` and ``--jobs 2`` give the same bytes (a test checks it),
and the notebooks are still checked one kernel each under nbval.

The parent starts each worker in a session of its own (so a Ctrl-C in the terminal reaches only the
parent, which then stops the workers and their kernels itself) and talks to it by lines of JSON:
one job per line on the worker's stdin, one answer per line on the file descriptor named on its
command line. Everything the worker, papermill and the kernel print goes to the worker's log, each
notebook's part headed by :func:`log_heading`; the parent shows it only when a notebook fails.

Run as ``python -m repro.pipeline.notebook_worker FD CWD [NOTEBOOK ...]``. The worker itself imports
nothing of the analysis: the kernel does. The first worker also reads the notebooks' declared
parameters for the parent, which then need not import papermill itself. Each worker says when its
kernel is ready (``{"ready": ...}``), and only then is it sent a job: the longest notebook goes to
the kernel that was ready first.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time

#: The comment papermill writes above the injected parameters, and what the paths in them mean.
PARAMETERS_COMMENT = ("Parameters injected by repro reproduce (data_dir relative to the repository, or the "
                      "folder's name when outside it; out_dir is the results folder this notebook lies in)")
#: The id of the injected-parameters cell; papermill gives it a random one, which would change every run.
INJECTED_CELL_ID = "injected-parameters"
#: The library's layers whose every module the kernel imports once, before the first notebook.
WARM_PACKAGES = ("repro.data", "repro.methods", "repro.figures")
#: How long a kernel may take to start on a busy 2-core machine.
START_TIMEOUT = 180


def skip_slow_format_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` (pulled in by jupyter-events' extras).

    That module compiles a grammar when imported: about 1 s of CPU in every process that imports
    nbformat (jsonschema issue #1392). jsonschema imports it only to check the ``iri`` formats,
    which no notebook schema uses; without it jsonschema simply has no ``iri`` checker. Only for
    processes repro owns (its workers and the ``repro`` command), never on import of the library.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def log_heading(name: str) -> str:
    """The line that opens a notebook's part of a worker's log."""
    return f"----- {name}.ipynb -----"


# --- in the kernel --------------------------------------------------------------------------------

_kernel_state: dict = {}


def warm_up() -> None:
    """Run once in a new kernel: the inline backend and every module of the library's layers, then
    remember the state each notebook starts from (matplotlib's settings, the working directory)."""
    import importlib
    import pkgutil

    import matplotlib
    from IPython import get_ipython

    get_ipython().run_line_magic("matplotlib", "inline")
    for package in WARM_PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__, f"{package}."):
            importlib.import_module(info.name)
    importlib.import_module("repro.pipeline.outputs")
    _kernel_state.update(rc=dict(matplotlib.rcParams.copy()), cwd=os.getcwd(), warnings=None)


def fresh_start() -> None:
    """Run before each notebook: the kernel as :func:`warm_up` left it, as if it had just started."""
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    get_ipython().reset(new_session=True)  # namespace, history and execution counter
    plt.close("all")
    dict.update(matplotlib.rcParams, _kernel_state["rc"])  # as matplotlib's own rc_context restores them
    if _kernel_state["warnings"] is not None:
        _kernel_state["warnings"].__exit__(None, None, None)  # the filters back, and every "once" forgotten
    _kernel_state["warnings"] = warnings.catch_warnings()
    _kernel_state["warnings"].__enter__()
    os.chdir(_kernel_state["cwd"])


# --- in the worker --------------------------------------------------------------------------------

class SharedKernel:
    """One kernel for all the notebooks this worker runs (see the module's docstring)."""

    def __init__(self, cwd: str):
        """Launch the kernel and return at once: it starts in its own process while the caller goes
        on (the worker imports papermill meanwhile); :meth:`prepare` then waits for it."""
        from jupyter_client.manager import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=cwd)
        self.client = None

    def prepare(self) -> "SharedKernel":
        """Wait until the kernel answers, then import the library in it (:func:`warm_up`)."""
        from jupyter_client.session import Session

        # A session of its own: the kernel routes replies by the session's id, and papermill's clients
        # (one per notebook) take over the manager's; this client must keep getting its own replies.
        own = Session(key=self.manager.session.key, signature_scheme=self.manager.session.signature_scheme)
        self.client = self.manager.client(session=own)
        self.client.start_channels()
        self.client.wait_for_ready(timeout=START_TIMEOUT)
        self._run("from repro.pipeline.notebook_worker import warm_up; warm_up()")
        return self

    def _run(self, code: str) -> None:
        reply = self.client.execute_interactive(code, silent=True, store_history=False, timeout=START_TIMEOUT,
                                                output_hook=lambda message: None)
        content = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"the kernel could not be prepared: {content.get('ename')}: {content.get('evalue')}")

    def fresh_start(self) -> None:
        self._run("from repro.pipeline.notebook_worker import fresh_start; fresh_start()")

    def shutdown(self) -> None:
        """Stop the kernel at once: every notebook it ran is written, so it has nothing left to save
        (a polite shutdown request made the run wait about 0.5 s more for nothing)."""
        if self.client is not None:
            self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


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

    Removes papermill's per-run metadata (start and end times, durations, input and output paths)
    and the cells' execution timestamps; writes the injected parameters as they are shown to people
    (paths relative to the repository) under a fixed cell id; replaces the absolute paths listed in
    ``replacements`` (longest first) wherever an output prints one.
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


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def run_job(job: dict, kernel: SharedKernel) -> dict:
    """Execute one notebook as ``job`` says, in ``kernel``; write it, tidied, to ``job["output"]``.

    Returns ``{"name", "seconds", "error"}``; ``error`` is None, or names the cell (index from 0 and
    first line) and the error it raised.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    error = None
    try:
        kernel.fresh_start()
        # coalesce_streams (nbclient's): what a cell prints is one output however many messages the
        # kernel's flushes made of it, which timing decides (seen on Python 3.13 under load).
        nb = papermill.execute_notebook(job["notebook"], None, parameters=job["parameters"], kernel_name="python3",
                                        progress_bar=False, cwd=job["cwd"], km=kernel.manager, coalesce_streams=True)
        tidy_notebook(nb, job["shown_parameters"], [tuple(pair) for pair in job["replacements"]])
        nbformat.write(nb, job["output"])
    except PapermillExecutionError as exc:
        error = {"cell": exc.cell_index, "first_line": _first_line(exc.source or ""),
                 "ename": exc.ename, "evalue": exc.evalue}
    except Exception as exc:  # a kernel that dies or cannot start: the notebook is still named
        error = {"cell": None, "first_line": "", "ename": type(exc).__name__, "evalue": str(exc)}
    return {"name": job["name"], "seconds": time.perf_counter() - start, "error": error}


def _stop_with_parent(parent: int) -> None:
    """Exit, taking the kernel along, when the parent is gone (killed without a chance to stop us)."""
    while os.getppid() == parent:
        time.sleep(1)
    try:
        import psutil
        for child in psutil.Process().children(recursive=True):
            child.kill()
    finally:
        os._exit(1)


def declared_answer(notebooks: list[str]) -> dict:
    """``{"declared": {path: parameters}}`` for each notebook path, or ``{"error": message}``."""
    from repro.pipeline.notebook_params import declared_parameters

    try:
        return {"declared": {path: declared_parameters(path) for path in notebooks}}
    except Exception as exc:  # a notebook that cannot be read: the parent says which and why
        return {"error": f"{type(exc).__name__}: {exc}"}


def main(argv: list[str] | None = None) -> int:
    """``notebook_worker FD CWD [NOTEBOOK ...]``: start a kernel in ``CWD`` at once; answer first with
    the parameters each ``NOTEBOOK`` declares, if any are named; say when the kernel is ready; then
    run each job read from stdin. Every answer is one line on file descriptor ``FD``."""
    argv = sys.argv[1:] if argv is None else argv
    # The parent starts workers with SIGINT and SIGTERM blocked (see reproduce._Worker); a blocked
    # mask is inherited, and kernels must be interruptible, so unblock them before any kernel starts.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    answers = os.fdopen(int(argv[0]), "w", encoding="utf-8", buffering=1)
    threading.Thread(target=_stop_with_parent, args=(os.getppid(),), daemon=True).start()
    skip_slow_format_checker()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    kernel, failure = None, None
    try:
        kernel = SharedKernel(argv[1])  # first, so that the kernel starts while papermill is imported
    except Exception as exc:  # said when the first job comes, naming its notebook
        failure = exc
    import papermill  # noqa: F401  (imported once, before the first job, not inside it)

    if argv[2:]:  # always answered, even without a kernel: the parent waits for this answer first
        answers.write(json.dumps(declared_answer(argv[2:])) + "\n")
    if kernel is not None:
        try:
            kernel.prepare()
        except Exception as exc:
            failure = exc
    if failure is not None:
        failure = {"cell": None, "first_line": "", "ename": type(failure).__name__,
                   "evalue": f"no kernel started: {failure}"}
    # Ready for jobs: the parent sends the first (the longest) to the worker that says so first. A
    # worker without a kernel says so too; its first job is answered with the failure.
    answers.write(json.dumps({"ready": failure is None}) + "\n")
    try:
        for line in sys.stdin:
            job = json.loads(line)
            print(log_heading(job["name"]), file=sys.stderr, flush=True)
            if failure is not None:
                answers.write(json.dumps({"name": job["name"], "seconds": 0.0, "error": failure}) + "\n")
                return 1
            answers.write(json.dumps(run_job(job, kernel)) + "\n")
    finally:
        if kernel is not None:
            kernel.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
