"""``repro verify``: does a results folder hold exactly the committed reference of the paper's
reproduction? And ``repro verify --update``: make a results folder the new reference.

The reference (``reference/`` in the repository) is a manifest of every output file's SHA-256 with
the headline numbers, plus copies of the files a readable difference needs (numbers and other JSON,
CSV tables, PNG figures, executed notebooks; SVG, PDF and the report are checked by hash alone).
Like matplotlib's baseline images and pytest-mpl's hash library, it turns "did it run?" into "are
these the published results?". Each difference is told in a reviewer's terms:

- JSON (numbers): the key, the expected value and the value found;
- CSV: the row (header = row 1), the column, both values;
- PNG: the RMS pixel difference (:func:`matplotlib.testing.compare.compare_images`), with the
  difference image written to a folder beside the results (``verify-diff/``, never into them);
- notebooks: the cell (counted from 1, and its first line) whose source or output differs;
- other files: the hashes differ.

Exit codes: 0 identical, 1 something differs, 2 a usage mistake (not a results folder, no reference
committed), 3 no reference for this analysis (a student's data, or other parameters than the
reference's): nothing to compare, which is said plainly.
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from repro import __version__, paths
from repro.pipeline.outdir import (MANIFEST, check_output_folder, files_not_as_listed, output_files, read_manifest,
                                   sha256, staged_output, write_manifest)

#: Files copied into the reference because a difference in them is shown in detail.
COPIED_SUFFIXES = (".json", ".csv", ".png", ".ipynb")
#: Where the copies sit inside ``reference/``.
COPIES = "results"
#: The numbers file whose contents are the headline.
HEADLINE_FILE = "numbers/force_field.json"
#: The folder next to the results where difference images go, unless told otherwise.
DIFF_DIR = "verify-diff"
#: Lines of detail per differing file; the rest are counted.
DETAIL_LINES = 8

IDENTICAL, DIFFERENT, NO_REFERENCE = 0, 1, 3


class VerifyError(Exception):
    """Verification or update cannot start (a usage mistake: exit 2); nothing was written."""


@dataclass
class Difference:
    """One file that is not as in the reference, and how."""

    file: str
    what: str
    details: list[str] = field(default_factory=list)


@dataclass
class Verification:
    """The outcome of :func:`verify`."""

    status: int
    total: int = 0
    identical: int = 0
    differences: list[Difference] = field(default_factory=list)
    headline: str = ""
    message: str = ""
    diff_dir: Path | None = None

    def lines(self) -> list[str]:
        """What ``repro verify`` prints."""
        if self.status == NO_REFERENCE:
            return [self.message]
        out = [f"{self.identical}/{self.total} files identical to the reference"]
        if self.headline:
            out.insert(0, self.headline)
        for difference in self.differences:
            out.append(f"  {difference.file}: {difference.what}")
            shown = difference.details[:DETAIL_LINES]
            out += [f"      {line}" for line in shown]
            if len(difference.details) > len(shown):
                out.append(f"      ... and {len(difference.details) - len(shown)} more")
        if self.diff_dir is not None:
            out.append(f"Difference images are in {self.diff_dir}")
        return out


# --- what differs, file by file -------------------------------------------------------------------

def _flatten(value, prefix: str = "") -> dict[str, object]:
    """Nested JSON as ``{"a.b[2].c": leaf}``."""
    if isinstance(value, dict):
        flat = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat or {prefix: {}}
    if isinstance(value, list):
        flat = {}
        for index, inner in enumerate(value):
            flat.update(_flatten(inner, f"{prefix}[{index}]"))
        return flat or {prefix: []}
    return {prefix: value}


def _shown(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_differences(expected: Path, found: Path) -> list[str]:
    """Each key whose value differs: ``key: expected X, found Y`` (or absent)."""
    try:
        want = _flatten(json.loads(expected.read_text(encoding="utf-8")))
        got = _flatten(json.loads(found.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not readable as JSON ({exc})"]
    lines = []
    for key in sorted(set(want) | set(got)):
        if key not in got:
            lines.append(f"{key}: expected {_shown(want[key])}, absent")
        elif key not in want:
            lines.append(f"{key}: not in the reference, found {_shown(got[key])}")
        elif want[key] != got[key] or type(want[key]) is not type(got[key]):
            lines.append(f"{key}: expected {_shown(want[key])}, found {_shown(got[key])}")
    return lines


def _read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def csv_differences(expected: Path, found: Path) -> list[str]:
    """Each cell that differs: ``row R (id X), column C: expected A, found B``; the header is row 1."""
    want, got = _read_rows(expected), _read_rows(found)
    header = want[0] if want else []
    lines = []
    if want[:1] != got[:1]:
        lines.append(f"row 1 (header): expected {', '.join(header)}; found {', '.join(got[0] if got else [])}")
    for index in range(1, max(len(want), len(got))):
        row_number = index + 1
        if index >= len(got):
            lines.append(f"row {row_number}: expected {', '.join(want[index])}; absent")
            continue
        if index >= len(want):
            lines.append(f"row {row_number}: not in the reference, found {', '.join(got[index])}")
            continue
        label = f" (id {want[index][0]})" if want[index] else ""
        for column in range(max(len(want[index]), len(got[index]))):
            a = want[index][column] if column < len(want[index]) else "(absent)"
            b = got[index][column] if column < len(got[index]) else "(absent)"
            if a != b:
                name = header[column] if column < len(header) else f"#{column + 1}"
                lines.append(f"row {row_number}{label}, column {name}: expected {a}, found {b}")
    return lines


def figure_difference(expected: Path, found: Path, diff_folder: Path, stem: str) -> list[str]:
    """The RMS pixel difference by matplotlib's own image comparison; writes the expected and found
    images and their difference image into ``diff_folder`` as ``stem-expected.png``,
    ``stem-found.png`` and ``stem-found-failed-diff.png``."""
    from matplotlib.testing.compare import compare_images
    from matplotlib.testing.exceptions import ImageComparisonFailure

    diff_folder.mkdir(parents=True, exist_ok=True)
    want = shutil.copyfile(expected, diff_folder / f"{stem}-expected.png")
    got = shutil.copyfile(found, diff_folder / f"{stem}-found.png")
    try:
        result = compare_images(str(want), str(got), tol=0, in_decorator=True)
    except ImageComparisonFailure as exc:  # different sizes
        return [str(exc).strip()]
    if result is None:
        return ["the pixels are identical; the files differ in their metadata only"]
    return [f"RMS pixel difference {result['rms']:.4f} (0-255 scale); difference image "
            f"{Path(result['diff']).name}"]


def _first_line(source) -> str:
    text = "".join(source) if isinstance(source, list) else str(source)
    return next((line.strip() for line in text.splitlines() if line.strip()), "(empty)")


def _outputs_text(outputs: list) -> list[str]:
    """A cell's outputs as comparable lines (images by a short hash, so a changed pixel shows)."""
    import hashlib

    lines = []
    for output in outputs:
        if "text" in output:
            lines += "".join(output["text"]).splitlines()
        for mime, value in sorted(output.get("data", {}).items()):
            value = "".join(value) if isinstance(value, list) else value
            if mime.startswith("image/"):
                lines.append(f"<{mime}, sha256 {hashlib.sha256(str(value).encode()).hexdigest()[:12]}>")
            elif mime == "text/plain":
                lines += str(value).splitlines()
        if output.get("output_type") == "error":
            lines.append(f"{output.get('ename')}: {output.get('evalue')}")
    return lines


def notebook_differences(expected: Path, found: Path) -> list[str]:
    """Each cell (counted from 1, as a reader counts them, with its first line) whose source or
    output differs, with the first differing output line."""
    try:
        want = json.loads(expected.read_text(encoding="utf-8"))
        got = json.loads(found.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not readable as a notebook ({exc})"]
    lines = []
    cells_want, cells_got = want.get("cells", []), got.get("cells", [])
    if len(cells_want) != len(cells_got):
        lines.append(f"{len(cells_want)} cells expected, {len(cells_got)} found")
    for number, (a, b) in enumerate(zip(cells_want, cells_got), start=1):
        where = f"cell {number} ({_first_line(a.get('source', ''))})"
        if a.get("source") != b.get("source"):
            lines.append(f"{where}: source differs")
        elif a.get("outputs") != b.get("outputs"):
            out_a, out_b = _outputs_text(a.get("outputs", [])), _outputs_text(b.get("outputs", []))
            first = next((i for i, (x, y) in enumerate(zip(out_a, out_b)) if x != y), min(len(out_a), len(out_b)))
            shown_a = out_a[first] if first < len(out_a) else "(nothing)"
            shown_b = out_b[first] if first < len(out_b) else "(nothing)"
            if shown_a == shown_b:
                lines.append(f"{where}: output differs (in its metadata or formatting)")
            else:
                lines.append(f"{where}: output differs: expected {shown_a!r}, found {shown_b!r}")
        elif a.get("execution_count") != b.get("execution_count") or a.get("metadata") != b.get("metadata"):
            lines.append(f"{where}: execution count or cell metadata differs")
    if not lines and want.get("metadata") != got.get("metadata"):
        lines.append("the notebook's metadata differs")
    return lines


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


def verify(results: str | Path, reference: str | Path | None = None, diff_dir: str | Path | None = None) -> Verification:
    """Compare ``results`` with the committed reference, file by file.

    Parameters
    ----------
    results
        A folder written by ``repro reproduce``.
    reference
        The reference folder (default: ``reference/`` in the repository).
    diff_dir
        Where difference images go (default: ``verify-diff`` beside ``results``); written only when
        a figure differs, through the same safe-folder rules as every output.

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
    verification = Verification(IDENTICAL, total=len(expected), headline=_headline(results, expected_manifest))
    diff_folder = Path(diff_dir) if diff_dir is not None else results.parent / DIFF_DIR
    figures: list[tuple[str, Path, Path]] = []
    for rel, want_hash in sorted(expected.items()):
        if rel not in found:
            verification.differences.append(Difference(rel, "missing (in the reference, not in the results)"))
            continue
        if sha256(found[rel]) == want_hash:
            verification.identical += 1
            continue
        copy = reference / COPIES / rel
        if not copy.is_file():
            verification.differences.append(Difference(rel, "differs (SHA-256 of the bytes; no copy kept to compare)"))
        elif rel.endswith(".png"):
            figures.append((rel, copy, found[rel]))
        elif rel.endswith(".ipynb"):
            verification.differences.append(Difference(rel, "differs", notebook_differences(copy, found[rel])))
        elif rel.endswith(".csv"):
            verification.differences.append(Difference(rel, "differs", csv_differences(copy, found[rel])))
        elif rel.endswith(".json"):
            details = json_differences(copy, found[rel])
            note = " (it records the hashes of the files above)" if rel == MANIFEST else ""
            verification.differences.append(Difference(rel, "differs" + note, details))
        else:
            verification.differences.append(Difference(rel, "differs"))
    if figures:
        verification.differences += _figure_differences(figures, diff_folder)
        verification.diff_dir = diff_folder
    for rel in sorted(set(found) - set(expected)):
        verification.differences.append(Difference(rel, "extra (in the results, not in the reference)"))
    verification.differences.sort(key=lambda d: d.file)
    if verification.differences:
        verification.status = DIFFERENT
    return verification


def _figure_differences(figures: list[tuple[str, Path, Path]], diff_folder: Path) -> list[Difference]:
    """Compare the differing figures, writing the images into ``diff_folder`` (checked, staged, swapped)."""
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
    headline = json.loads((results / HEADLINE_FILE).read_text(encoding="utf-8")) if HEADLINE_FILE in found else {}
    # The reference is tracked by git: it may be replaced when this user's repro sealed it, or when git
    # holds every file of it unchanged (a fresh clone's), since git then gives back whatever is replaced.
    out = check_output_folder(reference, tracked_by_git=True)
    copied = 0
    with staged_output(out, tracked_by_git=True) as staging:
        for rel, path in found.items():
            if rel.endswith(COPIED_SUFFIXES):
                target = staging / COPIES / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                copied += 1
        (staging / "README.md").write_text(_README, encoding="utf-8")
        write_manifest(staging, {
            "version": __version__, "kind": "reference",
            "made_from": {"data_folder": manifest["data_folder"], "inputs_sha256": manifest["inputs_sha256"],
                          "parameters": manifest["parameters"]},
            "headline": headline, "expected": {rel: sha256(path) for rel, path in found.items()}})
    return out, len(found), copied


_README = """# The reference reproduction

What `repro reproduce` writes for the paper's data with its default settings, committed so that a
reviewer can check a fresh reproduction against it: `repro verify results` compares every file.

- `manifest.json`: `expected` holds the SHA-256 of every file of the results folder, `headline` the
  headline numbers, `made_from` the inputs' hashes and the settings; `files` lists this folder.
- `results/`: copies of the files a readable difference needs (numbers and other JSON, CSV tables,
  PNG figures, executed notebooks). SVG, PDF and the report are checked by their hashes alone.

Written by `repro verify --update results`; never edit it by hand.
"""
