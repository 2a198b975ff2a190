"""repro: a reproduction package for Zholdybayev & Utepova's SWOT, force field and lotus flower.

The library is a set of functions over plain tables, in layers that each use only those below:

- :mod:`repro.data` loads and validates an analysis folder (the paper's or anyone's), checks the
  chain SWOT -> force field -> lotus and the paper's data against the article's text;
- :mod:`repro.methods` computes each method's tables (totals, rankings, claims, sensitivity);
- :mod:`repro.figures` draws them;
- :mod:`repro.pipeline` runs the notebooks into a results folder that never costs a user a file
  (:mod:`~repro.pipeline.reproduce`, :mod:`~repro.pipeline.outdir`), writes the report, and
  verifies a reproduction against the committed reference (:mod:`~repro.pipeline.verify`);
- :mod:`repro.cli` is the ``repro`` command.
"""

__version__ = "0.1.0"

from repro.errors import AnalysisError, Problem  # noqa: E402

__all__ = ["Analysis", "AnalysisError", "Problem", "load_analysis", "__version__"]


def __getattr__(name: str):
    """``repro.load_analysis`` and ``repro.Analysis``, imported on first use (PEP 562): the data layer
    brings pandas and Frictionless, which ``repro --version`` and the start of ``repro reproduce``
    (its kernels start first) do not need."""
    if name in ("Analysis", "load_analysis"):
        import repro.data

        return getattr(repro.data, name)
    raise AttributeError(f"module 'repro' has no attribute {name!r}")
