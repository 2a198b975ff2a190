"""Time `repro reproduce` against the plain loop a user would otherwise write: papermill over the
same notebooks one after another. Both run side by side in one session, alternating, three times;
the last line is the ratio of the medians (target: at most 0.6 on a 2-core machine)."""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import papermill

from repro import paths
from repro.pipeline.reproduce import available_notebooks, reproduce

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def serial_loop(out: Path) -> None:
    (out / "notebooks").mkdir(parents=True)
    for name in available_notebooks():
        papermill.execute_notebook(str(paths.NOTEBOOKS / f"{name}.ipynb"), str(out / "notebooks" / f"{name}.ipynb"),
                                   parameters={"out_dir": str(out)}, kernel_name="python3", progress_bar=False,
                                   cwd=str(paths.NOTEBOOKS))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


with tempfile.TemporaryDirectory() as tmp:
    ours, loop = [], []
    for k in range(ROUNDS):
        ours.append(timed(lambda: reproduce(out_dir=Path(tmp) / f"ours{k}", jobs=2, progress=lambda line: None)))
        loop.append(timed(lambda: serial_loop(Path(tmp) / f"loop{k}")))
        print(f"round {k + 1}: repro reproduce {ours[-1]:.1f} s, serial papermill loop {loop[-1]:.1f} s", flush=True)
    m_ours, m_loop = statistics.median(ours), statistics.median(loop)
    print(f"median repro reproduce: {m_ours:.1f} s; median serial loop: {m_loop:.1f} s")
    print(f"ratio repro reproduce / serial loop: {m_ours / m_loop:.2f}")
