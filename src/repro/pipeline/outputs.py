"""What the notebooks write: figures (through :func:`repro.plotting.save_figure`) and headline
numbers as JSON, so tests and the report read files, not screenshots."""

from __future__ import annotations

import json
from pathlib import Path

from repro.figures.common import save_figure


def publish_figure(fig, out_dir: str | Path | None, name: str, formats=("png", "svg", "pdf")) -> list[Path]:
    """Save ``fig`` under ``out_dir/figures/name.*``; with no ``out_dir`` write nothing."""
    if not out_dir:
        return []
    return save_figure(fig, Path(out_dir) / "figures" / name, formats)


def write_numbers(out_dir: str | Path | None, name: str, numbers: dict) -> Path | None:
    """Write ``numbers`` to ``out_dir/numbers/name.json`` (sorted keys, stable bytes)."""
    if not out_dir:
        return None
    path = Path(out_dir) / "numbers" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(numbers, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_numbers(out_dir: str | Path) -> dict[str, dict]:
    """Every numbers file under ``out_dir/numbers``, keyed by name."""
    folder = Path(out_dir) / "numbers"
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
