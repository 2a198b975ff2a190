"""Time the live explorer as a student meets it: JupyterLab in headless Chromium, a slider released,
until the figure and the claims table have both changed on the page.

Starts JupyterLab on loopback (token, every Jupyter/IPython/matplotlib folder and HOME in a temporary
folder that is removed afterwards; the notebook is a copy, so nothing in the clone is written), opens
``notebooks/explore.ipynb`` in Debian's Chromium driven by Playwright, runs it, then moves the score
sliders as a user does: alternately a key press on the focused slider and a drag of its handle with the
mouse. For each move it records, in the page, when the key or the mouse button was released, when the
slider's new value left for the kernel, when the kernel's updates came back, when the image's ``src``
and the table's HTML changed in the DOM (a MutationObserver) and when the new image was decoded and
the frame painted; the kernel's own clock (the messages' header dates) gives its part.

Prints the parts' medians, so that it is clear where the time goes; the last line is the median from
release to both figure and table changed (target: under 0.3 s).

Needs the benchmark extra (``make bench-env``: Playwright for Python, from requirements-bench.lock)
and Debian's chromium (``make browser``, as root); never downloads a browser.

    .venv/bin/python benchmarks/explorer_browser.py [--moves N] [--chromium PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"
TARGET = 0.3

# Debian's chromium on a machine without a screen, GPU or outside network: no sandbox (root in a
# container), and none of the background connections that a closed network refuses.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Installed in the page once the notebook is open: every kernel message with the time it was sent or
# arrived, and every change of the explorer's image and table with the time it happened.
PROBE = """
async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.context.sessionContext.ready;
  const kernel = panel.context.sessionContext.session.kernel;
  const probe = window.__probe = {messages: [], changes: [], releases: []};
  kernel.anyMessage.connect((_, {msg, direction}) => {
    const data = (msg.content && msg.content.data) || {};
    probe.messages.push({t: performance.now(), direction, type: msg.header.msg_type, date: msg.header.date,
                         id: msg.header.msg_id, parent: (msg.parent_header || {}).msg_id || null,
                         state: msg.content && msg.content.execution_state || null,
                         method: data.method || null, keys: Object.keys(data.state || {}),
                         bytes: (msg.buffers || []).reduce((n, b) => n + (b.byteLength || 0), 0)});
  });
  for (const type of ['keydown', 'pointerup'])
    document.addEventListener(type, () => probe.releases.push(performance.now()), true);
  new MutationObserver(records => {
    const t = performance.now();
    for (const r of records) {
      const target = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (r.type === 'attributes' && target.tagName === 'IMG' && r.attributeName === 'src') {
        const change = {t, what: 'image'};
        probe.changes.push(change);
        target.decode().catch(() => null).then(() => requestAnimationFrame(() => setTimeout(() => {
          change.painted = performance.now();
        }, 0)));
      } else if (target.closest && target.closest('.widget-html-content') && target.closest('.widget-html-content').querySelector('table')) {
        probe.changes.push({t, what: 'table'});
      }
    }
  }).observe(panel.node, {subtree: true, childList: true, attributes: true, attributeFilter: ['src'],
                          characterData: true});
  return performance.timeOrigin;
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(folder: Path, env: dict) -> tuple[subprocess.Popen, str, str]:
    port, token = free_port(), uuid.uuid4().hex
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder / 'work'}",
               "--expose-app-in-browser", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = open(folder / "lab.log", "wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder / "work")
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            request = urllib.request.Request(f"{base}/api/status", headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(request, timeout=5).read()
            return server, base, token
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                sys.exit(f"JupyterLab did not start within 180 s:\n{(folder / 'lab.log').read_text(errors='replace')}")
            time.sleep(0.2)


def private_environment(folder: Path) -> dict:
    """Every folder Jupyter, IPython, matplotlib and Chromium write to, inside ``folder``."""
    env = dict(os.environ)
    for name, sub in [("HOME", "home"), ("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                      ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython"),
                      ("MPLCONFIGDIR", "matplotlib"), ("XDG_CONFIG_HOME", "xdg-config"),
                      ("XDG_CACHE_HOME", "xdg-cache"), ("XDG_DATA_HOME", "xdg-data"), ("TMPDIR", "tmp")]:
        (folder / sub).mkdir()
        env[name] = str(folder / sub)
    # No question about JupyterLab's news: a notification would sit over the page.
    (folder / "jupyter-config" / "labconfig").mkdir()
    (folder / "jupyter-config" / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    return env


def kernel_seconds(date_a: str, date_b: str) -> float:
    return (dt.datetime.fromisoformat(date_b) - dt.datetime.fromisoformat(date_a)).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--show", action="store_true", help="print every move")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("Playwright is not installed: run `make bench-env` (the benchmark extra, requirements-bench.lock)")
    if not Path(args.chromium).exists():
        sys.exit(f"{args.chromium} not found: install Debian's chromium with `make browser` (as root)")

    with tempfile.TemporaryDirectory(prefix="repro-explorer-browser-") as tmp:
        folder = Path(tmp)
        env = private_environment(folder)
        (folder / "work").mkdir()
        shutil.copy(NOTEBOOK, folder / "work" / NOTEBOOK.name)
        server, base, token = start_lab(folder, env)
        os.environ["TMPDIR"] = env["TMPDIR"]  # Playwright's driver and Chromium's profile go there too
        tempfile.tempdir = None
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_FLAGS)
                try:
                    rows = measure(browser, base, token, args)
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    report(rows)


def measure(browser, base: str, token: str, args) -> list[dict]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.context", timeout=60_000)
    time_origin = page.evaluate(PROBE)
    started = time.perf_counter()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("() => document.querySelectorAll('.widget-slider .noUi-handle').length >= 8"
                           " && document.querySelector('img.widget-image') && document.querySelector('.widget-html-content table')",
                           timeout=120_000)
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.context.sessionContext.session.kernel.status === 'idle'")
    print(f"notebook opened and run in {time.perf_counter() - started:.1f} s")
    handles = page.locator(".widget-slider .noUi-handle")
    count = min(handles.count(), 8)
    rows, directions = [], []
    for k in range(args.moves):
        handle = handles.nth(k % count)
        handle.scroll_into_view_if_needed()
        page.evaluate("() => { window.__probe.changes.length = 0; window.__probe.releases.length = 0;"
                      " window.__probe.messages.length = 0; }")
        # Each slider goes towards the middle of its scale on its first move, back on the next, and so on.
        if k < count:
            now, low, high = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
            directions.append(1 if now < (low + high) / 2 else -1)
        direction = directions[k % count] * (1 if (k // count) % 2 == 0 else -1)
        by_mouse = k % 2 == 1
        if by_mouse:
            box = handle.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + 12 * direction, y, steps=4)
            page.evaluate("() => { window.__probe.releases.length = 0; }")
            page.mouse.up()
        else:
            handle.focus()
            page.evaluate("() => { window.__probe.releases.length = 0; }")
            page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
        page.wait_for_function("() => { const p = window.__probe; return p.releases.length &&"
                               " p.changes.some(c => c.what === 'image' && c.painted) &&"
                               " p.changes.some(c => c.what === 'table') &&"
                               " p.messages.some(m => m.type === 'status' && m.state === 'idle'"
                               "   && p.messages.some(s => s.direction === 'send' && s.id === m.parent)); }",
                               timeout=20_000)
        page.wait_for_timeout(150)  # anything late still counts; the next move starts from quiet
        probe = page.evaluate("() => window.__probe")
        rows.append(dict(parts(probe, time_origin), by="mouse" if by_mouse else "key"))
        if args.show:
            print(json.dumps(rows[-1]))
    page.close()
    return rows


def parts(probe: dict, time_origin: float) -> dict:
    release = probe["releases"][0]
    sent = [m for m in probe["messages"] if m["direction"] == "send" and m["type"] == "comm_msg"]
    first_sent = sent[0]
    ids = {m["id"] for m in sent}
    replies = [m for m in probe["messages"] if m["direction"] == "recv" and m["parent"] in ids]
    busy = next(m for m in replies if m["type"] == "status" and m["state"] == "busy")
    idle = [m for m in replies if m["type"] == "status" and m["state"] == "idle"][-1]
    updates = [m for m in replies if m["type"] == "comm_msg" and m["method"] in ("update", "echo_update")]
    image = next(c for c in probe["changes"] if c["what"] == "image")
    table = next(c for c in probe["changes"] if c["what"] == "table")
    both = max(image["t"], table["t"])
    # The kernel's clock is the wall clock; the page's is performance.now() from timeOrigin (ms since epoch).
    wall = lambda t: dt.datetime.fromtimestamp((time_origin + t) / 1000, dt.timezone.utc)
    last_update = max(updates, key=lambda m: m["t"])
    until_painted = max(image["painted"], both)
    return {
        "total": (both - release) / 1000,
        "painted": (until_painted - release) / 1000,
        "front_end_send": (first_sent["t"] - release) / 1000,
        "to_kernel": (dt.datetime.fromisoformat(busy["date"]) - wall(first_sent["t"])).total_seconds(),
        "kernel": kernel_seconds(busy["date"], idle["date"]),
        "kernel_to_last_update": kernel_seconds(busy["date"], last_update["date"]),
        "from_kernel": (wall(last_update["t"]) - dt.datetime.fromisoformat(last_update["date"])).total_seconds(),
        "render": (both - last_update["t"]) / 1000,
        "decode_paint": (until_painted - both) / 1000,
        "messages_sent": len(sent),
        "updates": len(updates),
        "update_keys": [(m["method"], m["keys"], m["bytes"]) for m in updates],
        "image_bytes": max((m["bytes"] for m in updates), default=0),
        "dom_changes": len(probe["changes"]),
    }


def report(rows: list[dict]) -> None:
    def median(key):
        return statistics.median(r[key] for r in rows)

    print(f"{len(rows)} moves ({sum(r['by'] == 'key' for r in rows)} by key, {sum(r['by'] == 'mouse' for r in rows)} by mouse)")
    print(f"load average now: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
    print("median parts, release to figure and table changed:")
    for key, what in [("front_end_send", "release -> slider's value sent to the kernel"),
                      ("to_kernel", "  -> kernel starts on it"),
                      ("kernel_to_last_update", "  -> kernel sends its last update (compute)"),
                      ("from_kernel", "  -> last update arrives in the page"),
                      ("render", "  -> figure and table both changed in the DOM"),
                      ("decode_paint", "  -> new image decoded and painted")]:
        print(f"  {what:<50} {median(key) * 1000:7.1f} ms")
    print(f"median kernel busy per move: {median('kernel') * 1000:.1f} ms; "
          f"messages sent per move: {statistics.median(r['messages_sent'] for r in rows):g}; "
          f"updates back: {statistics.median(r['updates'] for r in rows):g}; "
          f"image {statistics.median(r['image_bytes'] for r in rows) / 1000:.0f} kB")
    print(f"update messages of the first move: {rows[0]['update_keys']}")
    print(f"median release to painted: {median('painted'):.3f} s; slowest move: {max(r['total'] for r in rows):.3f} s")
    total = median("total")
    print(f"median slider release -> figure and table updated in Chromium: {total:.3f} s "
          f"(target < {TARGET} s: {'met' if total < TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
