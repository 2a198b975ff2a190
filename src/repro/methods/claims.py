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
from repro.i18n import format_list, format_number, gettext, ngettext
from repro.labels import LANGS, check_lang, label
from repro.methods.force_field import SIDES, balance, rank_forces, side_matrix

#: Net forces closer to 0 than this are ties (sums of decimal scores are not exact in binary floats).
TIE_TOLERANCE = 1e-9

#: Every claim is strict, and says so in the outputs (in English; :func:`tie_rule` in any language).
TIE_RULE = "strict: a tie does not hold"


def tie_rule(lang: str = "en") -> str:
    """How every claim treats a tie, in ``lang`` (:data:`TIE_RULE` in English)."""
    return gettext(lang, "tie_rule")

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
    note_en: str = ""
    #: The statement in every language the package speaks, for the method's default claims (the
    #: package words them itself): (lang, statement) pairs; empty for claims an analysis states.
    generated: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str) -> str:
        """The statement in ``lang``: the package's own wording in ``lang`` for a default claim; else,
        as :func:`repro.labels.item_text` picks an item's text, as written for 'ru' and for 'en' its
        English version where there is one, else as written."""
        own = dict(self.generated).get(check_lang(lang))
        if own:
            return own
        return (self.statement_en or self.statement) if lang == "en" else self.statement

    def note_text(self, lang: str) -> str:
        """The note in ``lang``: ``note_en`` for 'en' where there is one, else ``note`` as written."""
        return (self.note_en or self.note) if check_lang(lang) == "en" else self.note

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
        """Where the claim comes from, in English (:meth:`source_text`)."""
        return self.source_text("en")

    def quoted(self, lang: str) -> str:
        """The quote as the original prints it, in guillemets, with its line said in ``lang`` ('' if none)."""
        if not self.quote:
            return ""
        if self.source_line is None:
            return gettext(lang, "claim_quote_no_line", quote=self.quote)
        return gettext(lang, "claim_quote", quote=self.quote, line=self.source_line)

    def source_text(self, lang: str) -> str:
        """Where the claim comes from, in one line in ``lang``: the note, then the quote (verbatim, in the
        source's language) with its line; without either, whose verdict the claim is."""
        text = " ".join(part for part in (self.note_text(lang), self.quoted(lang)) if part)
        if text:
            return text
        return gettext(lang, "claim_source_method" if self.origin == "method" else "claim_source_authors")


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
            source_line=None if line is None else int(line), note=row.note or "",
            note_en=getattr(row, "note_en", "") or ""))
    return claims


def _vacuous(claim: Claim, forces: pd.DataFrame, lang: str = "en") -> str | None:
    """Why ``claim`` cannot fail on this field (a side with one force), or None; in ``lang``, the claim
    named by its statement."""
    if claim.kind not in ("strongest", "weakest", "top_k") or claim.force not in set(forces["id"]):
        return None
    side = forces.loc[forces["id"] == claim.force, "direction"].item()
    n = int((forces["direction"] == side).sum())
    if claim.kind == "top_k" and claim.k is not None and claim.k >= n:
        return gettext(lang, f"claim_cannot_fail_top_k_{side}", claim=claim.text(lang), force=claim.force,
                       forces=ngettext(lang, "forces_count", n), k=format_number(claim.k, lang))
    if claim.kind != "top_k" and n == 1:
        return gettext(lang, f"claim_cannot_fail_only_{side}", claim=claim.text(lang), force=claim.force)
    return None


# ---------------------------------------------------------------- the method's defaults
def force_name(forces: pd.DataFrame, force_id: str, lang: str = "en") -> str:
    """A force as a statement names it, then its id: its text as written for 'ru'; for 'en' its English
    text if the analysis has one, else as written."""
    row = forces.loc[forces["id"] == force_id].iloc[0]
    text_en = row["text_en"] if "text_en" in row.index and isinstance(row["text_en"], str) else ""
    text = (text_en or row["text"]) if check_lang(lang) == "en" else row["text"]
    return f"{text} ({force_id})"


def _generated(key: str, language: str, **fields) -> dict:
    """A default claim's words, the package's own: ``statement`` in the analysis's ``language``,
    ``statement_en`` in English, and the statement in every language the package speaks
    (``generated``). ``fields`` are functions of a language (a force's name in it)."""
    said = {lang: label(key, lang, **{k: v(lang) for k, v in fields.items()}) for lang in LANGS}
    return {"statement": said[language], "statement_en": said["en"], "generated": tuple(said.items())}


def _side_extremes(forces: pd.DataFrame, side: str, lang: str, language: str) -> tuple[list[Claim], list[str]]:
    """The strongest and weakest force of one side, where the scores single one out; notes (in ``lang``)
    otherwise. Statements are worded in the analysis's ``language`` and in English."""
    own = forces[forces["direction"] == side].reset_index(drop=True)
    if len(own) == 0:
        return [], [gettext(lang, f"claims_no_{side}")]
    if len(own) == 1:
        return [], [gettext(lang, f"claims_single_{side}", id=own["id"].iloc[0])]
    claims, notes = [], []
    for which, score in (("strongest", own["score"].max()), ("weakest", own["score"].min())):
        at = own.loc[own["score"] == score, "id"].tolist()
        if len(at) > 1:
            notes.append(gettext(lang, f"claims_tie_{which}_{side}", ids=format_list(at, lang),
                                 score=format_number(score, lang)))
            continue
        words = _generated(f"claim_{which}_{side}", language, force=lambda lg: force_name(forces, at[0], lg))
        claims.append(Claim(f"{which}_{side}", which, origin="method", force=at[0],
                            note=gettext(language, "claim_note_ranking"),
                            note_en=gettext("en", "claim_note_ranking"), **words))
    return claims, notes


def default_claims(forces: pd.DataFrame, lang: str = "en", language: str | None = None) -> Registry:
    """The method's verdicts on ``forces``' own scores: the side that wins, and the strongest and the
    weakest force of each side, each true at these scores.

    A tie is said honestly: no strict claim is made about a tied balance or a tied force, and the
    tie is reported in the notes; so is a side with a single force, whose extremes could not fail.

    Parameters
    ----------
    forces
        The forces, with their scores.
    lang
        The language of the notes.
    language
        The language the analysis is written in: its claims' ``statement`` and ``note`` are worded in
        it (``statement_en`` and ``note_en`` in English; :meth:`Claim.text` gives any language).
        Default: ``lang``.
    """
    language = check_lang(language or lang)
    notes = [gettext(lang, "claims_default")]
    if forces["score"].isna().any():
        return Registry([], notes + [gettext(lang, "claims_no_scores")])
    claims = []
    b = balance(forces)
    if b.verdict == "tie":
        notes.append(gettext(lang, "claims_sides_tie", driving=format_number(b.driving_total, lang),
                             restraining=format_number(b.restraining_total, lang)))
    else:
        def note(lg):
            return gettext(lg, "claim_note_balance", driving=format_number(b.driving_total, lg),
                           restraining=format_number(b.restraining_total, lg))
        claims.append(Claim("balance", "side_outweighs", origin="method", side=b.verdict,
                            **_generated(f"claim_{b.verdict}_outweighs", language),
                            note=note(language), note_en=note("en")))
    for side in SIDES:
        side_claims, side_notes = _side_extremes(forces, side, lang, language)
        claims += side_claims
        notes += side_notes
    order = {claim_id: i for i, claim_id in enumerate(DEFAULT_IDS)}
    return Registry(sorted(claims, key=lambda c: order[c.id]), notes)


def claims_for(analysis, forces: pd.DataFrame | None = None, lang: str = "en") -> Registry:
    """The claims of ``analysis``: its ``claims.csv`` if it has one, else the method's verdicts on
    the scores of ``forces`` (default: the analysis's own forces), worded in the analysis's language
    (:attr:`repro.data.Analysis.language`). The notes are in ``lang``.

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
        return default_claims(forces, lang, getattr(analysis, "language", lang))
    claims = claims_from_table(analysis.claims)
    notes = [ngettext(lang, "claims_own", len(claims))]
    notes += [why for why in (_vacuous(c, forces, lang) for c in claims) if why]
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
def component_support(components: pd.DataFrame, forces: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Each component a discussion names, with its items and the scores that support it (in ``lang``).

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
        scored = [gettext(lang, "component_support", id=i, score=format_number(scores[i], lang),
                          side=label(f"side_{direction[i]}", lang), rank=ranks[i], n=int(sizes[direction[i]]))
                  for i in items if i in ranks]
        mapping = (getattr(row, "mapping_en", "") or row.mapping) if lang == "en" else row.mapping
        rows.append((int(row.order), row.text, row.text_en, ", ".join(items), mapping,
                     "; ".join(scored) or gettext(lang, "component_no_scored_force")))
    return pd.DataFrame(rows, columns=["order_in_discussion", "component", "component_en (our translation)",
                                       "items", "mapping", "score_support"])
