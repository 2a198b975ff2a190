"""What the notebooks write: figures (through :func:`repro.plotting.save_figure`) and headline
numbers as JSON, so tests and the report read files, not screenshots."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from repro.figures.common import save_figure


def _plain(value):
    """``value`` with numpy scalars and arrays made plain Python, and NaN or infinity made None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps_strict(obj) -> str:
    """Strict JSON text (``null`` where a value is undefined, never ``NaN``), keys sorted, UTF-8 kept,
    ending with a newline: the same object always gives the same bytes. Pandas' missing values
    (``NaN``, ``pd.NA``) become ``null`` too."""
    def default(value):
        try:
            import pandas as pd
            if value is pd.NA or value is pd.NaT:
                return None
        except ImportError:  # pragma: no cover
            pass
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")
    return json.dumps(_plain(obj), ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False, default=default) + "\n"


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
    path.write_text(dumps_strict(numbers), encoding="utf-8")
    return path


def read_numbers(out_dir: str | Path) -> dict[str, dict]:
    """Every numbers file under ``out_dir/numbers``, keyed by name."""
    folder = Path(out_dir) / "numbers"
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
