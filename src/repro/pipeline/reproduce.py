"""``repro reproduce``: run every notebook, several at once, into a staging folder, then write the
report and the manifest, and only then replace the previous results.

- The output folder is checked before anything runs (:func:`repro.pipeline.outdir.check_output_folder`):
  no file of the user's is ever replaced.
- The notebooks run in ``jobs`` kernels that this process starts first, keeps warm and drives
  itself (:mod:`repro.pipeline.notebook_engine`: nbclient and papermill); what a kernel prints
  outside its cells goes to a log that is shown only when a notebook fails.
- Each notebook has a time limit (``timeout`` seconds, :data:`DEFAULT_TIMEOUT` unless told): one that
  runs past it fails the run, named with the cell it was running.
- SIGINT or SIGTERM stops every kernel the run started (and whatever they started) within a second,
  removes the staging folder and leaves the previous results as they were (:class:`Stopped`; the
  command exits 130 or 143). A failed or timed-out notebook does the same (exit 1); so does a
  notebook that finds the disk full (:class:`NoSpaceError`, exit 2).
- Nothing is written outside the staging folder: the kernels' connection files, IPython profile
  (history off), matplotlib settings, temporary files and the analysis handed to them
  (:mod:`repro.handoff`) live in its scratch part, which goes with it on every way out, and a
  kernel exits by itself if this process is killed (SIGKILL included). The staging folder such a
  kill leaves beside the output folder is removed by the next run into it
  (:func:`repro.pipeline.outdir.recover`), the kernels' files with it.
- The outputs depend only on the inputs: no absolute path, time or machine name is written, so two
  clones, two days and any ``jobs`` give the same bytes.
"""

from __future__ import annotations

import errno
import math
import re
import shutil
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from repro import __version__, paths
from repro.handoff import ENVIRONMENT_VARIABLE as VALIDATED_ANALYSIS_VARIABLE
from repro.pipeline.notebook_params import check_parameters
from repro.pipeline.outdir import check_output_folder, output_files, staged_output, write_manifest

#: The notebooks a reproduction runs, longest first so that parallel kernels finish together.
NOTEBOOKS = ("sensitivity", "lotus", "force_field", "swot", "overview")
#: The default settings: the paper's language (a reproduction's default is its analysis's language), and
#: PNG and PDF figures (SVG on request; the same as repro.figures.common.DEFAULT_FORMATS, named here so
#: as not to import matplotlib; a test keeps them equal).
DEFAULT_LANG = "ru"
DEFAULT_FORMATS = ("png", "pdf")
#: Parameters every notebook takes; the rest (seed, draws, ...) go to the notebooks that declare them.
COMMON_PARAMETERS = ("data_dir", "lang", "formats", "out_dir")
#: How the executed notebooks name their output folder: the results folder, seen from ``notebooks/``.
SHOWN_OUT_DIR = ".."
#: Scratch space inside the staging folder (kernels' logs, connection files, profile and temporary
#: files, each notebook's own output folder); removed before the manifest is written.
SCRATCH = ".work"
#: Seconds each notebook may run by default: the paper's longest takes about 5 s here, and a
#: student's sensitivity analysis at the largest accepted size a few minutes.
DEFAULT_TIMEOUT = 600.0
#: The longest time limit accepted, in seconds (a day).
MAX_TIMEOUT = 86400.0


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
    in whole rather than interrupted halfway through. (The kernels' own work runs in a thread of
    their pool: the main thread only waits for it, so Stopped is raised there, never inside it.)"""

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


def check_timeout(timeout) -> float:
    """``timeout`` as seconds, or ParameterError: a number above 0 and at most :data:`MAX_TIMEOUT`."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not (
            math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise ParameterError(f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:g} "
                             f"(each notebook's time limit), got {timeout!r}")
    return float(timeout)


def _declared_parameters(notebooks: list[str]) -> dict[str, dict]:
    """The parameters each notebook declares, by name; ReproduceError if one cannot be read."""
    from repro.pipeline.notebook_params import declared_parameters

    try:
        return {name: declared_parameters(paths.NOTEBOOKS / f"{name}.ipynb") for name in notebooks}
    except Exception as exc:  # a notebook that cannot be read: say which and why
        raise ReproduceError(f"the notebooks' parameters could not be read: {type(exc).__name__}: {exc}") from None


def _reproduce_error(failure) -> ReproduceError:
    """The error for a failed notebook (a :class:`~repro.pipeline.notebook_engine.NotebookFailed`): its
    message, or a full disk in one line of its own."""
    full = _NO_SPACE.match(failure.error_value) if failure.error_name in ("OSError", "IOError") else None
    if full:
        return NoSpaceError(f"the results could not be written: {full['cause']} (notebook {failure.notebook}.ipynb); "
                            "free some space and run again.")
    return ReproduceError(str(failure))


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
              extra_parameters: dict | None = None, progress=print, timeout: float = DEFAULT_TIMEOUT) -> Path:
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
    timeout
        Seconds each notebook may run, from its kernel's reset to its last cell (above 0, at most
        :data:`MAX_TIMEOUT`).

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
        A parameter is refused (nothing is run), or a notebook failed or ran past its time limit
        (every kernel stopped, previous results kept); :class:`NoSpaceError` when it failed because
        the disk is full.
    Stopped
        SIGINT or SIGTERM arrived (every process stopped, previous results kept).
    """
    from repro.pipeline.notebook_engine import Job, KernelPool, NotebookFailed, kernel_environment

    folder = paths.analysis_folder(data_dir)
    data_folder = folder.resolve()  # kernels run in a folder of their own: a relative path would point elsewhere
    if jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {jobs}")
    timeout = check_timeout(timeout)
    out = check_output_folder(out_dir, data_folder, note=lambda line: progress(f"note: {line}"))
    candidates = list(notebooks or available_notebooks())
    parameters = {"data_dir": str(data_folder), "lang": lang, "formats": list(formats), **(extra_parameters or {})}
    shown_data = paths.shown_folder(data_folder)

    start = time.perf_counter()
    with _stop_on_signals() as stopper, staged_output(out) as staging:
        scratch = staging / SCRATCH
        scratch.mkdir(mode=0o700)  # the user's alone, whatever the umask: the kernels read the analysis from it
        (staging / "notebooks").mkdir()
        validated = scratch / "analysis.json"
        environment = kernel_environment(scratch, {VALIDATED_ANALYSIS_VARIABLE: str(validated)})
        # The kernels start first: starting one costs about 2 s of CPU, and this process's own work
        # before the first notebook (importing pandas, validating the data) then runs beside it on
        # the other core. Bad data still stops the run before any notebook runs or anything is kept.
        with KernelPool(min(jobs, len(candidates)), scratch, environment) as kernels:
            from repro.data import load_analysis
            from repro.handoff import write_validated

            analysis = load_analysis(folder)
            write_validated(analysis, validated)
            lang = parameters["lang"] = lang or analysis.language
            shown = {**parameters, "data_dir": shown_data}
            notebooks = []
            for name in candidates:
                reason = why_not_applicable(name, analysis)
                if reason:
                    progress(f"skipped {name}.ipynb: {reason}")
                else:
                    notebooks.append(name)
            declared = _check_all_parameters(notebooks, parameters, _declared_parameters(notebooks))
            jobs_to_run, used = [], {}
            for name in notebooks:
                used[name] = _parameters_for(declared[name], shown)
                part = scratch / "parts" / name  # each notebook writes into a folder of its own, so every file's maker is known
                jobs_to_run.append(Job(
                    name=name, notebook=paths.NOTEBOOKS / f"{name}.ipynb", output=staging / "notebooks" / f"{name}.ipynb",
                    parameters={**_parameters_for(declared[name], parameters), "out_dir": str(part)},
                    shown_parameters={**used[name], "out_dir": SHOWN_OUT_DIR},
                    replacements=_replacements(data_folder, shown_data, part)))
            try:
                runs = kernels.run(jobs_to_run, timeout, progress)
            except NotebookFailed as failure:
                raise _reproduce_error(failure) from None
            kernels.finish()  # every kernel stopped, its connection file removed, before the results are put together
            makers: dict[str, tuple[str, dict]] = {}
            for run in runs:
                maker = f"notebooks/{run.name}.ipynb"
                makers[maker] = (maker, used[run.name])
                _merge_part(scratch / "parts" / run.name, staging, maker, used[run.name], makers)
            from repro.pipeline.report import write_report

            write_report(analysis, staging, lang, data_label=shown_data)
            makers["report.html"] = ("repro.pipeline.report.write_report", {"lang": lang})
        shutil.rmtree(scratch)  # once the kernels are gone: their connection files and profiles are in it
        write_manifest(staging, {"version": __version__, "data_folder": shown_data,
                                 "inputs_sha256": analysis.input_hashes(), "parameters": shown}, makers)
        n_files = len(output_files(staging))
        stopper.finishing()  # the results are complete: a signal from here on waits for the swap
    progress(f"rebuilt {len(runs)} notebooks and {n_files} files in {time.perf_counter() - start:.1f} s")
    return out
