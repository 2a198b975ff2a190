"""Shared fixtures: a copy of the paper's data to break, and a small analysis that is not the paper's;
helpers that snapshot a folder to prove no file in it changed."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from repro import paths

#: The clone holding these tests: its README, Makefile and lock. The package under test may be this
#: clone's own (editable) or installed from a wheel (``make test-pythons``); what the package reads at
#: run time is always found through :mod:`repro.paths`.
REPOSITORY = Path(__file__).resolve().parents[1]
#: The article's text, where this project's workplace lays it beside the clone.
ARTICLE_TEXT = REPOSITORY.parent / paths.WORKPLACE_PAPER_TEXT


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def tree_snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (files by their SHA-256, folders and symlinks marked), by relative
    path: two equal snapshots mean not one file was added, removed or changed."""
    snapshot = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                snapshot[rel] = f"symlink to {os.readlink(path)}"
            elif path.is_dir():
                snapshot[rel] = "folder"
            else:
                snapshot[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return snapshot


def earlier_results(folder: Path) -> Path:
    """A folder as an earlier run of repro leaves it: two files and a manifest of ours that lists them,
    sealed with this user's key (the tests' own, see ``own_state_folder``)."""
    from repro.pipeline.outdir import write_manifest

    (folder / "figures").mkdir(parents=True)
    (folder / "figures" / "swot.png").write_bytes(b"an earlier figure")
    (folder / "report.html").write_text("an earlier report", encoding="utf-8")
    write_manifest(folder, {"version": "0.1.0"})
    return folder


def repro_executable() -> str:
    """The ``repro`` command of the environment running the tests (beside its Python)."""
    return str(Path(sys.executable).with_name("repro"))


@pytest.fixture(scope="session", autouse=True)
def own_state_folder(tmp_path_factory):
    """The tests' own XDG state folder: the key that seals what repro writes (repro.ownership) is made
    there, never in the user's ~/.local/state, and every process a test starts inherits it."""
    folder = tmp_path_factory.mktemp("xdg-state")
    previous = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = previous


@pytest.fixture
def paper_copy(tmp_path) -> Path:
    """A writable copy of the paper's analysis folder."""
    folder = tmp_path / "paper"
    shutil.copytree(paths.PAPER_DATA, folder)
    return folder


@pytest.fixture(scope="session")
def results(tmp_path_factory) -> Path:
    """One full reproduction of the paper, shared by the tests that read its outputs."""
    from repro.pipeline.reproduce import reproduce
    return reproduce(out_dir=tmp_path_factory.mktemp("repro") / "results", jobs=2, progress=lambda line: None)


SMALL_SCALE = (1, 10)


@pytest.fixture
def small_analysis(tmp_path) -> Path:
    """A made-up analysis of another size and scale (1-10), in English only.

    SWOT: 2 strengths, 1 weakness, 3 opportunities, 2 threats. Force field: 3 driving forces
    (8, 6, 6) and 2 restraining (9, 4), so driving 20 vs restraining 13, net +7. One lotus block
    of 8 proposals around R1, the most a 3x3 block holds.
    """
    folder = tmp_path / "small"
    folder.mkdir()
    write_csv(folder / "swot.csv", ["id", "quadrant", "number", "text"], [
        ["S1", "S", 1, "Motivated volunteers"], ["S2", "S", 2, "A shared town chat"],
        ["W1", "W", 1, "No budget"],
        ["O1", "O", 1, "A grant programme"], ["O2", "O", 2, "Council support"], ["O3", "O", 3, "Local press interest"],
        ["T1", "T", 1, "Volunteer burnout"], ["T2", "T", 2, "Bad weather"],
    ])
    write_csv(folder / "force_field.csv", ["id", "kind", "direction", "score", "text", "swot_id", "published_row"], [
        ["D1", "force", "driving", 8, "A grant programme", "O1", 1],
        ["D2", "force", "driving", 6, "Council support", "O2", 2],
        ["D3", "force", "driving", 6, "Local press interest", "O3", 3],
        ["R1", "force", "restraining", 9, "Volunteer burnout", "T1", 1],
        ["R2", "force", "restraining", 4, "Bad weather", "T2", 2],
        ["C1", "change", "", "", "Rota of shifts", "", 1],
    ])
    cells = [(r, c) for r in (1, 2, 3) for c in (1, 2, 3) if (r, c) != (2, 2)]
    write_csv(folder / "lotus.csv", ["id", "centre_id", "block", "cell_row", "cell_col", "text"],
              [[f"P{i}", "R1", 1, r, c, f"Idea {i}"] for i, (r, c) in enumerate(cells, start=1)])
    descriptor = json.loads(paths.CODEBOOK.read_text(encoding="utf-8"))
    # A student's own codebook: the columns as the package defines them, but the student's own
    # title, description, sources and scale (nothing about the paper).
    descriptor.update(name="town-festival", title="A town festival run by volunteers",
                      description="A made-up analysis for the tests: should the volunteers run the festival again?",
                      sources=[{"title": "Notes of the volunteers' meeting, 2024"}])
    descriptor.pop("title_en", None)  # the paper's English title and description are not the student's
    descriptor.pop("description_en", None)
    for resource in descriptor["resources"]:
        resource.pop("caption", None)
        resource.pop("caption_en", None)
        for field in resource["schema"]["fields"]:
            if field["name"] == "score":
                field["constraints"] = {"minimum": SMALL_SCALE[0], "maximum": SMALL_SCALE[1]}
                field["description"] = "How strongly the volunteers rated each force, 1 to 10."
                field.pop("scale_note", None)
                field.pop("scale_note_en", None)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return folder


def pdf_page_points(pdf: Path) -> tuple[float, float]:
    """A one-page PDF's page size in points (1/72 inch), from its MediaBox."""
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    return float(box.group(1)), float(box.group(2))


def svg_page_points(svg: Path) -> tuple[float, float]:
    root = ElementTree.parse(svg).getroot()
    return tuple(float(root.get(side).removesuffix("pt")) for side in ("width", "height"))
