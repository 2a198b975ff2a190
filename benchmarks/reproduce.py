"""Time a warm `repro reproduce` against the cost of Python itself: a fresh interpreter that imports
matplotlib.pyplot and pandas (what any notebook of this kind pays first). Both are measured side by
side in the same session, alternating, so that a busy machine slows both alike. The target for the
whole reproduction is at most 10 times the import baseline.

Also printed, to see where the time goes: each notebook's own time (as `repro reproduce` reports
it, kernel reset included), and what each kernel pays once to start and import the library.

    python benchmarks/reproduce.py [ROUNDS]      (default 3)
"""

import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
BASELINE_RUNS = 5  # per round: the baseline is short, so take several
REPRO = str(Path(sys.executable).with_name("repro"))
TARGET = 10


def timed(command: list[str], **kwargs) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, **kwargs)
    return time.perf_counter() - start, done.stdout


def import_baseline() -> float:
    return statistics.median(timed([sys.executable, "-c", "import matplotlib.pyplot, pandas"])[0]
                             for _ in range(BASELINE_RUNS))


def kernel_start_and_warm_up() -> float:
    """One kernel's one-off cost: started, the library's layers imported in it, answering."""
    code = ("import sys, tempfile, time; from pathlib import Path; "
            "from repro.pipeline.notebook_engine import KernelPool, kernel_environment\n"
            "with tempfile.TemporaryDirectory() as scratch:\n"
            "    t = time.perf_counter()\n"
            "    with KernelPool(1, Path(scratch), kernel_environment(Path(scratch), {})) as pool:\n"
            "        pool.wait_until_ready()\n"
            "        print(time.perf_counter() - t)")
    _, out = timed([sys.executable, "-c", code])
    return float(out.split()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        timed([REPRO, "reproduce", "--out", f"{tmp}/warm-up"])  # caches (fonts, bytecode) warm, as on a second run
        ours, baseline, kernel, notebooks = [], [], [], defaultdict(list)
        for k in range(ROUNDS):
            baseline.append(import_baseline())
            seconds, out = timed([REPRO, "reproduce", "--out", f"{tmp}/round-{k}"])
            ours.append(seconds)
            for name, took in re.findall(r"\] (\w+)\.ipynb done in ([\d.]+) s", out):
                notebooks[name].append(float(took))
            kernel.append(kernel_start_and_warm_up())
            print(f"round {k + 1}: repro reproduce {ours[-1]:.1f} s; import baseline {baseline[-1]:.2f} s "
                  f"(ratio {ours[-1] / baseline[-1]:.1f}); kernel start and warm-up {kernel[-1]:.1f} s", flush=True)
    print("median per notebook (in its kernel, after the warm-up): " +
          ", ".join(f"{name} {statistics.median(t):.1f} s" for name, t in sorted(notebooks.items())))
    print(f"median kernel start and warm-up (once per kernel): {statistics.median(kernel):.1f} s")
    m_ours, m_base = statistics.median(ours), statistics.median(baseline)
    print(f"median warm repro reproduce: {m_ours:.1f} s; median `python -c \"import matplotlib.pyplot, pandas\"`: "
          f"{m_base:.2f} s")
    paired = sorted(o / b for o, b in zip(ours, baseline))
    print(f"ratio repro reproduce / import baseline: {m_ours / m_base:.1f} (target: at most {TARGET}); "
          f"round by round {paired[0]:.1f} to {paired[-1]:.1f}")


if __name__ == "__main__":
    main()
