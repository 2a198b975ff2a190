"""One self-contained HTML page for a reviewer or an editor: figures embedded, Tables 1-3 in the
original and in translation, totals, checks, and where each value came from.

Jinja2 escapes every value taken from the data files, so an item whose text is
``<script>alert(1)</script>`` shows as that text.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from repro import __version__
from repro.data.chain import chain_links, chain_summary
from repro.methods.force_field import balance, rank_forces
from repro.pipeline.outputs import read_numbers
from repro.methods.swot import quadrant_table

CITATION = ("Е.С. Жолдыбаев, Г.М. Утепова. «Цифровизация как инструмент взаимодействия государственного аппарата "
            "и гражданского общества» (E.S. Zholdybayev, G.M. Utepova, “Digitalization as a tool for interaction of "
            "state apparatus and civil society”). Academy of Public Administration under the President of the "
            "Republic of Kazakhstan.")

FIGURE_CAPTIONS = {
    "swot": "SWOT grid (Table 1); opportunities and threats marked with the force they become.",
    "force_field": "Force field (Table 2) in the paper's order; arrow length = score on one shared axis.",
    "force_field_sorted": "Force field sorted within each side, strongest first.",
    "lotus_published": "Lotus flower (Table 3) in the published layout; empty cells as published.",
    "lotus_canonical": "Lotus flower, canonical 9×9 view: theme in the middle, restraining forces as petals.",
}

_env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html", "j2"]), trim_blocks=False)


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), "").to_dict("records")


def _figures(out_dir: Path) -> list[dict]:
    figures = []
    for path in sorted((out_dir / "figures").glob("*.png")):
        figures.append({"name": path.stem, "data": base64.b64encode(path.read_bytes()).decode("ascii"),
                        "caption": FIGURE_CAPTIONS.get(path.stem, path.stem.replace("_", " "))})
    order = list(FIGURE_CAPTIONS)
    return sorted(figures, key=lambda f: (order.index(f["name"]) if f["name"] in order else len(order), f["name"]))


def render_report(analysis, out_dir: Path, lang: str = "ru") -> str:
    """The report page as HTML text, from the analysis and what the notebooks wrote to ``out_dir``."""
    forces = analysis.forces
    ranks = rank_forces(forces)[["id", "rank"]] if analysis.has_scores else pd.DataFrame({"id": forces["id"], "rank": ""})
    force_rows = forces.merge(ranks, on="id", how="left")
    force_rows["score"] = force_rows["score"].map(lambda s: f"{s:g}" if pd.notna(s) else "")
    swot = analysis.swot.merge(quadrant_table(analysis.swot, forces)[["id", "force_id"]], on="id")
    b = balance(forces) if analysis.has_scores else None
    numbers = read_numbers(out_dir) if (out_dir / "numbers").exists() else {}
    claims = numbers.get("claims", {}).get("claims", [])
    return _env.get_template("report.html.j2").render(
        lang=lang, title="Zholdybayev & Utepova", citation=CITATION, version=__version__,
        data_folder=str(analysis.folder), description=analysis.describe(), scale=str(analysis.scale),
        captions={k: analysis.caption(k, "ru") for k in ("swot", "force_field", "lotus")},
        balance=None if b is None else {"driving_total": f"{b.driving_total:g}", "restraining_total": f"{b.restraining_total:g}",
                                        "net": f"{b.net:g}", "verdict": b.verdict},
        chain=_records(chain_summary(chain_links(analysis.swot, forces, analysis.lotus))),
        claims=claims, claims_note=numbers.get("claims", {}).get("note", ""),
        figures=_figures(out_dir), swot=_records(swot), forces=_records(force_rows),
        changes=_records(analysis.changes), lotus=None if analysis.lotus is None else _records(analysis.lotus),
    )


def write_report(analysis, out_dir: str | Path, lang: str = "ru") -> Path:
    out_dir = Path(out_dir)
    path = out_dir / "report.html"
    path.write_text(render_report(analysis, out_dir, lang), encoding="utf-8")
    return path
