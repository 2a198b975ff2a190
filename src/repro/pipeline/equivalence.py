"""The second verdict of ``repro verify``: two files whose bytes differ but whose contents are the same
within a stated tolerance.

Another Python, operating system or processor can print a float's last digit differently, compress a
PDF's streams into other bytes, record its own version in a notebook, or antialias a pixel one shade
off. None of that changes a result, so each kind of file is compared by its contents:

- numbers (in JSON, in CSV cells, in any text) are equal within :data:`RELATIVE_TOLERANCE` (or
  :data:`ABSOLUTE_TOLERANCE` near zero), unless both are whole numbers written without a decimal
  point (counts, ranks, ids, dates), which must be equal; all other text must be the same;
- PNG figures differ by an RMS pixel difference of at most :data:`RMS_THRESHOLD` (0-255 scale,
  :func:`matplotlib.testing.compare.calculate_rms`, as matplotlib's own image tests measure it);
- PDF figures have the same objects, read by pypdf with every stream decompressed;
- notebooks have the same cells, sources and outputs (their images as PNG figures); the notebook's
  ``language_info.version``, the version of the Python its kernel ran, is not a result;
- the report has the same text, and embeds the same figures (each judged as a figure).

Each ``*_judgement`` function returns a :class:`Judgement`: ``problems`` (what differs beyond the
tolerance; none means equivalent) and ``notes`` (what differs within it).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Numbers are equal when they differ by at most this fraction of the larger one ...
RELATIVE_TOLERANCE = 1e-9
#: ... or, near zero, by at most this much.
ABSOLUTE_TOLERANCE = 1e-12
#: Figures are equal when their RMS pixel difference (0-255 scale) is at most this. One letter changed
#: in the largest figure (the 9x9 lotus, 1852 x 1852 pixels) measures 0.33, one pixel turned from white
#: to black in it 0.14: both are caught.
RMS_THRESHOLD = 0.1

#: How the tolerance is stated in what ``repro verify`` prints.
STATED = (f"numbers within {RELATIVE_TOLERANCE:g} relative ({ABSOLUTE_TOLERANCE:g} absolute near zero), "
          f"figures within RMS {RMS_THRESHOLD:g} of 255")

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_EMBEDDED_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


@dataclass
class Judgement:
    """What differs beyond the tolerance (``problems``: none means equivalent) and within it (``notes``)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def equivalent(self) -> bool:
        return not self.problems

    def add(self, other: "Judgement", prefix: str = "") -> None:
        self.problems += [prefix + line for line in other.problems]
        self.notes += [prefix + line for line in other.notes]


def numbers_close(a: float, b: float) -> bool:
    """Whether two numbers are equal within the tolerance (NaN equals NaN: both are "undefined")."""
    if isinstance(a, int) and isinstance(b, int):  # whole numbers count things: no tolerance
        return a == b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)


def _shown(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def text_judgement(want: str, got: str) -> Judgement:
    """Two texts: the same words, and numbers equal within the tolerance."""
    if want == got:
        return Judgement()
    words_want, words_got = _NUMBER.split(want), _NUMBER.split(got)
    numbers_want, numbers_got = _NUMBER.findall(want), _NUMBER.findall(got)
    if words_want != words_got:
        first = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
        start = max(0, first - 20)
        return Judgement([f"expected {_shown(want[start:start + 60])}, found {_shown(got[start:start + 60])}"])
    for a, b in zip(numbers_want, numbers_got):
        if not numbers_close(_parsed(a), _parsed(b)):
            return Judgement([f"expected {a}, found {b}"])
    changed = [(a, b) for a, b in zip(numbers_want, numbers_got) if a != b]
    return Judgement(notes=[f"{len(changed)} number{'s' if len(changed) != 1 else ''} within the tolerance "
                            f"(e.g. {changed[0][0]} and {changed[0][1]})"])


def _parsed(token: str) -> int | float:
    """A number as written: a whole number without a decimal point or exponent is an int."""
    return int(token) if token.lstrip("+-").isdigit() else float(token)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def value_judgement(want, got, where: str = "") -> Judgement:
    """Two JSON-like values, compared member by member: numbers within the tolerance, strings as texts."""
    label = f"{where}: " if where else ""
    if _is_number(want) and _is_number(got):
        if want == got:
            return Judgement()
        if numbers_close(want, got):
            return Judgement(notes=[f"{label}{want!r} and {got!r} within the tolerance"])
        return Judgement([f"{label}expected {json.dumps(want)}, found {json.dumps(got)}"])
    if isinstance(want, str) and isinstance(got, str):
        judged = text_judgement(want, got)
        return Judgement([label + p for p in judged.problems], [label + n for n in judged.notes])
    if isinstance(want, dict) and isinstance(got, dict):
        judged = Judgement()
        for key in sorted(set(want) | set(got), key=str):
            inner = f"{where}.{key}" if where else str(key)
            if key not in got:
                judged.problems.append(f"{inner}: expected {json.dumps(want[key], ensure_ascii=False)[:60]}, absent")
            elif key not in want:
                judged.problems.append(f"{inner}: not in the reference, found {json.dumps(got[key], ensure_ascii=False)[:60]}")
            else:
                judged.add(value_judgement(want[key], got[key], inner))
        return judged
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return Judgement([f"{label}{len(want)} items expected, {len(got)} found"])
        judged = Judgement()
        for index, (a, b) in enumerate(zip(want, got)):
            judged.add(value_judgement(a, b, f"{where}[{index}]"))
        return judged
    if want == got and type(want) is type(got):
        return Judgement()
    return Judgement([f"{label}expected {json.dumps(want, ensure_ascii=False)}, found {json.dumps(got, ensure_ascii=False)}"])


def json_judgement(expected: Path, found: Path, ignore=lambda key: False, ignored: str = "") -> Judgement:
    """Two JSON files, key by key; ``ignore(key)`` names keys whose difference is accounted for elsewhere
    (``ignored`` says how, in the note that counts them)."""
    try:
        want = json.loads(expected.read_text(encoding="utf-8"))
        got = json.loads(found.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Judgement([f"not readable as JSON ({exc})"])
    judged = value_judgement(want, got)
    kept = Judgement(problems=[p for p in judged.problems if not ignore(p.split(":", 1)[0])], notes=judged.notes)
    if len(kept.problems) < len(judged.problems):
        n = len(judged.problems) - len(kept.problems)
        kept.notes.append(f"{n} value{'s' if n != 1 else ''} {ignored or 'accounted for elsewhere'}")
    return kept


def _read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _cell_equal(a: str, b: str) -> bool | None:
    """True if the same text, None if both are numbers within the tolerance, False otherwise."""
    if a == b:
        return True
    try:
        return None if numbers_close(_parsed(a), _parsed(b)) else False
    except ValueError:
        return False


def csv_judgement(expected: Path, found: Path) -> Judgement:
    """Two CSV tables, cell by cell (the header is row 1): each cell the same, or both numbers within
    the tolerance."""
    want, got = _read_rows(expected), _read_rows(found)
    header = want[0] if want else []
    judged = Judgement()
    if want[:1] != got[:1]:
        judged.problems.append(f"row 1 (header): expected {', '.join(header)}; found {', '.join(got[0] if got else [])}")
    within = 0
    for index in range(1, max(len(want), len(got))):
        row_number = index + 1
        if index >= len(got):
            judged.problems.append(f"row {row_number}: expected {', '.join(want[index])}; absent")
            continue
        if index >= len(want):
            judged.problems.append(f"row {row_number}: not in the reference, found {', '.join(got[index])}")
            continue
        label = f" (id {want[index][0]})" if want[index] else ""
        for column in range(max(len(want[index]), len(got[index]))):
            a = want[index][column] if column < len(want[index]) else "(absent)"
            b = got[index][column] if column < len(got[index]) else "(absent)"
            same = _cell_equal(a, b)
            if same is None:
                within += 1
            elif not same:
                name = header[column] if column < len(header) else f"#{column + 1}"
                judged.problems.append(f"row {row_number}{label}, column {name}: expected {a}, found {b}")
    if within:
        judged.notes.append(f"{within} numeric cell{'s' if within != 1 else ''} within the tolerance")
    return judged


# --- figures ---------------------------------------------------------------------------------------

def _pixels(png: bytes):
    """A PNG's pixels as matplotlib's image comparison reads them: RGB, unless its alpha varies."""
    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    if image.mode != "RGBA" or image.getextrema()[3][0] == 255:
        image = image.convert("RGB")
    return np.asarray(image)


def unreadable_png(expected: bytes, found: bytes) -> str | None:
    """What of the two PNGs cannot be read as an image, said for a message (None when both can): a
    figure file damaged or replaced by something else is a difference, not a failure of the check."""
    from PIL import Image

    for which, png in (("the reference's copy", expected), ("the file", found)):
        try:
            with Image.open(io.BytesIO(png)) as image:
                image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):  # what Pillow raises for a damaged file
            return f"{which} cannot be read as a PNG image"
    return None


def png_rms(expected: bytes, found: bytes) -> float | None:
    """The RMS pixel difference of two PNGs (0-255 scale); None when their sizes differ."""
    from matplotlib.testing.compare import calculate_rms

    want, got = _pixels(expected), _pixels(found)
    if want.shape != got.shape:
        return None
    return float(calculate_rms(want, got))


def png_judgement(expected: bytes, found: bytes) -> Judgement:
    if expected == found:
        return Judgement()
    unreadable = unreadable_png(expected, found)
    if unreadable:
        return Judgement([unreadable])
    rms = png_rms(expected, found)
    if rms is None:
        return Judgement([f"the image sizes differ ({_pixels(expected).shape[1::-1]} expected, "
                          f"{_pixels(found).shape[1::-1]} found)"])
    if rms == 0:
        return Judgement(notes=["the pixels are identical; the files differ in their metadata only"])
    if rms <= RMS_THRESHOLD:
        return Judgement(notes=[f"RMS pixel difference {rms:.4f}, within {RMS_THRESHOLD:g}"])
    return Judgement([f"RMS pixel difference {rms:.4f} (0-255 scale; more than {RMS_THRESHOLD:g})"])


def _pdf_objects(path: Path) -> dict[int, object]:
    """Every object reachable from a PDF's trailer, by number, as plain values: dictionaries, lists,
    numbers, names and strings; a stream as its dictionary and its decompressed data (text where it
    is text); a reference as ``"-> N"``. Objects no page reaches (the lengths of compressed streams,
    which differ with the compressor) are left out."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject, StreamObject

    reader = PdfReader(path)
    objects: dict[int, object] = {}
    pending: list[int] = []

    def plain(value):
        if isinstance(value, IndirectObject):
            if value.idnum not in objects and value.idnum not in pending:
                pending.append(value.idnum)
            return f"-> {value.idnum}"
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items() if k not in ("/Length", "/Filter", "/DecodeParms")}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, bytes):
            return value.decode("latin-1")
        if _is_number(value):
            return float(value) if isinstance(value, float) else int(value)
        return str(value)

    root = plain({k: v for k, v in reader.trailer.items() if k not in ("/Size", "/ID")})
    while pending:
        number = pending.pop(0)
        objects[number] = None  # taken, so that a cycle (a page's /Parent) ends
        value = reader.get_object(number)
        if isinstance(value, StreamObject):
            data = value.get_data()
            try:
                shown: object = data.decode("ascii")  # content streams: operators and numbers
            except UnicodeDecodeError:
                shown = {"sha256": hashlib.sha256(data).hexdigest()}  # fonts and images: their bytes
            objects[number] = {"dictionary": plain(dict(value)), "data": shown}
        else:
            objects[number] = plain(value)
    return {0: root, **objects}


def pdf_judgement(expected: Path, found: Path) -> Judgement:
    """Two PDFs, object by object, their streams decompressed (another zlib compresses the same drawing
    into other bytes), their numbers within the tolerance."""
    try:
        want, got = _pdf_objects(expected), _pdf_objects(found)
    except Exception as exc:  # pypdf's errors for a damaged file are many; any of them means "not comparable"
        return Judgement([f"not readable as a PDF ({type(exc).__name__}: {exc})"])
    judged = value_judgement({str(k): v for k, v in want.items()}, {str(k): v for k, v in got.items()}, "object")
    if judged.equivalent and not judged.notes:
        judged.notes.append("the same objects and drawing; the compressed bytes differ")
    return judged


# --- notebooks and the report ---------------------------------------------------------------------

def _first_line(source) -> str:
    text = "".join(source) if isinstance(source, list) else str(source)
    return next((line.strip() for line in text.splitlines() if line.strip()), "(empty)")


def _joined(value):
    return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value


def _output_judgement(want: dict, got: dict) -> Judgement:
    """One cell output: its images as figures, everything else as values (texts joined from their lines)."""
    judged = Judgement()
    images_want = {m: v for m, v in want.get("data", {}).items() if m == "image/png"}
    images_got = {m: v for m, v in got.get("data", {}).items() if m == "image/png"}
    for mime in sorted(set(images_want) | set(images_got)):
        if mime in images_want and mime in images_got:
            judged.add(png_judgement(base64.b64decode(_joined(images_want[mime])), base64.b64decode(_joined(images_got[mime]))),
                       "image: ")
    rest = [{k: ({m: _joined(v) for m, v in value.items() if m != "image/png"} if k == "data" else _joined(value))
             for k, value in output.items()} for output in (want, got)]
    if set(images_want) != set(images_got):
        rest[0]["images"], rest[1]["images"] = sorted(images_want), sorted(images_got)
    judged.add(value_judgement(rest[0], rest[1]))
    return judged


#: Notebook metadata that describes the environment that ran it, not its results.
NOTEBOOK_ENVIRONMENT = ("language_info.version",)


def _coalesced(outputs: list) -> tuple[list, bool]:
    """A cell's outputs with consecutive pieces of one stream joined, as Jupyter shows them: a kernel
    sends a stream in as many messages as its flushes happen to make, which timing decides."""
    merged: list = []
    for output in outputs:
        if (merged and output.get("output_type") == "stream" and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == output.get("name")):
            merged[-1] = {**merged[-1], "text": _joined(merged[-1].get("text", "")) + _joined(output.get("text", ""))}
        else:
            merged.append(dict(output))
    return merged, len(merged) != len(outputs)


def _environment_value(notebook: dict, key: str):
    value = notebook.get("metadata", {})
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def notebook_judgement(expected: Path, found: Path) -> Judgement:
    """Two executed notebooks, cell by cell (counted from 1, with their first line): the same sources,
    metadata and outputs, within the tolerance."""
    try:
        want = json.loads(expected.read_text(encoding="utf-8"))
        got = json.loads(found.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Judgement([f"not readable as a notebook ({exc})"])
    judged = Judgement()
    cells_want, cells_got = want.get("cells", []), got.get("cells", [])
    if len(cells_want) != len(cells_got):
        judged.problems.append(f"{len(cells_want)} cells expected, {len(cells_got)} found")
    for number, (a, b) in enumerate(zip(cells_want, cells_got), start=1):
        where = f"cell {number} ({_first_line(a.get('source', ''))}): "
        if _joined(a.get("source")) != _joined(b.get("source")):
            judged.problems.append(where + "source differs")
            continue
        outside = [{k: v for k, v in cell.items() if k not in ("source", "outputs")} for cell in (a, b)]
        judged.add(value_judgement(*outside), where)
        (outputs_a, split_a), (outputs_b, split_b) = _coalesced(a.get("outputs", [])), _coalesced(b.get("outputs", []))
        if split_a != split_b:
            judged.notes.append(f"{where}its printed output came in {'more' if split_b else 'fewer'} pieces, "
                                "the same text once joined")
        if len(outputs_a) != len(outputs_b):
            judged.problems.append(f"{where}{len(outputs_a)} outputs expected, {len(outputs_b)} found")
            continue
        for out_a, out_b in zip(outputs_a, outputs_b):
            judged.add(_output_judgement(out_a, out_b), where + "output: ")
    for key in NOTEBOOK_ENVIRONMENT:
        values = [_environment_value(nb, key) for nb in (want, got)]
        if values[0] != values[1]:
            judged.notes.append(f"metadata.{key}: {values[0]} and {values[1]} (the kernel's Python, not a result)")
    rest = [{k: v for k, v in nb.items() if k != "cells"} for nb in (want, got)]
    for nb in rest:
        nb["metadata"] = json.loads(json.dumps(nb.get("metadata", {})))
        for key in NOTEBOOK_ENVIRONMENT:
            *parents, last = key.split(".")
            inner = nb["metadata"]
            for part in parents:
                inner = inner.get(part, {}) if isinstance(inner, dict) else {}
            if isinstance(inner, dict):
                inner.pop(last, None)
    judged.add(value_judgement(rest[0], rest[1]), "the notebook's ")
    return judged


def report_text(html: str, figures: dict[str, str]) -> str:
    """The report with each embedded PNG replaced by the figure file it is (``figures``: SHA-256 of the
    PNG's bytes -> the figure's path in the results), or by its own hash: the figures themselves are
    judged as figures, and the reference keeps the report's text without a second copy of them."""
    def name(match: re.Match) -> str:
        digest = hashlib.sha256(base64.b64decode(match.group(1))).hexdigest()
        return f"data:image/png;figure={figures[digest]}" if digest in figures else f"data:image/png;sha256={digest}"
    return _EMBEDDED_PNG.sub(name, html)


def report_judgement(expected_text: str, found_text: str, figure_verdicts: dict[str, Judgement]) -> Judgement:
    """The report (as :func:`report_text` gives it) within the tolerance, and each figure it embeds
    identical or equivalent (``figure_verdicts``: the judgements of figures whose bytes differ)."""
    judged = text_judgement(expected_text, found_text)
    for name in sorted(set(re.findall(r"data:image/png;figure=([^\"' )]+)", found_text))):
        if name in figure_verdicts:
            verdict = figure_verdicts[name]
            if verdict.equivalent:
                judged.notes.append(f"embeds {name}, equivalent within the tolerance")
            else:
                judged.problems.append(f"embeds {name}, which differs")
    return judged
