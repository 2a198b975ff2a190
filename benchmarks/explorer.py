"""Time one move of the live explorer: a score slider set to a new value, until the claims table and
the picture of the force field are both updated (what the student waits for).

Moves go through the widget itself (the slider's callback), on the paper's data with the
explorer's defaults (uniform noise, 20,000 draws). Prints the median over repeated moves and its
parts (claims table, picture); the last line is the median move (target: under 0.2 s).

    .venv/bin/python benchmarks/explorer.py [--moves N] [--data DIR]
"""

from __future__ import annotations

import argparse
import statistics
import time

from repro import load_analysis
from repro.explorer import Explorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--data", default=None, help="analysis folder (default: the paper's data)")
    args = parser.parse_args()

    analysis = load_analysis(args.data)
    started = time.perf_counter()
    explorer = Explorer(analysis, lang="ru")
    explorer.widget()  # builds the sliders and draws the first picture and table
    print(f"explorer built and first drawn in {time.perf_counter() - started:.3f} s")

    ids = list(explorer.sliders)
    step = explorer.step
    moves, tables, pictures = [], [], []
    for k in range(args.moves):
        force_id = ids[k % len(ids)]
        slider = explorer.sliders[force_id]
        # Alternate one step down and back up, staying on the scale.
        value = slider.value - step if slider.value - step >= slider.min else slider.value + step
        start = time.perf_counter()
        slider.value = round(value, 10)  # the widget's callback recomputes the table and the picture
        moves.append(time.perf_counter() - start)
        # The parts, timed apart on the same state.
        explorer._table = None
        t0 = time.perf_counter()
        explorer.claims_table()
        t1 = time.perf_counter()
        explorer.png()
        tables.append(t1 - t0)
        pictures.append(time.perf_counter() - t1)
    print(f"{args.moves} moves over {len(ids)} sliders, {explorer.draws:,} draws each")
    print(f"median claims table: {statistics.median(tables):.3f} s; median picture: {statistics.median(pictures):.3f} s")
    print(f"slowest move: {max(moves):.3f} s")
    print(f"median slider move (set value -> table and figure updated): {statistics.median(moves):.3f} s (target < 0.2 s)")


if __name__ == "__main__":
    main()
