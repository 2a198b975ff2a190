"""``repro verify``: does a results folder hold the committed reference of the paper's reproduction?
And ``repro verify --update``: make a results folder the new reference.

The reference (``reference/`` in the repository, inside the package when installed) is a manifest of
every output file's SHA-256 with the headline numbers, plus copies of the files a readable comparison
needs (numbers and other JSON, CSV tables, PNG and PDF figures, executed notebooks, and the report's
text with its images named by the figure files they are). Like matplotlib's baseline images and
pytest-mpl's hash library, it turns "did it run?" into "are these the published results?".

Every file gets one of three verdicts:

- identical: the same bytes (on the Python and packages of the lock, on this machine, every file is);
- equivalent within tolerance: other bytes, the same contents within the tolerance stated by
  :mod:`repro.pipeline.equivalence` (a float's 17th digit, another zlib, the kernel's Python version);
- differs, told in a reviewer's terms: a number by its key, a CSV cell by row and column, a figure by
  its RMS pixel difference (with the difference image written to a folder beside the results,
  ``verify-diff/``, never into them), a notebook by its cell, any other file by its hash.

Exit codes: 0 nothing differs beyond the tolerance (with ``--exact``: every file identical), 1
something differs, 2 a usage mistake (not a results folder, no reference committed), 3 no reference
for this analysis (a student's data, or other parameters than the reference's): nothing to compare,
which is said plainly.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from repro import __version__, paths
from repro.pipeline import equivalence
from repro.pipeline.equivalence import Judgement
from repro.pipeline.outdir import (MANIFEST, check_output_folder, files_not_as_listed, output_files, read_manifest,
                                   sha256, staged_output, write_manifest)

#: Files copied into the reference because they are compared by their contents.
COPIED_SUFFIXES = (".json", ".csv", ".png", ".pdf", ".ipynb")
#: The report, kept in the reference as its text, each embedded image named by the figure it is.
REPORT = "report.html"
#: Where the copies sit inside ``reference/``.
COPIES = "results"
#: The numbers file whose contents are the headline.
HEADLINE_FILE = "numbers/force_field.json"
#: The folder next to the results where difference images go, unless told otherwise.
DIFF_DIR = "verify-diff"
#: Lines of detail per file; the rest are counted.
DETAIL_LINES = 8

IDENTICAL, DIFFERENT, NO_REFERENCE = 0, 1, 3


class VerifyError(Exception):
    """Verification or update cannot start (a usage mistake: exit 2); nothing was written."""


@dataclass
class Difference:
    """One file that is not byte for byte as in the reference, and how: ``what`` says whether it is
    equivalent within the tolerance or differs, ``details`` why."""

    file: str
    what: str
    details: list[str] = field(default_factory=list)


@dataclass
class Verification:
    """The outcome of :func:`verify`: how many files are identical, which are equivalent within the
    tolerance, which differ."""

    status: int
    total: int = 0
    identical: int = 0
    equivalent: list[Difference] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    headline: str = ""
    message: str = ""
    diff_dir: Path | None = None
    exact: bool = False

    def lines(self) -> list[str]:
        """What ``repro verify`` prints."""
        if self.status == NO_REFERENCE:
            return [self.message]
        out = [self.headline] if self.headline else []
        out.append(f"{self.identical} identical, {len(self.equivalent)} equivalent within tolerance, "
                   f"{len(self.differences)} differ ({self.total} files in the reference; tolerance: "
                   f"{equivalence.STATED})")
        for kind in (self.equivalent, self.differences):
            for difference in kind:
                out.append(f"  {difference.file}: {difference.what}")
                shown = difference.details[:DETAIL_LINES]
                out += [f"      {line}" for line in shown]
                if len(difference.details) > len(shown):
                    out.append(f"      ... and {len(difference.details) - len(shown)} more")
        if self.exact and self.equivalent:
            out.append("--exact: only identical bytes pass, so the equivalent files count as differing.")
        if self.diff_dir is not None:
            out.append(f"Difference images are in {self.diff_dir}")
        return out


# --- what differs, file by file -------------------------------------------------------------------

def figure_difference(expected: Path, found: Path, diff_folder: Path, stem: str) -> list[str]:
    """The RMS pixel difference by matplotlib's own image comparison; writes the expected and found
    images and their difference image into ``diff_folder`` as ``stem-expected.png``,
    ``stem-found.png`` and ``stem-found-failed-diff.png``."""
    from matplotlib.testing.compare import compare_images
    from matplotlib.testing.exceptions import ImageComparisonFailure

    diff_folder.mkdir(parents=True, exist_ok=True)
    want = shutil.copyfile(expected, diff_folder / f"{stem}-expected.png")
    got = shutil.copyfile(found, diff_folder / f"{stem}-found.png")
    unreadable = equivalence.unreadable_png(want.read_bytes(), got.read_bytes())
    if unreadable:  # nothing to draw a difference from; both files are there to look at
        return [unreadable]
    try:
        result = compare_images(str(want), str(got), tol=0, in_decorator=True)
    except ImageComparisonFailure as exc:  # different sizes
        return [str(exc).strip()]
    except (OSError, SyntaxError, ValueError) as exc:  # a file that is not a readable PNG
        return [f"not a readable PNG image ({exc}); no difference image"]
    return [f"RMS pixel difference {result['rms']:.4f} (0-255 scale; more than {equivalence.RMS_THRESHOLD:g}); "
            f"difference image {Path(result['diff']).name}"]


def _judge(rel: str, copy: Path, found: Path) -> Judgement:
    """The judgement of one file whose bytes differ from the reference's copy (figures, the report
    and the manifest aside: they depend on other files' judgements)."""
    if rel.endswith(".ipynb"):
        return equivalence.notebook_judgement(copy, found)
    if rel.endswith(".csv"):
        return equivalence.csv_judgement(copy, found)
    if rel.endswith(".json"):
        return equivalence.json_judgement(copy, found)
    if rel.endswith(".pdf"):
        return equivalence.pdf_judgement(copy, found)
    return equivalence.text_judgement(copy.read_text(encoding="utf-8", errors="replace"),
                                      found.read_text(encoding="utf-8", errors="replace"))


def _figure_names(files: dict[str, str]) -> dict[str, str]:
    """SHA-256 -> path, for the PNG figures among ``files`` (path -> SHA-256)."""
    return {digest: rel for rel, digest in sorted(files.items()) if rel.endswith(".png")}


# --- the reference --------------------------------------------------------------------------------

def _results_manifest(results: Path) -> dict:
    manifest = read_manifest(results)
    if manifest is None or "inputs_sha256" not in manifest:
        raise VerifyError(f"{results}: is not a results folder of repro reproduce (it has no manifest.json of "
                          "ours); give the folder repro reproduce wrote, such as results.")
    return manifest


def _reference_manifest(reference: Path) -> dict:
    manifest = read_manifest(reference)
    if manifest is None or "expected" not in manifest:
        raise VerifyError(f"{reference}: holds no reference; make one with `repro verify --update RESULTS` "
                          "from a reproduction of the paper's data.")
    return manifest


def _actual_files(results: Path) -> dict[str, Path]:
    """The output files of ``results`` by relative path (its seal, which only says whose it is, left out)."""
    return {p.relative_to(results).as_posix(): p for p in output_files(results)}


def _headline(results: Path, reference: dict) -> str:
    """One line with the headline numbers found, and whether they are the reference's."""
    path = results / HEADLINE_FILE
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return f"headline numbers: {HEADLINE_FILE} missing or unreadable"
    shown = ", ".join(f"{k} {v}" for k, v in found.items() if not isinstance(v, (list, dict)))
    same = found == reference.get("headline")
    return f"headline numbers: {shown} ({'as in the reference' if same else 'NOT as in the reference'})"


def _no_reference_for(manifest: dict, reference: dict) -> str | None:
    """Why the results cannot be compared with the reference (another analysis, other parameters), or None."""
    made_from = reference["made_from"]
    inputs, expected_inputs = manifest.get("inputs_sha256") or {}, made_from["inputs_sha256"]
    if inputs != expected_inputs:
        differing = sorted(n for n in set(inputs) | set(expected_inputs) if inputs.get(n) != expected_inputs.get(n))
        return (f"There is no reference for this analysis: these results were made from "
                f"{manifest.get('data_folder', 'another folder')!r}, and the reference from {made_from['data_folder']!r} "
                f"(the paper's data); the input files {', '.join(differing)} differ. The reference verifies the paper's "
                "reproduction only, from the data it was made from; nothing was compared."
                + (" If the paper's data were changed on purpose, make the reference anew: repro verify --update RESULTS."
                   if manifest.get("data_folder") == made_from["data_folder"] else ""))
    if manifest.get("parameters") != made_from["parameters"]:
        differing = sorted(k for k in set(manifest.get("parameters", {})) | set(made_from["parameters"])
                           if manifest.get("parameters", {}).get(k) != made_from["parameters"].get(k))
        settings = ", ".join(f"{k}={made_from['parameters'].get(k)!r} (these: {manifest.get('parameters', {}).get(k)!r})"
                             for k in differing)
        return (f"There is no reference for these settings: the reference was made with {settings}. "
                "Run repro reproduce with the reference's settings to verify; nothing was compared.")
    return None


def reference_applies(results: str | Path, reference: str | Path | None = None) -> bool:
    """Whether the committed reference was made from the inputs and settings ``results`` were: only
    then has :func:`verify` something to compare them with."""
    reference = Path(reference) if reference is not None else paths.REFERENCE
    try:
        return _no_reference_for(_results_manifest(Path(results)), _reference_manifest(reference)) is None
    except VerifyError:
        return False


def verify(results: str | Path, reference: str | Path | None = None, diff_dir: str | Path | None = None,
           exact: bool = False) -> Verification:
    """Compare ``results`` with the committed reference, file by file: identical, equivalent within the
    tolerance (:mod:`repro.pipeline.equivalence`), or different.

    Parameters
    ----------
    results
        A folder written by ``repro reproduce``.
    reference
        The reference folder (default: :data:`repro.paths.REFERENCE`).
    diff_dir
        Where difference images go (default: ``verify-diff`` beside ``results``); written only when
        a figure differs beyond the tolerance, through the same safe-folder rules as every output.
    exact
        Demand identical bytes: an equivalent file then fails the verification too.

    Raises
    ------
    VerifyError
        ``results`` is not a results folder, or there is no reference.
    """
    results = Path(results)
    reference = Path(reference) if reference is not None else paths.REFERENCE
    if not results.is_dir():
        raise VerifyError(f"{results}: no such folder; give the folder repro reproduce wrote, such as results.")
    manifest = _results_manifest(results)
    expected_manifest = _reference_manifest(reference)
    why_not = _no_reference_for(manifest, expected_manifest)
    if why_not:
        return Verification(NO_REFERENCE, message=why_not)
    expected: dict[str, str] = expected_manifest["expected"]
    found = _actual_files(results)
    found_hashes = {rel: sha256(path) for rel, path in found.items()}
    verification = Verification(IDENTICAL, total=len(expected), headline=_headline(results, expected_manifest),
                                exact=exact)
    judged: dict[str, Judgement] = {}
    for rel, want_hash in sorted(expected.items()):
        copy = reference / COPIES / rel
        if rel not in found:
            verification.differences.append(Difference(rel, "missing (in the reference, not in the results)"))
        elif found_hashes[rel] == want_hash:
            verification.identical += 1
        elif rel in (MANIFEST, REPORT):
            continue  # judged below, from the other files' judgements
        elif not copy.is_file():
            verification.differences.append(Difference(rel, "differs (SHA-256 of the bytes; no copy kept to compare)"))
        elif rel.endswith(".png"):
            judged[rel] = equivalence.png_judgement(copy.read_bytes(), found[rel].read_bytes())
        else:
            judged[rel] = _judge(rel, copy, found[rel])
    for rel in (REPORT, MANIFEST):
        copy = reference / COPIES / rel
        if rel not in found or found_hashes[rel] == expected.get(rel) or rel not in expected:
            continue
        if not copy.is_file():
            verification.differences.append(Difference(rel, "differs (SHA-256 of the bytes; no copy kept to compare)"))
        elif rel == REPORT:
            found_text = equivalence.report_text(found[rel].read_text(encoding="utf-8"), _figure_names(found_hashes))
            judged[rel] = equivalence.report_judgement(copy.read_text(encoding="utf-8"), found_text, judged)
        else:
            # The manifest records every file's hash: those differences are each file's own, judged above.
            judged[rel] = equivalence.json_judgement(
                copy, found[rel], ignore=lambda key: key.startswith("files.") and key.endswith(".sha256")
                and key[len("files."):-len(".sha256")] in expected,
                ignored="differ: the hashes of files judged above, each on its own")
    figures = []
    for rel, judgement in judged.items():
        if judgement.equivalent:
            verification.equivalent.append(Difference(rel, "equivalent within tolerance", judgement.notes))
        elif rel.endswith(".png"):
            figures.append((rel, reference / COPIES / rel, found[rel]))
        else:
            verification.differences.append(Difference(rel, "differs", judgement.problems))
    if figures:
        diff_folder = Path(diff_dir) if diff_dir is not None else results.parent / DIFF_DIR
        verification.differences += _figure_differences(figures, diff_folder)
        verification.diff_dir = diff_folder
    for rel in sorted(set(found) - set(expected)):
        verification.differences.append(Difference(rel, "extra (in the results, not in the reference)"))
    verification.differences.sort(key=lambda d: d.file)
    verification.equivalent.sort(key=lambda d: d.file)
    if verification.differences or (exact and verification.equivalent):
        verification.status = DIFFERENT
    return verification


def _figure_differences(figures: list[tuple[str, Path, Path]], diff_folder: Path) -> list[Difference]:
    """The differing figures, with their difference images written into ``diff_folder`` (checked,
    staged, swapped)."""
    out = check_output_folder(diff_folder)
    differences = []
    with staged_output(out) as staging:
        for rel, want, got in figures:
            stem = rel[: -len(".png")].replace("/", "__")
            differences.append(Difference(rel, "differs", figure_difference(want, got, staging, stem)))
        write_manifest(staging, {"version": __version__, "made_by": "repro verify"})
    return differences


def update_reference(results: str | Path, reference: str | Path | None = None,
                     paper_data: str | Path | None = None) -> tuple[Path, int, int]:
    """Make ``results`` the committed reference: its files' hashes, headline numbers and copies.

    Refuses (VerifyError) a folder that is not an untouched results folder, or that was not made
    from the paper's data (``paper_data``, default ``data/``) with ``repro reproduce``'s default
    settings. Returns the reference folder, the number of files and the number copied.
    """
    from repro.data import load_analysis
    from repro.pipeline.reproduce import DEFAULT_FORMATS, DEFAULT_LANG

    if reference is None and paths.REPOSITORY is None:
        raise VerifyError("repro verify --update rewrites the clone's reference/, and this repro is installed from a "
                          "wheel (its reference is part of the package, never written); run it from the clone, or "
                          "give another folder with --reference FOLDER (nothing was written).")
    results = Path(results)
    reference = Path(reference) if reference is not None else paths.REFERENCE
    paper_data = Path(paper_data) if paper_data is not None else paths.PAPER_DATA
    if not results.is_dir():
        raise VerifyError(f"{results}: no such folder; give the folder repro reproduce wrote, such as results.")
    manifest = _results_manifest(results)
    # Results made by anyone (another user, CI) may become the reference, provided they are exactly
    # as their manifest lists them: the reference is reviewed in git's diff, not trusted for its maker.
    strangers, changed = files_not_as_listed(results) or ([], [])
    if strangers or changed:
        raise VerifyError(f"{results}: holds files repro did not write or that changed since "
                          f"({', '.join((strangers + changed)[:5])}); a reference must be an untouched reproduction.")
    if manifest["inputs_sha256"] != load_analysis(paper_data).input_hashes():
        raise VerifyError(f"{results}: was made from {manifest.get('data_folder')!r}, not from the paper's data as "
                          f"they are now ({paths.shown_folder(paper_data)}); the reference is the paper's reproduction "
                          "only (nothing was written).")
    wanted = {"data_dir": paths.shown_folder(paper_data), "lang": DEFAULT_LANG, "formats": list(DEFAULT_FORMATS)}
    if manifest.get("parameters") != wanted:
        raise VerifyError(f"{results}: was made with settings {manifest.get('parameters')}, not repro reproduce's "
                          f"defaults {wanted}; the reference is the default reproduction (nothing was written).")
    found = _actual_files(results)
    hashes = {rel: sha256(path) for rel, path in found.items()}
    headline = json.loads((results / HEADLINE_FILE).read_text(encoding="utf-8")) if HEADLINE_FILE in found else {}
    # The reference is tracked by git: it may be replaced when this user's repro sealed it, or when git
    # holds every file of it unchanged (a fresh clone's), since git then gives back whatever is replaced.
    out = check_output_folder(reference, tracked_by_git=True)
    copied = 0
    with staged_output(out, tracked_by_git=True) as staging:
        for rel, path in found.items():
            target = staging / COPIES / rel
            if rel.endswith(COPIED_SUFFIXES):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                copied += 1
            elif rel == REPORT:  # its text only: the figures it embeds are kept once, as figures
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(equivalence.report_text(path.read_text(encoding="utf-8"), _figure_names(hashes)),
                                  encoding="utf-8")
                copied += 1
        (staging / "README.md").write_text(_README, encoding="utf-8")
        write_manifest(staging, {
            "version": __version__, "kind": "reference",
            "made_from": {"data_folder": manifest["data_folder"], "inputs_sha256": manifest["inputs_sha256"],
                          "parameters": manifest["parameters"]},
            "headline": headline, "expected": hashes})
    return out, len(found), copied


_README = """# The reference reproduction

What `repro reproduce` writes for the paper's data with its default settings, committed so that a
reviewer can check a fresh reproduction against it: `repro verify results` compares every file.

- `manifest.json`: `expected` holds the SHA-256 of every file of the results folder, `headline` the
  headline numbers, `made_from` the inputs' hashes and the settings; `files` lists this folder.
- `results/`: copies of the files compared by their contents (numbers and other JSON, CSV tables,
  PNG and PDF figures, executed notebooks), and the report's text with each embedded image named by
  the figure file it is (`data:image/png;figure=...`). SVG is checked by its hash alone.

`repro verify` calls a file identical (the same bytes), equivalent within the tolerance it states
(numbers, figures' pixels), or different.

Written by `repro verify --update results`; never edit it by hand.
"""
