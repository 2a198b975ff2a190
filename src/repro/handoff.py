"""Handing the analysis that ``repro reproduce`` has validated to the notebooks it runs.

``repro reproduce`` validates the analysis folder before it starts any notebook, and every notebook
then calls :func:`repro.data.load_analysis` on the same folder, as a reader running it alone would.
Validating it again in each notebook repeats the same work five times and imports Frictionless in
every kernel (about 1.3 s of CPU in all). So the run writes the validated analysis to a file of its
own scratch folder and names that file in its kernels' environment (:data:`ENVIRONMENT_VARIABLE`).
``load_analysis`` takes the analysis from that file only for the same folder, and only while every
data file in it has the SHA-256 it had when it was validated; otherwise it validates as always.
Where the variable is not set (any notebook run by hand, any other command) nothing changes.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import replace
from pathlib import Path

#: Set by ``repro reproduce`` for its kernels only: the file holding the analysis it validated.
ENVIRONMENT_VARIABLE = "REPRO_VALIDATED_ANALYSIS"


def write_validated(analysis, path: Path) -> None:
    """Write ``analysis`` (just validated) to ``path``, with its folder and its files' hashes."""
    record = {"folder": str(analysis.folder.resolve()), "inputs_sha256": analysis.input_hashes(),
              "analysis": analysis}
    path.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))


def validated_copy(folder: Path):
    """The analysis of ``folder`` as the run validated it, or None: no run named a file, the file
    is not there or unreadable, it is about another folder, or a data file has changed since."""
    name = os.environ.get(ENVIRONMENT_VARIABLE)
    if not name:
        return None
    try:
        record = pickle.loads(Path(name).read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    if record.get("folder") != str(folder.resolve()):
        return None
    analysis = replace(record["analysis"], folder=folder)  # the folder as this caller named it
    if analysis.input_hashes() != record["inputs_sha256"]:
        return None
    return analysis
