"""Handing the analysis that ``repro reproduce`` has validated to the notebooks it runs.

``repro reproduce`` validates the analysis folder before it starts any notebook, and every notebook
then calls :func:`repro.data.load_analysis` on the same folder, as a reader running it alone would.
Validating it again in each notebook repeats the same work five times and imports Frictionless in
every kernel (about 1.3 s of CPU in all). So the run writes the validated analysis to a file of its
own scratch folder and names that file in its kernels' environment (:data:`ENVIRONMENT_VARIABLE`).
``load_analysis`` takes the analysis from that file only for the same folder, and only while every
data file in it has the SHA-256 it had when it was validated; otherwise it validates as always.
Where the variable is not set (any notebook run by hand, any other command) nothing changes.

Nothing in the file can run code: it is JSON (the tables as columns of plain values, each with its
type), read with :func:`json.loads`, never unpickled. Nor can anyone else change what it says: it is
created only-by-its-owner (0600, in a folder of the run's that only the user can enter), and its bytes
are sealed with the user's key (:mod:`repro.ownership`); a file whose seal does not check
out is ignored and the folder validated as always.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

#: Set by ``repro reproduce`` for its kernels only: the file holding the analysis it validated.
ENVIRONMENT_VARIABLE = "REPRO_VALIDATED_ANALYSIS"
#: What the file's seal is made for (a seal for anything else never holds for it).
PURPOSE = "repro validated analysis v1"
#: The tables of an analysis, by attribute; the optional ones may be None.
TABLES = ("swot", "force_field", "lotus", "claims", "components")
#: Column types a table may have, as pandas names them: whole numbers (with or without gaps), decimal
#: numbers and text.
COLUMN_TYPES = ("int64", "Int64", "float64", "str", "object")


def _column(values, dtype: str) -> list:
    """One column as plain JSON values; a gap in a number column is null (strict JSON has no NaN)."""
    if dtype in ("float64", "Int64"):
        kind = float if dtype == "float64" else int
        return [None if gap else kind(v) for v, gap in zip(values.tolist(), values.isna().tolist())]
    return values.tolist()


def _table(frame) -> dict | None:
    if frame is None:
        return None
    dtypes = [str(t) for t in frame.dtypes]
    unknown = sorted(set(dtypes) - set(COLUMN_TYPES))
    if unknown:
        raise TypeError(f"a table column of type {', '.join(unknown)} cannot be handed to the kernels")
    return {"columns": list(frame.columns), "dtypes": dtypes,
            "values": [_column(frame[c], t) for c, t in zip(frame.columns, dtypes)]}


def _frame(table: dict | None):
    import pandas as pd

    if table is None:
        return None
    columns = {}
    for name, dtype, values in zip(table["columns"], table["dtypes"], table["values"]):
        if dtype not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {dtype!r}")
        columns[name] = pd.Series([math.nan if v is None else v for v in values] if dtype == "float64" else values,
                                  dtype=dtype)
    return pd.DataFrame(columns)


def _table_order(name: str) -> int:
    return TABLES.index(name) if name in TABLES else len(TABLES)


def _source(source) -> dict:
    return {"file": source.file, "sheet": source.sheet, "letters": dict(source.letters)}


def _encode(analysis) -> bytes:
    # Everything load_analysis gives, so that a kernel's analysis is the parent's: where each table was
    # read from (a workbook's sheet and column letters, named by every message about it), and which
    # rows and codebook fields are still the template's.
    record = {"folder": str(analysis.folder.resolve()), "inputs_sha256": analysis.input_hashes(),
              "scale": [analysis.scale.minimum, analysis.scale.maximum], "captions": analysis.captions,
              "notes": analysis.notes, "tables": {name: _table(getattr(analysis, name)) for name in TABLES},
              "sources": {name: _source(source) for name, source in analysis.sources.items()},
              "examples": analysis.examples, "placeholders": analysis.placeholders}
    return json.dumps(record, ensure_ascii=False, allow_nan=False, sort_keys=True).encode("utf-8")


def write_validated(analysis, path: Path) -> None:
    """Write ``analysis`` (just validated) to ``path``, with its folder and its files' hashes: sealed
    JSON in a new file only the user can read or write."""
    from repro.ownership import seal

    data = _encode(analysis)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(seal(data, PURPOSE).encode("ascii") + b"\n" + data)


def _read_sealed(name: str) -> dict | None:
    """The record in file ``name`` if it is a regular file of this user's, sealed by this user's key."""
    from repro.ownership import OwnershipKeyError, seal_holds

    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a pipe must not block
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if info.st_uid != os.geteuid() or not stat.S_ISREG(info.st_mode):
            return None
        seal, _, data = f.read().partition(b"\n")
    try:
        if not seal_holds(data, PURPOSE, seal.decode("ascii", "replace")):
            return None
        return json.loads(data)
    except (OwnershipKeyError, ValueError):
        return None


def validated_copy(folder: Path):
    """The analysis of ``folder`` as the run validated it, or None: no run named a file, the file
    is not there, not the user's, not sealed by the user's key, or unreadable, it is about another
    folder, or a data file has changed since."""
    name = os.environ.get(ENVIRONMENT_VARIABLE)
    if not name:
        return None
    record = _read_sealed(name)
    if not isinstance(record, dict) or record.get("folder") != str(folder.resolve()):
        return None
    from repro.data import Analysis
    from repro.data.codebook import Scale
    from repro.data.table import TableSource

    try:
        tables = {table: _frame(record["tables"][table]) for table in TABLES}
        # In the tables' order, as load_analysis gives them (the record's keys are sorted).
        sources = {name: TableSource(s["file"], s["sheet"], dict(s["letters"]))
                   for name, s in sorted(record["sources"].items(), key=lambda item: _table_order(item[0]))}
        examples = {name: [int(row) for row in rows]
                    for name, rows in sorted(record["examples"].items(), key=lambda item: _table_order(item[0]))}
        analysis = Analysis(folder=folder, scale=Scale(*record["scale"]), captions=record["captions"],  # the folder
                            notes=record["notes"], sources=sources, examples=examples,  # as this caller named it
                            placeholders=list(record["placeholders"]), **tables)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if analysis.input_hashes() != record["inputs_sha256"]:
        return None
    return analysis
