"""``repro reproduce``: run every notebook through papermill, in parallel, into a fresh folder,
then write the report and the manifest, and only then replace the previous results.

An interrupted or failed run leaves the previous results as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from repro import __version__, paths
from repro.data import load_analysis
from repro.pipeline.notebook_params import check_parameters, declared_parameters

#: The notebooks a reproduction runs, longest first so that parallel workers finish together.
NOTEBOOKS = ("sensitivity", "lotus", "force_field", "swot", "overview")


class ReproduceError(Exception):
    """A run that could not complete; the message names the notebook, cell and error."""


class ParameterError(ReproduceError):
    """Parameters refused before anything ran (a user mistake)."""


@dataclass
class NotebookRun:
    name: str
    seconds: float
    error: str | None = None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def available_notebooks() -> list[str]:
    return [n for n in NOTEBOOKS if (paths.NOTEBOOKS / f"{n}.ipynb").exists()]


def why_not_applicable(name: str, analysis) -> str | None:
    """Why a notebook has nothing to build for ``analysis`` (None if it has)."""
    if name == "lotus" and analysis.lotus is None:
        return "the analysis has no lotus flower (no lotus.csv)"
    if name == "sensitivity" and not analysis.has_scores:
        return "the force field has no scores to perturb"
    return None


def _run_one(name: str, parameters: dict, out_dir: str) -> NotebookRun:
    """Execute one notebook (in a worker process) and describe how it went."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    source = paths.NOTEBOOKS / f"{name}.ipynb"
    target = Path(out_dir) / "notebooks" / f"{name}.ipynb"
    try:
        papermill.execute_notebook(str(source), str(target), parameters=parameters, kernel_name="python3",
                                   progress_bar=False, cwd=str(paths.NOTEBOOKS),
                                   start_timeout=180)  # a kernel starts slowly on a busy 2-core machine
    except PapermillExecutionError as exc:
        return NotebookRun(name, time.perf_counter() - start,
                           f"cell {exc.exec_count} raised {exc.ename}: {exc.evalue}")
    except Exception as exc:  # a kernel that dies or cannot start: still name the notebook
        return NotebookRun(name, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    return NotebookRun(name, time.perf_counter() - start)


#: Parameters every notebook takes; the rest (seed, draws, ...) go to the notebooks that declare them.
COMMON_PARAMETERS = ("data_dir", "lang", "formats", "out_dir")


def _parameters_for(declared: dict, parameters: dict) -> dict:
    return {k: v for k, v in parameters.items() if k in COMMON_PARAMETERS or k in declared}


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(paths.ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _manifest(out: Path, analysis, parameters: dict, makers: dict[str, tuple[str, dict]]) -> dict:
    """For each file written: its hash, what made it and with which parameters; plus the inputs'
    hashes, the package version and the git commit."""
    inputs = {p.name: sha256(p) for p in sorted(analysis.folder.iterdir()) if p.suffix in (".csv", ".json")}
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        maker, used = makers[rel]
        files[rel] = {"sha256": sha256(path), "made_by": maker, "parameters": used}
    return {"package": "repro", "version": __version__, "git_commit": _git_commit(),
            "data_folder": str(analysis.folder), "inputs_sha256": inputs, "parameters": parameters, "files": files}


def _merge_part(part: Path, staging: Path, maker: str, used: dict, makers: dict) -> None:
    """Move what one notebook wrote into the shared folders, remembering who made each file."""
    for path in sorted(p for p in part.rglob("*") if p.is_file()):
        rel = path.relative_to(part).as_posix()
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
        makers[rel] = (maker, used)


def reproduce(data_dir: str | Path | None = None, out_dir: str | Path = "results", lang: str = "ru",
              jobs: int = 2, formats=("png", "svg", "pdf"), notebooks: list[str] | None = None,
              extra_parameters: dict | None = None, progress=print) -> Path:
    """Run the notebooks and write figures, executed notebooks, report and manifest to ``out_dir``.

    Raises
    ------
    AnalysisError
        The data folder is not valid (nothing is run).
    ReproduceError
        A parameter is refused (nothing is run), or a notebook failed (previous results kept).
    """
    from repro.pipeline.report import write_report

    analysis = load_analysis(data_dir)  # fail on bad data before starting any kernel
    if jobs < 1:
        raise ParameterError(f"--jobs must be at least 1, got {jobs}")
    notebooks = list(notebooks or available_notebooks())
    for name in list(notebooks):
        reason = why_not_applicable(name, analysis)
        if reason:
            progress(f"skipped {name}.ipynb: {reason}")
            notebooks.remove(name)
    parameters = {"data_dir": str(analysis.folder), "lang": lang, "formats": list(formats),
                  **(extra_parameters or {})}
    declared = {name: declared_parameters(paths.NOTEBOOKS / f"{name}.ipynb") for name in notebooks}
    known = set().union(*map(set, declared.values()))
    problems = [f"unknown parameter {k!r}: no notebook takes it (they take {', '.join(sorted(known))})."
                for k in parameters if k not in known]
    for name in notebooks:
        problems += check_parameters(paths.NOTEBOOKS / f"{name}.ipynb", _parameters_for(declared[name], parameters),
                                     declared[name])
    if problems:
        raise ParameterError("\n".join(problems))

    out = Path(out_dir).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        (staging / "notebooks").mkdir()
        makers: dict[str, tuple[str, dict]] = {}
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=min(jobs, len(notebooks))) as pool:
            futures, used = {}, {}
            for name in notebooks:
                # Each notebook writes into a folder of its own, so every file's maker is known.
                used[name] = _parameters_for(declared[name], parameters)
                own = {**used[name], "out_dir": str(staging / "parts" / name)}
                futures[pool.submit(_run_one, name, own, str(staging))] = name
            for done, future in enumerate(as_completed(futures), start=1):
                run = future.result()
                status = "failed" if run.error else "done"
                progress(f"[{done}/{len(notebooks)}] {run.name}.ipynb {status} in {run.seconds:.1f} s")
                if run.error:
                    for other in futures:
                        other.cancel()
                    raise ReproduceError(f"notebook {run.name}.ipynb failed: {run.error}\n"
                                         f"The previous results in {out} are unchanged.")
                maker = f"notebooks/{run.name}.ipynb"
                makers[f"notebooks/{run.name}.ipynb"] = (maker, used[run.name])
                _merge_part(staging / "parts" / run.name, staging, maker, used[run.name], makers)
        shutil.rmtree(staging / "parts", ignore_errors=True)
        report = write_report(analysis, staging, lang)
        progress(f"report: {report.name} written; all notebooks ran in {time.perf_counter() - start:.1f} s")
        makers["report.html"] = ("repro.report.write_report", {"lang": lang})
        manifest = _manifest(staging, analysis, parameters, makers)
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out


def _replace(staging: Path, out: Path) -> None:
    """Swap the finished folder in for the old one, with two renames on the same file system."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
