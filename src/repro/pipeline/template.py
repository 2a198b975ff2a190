"""``repro template DIR``: the files of an empty analysis (a few example rows each) and their
codebook, ready to fill in with a spreadsheet and check with ``repro validate --data DIR``.

Everything the template writes speaks of the student's own analysis: the codebook's title,
descriptions and licence are the student's to replace, the score scale and the lotus flower's theme
are declared at the top of ``datapackage.json`` (``--scale``, ``--theme``), and the example rows are
recognised as examples while they are unchanged (:mod:`repro.data.examples`), so that neither a
report nor a claim passes them off as the student's. With ``--workbook`` the tables are the sheets
of one workbook, ``analysis.xlsx``, instead of CSV files.

The example ``claims`` show three kinds of claim; edit them to state your own conclusions, or
delete them to let the method's verdicts on your scores serve as the claims."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import zipfile
from pathlib import Path

from repro.data import codebook, limits
from repro.data.examples import EXAMPLES, HEADERS, PLACEHOLDERS
from repro.errors import AnalysisError, Problem

#: Resources of the codebook a template leaves out: the components of a discussion are rare in a
#: student's analysis (add components.csv and this resource when you need them).
OPTIONAL_LEFT_OUT = ("components",)
#: The workbook ``--workbook`` writes.
WORKBOOK = "analysis.xlsx"

#: What each table is, as the student's codebook says it.
RESOURCE_WORDS = {
    "swot": ("SWOT analysis", "One row per item of your SWOT analysis: strengths, weaknesses, opportunities and "
                              "threats. Opportunities become the driving forces and threats the restraining forces "
                              "of your force field."),
    "force_field": ("Force field", "One row per force (kind = force: driving or restraining, with its score) and one "
                                   "per proposed change (kind = change). Forces and a change that belong together "
                                   "share published_row."),
    "lotus": ("Lotus flower", "One row per proposal, in its block: each block is centred on one of your "
                              "restraining forces (its centre_id), with up to 8 proposals in the cells around it."),
    "claims": ("Your conclusions", "The conclusions whose robustness repro measures, one row per claim. Delete this "
                                   "table to test the method's own verdicts on your scores instead."),
}
#: What each column holds, as the student's codebook says it (the paper's codebook speaks of the
#: article; the report quotes some of these descriptions).
FIELD_WORDS = {
    "id": "A short id of the row, unique in the table (for example S1, O2, D1, R1); other tables refer to it.",
    "quadrant": "S = strength (internal, helpful), W = weakness (internal, harmful), O = opportunity (external, "
                "helpful), T = threat (external, harmful).",
    "number": "The item's number within its quadrant (1, 2, ...).",
    "text": "The item in your words, in your language.",
    "text_en": "Optional: an English version of `text`, if you write your items in another language.",
    "source_table": "Optional: the table of your source the row comes from.",
    "source_line": "Optional: the line of your source's text file that holds the item or the quote.",
    "kind": "force = a driving or restraining force; change = a proposed change.",
    "direction": "For forces: driving (pushes towards the change) or restraining (holds it back). Empty for changes.",
    "score": "How strong the force is, on the scale declared at the top of this file (scale). Empty for changes.",
    "score_as_printed": "Optional: the score exactly as your source prints it.",
    "swot_id": "For forces: the id of the SWOT item the force comes from (driving forces are opportunities, "
               "restraining forces threats). Empty for changes.",
    "published_row": "Optional: the row of your force-field table the item stands in; forces and the change of "
                     "one row share it.",
    "centre_id": "The id of the restraining force at the centre of the proposal's block.",
    "block": "The block's number (1 = first).",
    "cell_row": "Row of the proposal's cell in its 3x3 block (1-3).",
    "cell_col": "Column of the proposal's cell in its 3x3 block (1-3); row 2, column 2 is the centre.",
    "side": "For side_outweighs: the side you say outweighs the other (driving or restraining).",
    "force": "For strongest, weakest, outweighs and top_k: the id of the force the claim is about.",
    "other": "For outweighs: the id of the force that `force` is said to outweigh.",
    "k": "For top_k: from 1 to the number of forces on the side of `force`.",
    "statement": "Your conclusion in words, as the outputs show it.",
    "statement_en": "Optional: an English version of `statement`.",
    "origin": "authors = your own conclusion; method = a verdict of the method on your scores.",
    "quote": "Optional: the sentence of your source the claim rests on, verbatim.",
    "note": "Optional: what else a reader should know about the claim, in the language of `statement`.",
    "note_en": "Optional: an English version of `note`, if you write your notes in another language.",
}
LICENSE = {
    "name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "description": "The licence under which you share your analysis: CC-BY-4.0 lets others reuse it if they "
                   "credit you. Choose another if you prefer.",
}

_SCALE = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(?:-|–|\.\.|to)\s*(-?\d+(?:[.,]\d+)?)\s*$")


def parse_scale(text: str) -> tuple[float, float]:
    """``"1-10"``, ``"0-5"``, ``"-3..3"`` or ``"-3 to 3"`` as (minimum, maximum); ValueError otherwise."""
    match = _SCALE.match(text)
    if not match:
        raise ValueError(f"{text!r}: expected a scale as MIN-MAX, for example 1-5, 1-10 or -3..3")
    low, high = (float(v.replace(",", ".")) for v in match.groups())
    why = limits.scale_problem(low, high)  # an empty or inverted scale, or one beyond the limits
    if why:
        raise ValueError(f"{text!r}: {why}")
    return low, high


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _descriptor(lang: str, scale: tuple[float, float], theme: str, workbook: bool) -> dict:
    """The template's ``datapackage.json``: the paper's columns and constraints, the student's words."""
    paper = codebook.reference()
    descriptor = {
        "profile": paper["profile"], "name": "my-analysis",
        "title": PLACEHOLDERS[lang]["title"], "description": PLACEHOLDERS[lang]["description"],
        "scale": {"minimum": _number(scale[0]), "maximum": _number(scale[1])},
        "theme": theme,
        "version": "0.1.0",
        "sources": [{"title": PLACEHOLDERS[lang]["sources"]}],
        "licenses": [LICENSE],
        "resources": [],
    }
    for resource in paper["resources"]:
        name = resource["name"]
        if name in OPTIONAL_LEFT_OUT:
            continue
        title, description = RESOURCE_WORDS[name]
        fields = []
        for field in resource["schema"]["fields"]:
            field = {k: v for k, v in field.items() if not k.startswith("scale_note")}
            field["description"] = FIELD_WORDS[field["name"]]
            if field["name"] == "score":
                # The scale is declared once, at the top (codebook.scale_of reads it there).
                field["constraints"] = {k: v for k, v in field.get("constraints", {}).items()
                                        if k not in ("minimum", "maximum")}
                if not field["constraints"]:
                    field.pop("constraints")
            fields.append(field)
        own = {"name": name, "title": title, "description": description, "profile": resource["profile"]}
        if workbook:
            own.update(path=WORKBOOK, format="xlsx", dialect={"sheetName": name},
                       mediatype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        else:
            own.update(path=f"{name}.csv", format="csv", mediatype="text/csv", encoding="utf-8")
        own["schema"] = {**resource["schema"], "fields": fields}
        descriptor["resources"].append(own)
    return descriptor


def _typed_rows(name: str, rows: list[list[str]]) -> list[list]:
    """Example rows with their numbers as numbers, as a student types them into a workbook."""
    numeric = codebook.numeric_columns(name)
    typed = []
    for row in rows:
        typed.append([(_number(float(v)) if h in numeric and v else (v or None))
                      for h, v in zip(HEADERS[name], row)])
    return typed


#: The moment a zip archive's members may be stamped with when none is meant: its format's earliest.
_NO_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIMES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def _timeless(workbook: bytes) -> bytes:
    """``workbook`` (an .xlsx archive) without the moment it was saved: openpyxl stamps every member
    of the archive and the document's created and modified properties (optional in the format) with
    the current time, so that the same tables would give other bytes each time."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(b"", data)
            stamped = zipfile.ZipInfo(member.filename, _NO_TIME)
            stamped.external_attr = member.external_attr
            target.writestr(stamped, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_workbook(path, tables: dict[str, tuple[list[str], list[list]]]) -> None:
    """Write ``tables`` (name: header and rows) as the sheets of one ``.xlsx`` workbook to ``path`` (a
    path or a binary file), header bold and frozen, columns wide enough to read. Cells are written as
    given: numbers as numbers. The same tables give the same bytes: no time is recorded."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, (header, rows) in tables.items():
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column, values in zip(sheet.columns, zip(header, *rows) if rows else [(h,) for h in header]):
            width = max(len(str(v)) for v in values if v is not None)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    saved = io.BytesIO()
    book.save(saved)
    data = _timeless(saved.getvalue())
    if isinstance(path, (str, os.PathLike)):
        Path(path).write_bytes(data)
    else:
        path.write(data)


def _refusal(folder: Path, names: list[str]) -> AnalysisError:
    return AnalysisError([Problem(n, f"already exists in {folder}; choose an empty folder (nothing was written).")
                          for n in names])


def _write_new_files(folder: Path, contents: dict[str, bytes]) -> list[Path]:
    """Write each file of ``contents`` into ``folder``, all or none, never replacing or writing through
    anything already there (a file, a folder, a symbolic link, even one that points nowhere).

    Every file is first written whole under a temporary name of its own (created exclusively, never
    through a link), then renamed to its name by a rename that refuses to replace anything; if one
    name was taken in between, the files already renamed are taken back."""
    from repro.pipeline.outdir import _rename_no_replace

    temporary: dict[str, Path] = {}
    done: list[Path] = []
    try:
        for name, data in contents.items():
            path = folder / f".{name}.partial-{secrets.token_hex(6)}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
            temporary[name] = path
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        for name, path in temporary.items():
            try:
                _rename_no_replace(path, folder / name)
            except FileExistsError:
                raise _refusal(folder, [name]) from None
            done.append(folder / name)
        return done
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        raise
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)


def _contents(lang: str, scale: tuple[float, float], theme: str, workbook: bool) -> dict[str, bytes]:
    """Every file the template writes, by name, as bytes: the tables (CSV files, or one workbook) and
    ``datapackage.json``."""
    contents = {}
    if workbook:
        book = io.BytesIO()
        write_workbook(book, {name: (header, _typed_rows(name, EXAMPLES[lang][name])) for name, header in HEADERS.items()})
        contents[WORKBOOK] = book.getvalue()
    else:
        for name, header in HEADERS.items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(EXAMPLES[lang][name])
            contents[f"{name}.csv"] = text.getvalue().encode("utf-8")
    descriptor = _descriptor(lang, scale, theme, workbook)
    contents["datapackage.json"] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return contents


def write_template(folder: str | Path, lang: str = "en", scale: tuple[float, float] = (1, 5), theme: str = "",
                   workbook: bool = False) -> list[Path]:
    """Write the tables of an analysis to fill in (swot, force_field, lotus, claims, a few example
    rows each) and their codebook, ``datapackage.json``, into ``folder``.

    Every file is written, or none; nothing already in ``folder`` is replaced or written through (a
    symbolic link there is refused like a file); ``folder`` itself may be a link to a folder, which
    is followed.

    Parameters
    ----------
    folder
        Where to write; created if need be. Refuses (AnalysisError) when a file of the template's
        names, or any table of an analysis (a CSV file or a workbook), is already there.
    lang
        ``ru`` or ``en``: the language of the example rows and of the placeholder title.
    scale
        The score scale, (minimum, maximum), declared at the top of ``datapackage.json``.
    theme
        The lotus flower's theme, declared beside the scale (shown at the flower's centre).
    workbook
        Write the tables as the sheets of one workbook, ``analysis.xlsx``, instead of CSV files.
    """
    from repro.data.workbook import workbooks_in

    folder = Path(folder)
    if folder.is_symlink() and not folder.exists():
        raise AnalysisError([Problem(str(folder), f"is a symbolic link to {os.readlink(folder)}, which does not "
                                                  "exist; create that folder or name another (nothing was written).")])
    if folder.exists() and not folder.is_dir():
        raise AnalysisError([Problem(str(folder), "is a file, not a folder; name a folder (nothing was written).")])
    # Any table already there, as a CSV file or a workbook, would make a second version of the analysis.
    names = [f"{name}.csv" for name in codebook.RESOURCES] + [WORKBOOK, "datapackage.json"]
    existing = [n for n in names if os.path.lexists(folder / n)]
    if folder.is_dir():
        existing += [p.name for p in workbooks_in(folder) if p.name not in existing]
    if existing:
        raise _refusal(folder, existing)
    contents = _contents(lang, scale, theme, workbook)
    made = [] if folder.is_dir() else [p for p in [folder, *folder.parents] if not os.path.lexists(p)]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return _write_new_files(folder, contents)
    except OSError as exc:
        from repro.pipeline.outdir import OutputFolderError, describe_failure

        for path in made:  # the folders this call created, deepest first: nothing is left half-done
            try:
                path.rmdir()
            except OSError:
                break
        raise OutputFolderError(f"{folder}: the template could not be written: {describe_failure(exc)}; "
                                "nothing was written.") from None
