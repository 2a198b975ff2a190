"""The claims registry: each conclusion of the article as a named predicate over the scores.

A predicate takes a matrix of scores (draws x forces, columns in the order of ``forces``) and
returns one bool per draw, so the sensitivity engine evaluates every claim over a million draws
at once. Claims are strict: a tie does not hold ("R2 is the strongest" fails if R2 ties R1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from repro.methods.force_field import side_matrix

#: Net forces closer to 0 than this are ties (float sums of decimal scores are not exact).
TIE_TOLERANCE = 1e-9

METHODS_SENTENCE = ("«Метод силового поля показал приоритетность проблем и решений.» "
                    "(Методы, line 60)")


@dataclass(frozen=True)
class Claim:
    """A conclusion: what it says, where the article says it, and how to evaluate it."""

    id: str
    statement: str
    source: str
    origin: str  # "method" (the method's verdict) or "authors" (the authors' words)
    evaluate: Callable[[np.ndarray], np.ndarray] | None  # None: does not depend on the scores
    subject: str | None = None  # the force the claim is about, if any


def _extreme(forces: pd.DataFrame, force_id: str, strongest: bool) -> Callable[[np.ndarray], np.ndarray]:
    direction = forces.loc[forces["id"] == force_id, "direction"].item()
    columns = np.flatnonzero(forces["direction"].to_numpy() == direction)
    own = int(np.flatnonzero(forces["id"].to_numpy() == force_id)[0])
    others = [c for c in columns if c != own]

    def holds(scores: np.ndarray) -> np.ndarray:
        result = np.ones(scores.shape[0], dtype=bool)
        # Column by column: no copy of the other forces' scores is made.
        for other in others:
            if strongest:
                result &= scores[:, own] > scores[:, other] + TIE_TOLERANCE
            else:
                result &= scores[:, own] < scores[:, other] - TIE_TOLERANCE
        return result
    return holds


#: Every claim is strict, and says so in the outputs.
TIE_RULE = "strict: a tie does not hold"


def _name(forces: pd.DataFrame, force_id: str) -> str:
    row = forces.loc[forces["id"] == force_id].iloc[0]
    text_en = row.get("text_en", "") if hasattr(row, "get") else ""
    return f"{(text_en or row['text'])} ({force_id})"


def registry(forces: pd.DataFrame, of_the_paper: bool = True) -> list[Claim]:
    """The claims, evaluated on ``forces``. Claims about a force that the analysis lacks are left out.

    ``of_the_paper`` says whether ``forces`` are the article's: if not (a student's analysis, a
    reviewer's re-scoring of other data), the statements name the forces from their own texts and the
    sources say the ranking is the method's verdict on those scores, not the article's words.
    """
    sign = side_matrix(forces)

    def restraining_outweighs(scores: np.ndarray) -> np.ndarray:
        return scores @ sign < -TIE_TOLERANCE

    ids = set(forces["id"])
    balance_source = ("The method's verdict (sum rule over Table 2), not the authors' words: the article prints the "
                      "scores but no totals. " + METHODS_SENTENCE if of_the_paper else
                      "The method's verdict: the sum rule over your scores.")
    claims = [Claim("balance", "the restraining side outweighs the driving side (sum of scores)",
                    balance_source, "method", restraining_outweighs)]
    about = [
        ("strongest_driving", "D1", True, "the strongest driving force"),
        ("weakest_driving", "D3", False, "the weakest driving force"),
        ("strongest_restraining", "R2", True, "the strongest restraining force"),
        ("weakest_restraining", "R4", False, "the weakest restraining force"),
    ]
    sources = {
        "strongest_driving": "Table 2 scores (the method's ranking). " + METHODS_SENTENCE,
        "weakest_driving": "Table 2 scores (the method's ranking). Note: the Discussion names digital "
                           "infrastructure first among three components («I. Цифровая инфраструктура …», line 128).",
        "strongest_restraining": "Table 2 scores; the Discussion: «Необходимо устранить недоверие граждан к проводимой "
                                 "государственной политике посредством открытости и диалога со стороны органов власти.» "
                                 "(Обсуждение, line 156)",
        "weakest_restraining": "Table 2 scores (the method's ranking). " + METHODS_SENTENCE,
    }
    for claim_id, force_id, strongest, what in about:
        if force_id in ids:
            source = sources[claim_id] if of_the_paper else "The method's ranking of your scores."
            claims.append(Claim(claim_id, f"{_name(forces, force_id)} is {what}", source, "method",
                                _extreme(forces, force_id, strongest), subject=force_id))
    claims.append(Claim(
        "chain", "driving forces are the opportunities, restraining forces the threats, lotus centres the restraining forces",
        ("«Метод силового поля применен после SWOT-анализа …»; «Авторами по результатам модели силового поля составлен "
         "метод анализа «цветок лотоса» …» (Методы, line 60; Результаты, line 99)") if of_the_paper else
        "The method's chain, checked by repro validate.", "authors" if of_the_paper else "method",
        None))
    return claims


def evaluate(claims: list[Claim], scores: np.ndarray, chain_holds: bool = True) -> dict[str, np.ndarray]:
    """Each claim's truth value for every row of ``scores``."""
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    return {c.id: (c.evaluate(scores) if c.evaluate is not None else np.full(scores.shape[0], chain_holds))
            for c in claims}


#: The three components the Discussion names (lines 122-126), mapped to table items.
COMPONENTS = (
    ("цифровая инфраструктура", "digital infrastructure", ("O3", "D3", "W1"),
     "D3 / O3 «Развитие цифровой инфраструктуры»; W1 «Цифровое неравенство» is its weakness"),
    ("повышение цифровой грамотности населения", "raising the population's digital literacy", ("S3", "R4"),
     "S3 names it verbatim; R4 (moral unreadiness for digital trends) is the restraining side closest to it"),
    ("транспарентность институтов власти", "transparency of the institutions of power", ("R2", "R3", "C2"),
     "the Discussion answers distrust (R2) with openness; R3 weak outreach; C2 active reporting"),
)


def component_support(forces: pd.DataFrame) -> pd.DataFrame:
    """Each component of the Discussion with its items and the scores that support it.

    Shown plainly, without judgement: the article names digital infrastructure first while its
    driving force (D3) has the lowest score, 0.6.
    """
    scores = dict(zip(forces["id"], forces["score"]))
    direction = dict(zip(forces["id"], forces["direction"]))
    ranks = {}
    for side in ("driving", "restraining"):
        side_scores = forces[forces["direction"] == side].set_index("id")["score"]
        ranks.update(side_scores.rank(method="min", ascending=False).astype(int).to_dict())
    rows = []
    for order, (ru, en, items, mapping) in enumerate(COMPONENTS, start=1):
        scored = [f"{i} = {scores[i]:g} ({direction[i]}, rank {ranks[i]} of {int((forces['direction'] == direction[i]).sum())})"
                  for i in items if i in scores and pd.notna(scores[i])]
        rows.append((order, ru, en, ", ".join(items), mapping, "; ".join(scored) or "no scored force"))
    return pd.DataFrame(rows, columns=["order_in_discussion", "component", "component_en (our translation)",
                                       "items", "mapping", "score_support"])
