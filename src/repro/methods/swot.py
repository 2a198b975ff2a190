"""SWOT: the quadrants as a table, in the classic order S, W, O, T, each opportunity and threat
with the force-field id it becomes. The figure is :mod:`repro.figures.swot`."""

from __future__ import annotations

import pandas as pd

from repro.labels import item_text

QUADRANTS = ("S", "W", "O", "T")


def quadrant_table(swot: pd.DataFrame, forces: pd.DataFrame | None = None, lang: str = "ru") -> pd.DataFrame:
    """The SWOT items in quadrant order with their number, text in ``lang`` and force id (if any)."""
    out = swot[["id", "quadrant", "number"]].copy()
    out["text"] = item_text(swot, lang)
    becomes = dict(zip(forces["swot_id"], forces["id"])) if forces is not None else {}
    out["force_id"] = out["id"].map(becomes).fillna("")
    order = out["quadrant"].map({q: i for i, q in enumerate(QUADRANTS)})
    return out.assign(_o=order).sort_values(["_o", "number"]).drop(columns="_o").reset_index(drop=True)
