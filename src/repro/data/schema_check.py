"""Cell-level checks (types, required cells, allowed values, unique ids, links between files),
done by the Frictionless Data validator against the codebook, with its reports reworded so that
each names the file, the row and the column and says what was expected."""

from __future__ import annotations

import re
import sys

from repro.data import codebook
from repro.data.cells import lookalike, shown
from repro.data.table import RawTable
from repro.errors import Problem

_TYPE_WORDS = {"number": "a number (e.g. 3.2)", "integer": "a whole number", "string": "text"}
#: The table each link column refers to.
_LINK_TARGET = {"swot_id": "swot", "centre_id": "force_field", "force": "force_field", "other": "force_field"}


def _validation_schema(name: str) -> dict:
    """The codebook's schema for ``name``, minus the score's scale.

    The scale is checked afterwards against the folder's own declared scale, with a message
    that tells a negative score from one beyond the scale.
    """
    schema = codebook.resource(codebook.reference(), name)["schema"]
    for f in schema["fields"]:
        if f["name"] == "score":
            f.get("constraints", {}).pop("minimum", None)
            f.get("constraints", {}).pop("maximum", None)
    return schema


def _inline(table: RawTable, schema: dict) -> list[list]:
    """The table re-ordered to the schema's columns, missing optional columns empty, '' as null."""
    index = {h: i for i, h in enumerate(table.header)}
    names = [f["name"] for f in schema["fields"]]
    rows = [[(cells[index[n]] or None) if n in index else None for n in names] for cells in table.rows]
    return [names, *rows]


def _explain(error, field: dict | None, cell) -> str:
    cell = "" if cell is None else str(cell)
    if error.type == "type-error":
        return f"expected {_TYPE_WORDS.get(field['type'], field['type'])}, found {shown(cell)}."
    if error.type == "constraint-error":
        kind = re.search(r'constraint "(\w+)"', error.note)
        kind = kind.group(1) if kind else ""
        constraints = field.get("constraints", {})
        if kind == "required":
            return "a value is required here; the cell is empty."
        if kind == "enum":
            hint = lookalike(cell, constraints["enum"])
            return (f"expected one of {', '.join(constraints['enum'])}, found {shown(cell)}"
                    + (f": {hint}." if hint else "."))
        if kind == "minimum":
            return f"expected at least {constraints['minimum']}, found {shown(cell)}."
        if kind == "maximum":
            return f"expected at most {constraints['maximum']}, found {shown(cell)}."
        if kind == "pattern":
            return f"an id may not contain spaces, commas or semicolons, found {shown(cell)}."
    return error.note or error.message


def _frictionless_package():
    """Frictionless's Package, imported when a folder is first validated rather than with this module:
    the kernels of a reproduction import the library but validate nothing (see
    :mod:`repro.handoff`), and Frictionless costs about 0.3 s to import."""
    if "jsonschema" not in sys.modules:
        # Frictionless checks descriptors with jsonschema, whose import pulls in rfc3987_syntax when it
        # is installed (jupyter-events needs it), and that compiles 39 Lark grammars: 2-5 s in every
        # process that loads an analysis. Our descriptors use no IRI formats, so we hide that optional
        # module before jsonschema looks for it (jsonschema treats it as absent).
        sys.modules.setdefault("rfc3987_syntax", None)
    from frictionless import Package

    return Package


def check_cells(tables: dict[str, RawTable]) -> list[Problem]:
    """Validate the tables read from one folder against the codebook and each other."""
    resources = []
    schemas = {}
    for name, table in tables.items():
        schema = _validation_schema(name)
        schemas[name] = schema
        resources.append({"name": name, "data": _inline(table, schema), "schema": schema})
    # A link to a file the folder does not have cannot be checked here (only the lotus is optional).
    for r in resources:
        r["schema"]["foreignKeys"] = [
            fk for fk in r["schema"].get("foreignKeys", []) if fk["reference"]["resource"] in tables
        ]
    report = _frictionless_package()({"name": "analysis", "resources": resources}).validate()
    problems: list[Problem] = []
    for task in report.tasks:
        name, table = task.name, tables[task.name]
        source = table.source
        fields = {f["name"]: f for f in schemas[name]["fields"]}
        id_col = table.header.index("id") if "id" in table.header else None
        for error in task.errors:
            row_number = getattr(error, "row_number", None)
            if row_number is None:
                problems.append(source.problem(error.message))
                continue
            index = row_number - 2  # Frictionless counts the header as row 1
            cells = table.rows[index]
            item_id = cells[id_col] if id_col is not None else None
            file_row = table.row_numbers[index]
            if error.type == "primary-key":
                continue  # reported as a unique-error on the id column already
            if error.type == "unique-error":
                first = re.search(r"position (\d+)", error.note or "")
                first_row = table.row_numbers[int(first.group(1)) - 2] if first else None
                problems.append(source.problem(
                    f"duplicate id {shown(item_id)}: ids must be unique"
                    + (f" (also used in row {first_row})." if first_row else "."),
                    row=file_row, column="id", item_id=item_id))
                continue
            if error.type == "foreign-key":
                # The error names its own key's column(s): a file with two links (claims.csv: force,
                # other) gets one message per broken link, at the right column.
                for column, value in zip(error.field_names, error.field_cells):
                    target = tables.get(_LINK_TARGET.get(column, error.reference_name))
                    ids = _ids(target)
                    hint = lookalike(str(value), ids)
                    problems.append(source.problem(
                        f"refers to {shown(str(value))}, which is not an id in "
                        f"{target.source.short if target else error.reference_name}"
                        + (f": {hint}." if hint else "."),
                        row=file_row, column=column, item_id=item_id))
                continue
            column = getattr(error, "field_name", None)
            cell = getattr(error, "cell", None)
            problems.append(source.problem(_explain(error, fields.get(column), cell),
                                           row=file_row, column=column, item_id=item_id))
    return problems


def _ids(table: RawTable | None) -> list[str]:
    """The ids of ``table`` ([] without the table or its id column)."""
    if table is None or "id" not in table.header:
        return []
    index = table.header.index("id")
    return [cells[index] for cells in table.rows]
