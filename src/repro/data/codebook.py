"""The codebook (``data/datapackage.json``): which columns each file has, and the score scale.

The paper's codebook defines the columns of every analysis folder. A folder may carry its own
``datapackage.json``; from it only the declared score scale and the table captions are taken,
so a student can declare a 1-10 scale without being able to change what the columns mean.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from repro import paths
from repro.errors import AnalysisError, Problem

#: The three files of an analysis, in the order they are read (later ones link to earlier ones).
RESOURCES = ("swot", "force_field", "lotus")
#: Files an analysis must have; the lotus is optional.
REQUIRED_RESOURCES = ("swot", "force_field")


@dataclass(frozen=True)
class Scale:
    """The closed interval scores are given on."""

    minimum: float
    maximum: float

    def __post_init__(self):
        if not self.minimum < self.maximum:
            raise ValueError(f"a scale needs minimum < maximum, got {self.minimum} to {self.maximum}")

    def __str__(self) -> str:
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


def numeric_columns(name: str) -> set[str]:
    return {f["name"] for f in fields(name) if f["type"] in ("number", "integer")}


def scale_of(descriptor: dict) -> Scale:
    score = next(f for f in resource(descriptor, "force_field")["schema"]["fields"] if f["name"] == "score")
    constraints = score.get("constraints", {})
    return Scale(float(constraints["minimum"]), float(constraints["maximum"]))


def folder_codebook(folder: Path) -> dict:
    """The codebook that applies to ``folder``: its own ``datapackage.json`` if any, else the paper's.

    Raises :class:`AnalysisError` when the folder's own codebook is unreadable or declares no
    usable scale.
    """
    own = folder / "datapackage.json"
    if not own.exists():
        return reference()
    name = own.name
    try:
        descriptor = json.loads(own.read_text(encoding="utf-8-sig"))
        score = next(f for f in resource(descriptor, "force_field")["schema"]["fields"] if f["name"] == "score")
        constraints = score["constraints"]
        Scale(float(constraints["minimum"]), float(constraints["maximum"]))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnalysisError([Problem(name, f"is not valid JSON ({exc}).")]) from None
    except (KeyError, StopIteration, TypeError, AttributeError):
        raise AnalysisError([Problem(
            name,
            "declares no score scale; expected resource 'force_field', field 'score', "
            "with constraints 'minimum' and 'maximum' (as `repro template` writes it).",
        )]) from None
    except ValueError as exc:
        raise AnalysisError([Problem(name, f"declares an unusable score scale: {exc}.", column="score")]) from None
    return descriptor
