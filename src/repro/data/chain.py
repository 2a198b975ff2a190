"""The chain of the paper's three methods, as links between ids.

SWOT -> force field: every driving force is an opportunity (O), every restraining force a
threat (T). Force field -> lotus: every lotus centre is a restraining force.
"""

from __future__ import annotations

import pandas as pd

from repro.i18n import gettext

#: The SWOT quadrant each direction of force must come from.
EXPECTED_QUADRANT = {"driving": "O", "restraining": "T"}

_COLUMNS = ["link", "item_id", "target_id", "expected", "found", "holds"]


def chain_links(swot: pd.DataFrame, forces: pd.DataFrame, lotus: pd.DataFrame | None) -> pd.DataFrame:
    """One row per link of the chain, with what the method expects and whether it holds.

    Parameters
    ----------
    swot, forces, lotus
        The tables of an analysis (``forces`` holds only rows of kind ``force``); ``lotus`` may
        be None.

    Returns
    -------
    DataFrame with columns link, item_id, target_id, expected, found, holds.
    """
    quadrant = dict(zip(swot["id"], swot["quadrant"]))
    rows = []
    for force in forces.itertuples():
        expected = EXPECTED_QUADRANT.get(force.direction, "?")
        found = quadrant.get(force.swot_id, "missing") if force.swot_id else "missing"
        rows.append(("force -> SWOT", force.id, force.swot_id, f"quadrant {expected}",
                     f"quadrant {found}" if found != "missing" else "no SWOT item", found == expected))
    if lotus is not None:
        direction = dict(zip(forces["id"], forces["direction"]))
        for centre in pd.unique(lotus["centre_id"]):
            found = direction.get(centre, "not a force")
            rows.append(("lotus centre -> force", f"block of {centre}", centre,
                         "a restraining force", f"a {found} force" if found in EXPECTED_QUADRANT else found,
                         found == "restraining"))
    return pd.DataFrame(rows, columns=_COLUMNS)


#: The three checks a reviewer reads: their message keys (:mod:`repro.i18n`), in order.
CHECKS = ("check_driving_opportunities", "check_restraining_threats", "check_lotus_centres")


def chain_summary(links: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The three checks a reviewer reads, each named in ``lang`` (``check``, with its message key in
    ``key``), with how many links it covers and whether all hold."""
    masks = (links["link"].eq("force -> SWOT") & links["expected"].eq("quadrant O"),
             links["link"].eq("force -> SWOT") & links["expected"].eq("quadrant T"),
             links["link"].eq("lotus centre -> force"))
    return pd.DataFrame(
        [(gettext(lang, key), key, int(mask.sum()), bool(links.loc[mask, "holds"].all())) for key, mask in zip(CHECKS, masks)],
        columns=["check", "key", "links", "holds"],
    )
