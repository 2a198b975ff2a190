"""Time the live explorer as a student meets it: JupyterLab in headless Chromium, a slider released,
until the figure and the claims table have both changed on the page.

Starts JupyterLab on loopback with a token, with HOME and every Jupyter, IPython, matplotlib and
temporary folder inside a temporary folder that is removed afterwards; the notebook is a copy, so
nothing in the clone or the user's home is written. Opens ``notebooks/explore.ipynb`` in Debian's
Chromium driven by Playwright, runs it, then moves the score sliders as a user does: alternately a
key press on the focused slider and a drag of its handle with the mouse, each slider towards the
middle of its scale and back. For every move the page records when the key went down or the mouse
button was released, when the slider's new value left for the kernel, when the kernel's updates
came back, when the image's ``src`` and the table's HTML changed in the DOM (a MutationObserver),
and when the new image was decoded and the next frame painted. The kernel's own clock (the
messages' header dates) splits its part into the picture and the table.

``--baseline REV`` runs the explorer of git revision REV beside this one, in a second page with its
own kernel, moves alternating between the two, so that both meet the same load.

Prints the parts' medians, so that it is clear where the time goes; the last line is the median from
release to figure and table both changed (target: under 0.3 s).

Needs Playwright for Python (``make bench-env``, from requirements-bench.lock) and Debian's chromium
(``make browser``, as root); never downloads a browser.

    .venv/bin/python benchmarks/explorer_browser.py [--moves N] [--baseline REV] [--chromium PATH]
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

import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
TARGET = 0.3

# Debian's chromium on a machine without a screen, GPU or outside network: no sandbox (root in a
# container), none of the background connections that a closed network refuses.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Installed in the page once the notebook is open: every kernel message with the time it was sent or
# arrived, every release of a key or the mouse, and every change of an image or a table in the notebook.
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
                         state: (msg.content && msg.content.execution_state) || null, method: data.method || null,
                         comm: (msg.content && msg.content.comm_id) || null, keys: Object.keys(data.state || {}),
                         bytes: (msg.buffers || []).reduce((n, b) => n + (b.byteLength || 0), 0)});
  });
  // A key acts when it goes down, a drag when the button comes up.
  for (const type of ['keydown', 'pointerup'])
    document.addEventListener(type, () => probe.releases.push(performance.now()), true);
  new MutationObserver(records => {
    const t = performance.now();
    for (const r of records) {
      const target = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (r.type === 'attributes' && target.tagName === 'IMG') {
        const change = {t, what: 'image'};
        probe.changes.push(change);
        // decoded, then the frame after the next animation frame: painted
        target.decode().catch(() => null).then(() => requestAnimationFrame(() => setTimeout(() => {
          change.painted = performance.now();
        }, 0)));
      } else if (target.closest && target.closest('.widget-html-content')
                 && target.closest('.widget-html-content').querySelector('table')) {
        probe.changes.push({t, what: 'table'});
      }
    }
  }).observe(panel.node, {subtree: true, childList: true, characterData: true, attributes: true,
                          attributeFilter: ['src']});
  return performance.timeOrigin;
}
"""

SETTLED = """
() => {
  const p = window.__probe;
  const sent = new Set(p.messages.filter(m => m.direction === 'send').map(m => m.id));
  return p.releases.length > 0 && p.changes.some(c => c.what === 'image' && c.painted)
    && p.changes.some(c => c.what === 'table')
    && p.messages.some(m => m.type === 'status' && m.state === 'idle' && sent.has(m.parent));
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=40, help="moves per explorer (default 40)")
    parser.add_argument("--baseline", metavar="REV", help="also time the explorer of this git revision, alternately")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser (default: Debian's)")
    parser.add_argument("--show", action="store_true", help="print every move")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("Playwright is not installed: run `make bench-env` (it installs requirements-bench.lock)")
    if not Path(args.chromium).is_file():
        sys.exit(f"{args.chromium} not found: install Debian's chromium with `make browser` (as root)")

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="repro-explorer-browser-") as tmp:
        folder = Path(tmp)
        env = private_environment(folder)
        notebooks = {"this explorer": "explore.ipynb"}
        shutil.copy(NOTEBOOK, folder / "work" / "explore.ipynb")
        if args.baseline:
            notebooks[f"baseline {args.baseline}"] = baseline_notebook(args.baseline, folder)
        server, base, token = start_lab(folder, env)
        # Playwright's driver and Chromium's profile go to the private temporary folder too.
        os.environ["TMPDIR"] = env["TMPDIR"]
        tempfile.tempdir = None
        try:
            with sync_playwright() as playwright:
                # Chromium's own files (its cache, dconf) go to the private HOME too.
                browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_FLAGS,
                                                     env=env)
                try:
                    pages = {name: Explorer(browser, base, token, notebook, k, server.pid) for k, (name, notebook)
                             in enumerate(notebooks.items())}
                    rows = {name: [] for name in pages}
                    for k in range(args.moves):
                        for name, page in pages.items():
                            rows[name].append(page.move(k))
                            if args.show:
                                print(name, json.dumps(rows[name][-1]))
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    print(f"load average (1 min) before: {load_before[0]:.2f}, after: {os.getloadavg()[0]:.2f}, "
          f"on {os.cpu_count()} cores")
    for name, measured in rows.items():
        report(name, measured)
    medians = {name: statistics.median(r["total"] for r in measured) for name, measured in rows.items()}
    if args.baseline:
        old = medians[f"baseline {args.baseline}"]
        print(f"median, baseline {args.baseline} / this explorer: {old:.3f} s / {medians['this explorer']:.3f} s "
              f"= {old / medians['this explorer']:.2f}x")
    total = medians["this explorer"]
    print(f"median slider release -> figure and table updated in Chromium: {total:.3f} s "
          f"(target < {TARGET} s: {'met' if total < TARGET else 'NOT met'})")


# ---------------------------------------------------------------- set-up
def private_environment(folder: Path) -> dict:
    """The environment for JupyterLab and its kernels: every folder they write to inside ``folder``."""
    env = dict(os.environ)
    for name, sub in [("HOME", "home"), ("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                      ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython"),
                      ("MPLCONFIGDIR", "matplotlib"), ("XDG_CONFIG_HOME", "xdg-config"),
                      ("XDG_CACHE_HOME", "xdg-cache"), ("XDG_DATA_HOME", "xdg-data"), ("TMPDIR", "tmp")]:
        (folder / sub).mkdir()
        env[name] = str(folder / sub)
    (folder / "work").mkdir()
    # No question about JupyterLab's news (a notification over the page, and a call to the network).
    (folder / "jupyter-config" / "labconfig").mkdir()
    (folder / "jupyter-config" / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    return env


def baseline_notebook(revision: str, folder: Path) -> str:
    """The explorer notebook of ``revision`` (its package and data exported from git), run with that
    revision's package first on the kernel's path."""
    tree = folder / "baseline"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=False)
    if archive.returncode:
        sys.exit(f"git archive {revision} failed: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    notebook = json.loads((tree / "notebooks" / "explore.ipynb").read_text())
    notebook["cells"].insert(0, {"cell_type": "code", "execution_count": None, "id": "baseline-path", "metadata": {},
                                 "outputs": [], "source": f"import sys\nsys.path.insert(0, {str(tree / 'src')!r})"})
    (folder / "work" / "explore-baseline.ipynb").write_text(json.dumps(notebook))
    return "explore-baseline.ipynb"


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
    log = folder / "lab.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=folder / "work")
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
                sys.exit(f"JupyterLab did not start within 180 s:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)


# ---------------------------------------------------------------- one explorer in one page
class Explorer:
    """The explorer notebook open and run in a page of its own (its own workspace and kernel)."""

    def __init__(self, browser, base: str, token: str, notebook: str, number: int, server_pid: int):
        self.page = page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/lab/workspaces/bench-{number}/tree/{notebook}?token={token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.context", timeout=120_000)
        self.time_origin = page.evaluate(PROBE)
        started = time.perf_counter()
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function("() => document.querySelectorAll('.widget-slider .noUi-handle').length >= 8"
                               " && document.querySelector('img.widget-image')"
                               " && document.querySelector('.widget-html-content table')", timeout=180_000)
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.context.sessionContext.session"
                               ".kernel.status === 'idle'", timeout=60_000)
        print(f"{notebook} opened and run in {time.perf_counter() - started:.1f} s")
        # The kernel's process (JupyterLab's child whose connection file names the kernel), for its CPU time.
        kernel_id = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.sessionContext.session.kernel.id")
        self.kernel = next(p for p in psutil.Process(server_pid).children(recursive=True)
                           if any(kernel_id in part for part in p.cmdline()))
        self.handles = page.locator(".widget-slider .noUi-handle")
        self.count = min(self.handles.count(), 8)  # the scores' sliders come first
        self.directions: list[int] = []

    def move(self, k: int) -> dict:
        """Move slider ``k`` (by key when k is even, by mouse when odd) and return the parts, in seconds."""
        page, handle = self.page, self.handles.nth(k % self.count)
        handle.scroll_into_view_if_needed()
        # Each slider goes towards the middle of its scale on its first move, back on its next, and so on.
        if len(self.directions) < self.count:
            now, low, high = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
            self.directions.append(1 if now < (low + high) / 2 else -1)
        direction = self.directions[k % self.count] * (1 if (k // self.count) % 2 == 0 else -1)
        page.evaluate("() => { const p = window.__probe; p.messages.length = p.changes.length = 0; }")
        cpu = sum(self.kernel.cpu_times()[:2])
        if k % 2:
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
        page.wait_for_function(SETTLED, timeout=60_000)
        page.wait_for_timeout(200)  # anything late still counts; the next move starts from quiet
        return dict(parts(page.evaluate("() => window.__probe"), self.time_origin), by="mouse" if k % 2 else "key",
                    kernel_cpu=sum(self.kernel.cpu_times()[:2]) - cpu)


def parts(probe: dict, time_origin: float) -> dict:
    """The parts of one move, in seconds, from what the page recorded."""
    release = probe["releases"][0]
    sent = [m for m in probe["messages"] if m["direction"] == "send" and m["type"] == "comm_msg"]
    ids = {m["id"] for m in sent}
    replies = [m for m in probe["messages"] if m["direction"] == "recv" and m["parent"] in ids]
    busy = next(m for m in replies if m["type"] == "status" and m["state"] == "busy")
    idle = [m for m in replies if m["type"] == "status" and m["state"] == "idle"][-1]
    updates = [m for m in replies if m["type"] == "comm_msg" and m["method"] == "update"]
    image_update = max(updates, key=lambda m: m["bytes"])
    last_update = max(updates, key=lambda m: m["t"])
    image = next(c for c in probe["changes"] if c["what"] == "image")
    table = next(c for c in probe["changes"] if c["what"] == "table")
    both = max(image["t"], table["t"])

    def kernel_clock(message):
        return dt.datetime.fromisoformat(message["date"])

    def page_clock(t):  # performance.now() counts from timeOrigin, in ms since the epoch
        return dt.datetime.fromtimestamp((time_origin + t) / 1000, dt.timezone.utc)

    return {
        "total": (both - release) / 1000,
        "painted": (max(image["painted"], both) - release) / 1000,
        "front_end": (sent[0]["t"] - release) / 1000,
        "to_kernel": (kernel_clock(busy) - page_clock(sent[0]["t"])).total_seconds(),
        "kernel_picture": (kernel_clock(image_update) - kernel_clock(busy)).total_seconds(),
        "kernel_table": (kernel_clock(last_update) - kernel_clock(image_update)).total_seconds(),
        "kernel_busy": (kernel_clock(idle) - kernel_clock(busy)).total_seconds(),
        "from_kernel": (page_clock(last_update["t"]) - kernel_clock(last_update)).total_seconds(),
        "dom": (both - last_update["t"]) / 1000,
        "paint": (max(image["painted"], both) - both) / 1000,
        "messages_sent": len(sent),
        "updates": [(m["keys"], m["bytes"]) for m in updates],
        "image_bytes": image_update["bytes"],
    }


def report(name: str, rows: list[dict]) -> None:
    def median(key):
        return statistics.median(r[key] for r in rows)

    by_key = sum(r["by"] == "key" for r in rows)
    print(f"\n{name}: {len(rows)} moves ({by_key} by key, {len(rows) - by_key} by mouse); median parts:")
    for key, what in [("front_end", "release -> the slider's value sent to the kernel"),
                      ("to_kernel", "-> the kernel starts on it"),
                      ("kernel_picture", "-> the kernel sends the new picture"),
                      ("kernel_table", "-> the kernel sends the new claims table"),
                      ("from_kernel", "-> the last update arrives in the page"),
                      ("dom", "-> figure and table both changed in the DOM"),
                      ("paint", "-> the new image decoded and painted")]:
        print(f"  {what:<52} {median(key) * 1000:7.1f} ms")
    updates = ", ".join(f"{'+'.join(keys) or 'a buffer'} {size / 1000:.0f} kB" for keys, size in rows[0]["updates"])
    print(f"  per move: {statistics.median(r['messages_sent'] for r in rows):g} message to the kernel, "
          f"{len(rows[0]['updates'])} widget updates back ({updates}); "
          f"the kernel busy {median('kernel_busy') * 1000:.1f} ms, its CPU time {median('kernel_cpu') * 1000:.0f} ms")
    print(f"  release to painted: median {median('painted'):.3f} s; release to figure and table changed: "
          f"median {median('total'):.3f} s, slowest {max(r['total'] for r in rows):.3f} s")


if __name__ == "__main__":
    main()
