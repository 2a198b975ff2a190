"""What the notebooks write: figures (through :func:`repro.figures.common.save_figure`) and headline
numbers as strict JSON, so tests and the report read files, not screenshots."""

from __future__ import annotations

import json
from pathlib import Path

from repro.strict_json import dumps_strict


def publish_figure(fig, out_dir: str | Path | None, name: str, formats=None) -> list[Path]:
    """Save ``fig`` under ``out_dir/figures/name.*`` (``formats``, or the default PNG and PDF); with no
    ``out_dir`` write nothing."""
    from repro.figures.common import DEFAULT_FORMATS, save_figure  # matplotlib only where figures are saved

    if not out_dir:
        return []
    return save_figure(fig, Path(out_dir) / "figures" / name, formats or DEFAULT_FORMATS)


def shown_figure(fig, written: list[Path]):
    """What a notebook cell shows for ``fig``: the PNG just published (the very bytes of the file,
    at the figure's size, without drawing the figure a second time for the notebook), or the figure
    itself when nothing was written."""
    png = next((Path(p) for p in written if Path(p).suffix == ".png"), None)
    if png is None:
        return fig
    from IPython.display import Image

    return Image(data=png.read_bytes(), format="png", width=round(fig.get_figwidth() * 72))


def write_numbers(out_dir: str | Path | None, name: str, numbers: dict) -> Path | None:
    """Write ``numbers`` to ``out_dir/numbers/name.json`` (sorted keys, stable bytes)."""
    if not out_dir:
        return None
    path = Path(out_dir) / "numbers" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_strict(numbers), encoding="utf-8")
    return path


def read_numbers(out_dir: str | Path) -> dict[str, dict]:
    """Every numbers file under ``out_dir/numbers``, keyed by name."""
    folder = Path(out_dir) / "numbers"
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
