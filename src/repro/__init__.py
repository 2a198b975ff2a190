"""repro: a reproduction package for Zholdybayev & Utepova's SWOT, force field and lotus flower.

The library is a set of functions over plain tables:

- :mod:`repro.data` loads and validates an analysis folder (the paper's or anyone's);
- :mod:`repro.data.chain` checks the links SWOT -> force field -> lotus;
- :mod:`repro.methods.force_field` computes totals, net force and rankings;
- :mod:`repro.data.transcription` checks the paper's data against the article's text.
"""

__version__ = "0.1.0"

from repro.data import Analysis, load_analysis  # noqa: E402
from repro.errors import AnalysisError, Problem  # noqa: E402

__all__ = ["Analysis", "AnalysisError", "Problem", "load_analysis", "__version__"]
