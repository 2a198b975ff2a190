"""The codebook (``data/datapackage.json``): which columns each file has, the score scale, and the
vocabulary of claims.

The paper's codebook defines the columns of every analysis folder. A folder may carry its own
``datapackage.json``; from it only the declared score scale, the lotus flower's theme and the table
captions are taken, so a student can declare a 1-10 scale without being able to change what the
columns mean.

The scale and the theme are declared at the top of the descriptor, where a student looks first::

    "scale": {"minimum": 1, "maximum": 10},
    "theme": "Online elections to the student council",

(``repro template DIR --scale 1-10 --theme "..."`` writes them). A codebook without a top-level
``scale`` declares it as the ``minimum`` and ``maximum`` of the force field's ``score`` field, as the
paper's does; declaring it in both places, differently, is refused.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from repro import paths
from repro.data import limits
from repro.errors import AnalysisError, Problem

#: The files of an analysis, in the order they are read (later ones link to earlier ones).
RESOURCES = ("swot", "force_field", "lotus", "claims", "components")
#: Files an analysis must have; the lotus, the claims and the components are optional.
REQUIRED_RESOURCES = ("swot", "force_field")

#: The parameters each kind of claim takes (the ``kind`` column of ``claims.csv``); every other
#: parameter column must stay empty. The codebook's field descriptions say what each kind means.
CLAIM_PARAMETERS = {
    "side_outweighs": ("side",),
    "strongest": ("force",),
    "weakest": ("force",),
    "outweighs": ("force", "other"),
    "top_k": ("force", "k"),
    "chain": (),
}
#: Every parameter column of ``claims.csv``.
CLAIM_PARAMETER_COLUMNS = ("side", "force", "other", "k")

#: Names a claim's id may not take: the sensitivity analysis's drop-one and conventions tables give each
#: claim a column named by its id beside these columns of their own, so a claim called ``net`` would
#: overwrite the net force in them (and in sensitivity.json).
RESERVED_CLAIM_IDS = ("dropped", "direction", "driving_total", "restraining_total", "net", "verdict", "scale",
                      "rounding", "moved")

#: Columns a file's header must name although some of their cells may stay empty (the codebook
#: requires the cells of ``required`` columns only): every force needs a direction and its SWOT item.
HEADER_NEEDS = {"force_field": ("direction", "swot_id")}
#: Columns that list ids separated by spaces (a code, not free text).
ID_LIST_COLUMNS = ("items",)

#: A lotus flower has at most 8 petals around its theme (Matsumura's 9x9 grid), so at most 8 blocks.
MAX_LOTUS_BLOCKS = limits.MAX_LOTUS_BLOCKS


@dataclass(frozen=True)
class Scale:
    """The closed interval scores are given on."""

    minimum: float
    maximum: float

    def __post_init__(self):
        if not self.minimum < self.maximum:
            raise ValueError(f"a scale needs minimum < maximum, got {self.minimum} to {self.maximum}")

    def __str__(self) -> str:
        # "0-5", "1-10"; a negative end would read as a minus sign ("-3-3"), so say "-3 to 3".
        if self.minimum < 0 or self.maximum < 0:
            return f"{self.minimum:g} to {self.maximum:g}"
        return f"{self.minimum:g}-{self.maximum:g}"


@lru_cache(maxsize=1)
def _reference_text() -> str:
    return paths.CODEBOOK.read_text(encoding="utf-8")


def reference() -> dict:
    """A fresh copy of the paper's codebook (safe to modify)."""
    return json.loads(_reference_text())


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def fields(name: str) -> list[dict]:
    """The field descriptors of resource ``name`` in the reference codebook."""
    return copy.deepcopy(resource(reference(), name)["schema"]["fields"])


def required_columns(name: str) -> list[str]:
    return [f["name"] for f in fields(name) if f.get("constraints", {}).get("required")]


def integer_columns(name: str) -> set[str]:
    return {f["name"] for f in fields(name) if f["type"] == "integer"}


def numeric_columns(name: str) -> set[str]:
    return {f["name"] for f in fields(name) if f["type"] in ("number", "integer")}


def header_columns(name: str) -> list[str]:
    """The columns the header of table ``name`` must name."""
    return required_columns(name) + [c for c in HEADER_NEEDS.get(name, ()) if c not in required_columns(name)]


def code_columns(name: str) -> set[str]:
    """The columns of table ``name`` that hold codes rather than free text: numbers, ids, values
    from a list, links to other tables' ids. A code must be typed exactly, so invisible characters
    and letters of two scripts are refused in them (in free text they may be meant)."""
    schema = resource(reference(), name)["schema"]
    linked = {f for fk in schema.get("foreignKeys", []) for f in fk["fields"]}
    codes = set(schema.get("primaryKey", [])) | linked | set(ID_LIST_COLUMNS)
    for f in schema["fields"]:
        constraints = f.get("constraints", {})
        if f["type"] != "string" or "enum" in constraints or "pattern" in constraints:
            codes.add(f["name"])
    return codes & {f["name"] for f in schema["fields"]}


def _score_field(descriptor: dict) -> dict:
    return next(f for f in resource(descriptor, "force_field")["schema"]["fields"] if f["name"] == "score")


def scale_of(descriptor: dict) -> Scale:
    """The declared scale: the top-level ``scale``, else the score field's constraints."""
    if isinstance(descriptor.get("scale"), dict):
        declared = descriptor["scale"]
    else:
        declared = _score_field(descriptor).get("constraints", {})
    return Scale(float(declared["minimum"]), float(declared["maximum"]))


def scores_published(folder: Path) -> bool:
    """Whether the analysis in ``folder`` says its scores are published ones: its own
    ``datapackage.json`` declares ``"scores_published": true`` at the top (the paper's does). A folder
    without a codebook of its own, like one that does not say so, holds the user's own scores, and its
    figures say "your scores", never "published"."""
    own = Path(folder) / "datapackage.json"
    return own.is_file() and folder_codebook(Path(folder)).get("scores_published") is True


def theme_of(descriptor: dict) -> dict[str, str]:
    """The lotus flower's theme, in Russian and English where given: the top-level ``theme`` and
    ``theme_en``, else the lotus table's ``caption`` and ``caption_en``."""
    try:
        lotus = resource(descriptor, "lotus")
    except (StopIteration, KeyError, TypeError):
        lotus = {}
    return {"lotus": str(descriptor.get("theme") or lotus.get("caption") or ""),
            "lotus_en": str(descriptor.get("theme_en") or lotus.get("caption_en") or "")}


def folder_codebook(folder: Path) -> dict:
    """The codebook that applies to ``folder``: its own ``datapackage.json`` if any, else the paper's.

    Raises :class:`AnalysisError` when the folder's own codebook is unreadable, beyond the limits of
    :mod:`repro.data.limits` (size, nesting), declares no usable scale (finite, of sane magnitude),
    or declares two different ones.
    """
    own = folder / "datapackage.json"
    if not own.exists():
        return reference()
    name = own.name
    if not own.is_file():  # a folder, or a pipe that would never end
        raise AnalysisError([Problem(name, "is not a file; expected the codebook as a JSON file.")])
    too_big = limits.file_size_problem(own, limits.MAX_CODEBOOK_BYTES, "codebook")
    if too_big:
        raise AnalysisError([too_big])
    try:
        text = own.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnalysisError([Problem(name, f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8.")]) from None
    except OSError as exc:
        raise AnalysisError([Problem(name, f"cannot be read: {exc.strerror}.")]) from None
    depth = limits.json_depth(text)
    if depth > limits.MAX_JSON_DEPTH:
        raise AnalysisError([Problem(name, f"nests objects and arrays {depth:,} levels deep; a codebook may nest at most "
                                           f"{limits.MAX_JSON_DEPTH} (the limit of repro.data.limits).")])
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnalysisError([Problem(name, f"is not valid JSON ({exc}).")]) from None
    except (ValueError, RecursionError) as exc:
        why = ("it holds a number of more than 4,300 digits, which Python does not read" if "digits" in str(exc)
               else str(exc))
        raise AnalysisError([Problem(name, f"is not usable JSON: {why}.")]) from None
    try:
        top = descriptor.get("scale")
        field = _field_scale(descriptor)
        if top is None and field is None:
            raise KeyError("scale")
        declared = [(where, s["minimum"], s["maximum"]) for where, s in (("scale", top), ("score", field))
                    if s is not None]
    except (KeyError, StopIteration, TypeError, AttributeError):
        raise AnalysisError([Problem(
            name,
            'declares no score scale; expected at the top "scale": {"minimum": 1, "maximum": 5} (as `repro '
            "template` writes it), or the force_field resource's score field with constraints minimum and maximum.",
        )]) from None
    for where, minimum, maximum in declared:
        why = limits.scale_problem(minimum, maximum)
        if why:
            raise AnalysisError([Problem(name, f"declares an unusable score scale: {why}.", column=where)])
    scales = [Scale(float(minimum), float(maximum)) for _, minimum, maximum in declared]
    if len(set(scales)) > 1:
        raise AnalysisError([Problem(name, f"declares two scales: {scales[0]} at the top (scale) and {scales[1]} in the "
                                     "force_field resource's score field; keep one, the top-level scale.")])
    return descriptor


def _field_scale(descriptor: dict) -> dict | None:
    """The score field's minimum and maximum, None where the field declares neither."""
    try:
        constraints = _score_field(descriptor).get("constraints", {})
    except (KeyError, StopIteration, TypeError):
        return None
    if "minimum" not in constraints and "maximum" not in constraints:
        return None
    return constraints
