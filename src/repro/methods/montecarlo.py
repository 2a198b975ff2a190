"""Monte Carlo noise on the scores: the noise models, and one pass over the draws that counts
everything the sensitivity analysis reports.

Draws are made and counted chunk by chunk, and only counts are kept (how often each pair of forces
is ordered each way, each side's orderings, a fine histogram of the net force), never the draws: memory
is bounded whatever the number of draws.

Every claim of the vocabulary, the ranks, rank acceptability, Kendall's τ-b and the pairwise
probabilities are read from one set of comparisons per chunk: each pair of forces is compared once
(with the claims' tie tolerance), and within a side the vector of competition ranks of a draw (how
many forces of the side score strictly higher than each) is counted as one code. That vector fixes
the draw's whole ordering of the side, ties included, so every within-side quantity is derived from
the codes' counts at the end. A side too large for one code per ordering (more than seven forces) is
counted force by force instead; the two ways give the same numbers (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from repro.i18n import gettext
from repro.labels import label
from repro.methods.claims import TIE_TOLERANCE
from repro.methods.force_field import SIDES, side_matrix
from repro.methods.grid import Grid
from repro.methods.intervals import bounded_mean_interval, wilson

NOISE_MODELS = ("uniform", "integer", "ordinal", "dirichlet")
#: The noise models whose draws depend on the half-width h; the others are reference levels.
WIDTH_MODELS = ("uniform",)
#: Draws per chunk: large enough that numpy's per-call cost is small, small enough to stay in memory.
CHUNK = 65536
#: A side whose orderings fit in this many codes (n ** n for n forces: up to seven forces) is counted
#: one ordering per draw; a larger side force by force.
JOINT_CODES = 2 ** 20
#: Fine bins of the net force's histogram over its whole possible range (figures merge them).
NET_BINS = 2000
#: Draws whose scores are kept for the scores' percentiles (the whiskers): the first ones.
KEEP = 20_000

#: How rank acceptability treats ties, in the outputs' words (English; :func:`rank_ties_rule` in any language).
RANK_TIES = gettext("en", "rank_ties_rule")
#: What "the published order survives" means (English; :func:`order_rule` in any language).
ORDER_RULE = gettext("en", "order_rule")

#: Each noise model's assumptions and what it cannot show, in English (:func:`model_assumptions` in any language).
MODEL_ASSUMPTIONS = {model: label(f"assumes_{model}", "en") for model in NOISE_MODELS}


def rank_ties_rule(lang: str = "en") -> str:
    return gettext(lang, "rank_ties_rule")


def order_rule(lang: str = "en") -> str:
    return gettext(lang, "order_rule")


def model_assumptions(lang: str = "en") -> list[dict[str, str]]:
    """Each noise model, its name in ``lang`` and what it assumes and cannot show, in ``lang``."""
    return [{"model": model, "name": label(f"model_{model}", lang), "assumes": label(f"assumes_{model}", lang)}
            for model in NOISE_MODELS]


# ---------------------------------------------------------------- the noise models
class Sampler:
    """Draws of one noise model for one set of forces on a scale, force by force (``draw`` returns a
    forces x n array: each force's draws contiguous, as the comparisons read them)."""

    def __init__(self, forces: pd.DataFrame, scale, model: str, half_width: float):
        if model not in NOISE_MODELS:
            raise ValueError(f"noise model must be one of {', '.join(NOISE_MODELS)}, got {model!r}")
        self.model, self.scale, self.half_width = model, scale, float(half_width)
        self.base = forces["score"].to_numpy(dtype=float)
        self.k = len(self.base)
        low, high = scale.minimum, scale.maximum
        if model == "uniform":
            self.low = np.maximum(self.base - self.half_width, low)
            self.high = np.minimum(self.base + self.half_width, high)
        elif model == "integer":
            grid = Grid.of(scale)
            nearest = [grid.nearest_index(s) for s in self.base]
            # One step down, none (twice: probability 1/2) or one up, staying on the scale.
            self.table = np.array([[grid.value(max(j - 1, grid.first)), grid.value(j), grid.value(j),
                                    grid.value(min(j + 1, grid.last))] for j in nearest]).reshape(self.k, 4)
            self.low, self.high = self.table.min(axis=1), self.table.max(axis=1)
        else:  # ordinal, dirichlet: anywhere on the scale
            self.low, self.high = np.full(self.k, float(low)), np.full(self.k, float(high))
        if model == "ordinal":
            # Positions in the joint published order, strongest first; tied forces share a block of positions.
            order = np.argsort(-self.base, kind="stable")
            self.position = np.empty(self.k, dtype=np.intp)
            self.position[order] = np.arange(self.k)
            self.tie_blocks = [np.flatnonzero(self.base == value) for value in np.unique(self.base)]
            self.tie_blocks = [b for b in self.tie_blocks if len(b) > 1]

    def draw(self, n: int, rng: np.random.Generator, buffer: np.ndarray | None = None) -> np.ndarray:
        """forces x n draws; the uniform model writes into ``buffer`` (a flat float array of at least
        forces x n) when given, so that a run reuses one block of memory."""
        k, base = self.k, self.base
        low, high = self.scale.minimum, self.scale.maximum
        if self.model == "uniform":
            h = self.half_width
            out = rng.random((k, n)) if buffer is None else rng.random(out=buffer[: k * n].reshape(k, n))
            out *= 2 * h
            out += (base - h)[:, None]
            for i in np.flatnonzero(base - h < low):  # clipped to the scale: only the forces near a bound
                np.maximum(out[i], low, out=out[i])
            for i in np.flatnonzero(base + h > high):
                np.minimum(out[i], high, out=out[i])
            return out
        if self.model == "integer":
            steps = rng.integers(0, 4, size=(k, n), dtype=np.uint8)
            return np.stack([np.take(self.table[i], steps[i]) for i in range(k)])
        if self.model == "ordinal":
            values = np.sort(rng.uniform(low, high, size=(n, k)), axis=1)[:, ::-1]  # strongest first
            out = np.empty((k, n))
            rows = np.arange(n)
            taken = set()
            for block in self.tie_blocks:  # tied published scores: their positions in random order per draw
                start = self.position[block].min()
                shuffled = np.argsort(rng.random((n, len(block))), axis=1)
                for a, force in enumerate(block):
                    out[force] = values[rows, start + shuffled[:, a]]
                    taken.add(int(force))
            for force in range(k):
                if force not in taken:
                    out[force] = values[:, self.position[force]]
            return out
        # dirichlet
        heights = ((base - low) * k * rng.dirichlet(np.ones(k), size=n)).T
        tallest = heights.max(axis=0)
        heights *= np.minimum(1.0, (high - low) / np.where(tallest > 0, tallest, 1.0))
        return np.minimum(low + heights, high)  # the top itself, not a rounding above it


def draw_scores(forces: pd.DataFrame, scale, model: str, half_width: float, n: int,
                rng: np.random.Generator) -> np.ndarray:
    """``n`` perturbed score vectors (n x forces) under one noise model, all on ``scale``.

    - uniform: published score + U(-h, h), clipped to the scale (a 5 on a 0-5 scale can only go
      down, which biases the balance);
    - integer: re-scoring on the scale's whole-unit points (:class:`repro.methods.grid.Grid`): the
      score rounded half up to a point, then one step down, none or up with probabilities 1/4, 1/2,
      1/4, staying on the scale. Does not depend on h;
    - ordinal (SMAA-O): only the joint order of all forces, both sides together on the shared scale:
      uniform values on the scale, sorted and handed out in the published order (tied forces in random
      order). Does not depend on h;
    - dirichlet: random importance weights: each score's height above the scale's bottom times
      n_forces x w, w ~ Dirichlet(1, ..., 1) (mean 1), the draw scaled down together where it would
      pass the top. Does not depend on h.

    See :data:`MODEL_ASSUMPTIONS` for what each assumes and cannot show.
    """
    return Sampler(forces, scale, model, half_width).draw(n, rng).T


# ---------------------------------------------------------------- the chunks
def checkpoints(draws: int) -> list[int]:
    """Where the running estimates are recorded: 1000, 2000, 5000, 10 000, ... and the last draw."""
    points, scale = [], 1000
    while scale < draws:
        points += [m * scale for m in (1, 2, 5) if m * scale < draws]
        scale *= 10
    return points + [draws]


def chunk_sizes(draws: int) -> list[int]:
    """The chunks a run of ``draws`` is made in. Boundaries lie at the checkpoints and at multiples of
    :data:`CHUNK` only, so the first N draws of any longer run are the draws of a run of N."""
    bounds = sorted({b for b in checkpoints(draws)} | set(range(CHUNK, draws, CHUNK)))
    return list(np.diff([0] + bounds))


def draw_chunks(forces: pd.DataFrame, scale, model: str, half_width: float, draws: int, seed: int | None):
    """The draws of :func:`monte_carlo`, chunk by chunk, as (n x forces) arrays: the same numbers
    the engine counts, for checks that compute them another way."""
    rng = np.random.default_rng(seed)
    sampler = Sampler(forces, scale, model, half_width)
    for n in chunk_sizes(draws):
        yield sampler.draw(int(n), rng).T


# ---------------------------------------------------------------- counting a side
@dataclass
class SideCounts:
    """What the draws did to one side, as counts over the draws.

    ``places[i, g, l]``: draws in which force i had g forces of its side strictly above and l
    strictly below (so 1 + g is its competition rank and n - 1 - g - l forces tie with it);
    ``above[i, j]``: draws with force i strictly above force j; ``tau[c + P, t]``: draws with
    concordant minus discordant pairs c (against the published order) and t tied pairs, for the side's
    P pairs; ``order_kept``: draws in which the published order survived (:data:`ORDER_RULE`).
    """

    ids: list[str]
    published: np.ndarray
    places: np.ndarray
    above: np.ndarray
    tau: np.ndarray
    order_kept: int = 0

    @classmethod
    def empty(cls, ids, published) -> "SideCounts":
        n = len(ids)
        pairs = n * (n - 1) // 2
        return cls(list(ids), np.asarray(published, dtype=float), np.zeros((n, n, n), dtype=np.int64),
                   np.zeros((n, n), dtype=np.int64), np.zeros((2 * pairs + 1, pairs + 1), dtype=np.int64))

    @property
    def n(self) -> int:
        return len(self.ids)

    def published_pairs(self):
        """(i, j, +1 / -1 / 0): each pair with the published order's sign (i above j is +1)."""
        return [(i, j, int(np.sign(self.published[i] - self.published[j])))
                for i in range(self.n) for j in range(i + 1, self.n)]

    def add_orderings(self, above_counts: np.ndarray, counts: np.ndarray) -> None:
        """Add ``counts`` draws of each ordering given by its competition ranks ``above_counts`` (rows:
        orderings, columns: forces; how many forces of the side are strictly above each)."""
        g = above_counts.astype(np.int64)
        n = self.n
        if n == 0 or len(g) == 0:
            return
        below = (g[:, None, :] > g[:, :, None]).sum(axis=2)  # forces strictly below each
        weights = counts.astype(float)  # exact: counts stay far below 2 ** 53
        for i in range(n):
            self.places[i] += np.rint(np.bincount(g[:, i] * n + below[:, i], weights, n * n)).astype(np.int64).reshape(n, n)
        higher = g[:, :, None] < g[:, None, :]  # [ordering, i, j]: i strictly above j
        self.above += np.einsum("mij,m->ij", higher, counts)
        concordance = np.zeros(len(g), dtype=np.int64)
        ties = np.zeros(len(g), dtype=np.int64)
        kept = np.ones(len(g), dtype=bool)
        for i, j, sign in self.published_pairs():
            order = np.sign(g[:, j] - g[:, i])  # +1: i above j in the draw
            ties += order == 0
            if sign:
                concordance += sign * order
                kept &= order == sign
        pairs = n * (n - 1) // 2
        cells = (concordance + pairs) * (pairs + 1) + ties
        self.tau += np.rint(np.bincount(cells, weights, self.tau.size)).astype(np.int64).reshape(self.tau.shape)
        self.order_kept += int(counts[kept].sum())


class _SideTally:
    """Counts one side chunk by chunk, from its pairs' comparisons."""

    def __init__(self, ids, published, columns, chunk: int = CHUNK):
        self.counts = SideCounts.empty(ids, published)
        self.columns = np.asarray(columns, dtype=np.intp)
        n = len(columns)
        self.joint = n > 0 and n ** n <= JOINT_CODES
        self.codes = np.zeros(n ** n if self.joint else 0, dtype=np.int64)
        self.pairs = self.counts.published_pairs()
        # Work space, reused chunk after chunk.
        self.counter = np.int8 if n < 127 else np.int32
        self.higher = np.zeros((n, chunk), dtype=self.counter)  # forces of the side strictly above each
        self.lower = None if self.joint else np.zeros((n, chunk), dtype=self.counter)
        self.compared = np.empty((2, chunk), dtype=bool)
        # The codes' type: the narrowest that holds n ** n (256 codes for four forces fit a byte).
        width = n ** n if self.joint else 0
        self.code = np.empty(chunk, dtype=np.uint8 if width <= 2 ** 8 else np.uint16 if width <= 2 ** 16 else np.int32)

    def add(self, scores: np.ndarray) -> None:
        """Count a chunk of ``scores`` (forces x draws)."""
        n, cols = len(self.columns), self.columns
        if n == 0:
            return
        draws = scores.shape[1]
        higher = self.higher[:, :draws]
        higher.fill(0)
        a_over_b, b_over_a = self.compared[0, :draws], self.compared[1, :draws]
        if not self.joint:
            lower = self.lower[:, :draws]
            lower.fill(0)
            concordance = np.zeros(draws, dtype=np.int32)
            kept = np.ones(draws, dtype=bool)
        # The comparisons' booleans read as 0 / 1 counters of the same width: a same-type add.
        as_count = (lambda flags: flags.view(np.int8)) if self.counter is np.int8 else (lambda flags: flags)
        for a, b, sign in self.pairs:
            np.greater(scores[cols[a]], scores[cols[b]], out=a_over_b)
            np.greater(scores[cols[b]], scores[cols[a]], out=b_over_a)
            np.add(higher[b], as_count(a_over_b), out=higher[b])
            np.add(higher[a], as_count(b_over_a), out=higher[a])
            if self.joint:
                continue
            np.add(lower[a], as_count(a_over_b), out=lower[a])
            np.add(lower[b], as_count(b_over_a), out=lower[b])
            self.counts.above[a, b] += np.count_nonzero(a_over_b)
            self.counts.above[b, a] += np.count_nonzero(b_over_a)
            if sign:
                agree, disagree = (a_over_b, b_over_a) if sign > 0 else (b_over_a, a_over_b)
                concordance += agree
                concordance -= disagree
                kept &= agree
        if self.joint:
            code = self.code[:draws]
            code[:] = higher[n - 1]
            for i in range(n - 2, -1, -1):  # Horner: the sum of higher[i] * n ** i
                code *= n
                np.add(code, higher[i], out=code, casting="unsafe")  # 0 <= higher < n: no overflow
            self.codes += np.bincount(code, minlength=len(self.codes))
            return
        for i in range(n):
            place = higher[i].astype(np.int64) * n + lower[i]
            self.counts.places[i] += np.bincount(place, minlength=n * n).reshape(n, n)
        pairs = n * (n - 1) // 2
        tied = pairs - higher.sum(axis=0, dtype=np.int64)  # pairs not strictly ordered
        tau_code = (concordance.astype(np.int64) + pairs) * (pairs + 1) + tied
        self.counts.tau += np.bincount(tau_code, minlength=self.counts.tau.size).reshape(self.counts.tau.shape)
        self.counts.order_kept += int(np.count_nonzero(kept))

    def result(self) -> SideCounts:
        """The side's counts so far (the orderings' codes decoded, for a side counted by codes)."""
        if not self.joint:
            return self.counts
        n = len(self.columns)
        seen = np.flatnonzero(self.codes)
        digits = (seen[:, None] // n ** np.arange(n)[None, :]) % n
        out = SideCounts.empty(self.counts.ids, self.counts.published)
        out.add_orderings(digits, self.codes[seen])
        return out


# ---------------------------------------------------------------- the net force
@dataclass
class NetHistogram:
    """The net force over the draws as counts: ``counts[b]`` draws in [edges[b], edges[b + 1]) (ties
    left out), and how many draws the driving side won, the restraining side won, or tied (|net| at
    most the tie tolerance). 0 lies on an edge, so each bin lies wholly on one side."""

    edges: np.ndarray
    counts: np.ndarray
    driving_wins: int = 0
    restraining_wins: int = 0
    ties: int = 0

    @classmethod
    def for_range(cls, low: float, high: float) -> "NetHistogram":
        if not high - low > 1e-12 * max(1.0, abs(low), abs(high)):
            width = max(abs(low), 1.0) * 1e-3  # every draw has one net: one narrow bin around it
        else:
            width = (high - low) / NET_BINS
        start = np.floor(low / width) * width
        n = int(np.ceil((high - start) / width)) + 1
        return cls(start + width * np.arange(n + 1), np.zeros(n, dtype=np.int64))

    @property
    def draws(self) -> int:
        return self.driving_wins + self.restraining_wins + self.ties

    def add(self, net: np.ndarray, work: np.ndarray | None = None) -> None:
        """Count a chunk of net forces (``work``: a float array at least as long, reused as scratch)."""
        driving = int(np.count_nonzero(net > TIE_TOLERANCE))
        restraining = int(np.count_nonzero(net < -TIE_TOLERANCE))
        ties = len(net) - driving - restraining
        self.driving_wins += driving
        self.restraining_wins += restraining
        self.ties += ties
        n = len(self.counts)
        position = np.subtract(net, self.edges[0], out=None if work is None else work[: len(net)])
        position *= 1 / (self.edges[1] - self.edges[0])
        index = position.astype(np.intp)  # the edges start at or below the least possible net: no negatives
        np.minimum(index, n - 1, out=index)  # a rounding past the last edge stays in the last bin
        if ties:
            index[np.abs(net) <= TIE_TOLERANCE] = n  # ties in a bin of their own, left out
        self.counts += np.bincount(index, minlength=n + 1)[:n]

    def shares(self) -> pd.DataFrame:
        """How often each side won and how often they tied, with Wilson intervals."""
        rows = []
        for key, count in (("driving_wins", self.driving_wins), ("restraining_wins", self.restraining_wins),
                           ("tie", self.ties)):
            low, high = wilson(count, self.draws)
            rows.append({"outcome": key, "draws": count, "p": count / self.draws, "p_low": low, "p_high": high})
        return pd.DataFrame(rows)

    def as_dict(self, lang: str = "en") -> dict:
        """The histogram for ``sensitivity.json``: edges and counts of the occupied bins, ties apart (the
        note on ties in ``lang``)."""
        filled = np.flatnonzero(self.counts)
        first, last = (filled[0], filled[-1] + 1) if len(filled) else (0, 0)
        return {"bin_edges": self.edges[first:last + 1].tolist(), "counts": self.counts[first:last].tolist(),
                "ties": self.ties, "driving_wins": self.driving_wins, "restraining_wins": self.restraining_wins,
                "draws": self.draws, "bins_note": gettext(lang, "bins_note")}


# ---------------------------------------------------------------- one run
@dataclass
class MonteCarlo:
    """What a Monte Carlo run counted, and the estimates with their intervals.

    ``holds``: claim id -> draws in which it held. ``sides``: side -> :class:`SideCounts`.
    ``above``: forces x forces, draws with force i strictly above force j (both sides and across).
    """

    forces: pd.DataFrame
    model: str
    half_width: float
    draws: int
    holds: dict[str, int]
    sides: dict[str, SideCounts]
    above: np.ndarray
    net: NetHistogram
    kept: np.ndarray  # the first draws' scores (at most KEEP), for percentiles
    running: list[tuple[int, dict[str, int]]] = field(default_factory=list)  # (draws, holds) at checkpoints

    # ------------------------------------------------------------ claims
    @property
    def p_holds(self) -> dict[str, float]:
        return {c: v / self.draws for c, v in self.holds.items()}

    @property
    def p_holds_interval(self) -> dict[str, tuple[float, float]]:
        return {c: wilson(v, self.draws) for c, v in self.holds.items()}

    def claims(self) -> pd.DataFrame:
        """claim, draws_held, draws, p_holds, p_holds_low, p_holds_high."""
        rows = [{"claim": c, "draws_held": v, "draws": self.draws, "p_holds": v / self.draws,
                 "p_holds_low": low, "p_holds_high": high}
                for c, v in self.holds.items() for low, high in [wilson(v, self.draws)]]
        return pd.DataFrame(rows, columns=["claim", "draws_held", "draws", "p_holds", "p_holds_low", "p_holds_high"])

    def convergence(self) -> pd.DataFrame:
        """The running estimate of each claim against the draws: draws, claim, p_holds and its interval."""
        rows = [{"draws": n, "claim": c, "p_holds": v / n, "p_holds_low": low, "p_holds_high": high}
                for n, holds in self.running for c, v in holds.items() for low, high in [wilson(v, n)]]
        return pd.DataFrame(rows, columns=["draws", "claim", "p_holds", "p_holds_low", "p_holds_high"])

    # ------------------------------------------------------------ ranks
    def rank_table(self) -> pd.DataFrame:
        """Rank acceptability (SMAA-2) in long form: id, side, place, p, p_low, p_high; ties shared
        (:data:`RANK_TIES`), so each force's places and each place's forces sum to 1."""
        rows = []
        for side, counts in self.sides.items():
            share = shared_places(counts)
            for i, force_id in enumerate(counts.ids):
                for place in range(counts.n):
                    total = share[i, place]
                    low, high = wilson(total, self.draws)
                    rows.append({"id": force_id, "side": side, "place": place + 1, "p": total / self.draws,
                                 "p_low": low, "p_high": high})
        return pd.DataFrame(rows, columns=["id", "side", "place", "p", "p_low", "p_high"])

    @property
    def rank_acceptability(self) -> pd.DataFrame:
        """Forces (rows, in the order of the forces) x places ('rank 1', ...): the probability of each
        place within the force's side; places a side does not have are NaN."""
        table = self.rank_table()
        wide = table.pivot(index="id", columns="place", values="p")
        wide = wide.reindex([i for i in self.forces["id"] if i in wide.index])
        wide.columns = [f"rank {r}" for r in wide.columns]
        wide.index.name = None
        return wide

    def kendall(self) -> pd.DataFrame:
        """Kendall's τ-b between the published and each drawn ranking, per side: its mean with an
        interval, P(τ-b > 0.8) with its interval, the draws where it is defined and where it is not (a
        ranking all ties)."""
        rows = []
        for side, counts in self.sides.items():
            n = counts.n
            pairs = n * (n - 1) // 2
            tied_published = sum(1 for _, _, sign in counts.published_pairs() if sign == 0)
            concordance = np.arange(-pairs, pairs + 1)[:, None]
            ties = np.arange(pairs + 1)[None, :]
            denominator = np.sqrt(float(pairs - tied_published) * (pairs - ties))
            with np.errstate(invalid="ignore", divide="ignore"):
                tau = np.where(denominator > 0, concordance / np.where(denominator > 0, denominator, 1), np.nan)
            defined = ~np.isnan(tau) & (counts.tau > 0)
            n_defined = int(counts.tau[defined].sum())
            undefined = int(counts.tau.sum()) - n_defined
            total = float((tau[defined] * counts.tau[defined]).sum())
            above = int(counts.tau[defined & (np.nan_to_num(tau, nan=-2) > 0.8)].sum())
            if n_defined:
                mean_low, mean_high = bounded_mean_interval(total, n_defined, -1.0, 1.0)
                p_low, p_high = wilson(above, n_defined)
            else:
                mean_low = mean_high = p_low = p_high = np.nan
            rows.append({"side": side, "mean_tau_b": total / n_defined if n_defined else np.nan,
                         "mean_tau_b_low": float(mean_low), "mean_tau_b_high": float(mean_high),
                         "p_tau_b_above_0.8": above / n_defined if n_defined else np.nan,
                         "p_tau_b_above_0.8_low": p_low, "p_tau_b_above_0.8_high": p_high,
                         "draws": n_defined, "undefined_draws": undefined})
        return pd.DataFrame(rows)

    def pairwise(self) -> pd.DataFrame:
        """P(force i scores strictly above force j) for every ordered pair, within and across sides:
        i, j, same_side, p_above, p_above_low, p_above_high."""
        ids = list(self.forces["id"])
        direction = dict(zip(self.forces["id"], self.forces["direction"]))
        rows = []
        for a, i in enumerate(ids):
            for b, j in enumerate(ids):
                if a != b:
                    low, high = wilson(self.above[a, b], self.draws)
                    rows.append({"i": i, "j": j, "same_side": direction[i] == direction[j],
                                 "p_above": self.above[a, b] / self.draws, "p_above_low": low, "p_above_high": high})
        return pd.DataFrame(rows, columns=["i", "j", "same_side", "p_above", "p_above_low", "p_above_high"])

    def order_survives(self) -> pd.DataFrame:
        """P(the published order of each side survives) (:data:`ORDER_RULE`), with its interval."""
        rows = []
        for side, counts in self.sides.items():
            order = sorted(range(counts.n), key=lambda i: -counts.published[i])
            text = ""
            for position, i in enumerate(order):
                if position:
                    text += " = " if counts.published[i] == counts.published[order[position - 1]] else " > "
                text += counts.ids[i]
            low, high = wilson(counts.order_kept, self.draws)
            rows.append({"side": side, "published_order": text, "p_survives": counts.order_kept / self.draws,
                         "p_survives_low": low, "p_survives_high": high})
        return pd.DataFrame(rows, columns=["side", "published_order", "p_survives", "p_survives_low", "p_survives_high"])

    def quantiles(self, low: float = 0.05, high: float = 0.95) -> pd.DataFrame:
        """Each score's percentiles over the kept draws (the first :data:`KEEP`)."""
        return pd.DataFrame({"id": self.forces["id"].to_numpy(), "low": np.quantile(self.kept, low, axis=0),
                             "high": np.quantile(self.kept, high, axis=0)})


def shared_places(counts: SideCounts) -> np.ndarray:
    """forces x places: the draws' shares of each place (:data:`RANK_TIES`), summed over the draws."""
    n = counts.n
    share = np.zeros((n, n))
    for g in range(n):
        for below in range(n - g):
            tied = n - g - below  # the force and those tied with it
            draws = counts.places[:, g, below]
            share[:, g:g + tied] += draws[:, None] / tied
    return share


def claim_counts(claims, forces: pd.DataFrame, sides: dict[str, SideCounts], above: np.ndarray,
                 net: NetHistogram, draws: int, chain_holds: bool = True) -> dict[str, int]:
    """How many draws each claim held in, read from the shared counts (no claim is evaluated draw by
    draw). Claims about a force that ``forces`` lacks are left out."""
    ids = list(forces["id"])
    where = {}
    for side, counts in sides.items():
        for i, force_id in enumerate(counts.ids):
            where[force_id] = (side, i)
    out = {}
    for claim in claims:
        if any(f not in ids for f in claim.forces):
            continue
        if claim.kind == "chain":
            out[claim.id] = draws if chain_holds else 0
        elif claim.kind == "side_outweighs":
            out[claim.id] = net.driving_wins if claim.side == "driving" else net.restraining_wins
        elif claim.kind == "outweighs":
            out[claim.id] = int(above[ids.index(claim.force), ids.index(claim.other)])
        else:
            side, i = where[claim.force]
            places = sides[side].places[i]  # [above, below]
            n = sides[side].n
            if claim.kind == "strongest":  # every rival strictly below
                out[claim.id] = int(places[:, n - 1].sum())
            elif claim.kind == "weakest":  # every rival strictly above
                out[claim.id] = int(places[n - 1, :].sum())
            elif claim.kind == "top_k":  # fewer than k rivals at least as high: at least n - k strictly below
                out[claim.id] = int(places[:, max(n - claim.k, 0):].sum())
            else:
                raise ValueError(f"unknown kind of claim {claim.kind!r}")
    return out


def net_range(sampler: Sampler, sign: np.ndarray) -> tuple[float, float]:
    """The smallest and largest net force the model can draw (each score within its own range)."""
    low = np.where(sign > 0, sampler.low, sampler.high)
    high = np.where(sign > 0, sampler.high, sampler.low)
    return float(sign @ low), float(sign @ high)


def monte_carlo(claims, forces: pd.DataFrame, scale, model: str, half_width: float, draws: int,
                seed: int | None, keep: int = KEEP, progress=None, chain_holds: bool = True,
                running: bool = True) -> MonteCarlo:
    """Draw ``draws`` score vectors under ``model`` and count, chunk by chunk, everything the analysis
    reports (see the module's docstring); one seed, one answer.

    ``keep``: how many of the first draws' scores to keep for the percentiles. ``progress`` is called
    with the size of each chunk done. ``running``: record each claim's count at every checkpoint (the
    convergence), or only at the end (the same draws and counts, a little faster, for the explorer).
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    forces = forces.reset_index(drop=True)
    k = len(forces)
    sampler = Sampler(forces, scale, model, half_width)
    rng = np.random.default_rng(seed)
    direction = forces["direction"].to_numpy()
    base = forces["score"].to_numpy(dtype=float)
    positions = {side: np.flatnonzero(direction == side) for side in SIDES}
    tallies = {side: _SideTally(list(forces["id"].iloc[cols]), base[cols], cols) for side, cols in positions.items()}
    across = [(a, b) for a in range(k) for b in range(a + 1, k) if direction[a] != direction[b]]
    above = np.zeros((k, k), dtype=np.int64)
    sign = side_matrix(forces)
    net = NetHistogram.for_range(*net_range(sampler, sign))
    # Work space, reused chunk after chunk: memory does not grow with the draws.
    drawn = np.empty(k * CHUNK)
    compared, net_space, work = np.empty(CHUNK, dtype=bool), np.empty(CHUNK), np.empty(CHUNK)
    kept, counted = [], []
    marks = set(checkpoints(draws)) if running else {draws}
    done = 0
    for n in chunk_sizes(draws):
        n = int(n)
        scores = sampler.draw(n, rng, drawn)  # forces x draws
        for tally in tallies.values():
            tally.add(scores)
        greater = compared[:n]
        for a, b in across:
            above[a, b] += np.count_nonzero(np.greater(scores[a], scores[b], out=greater))
            above[b, a] += np.count_nonzero(np.greater(scores[b], scores[a], out=greater))
        # The net force, summed force by force (no BLAS call: its threads would compete for the cores).
        total = net_space[:n]
        total.fill(0)
        for i in range(k):
            (np.add if sign[i] > 0 else np.subtract)(total, scores[i], out=total)
        net.add(total, work)
        if done < keep:
            kept.append(scores[:, : keep - done].T.copy())
        done += n
        if done in marks:
            sides = {side: tally.result() for side, tally in tallies.items()}
            counted.append((done, claim_counts(claims, forces, sides, _whole(above, sides, positions), net, done,
                                               chain_holds)))
        if progress is not None:
            progress(n)
    # The last checkpoint is the last draw: its counts are the run's.
    return MonteCarlo(forces, model, float(half_width), draws, counted[-1][1], sides, _whole(above, sides, positions),
                      net, np.concatenate(kept) if kept else np.empty((0, k)), counted)


def _whole(across: np.ndarray, sides: dict[str, SideCounts], positions: dict[str, np.ndarray]) -> np.ndarray:
    """The forces x forces matrix of "i strictly above j": the pairs across sides, and each side's own."""
    whole = across.copy()
    for side, counts in sides.items():
        whole[np.ix_(positions[side], positions[side])] += counts.above
    return whole
