"""Time one move of the live explorer in Python: a score slider set to a new value, until the claims
table and the picture of the force field are both updated (the kernel's part of what the student
waits for; ``explorer_browser.py`` times the whole, in a browser).

Moves go through the widget itself (the slider's callback), on the paper's data with the
explorer's defaults (uniform noise, 20,000 draws). Prints the median over repeated moves and its
parts, timed apart on the same state: the figure's new artists, the claims table and its HTML, the
picture (drawn where it changed, beside drawn whole as before, in the same run) and its PNG. Parts
are CPU times of this thread (what other processes on a shared machine change least), the moves
both CPU and wall-clock time; the last line is the median move (target: under 0.2 s).

    .venv/bin/python benchmarks/explorer.py [--moves N] [--data DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

from PIL import Image

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
    picture = explorer._picture
    moves, move_cpu, parts = [], [], {name: [] for name in ("scores", "table", "html", "partial", "whole", "png")}
    drawn, changing = [], len(explorer.plot.redraw_artists)
    for k in range(args.moves):
        force_id = ids[k % len(ids)]
        slider = explorer.sliders[force_id]
        # Alternate one step down and back up, staying on the scale.
        value = slider.value - step if slider.value - step >= slider.min else slider.value + step
        start, cpu = time.perf_counter(), time.thread_time()
        slider.value = round(value, 10)  # the widget's callback recomputes the table and the picture
        moves.append(time.perf_counter() - start)
        move_cpu.append(time.thread_time() - cpu)
        drawn.append(len(picture.drawn))

        # The parts, timed apart on the same state: the move once more (there and back), then each step.
        times = [time.thread_time()]
        explorer.set_score(force_id, explorer._published[force_id] if value != explorer._published[force_id]
                           else value)
        explorer.set_score(force_id, value)
        times.append(time.thread_time())
        explorer._table = None
        explorer.claims_table()
        times.append(time.thread_time())
        explorer.table_html()
        times.append(time.thread_time())
        # The picture after the move, drawn where it changed, then (the same pixels) drawn whole.
        explorer.set_score(force_id, slider.value - step if slider.value - step >= slider.min else slider.value + step)
        picture.draw()
        explorer.set_score(force_id, value)
        times.append(time.thread_time())
        picture.draw()
        times.append(time.thread_time())
        pixels = picture.draw(partial=False)
        times.append(time.thread_time())
        image = Image.frombuffer("RGBA", explorer.figure.canvas.get_width_height(), pixels, "raw", "RGBA", 0, 1)
        image.convert("RGB").save(io.BytesIO(), format="PNG", compress_level=1)
        times.append(time.thread_time())
        for name, (a, b) in zip(["scores", "table", "html", None, "partial", "whole", "png"],
                                zip(times, times[1:])):
            if name:
                parts[name].append(b - a)
    median = {name: statistics.median(values) * 1000 for name, values in parts.items()}
    print(f"{args.moves} moves over {len(ids)} sliders, {explorer.draws:,} draws each")
    print(f"median parts (CPU): figure's new artists {median['scores'] / 2:.1f} ms; claims table {median['table']:.1f} ms "
          f"and its HTML {median['html']:.1f} ms; PNG of the picture {median['png']:.1f} ms")
    print(f"picture, only where it changed: {median['partial']:.1f} ms ({statistics.median(drawn):g} artists drawn "
          f"of {changing}); drawn whole: {median['whole']:.1f} ms; ratio {median['whole'] / median['partial']:.1f}x")
    print(f"median move in CPU time: {statistics.median(move_cpu) * 1000:.1f} ms; slowest move: {max(moves):.3f} s; "
          f"load average (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"median slider move (set value -> table and figure updated): {statistics.median(moves):.3f} s (target < 0.2 s)")


if __name__ == "__main__":
    main()
