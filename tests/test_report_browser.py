"""The report page in a real browser (Debian's headless Chromium): every image loads, no text
overflows its box. The screenshot is kept in .test-artifacts/report.png for a person to look at."""

import json
import os
import re
import shutil
import subprocess

import pytest
from PIL import Image

from conftest import REPOSITORY

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# On CI the browser is installed by `make test`; a missing one there is a failure, not a skip.
pytestmark = pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"),
                                reason="chromium is not installed (make test installs it when run as root)")

CHECK = """<script>
window.addEventListener("load", () => {
  const images = [...document.images];
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt);
  const boxes = [...document.querySelectorAll("td, th, p, figcaption, h1, h2, figure")];
  const overflow = boxes.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + ": " + e.textContent.slice(0, 60));
  const result = document.createElement("pre");
  result.id = "repro-check";
  result.textContent = JSON.stringify({images: images.length, broken, overflow,
    pageWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth});
  document.body.appendChild(result);
});
</script></body>"""

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,2000", "--virtual-time-budget=15000"]


def chromium(*args, profile):
    assert CHROMIUM, "chromium is not installed: `make test` installs Debian's chromium when run as root"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


def test_report_images_load_and_no_text_overflows(results, tmp_path):
    page = tmp_path / "report_check.html"
    page.write_text((results / "report.html").read_text(encoding="utf-8").replace("</body>", CHECK), encoding="utf-8")
    dom = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile1").stdout
    found = re.search(r'<pre id="repro-check">(.*?)</pre>', dom, re.S)
    assert found, "the check script did not run"
    check = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert check["images"] >= 5 and check["broken"] == []
    assert check["overflow"] == []
    assert check["pageWidth"] <= check["viewportWidth"]


def test_report_screenshot_is_kept(results, tmp_path):
    artifacts = REPOSITORY / ".test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "report.png"
    shot.unlink(missing_ok=True)
    chromium(f"--screenshot={shot}", (results / "report.html").as_uri(), profile=tmp_path / "profile2")
    with Image.open(shot) as picture:  # the window's size (FLAGS), and something drawn in it
        assert picture.size == (1280, 2000)
        low, high = picture.convert("L").getextrema()
    assert low < high, "the screenshot is a blank page"
