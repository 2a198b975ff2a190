"""Strict JSON: what every JSON file the package writes goes through.

A browser's ``JSON.parse`` and ``jq`` refuse the bare ``NaN`` that Python's :mod:`json` writes by default;
here an undefined value is ``null``. Keys are sorted and the text ends with a newline, so the same
object always gives the same bytes. Low in the layers (no plotting, no pipeline), so methods can use it.
"""

from __future__ import annotations

import json
import math
import sys


def _plain(value):
    """``value`` with numpy scalars and arrays made plain Python, and NaN or infinity made None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    # A value can be a numpy one only once numpy is imported; not importing it here keeps `repro
    # reproduce` from paying for numpy before it starts its kernels.
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if np is not None and isinstance(value, np.generic):
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
