"""Time 10^6 draws of all scores with everything the Monte Carlo counts (every claim, ranks, rank
acceptability, Kendall tau-b, the pairwise matrix, the published orders, the net force's histogram),
beside the time numpy takes only to generate the same random numbers, in alternation; then check that
cost grows linearly with the draws.

The last line is the ratio to the baseline (target: under 3x).
Pass --big to also run 10^8 draws and report the peak memory (target: under 400 MB): the engine keeps
counts, never the draws.
"""

import os
import resource
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

import numpy as np  # noqa: E402

from repro import load_analysis  # noqa: E402
from repro.methods.claims import claims_for  # noqa: E402
from repro.methods.montecarlo import CHUNK, monte_carlo  # noqa: E402

analysis = load_analysis()
forces = analysis.forces
claims = claims_for(analysis).claims
N = 1_000_000


def baseline() -> None:
    rng = np.random.default_rng(0)
    for start in range(0, N, CHUNK):
        rng.uniform(-0.5, 0.5, size=(len(forces), min(CHUNK, N - start)))


def engine(n=N) -> None:
    monte_carlo(claims, forces, analysis.scale, "uniform", 0.5, n, seed=0)


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


engine(100_000)  # warm up: imports and first allocations
base, ours = [], []
for _ in range(9):
    base.append(timed(baseline))
    ours.append(timed(engine))
for n in (250_000, 500_000, 1_000_000, 2_000_000):
    t = statistics.median(timed(engine, n) for _ in range(3))
    print(f"{n:>11,} draws: {t:.3f} s ({t / n * 1e9:.0f} ns per draw)")
if "--big" in sys.argv:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = timed(engine, 100_000_000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"100,000,000 draws: {t:.1f} s, peak resident memory {peak:.0f} MiB "
          f"({before:.0f} MiB before the run: the interpreter, numpy, pandas and 10^6-draw runs)")
print(f"median numpy random numbers only: {statistics.median(base):.3f} s for {N:,} draws x {len(forces)} scores")
print(f"median draws + everything counted: {statistics.median(ours):.3f} s")
print(f"ratio to baseline: {statistics.median(ours) / statistics.median(base):.2f}")
