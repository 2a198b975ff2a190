"""Time what `repro summary` does with the forces (rank them, write each one's line), for 500 to 50,000
forces that all tie (the worst case: every force ties with every other of its side), beside the
pair-by-pair ranking it replaced. The library refuses more than repro.data.limits.MAX_FORCES forces,
so this calls the functions directly.

Linear means ten times the forces cost about ten times the time and give ten times the text; the
replaced ranking grew with the square of the forces (its last line: 2,000 forces).

    python benchmarks/summary.py
"""

import time

import numpy as np
import pandas as pd

from repro.methods.force_field import rank_forces


def forces_that_all_tie(n: int) -> pd.DataFrame:
    half = n // 2
    return pd.DataFrame({"id": [f"F{i}" for i in range(n)], "direction": ["driving"] * half + ["restraining"] * (n - half),
                         "score": [3.0] * n})


def summary_lines(ranks: pd.DataFrame) -> str:
    """The two ranking lines of `repro summary`, as it writes them."""
    lines = []
    for side in ("driving", "restraining"):
        ordered = ranks[ranks["direction"] == side].sort_values(["rank", "id"])
        lines.append(", ".join(f"{r.rank}. {r.id} ({r.score:g}{', tied with ' + r.tied_with if r.tied else ''})"
                               for r in ordered.itertuples()))
    return "\n".join(lines)


def replaced_rank_forces(forces: pd.DataFrame) -> pd.DataFrame:
    """The ranking before: every pair of forces compared, every tie listed in full on every row."""
    out = forces[["id", "direction", "score"]].reset_index(drop=True)
    scores, direction = out["score"].to_numpy(dtype=float), out["direction"].to_numpy()
    ranks = np.ones(len(out), dtype=int)
    for side in ("driving", "restraining"):
        cols = np.flatnonzero(direction == side)
        for i in cols:
            for j in cols:
                if i != j:
                    ranks[i] += scores[j] > scores[i]
    out["rank"] = ranks
    groups = out.groupby(["direction", "score"])["id"].agg(list)
    out["tied_with"] = [", ".join(i for i in groups[(d, s)] if i != own)
                        for own, d, s in zip(out["id"], out["direction"], out["score"])]
    out["tied"] = out["tied_with"] != ""
    return out


def timed(rank, n: int) -> tuple[float, int]:
    forces = forces_that_all_tie(n)
    start = time.perf_counter()
    text = summary_lines(rank(forces))
    return time.perf_counter() - start, len(text)


previous = None
for n in (500, 5000, 50_000):
    seconds, size = timed(rank_forces, n)
    growth = f"  (x{seconds / previous[0]:.1f} time, x{size / previous[1]:.1f} text for x10 forces)" if previous else ""
    print(f"{n:>6,} forces: {seconds:.3f} s, {size / 1e6:.2f} MB of text{growth}")
    previous = (seconds, size)
for n in (500, 2000):
    ours, _ = timed(rank_forces, n)
    before, size = timed(replaced_rank_forces, n)
    print(f"{n:>6,} forces, the replaced ranking: {before:.3f} s, {size / 1e6:.2f} MB of text "
          f"(ratio to now: {before / ours:.0f}x)")
