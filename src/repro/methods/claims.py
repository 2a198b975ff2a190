"""Claims: the conclusions of an analysis as plain data, and their evaluation over many score vectors.

A claim is a row of the analysis's ``claims.csv`` (or one of the method's default claims when the
analysis has no such file): an id, a kind from a small vocabulary, the forces it is about, a
statement and where it comes from. Claims hold no code. :func:`evaluate` compiles each claim against
a forces table and returns, for every row of a score matrix (draws x forces), whether it holds; a
smaller forces table (a force dropped) simply leaves out the claims about the missing force.

The vocabulary (each kind with the parameters it takes):

- ``side_outweighs`` (side): that side's total exceeds the other's (Lewin's sum rule);
- ``strongest`` (force): the force scores above every other force of its side;
- ``weakest`` (force): the force scores below every other force of its side;
- ``outweighs`` (force, other): force scores above other; the two may stand on different sides,
  since every force is scored on one shared scale (the force-field diagram's single axis);
- ``top_k`` (force, k): fewer than k other forces of its side score at least as much (k = 1 is
  ``strongest``);
- ``chain`` (none): the links SWOT -> force field -> lotus hold (from :mod:`repro.data.chain`).

Every claim about scores is strict: a tie does not hold. Two scores tie when they are equal: each
is one number as typed (or a point of the scale, or a bound), so equal scores are equal floats. Sums
are different: decimal scores do not add exactly in binary floats (5 + 3.2 + 0.6 + 2.5 is
11.299999999999999), so net forces closer to 0 than :data:`TIE_TOLERANCE` are a tie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from repro.data import split_ids
from repro.data.chain import chain_links
from repro.data.codebook import CLAIM_PARAMETERS
from repro.labels import check_lang, label
from repro.methods.force_field import SIDES, balance, rank_forces, side_matrix

#: Net forces closer to 0 than this are ties (sums of decimal scores are not exact in binary floats).
TIE_TOLERANCE = 1e-9

#: Every claim is strict, and says so in the outputs.
TIE_RULE = "strict: a tie does not hold"

#: The ids of the method's default claims, in the order they are made.
DEFAULT_IDS = ("balance", "strongest_driving", "weakest_driving", "strongest_restraining", "weakest_restraining")


@dataclass(frozen=True)
class Claim:
    """One conclusion: what it says, what it is about, and where it comes from. Plain data.

    ``kind`` is one of :data:`repro.data.codebook.CLAIM_PARAMETERS`; ``side``, ``force``,
    ``other`` and ``k`` are its parameters (None where the kind takes none).
    """

    id: str
    kind: str
    statement: str
    origin: str = "method"  # "method" (the method's verdict) or "authors" (the authors' words)
    side: str | None = None
    force: str | None = None
    other: str | None = None
    k: int | None = None
    statement_en: str = ""
    quote: str = ""
    source_line: int | None = None
    note: str = ""

    def text(self, lang: str) -> str:
        """The statement in ``lang``, as :func:`repro.labels.item_text` picks an item's text: as written
        for 'ru'; for 'en' its English version where there is one, else as written."""
        return (self.statement_en or self.statement) if check_lang(lang) == "en" else self.statement

    @property
    def forces(self) -> tuple[str, ...]:
        """The ids of the forces the claim names."""
        return tuple(f for f in (self.force, self.other) if f)

    @property
    def about_scores(self) -> bool:
        """Whether the claim's truth depends on the scores (all kinds but ``chain``)."""
        return self.kind != "chain"

    @property
    def source(self) -> str:
        """Where the claim comes from, in one line: the note, then the quote with its line."""
        quoted = f"«{self.quote}» (line {self.source_line})" if self.quote else ""
        text = " ".join(part for part in (self.note, quoted) if part)
        if text:
            return text
        return "the method's verdict on the scores" if self.origin == "method" else "the authors' conclusion"


@dataclass
class Registry:
    """The claims of one analysis and what a reader should know about them (ties, claims not made)."""

    claims: list[Claim]
    notes: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.claims)

    def __len__(self) -> int:
        return len(self.claims)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.claims]


# ---------------------------------------------------------------- from data
def _cell(value):
    """A table cell as a plain value: None for empty or missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return None
    return value


def claims_from_table(table: pd.DataFrame) -> list[Claim]:
    """The claims of a validated ``claims.csv`` table (:attr:`repro.data.Analysis.claims`)."""
    claims = []
    for row in table.itertuples():
        k = _cell(row.k)
        line = _cell(row.source_line)
        claims.append(Claim(
            id=row.id, kind=row.kind, statement=row.statement, origin=row.origin,
            side=_cell(row.side), force=_cell(row.force), other=_cell(row.other), k=None if k is None else int(k),
            statement_en=row.statement_en or "", quote=row.quote or "",
            source_line=None if line is None else int(line), note=row.note or ""))
    return claims


def _vacuous(claim: Claim, forces: pd.DataFrame) -> str | None:
    """Why ``claim`` cannot fail on this field (a side with one force), or None."""
    if claim.kind not in ("strongest", "weakest", "top_k") or claim.force not in set(forces["id"]):
        return None
    side = forces.loc[forces["id"] == claim.force, "direction"].item()
    n = int((forces["direction"] == side).sum())
    if claim.kind == "top_k" and claim.k is not None and claim.k >= n:
        return f"claim {claim.id} cannot fail: the {side} side has {n} force(s), so {claim.force} is always in its top {claim.k}."
    if claim.kind != "top_k" and n == 1:
        return f"claim {claim.id} cannot fail: {claim.force} is the only {side} force."
    return None


# ---------------------------------------------------------------- the method's defaults
def force_name(forces: pd.DataFrame, force_id: str, lang: str = "en") -> str:
    """A force as a statement names it, then its id: its text as written for 'ru'; for 'en' its English
    text if the analysis has one, else as written."""
    row = forces.loc[forces["id"] == force_id].iloc[0]
    text_en = row["text_en"] if "text_en" in row.index and isinstance(row["text_en"], str) else ""
    text = (text_en or row["text"]) if check_lang(lang) == "en" else row["text"]
    return f"{text} ({force_id})"


def _default_statements(key: str, **words) -> dict[str, str]:
    """A default claim's statement in Russian (``statement``, as the outputs' default language) and in
    English (``statement_en``), both ours, from the labels' templates."""
    return {"statement": label(key, "ru").format(**{k: v("ru") for k, v in words.items()}),
            "statement_en": label(key, "en").format(**{k: v("en") for k, v in words.items()})}


def _side_extremes(forces: pd.DataFrame, side: str) -> tuple[list[Claim], list[str]]:
    """The strongest and weakest force of one side, where the scores single one out; notes otherwise."""
    own = forces[forces["direction"] == side].reset_index(drop=True)
    if len(own) == 0:
        return [], [f"the {side} side has no force: no strongest or weakest {side} force is claimed."]
    if len(own) == 1:
        return [], [f"the {side} side has a single force ({own['id'].iloc[0]}): no strongest or weakest {side} "
                    "force is claimed, since such a claim could not fail."]
    claims, notes = [], []
    for which, score in (("strongest", own["score"].max()), ("weakest", own["score"].min())):
        at = own.loc[own["score"] == score, "id"].tolist()
        if len(at) > 1:
            notes.append(f"{' and '.join(at)} tie for the {which} {side} force ({score:g} each): no claim is made "
                         f"about the {which} {side} force.")
            continue
        statements = _default_statements(f"claim_{which}_{side}", force=lambda lang: force_name(forces, at[0], lang))
        claims.append(Claim(f"{which}_{side}", which, origin="method", force=at[0],
                            note="The method's ranking of the analysis's own scores.", **statements))
    return claims, notes


def default_claims(forces: pd.DataFrame) -> Registry:
    """The method's verdicts on ``forces``' own scores: the side that wins, and the strongest and the
    weakest force of each side, each true at these scores.

    A tie is said honestly: no strict claim is made about a tied balance or a tied force, and the
    tie is reported in the notes; so is a side with a single force, whose extremes could not fail.
    """
    notes = ["No claims.csv: the claims are the method's verdicts on the analysis's own scores "
             "(the side that wins, the strongest and the weakest force of each side)."]
    if forces["score"].isna().any():
        return Registry([], notes + ["The force field has no scores: there is no verdict to state."])
    claims = []
    b = balance(forces)
    if b.verdict == "tie":
        notes.append(f"The sides tie ({b.driving_total:g} against {b.restraining_total:g}): no claim is made about the balance.")
    else:
        claims.append(Claim("balance", "side_outweighs", origin="method", side=b.verdict,
                            **_default_statements(f"claim_{b.verdict}_outweighs"),
                            note=f"The method's verdict (sum rule) on the analysis's own scores: "
                                 f"{b.driving_total:g} driving against {b.restraining_total:g} restraining."))
    for side in SIDES:
        side_claims, side_notes = _side_extremes(forces, side)
        claims += side_claims
        notes += side_notes
    order = {claim_id: i for i, claim_id in enumerate(DEFAULT_IDS)}
    return Registry(sorted(claims, key=lambda c: order[c.id]), notes)


def claims_for(analysis, forces: pd.DataFrame | None = None) -> Registry:
    """The claims of ``analysis``: its ``claims.csv`` if it has one, else the method's verdicts on
    the scores of ``forces`` (default: the analysis's own forces).

    This one registry feeds every place that shows conclusions: ``repro sensitivity``, ``repro
    compare``, the report, the notebooks and the explorer.

    Returns
    -------
    Registry
        ``.claims`` (list of :class:`Claim`) and ``.notes`` (list of str: ties, claims not made,
        claims that cannot fail).
    """
    forces = analysis.forces if forces is None else forces
    if analysis.claims is None:
        return default_claims(forces)
    claims = claims_from_table(analysis.claims)
    notes = [f"The claims are the analysis's own (claims.csv, {len(claims)} claim(s))."]
    notes += [why for why in (_vacuous(c, forces) for c in claims) if why]
    return Registry(claims, notes)


def chain_holds(analysis) -> bool:
    """Whether every link SWOT -> force field -> lotus of ``analysis`` holds (the ``chain`` claim)."""
    return bool(chain_links(analysis.swot, analysis.forces, analysis.lotus)["holds"].all())


# ---------------------------------------------------------------- evaluation
Predicate = Callable[[np.ndarray], np.ndarray]


def _rivals_at_least(scores: np.ndarray, own: int, rivals, weaker: bool = False) -> np.ndarray:
    """How many of the ``rivals`` columns score at least as much as column ``own`` (a tie counts),
    or, with ``weaker``, at most as much. Column by column: no copy of the scores is made."""
    count = np.zeros(scores.shape[0], dtype=np.int16)
    for rival in rivals:
        if weaker:
            count += scores[:, rival] <= scores[:, own]
        else:
            count += scores[:, rival] >= scores[:, own]
    return count


def compile_claim(claim: Claim, forces: pd.DataFrame, chain_holds: bool = True) -> Predicate | None:
    """The claim as a function of a score matrix (draws x forces, columns in the order of ``forces``)
    returning one bool per draw; None when ``forces`` lacks a force the claim names."""
    ids = forces["id"].tolist()
    if any(f not in ids for f in claim.forces):
        return None
    if claim.kind == "chain":
        return lambda scores: np.full(scores.shape[0], chain_holds)
    if claim.kind == "side_outweighs":
        sign = side_matrix(forces) * (1.0 if claim.side == "driving" else -1.0)
        return lambda scores: scores @ sign > TIE_TOLERANCE
    own = ids.index(claim.force)
    if claim.kind == "outweighs":
        other = ids.index(claim.other)
        return lambda scores: scores[:, own] > scores[:, other]
    direction = forces["direction"].to_numpy()
    rivals = [j for j in np.flatnonzero(direction == direction[own]) if j != own]
    if claim.kind == "strongest":
        return lambda scores: _rivals_at_least(scores, own, rivals) == 0
    if claim.kind == "weakest":
        return lambda scores: _rivals_at_least(scores, own, rivals, weaker=True) == 0
    if claim.kind == "top_k":
        return lambda scores: _rivals_at_least(scores, own, rivals) < claim.k
    raise ValueError(f"unknown kind of claim {claim.kind!r}; expected one of {', '.join(CLAIM_PARAMETERS)}")


def evaluate(claims, forces: pd.DataFrame, scores, chain_holds: bool = True) -> dict[str, np.ndarray]:
    """Each claim's truth value for every row of ``scores`` (draws x forces, in the order of ``forces``).

    Claims about a force that ``forces`` lacks (a dropped force) are left out of the result.

    Examples
    --------
    At the paper's scores (11.3 against 11.5) ``balance`` holds; with R2 lowered by 0.2 the sides
    tie at 11.3 and it does not (ties do not hold).
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    out = {}
    for claim in claims:
        predicate = compile_claim(claim, forces, chain_holds)
        if predicate is not None:
            out[claim.id] = predicate(scores)
    return out


def holds_at(claims, forces: pd.DataFrame, chain_holds: bool = True) -> dict[str, bool]:
    """Each claim's truth value at the scores of ``forces`` themselves."""
    values = evaluate(claims, forces, forces["score"].to_numpy(dtype=float)[None, :], chain_holds)
    return {claim_id: bool(v[0]) for claim_id, v in values.items()}


# ---------------------------------------------------------------- the Discussion's components
def component_support(components: pd.DataFrame, forces: pd.DataFrame) -> pd.DataFrame:
    """Each component a discussion names, with its items and the scores that support it.

    Shown plainly, without judgement: the order in which a text names its components can be set
    beside the scores of the forces they map to (the paper names digital infrastructure first while
    its driving force has the lowest driving score).
    """
    scores = dict(zip(forces["id"], forces["score"]))
    direction = dict(zip(forces["id"], forces["direction"]))
    ranks = dict(zip(forces["id"], rank_forces(forces)["rank"])) if forces["score"].notna().all() else {}
    sizes = forces["direction"].value_counts()
    rows = []
    for row in components.sort_values("order").itertuples():
        items = split_ids(row.items)
        scored = [f"{i} = {scores[i]:g} ({direction[i]}, rank {ranks[i]} of {int(sizes[direction[i]])})"
                  for i in items if i in ranks]
        rows.append((int(row.order), row.text, row.text_en, ", ".join(items), row.mapping,
                     "; ".join(scored) or "no scored force"))
    return pd.DataFrame(rows, columns=["order_in_discussion", "component", "component_en (our translation)",
                                       "items", "mapping", "score_support"])
