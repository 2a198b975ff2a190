"""Lotus flower: Matsumura's lotus blossom as 3x3 blocks, one per restraining force, the force in
the centre cell and its proposals around it. The figures are :mod:`repro.figures.lotus`."""

from __future__ import annotations

import pandas as pd

from repro.labels import item_text

#: Where the petals sit in the central block, and so where their outer blocks sit in the 9x9 grid:
#: top, right, bottom, left, then the corners.
PETAL_POSITIONS = ((0, 1), (1, 2), (2, 1), (1, 0), (0, 0), (0, 2), (2, 2), (2, 0))
CAPACITY = 8  # cells around a centre


def blocks(lotus: pd.DataFrame, forces: pd.DataFrame, lang: str = "ru") -> list[dict]:
    """One dict per block, in published order: block, centre id and text, 3x3 cells, fill count.

    ``cells[r][c]`` holds (id, text) of the proposal in row r+1, column c+1, or None where the
    published cell is empty.
    """
    centre_text = dict(zip(forces["id"], item_text(forces, lang)))
    texts = item_text(lotus, lang)
    out = []
    for block, rows in lotus.assign(shown_text=texts).groupby("block", sort=True):
        cells = [[None] * 3 for _ in range(3)]
        for p in rows.itertuples():
            cells[int(p.cell_row) - 1][int(p.cell_col) - 1] = (p.id, p.shown_text)
        centre = rows["centre_id"].iloc[0]
        out.append({"block": int(block), "centre_id": centre, "centre_text": centre_text.get(centre, centre),
                    "cells": cells, "filled": len(rows)})
    return out


def fill_table(lotus: pd.DataFrame, forces: pd.DataFrame) -> pd.DataFrame:
    """How full each block is: proposals out of the 8 cells around its centre."""
    return pd.DataFrame([(b["block"], b["centre_id"], b["filled"], CAPACITY) for b in blocks(lotus, forces)],
                        columns=["block", "centre_id", "proposals", "capacity"])
