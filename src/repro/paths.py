"""Where the project's own files are, resolved from this package (never from the working directory)."""

from pathlib import Path

#: The repository root (the package is installed in editable mode from ``src/``).
ROOT = Path(__file__).resolve().parents[2]
#: The paper's tables and codebook.
PAPER_DATA = ROOT / "data"
#: The codebook that defines every analysis folder's columns.
CODEBOOK = PAPER_DATA / "datapackage.json"
#: The notebooks that ``repro reproduce`` runs.
NOTEBOOKS = ROOT / "notebooks"
#: Where the article's text is laid beside the repository in this project's workplace.
SHARED_PAPER_TEXT = ROOT.parent / "shared" / "paper" / "000_1676eb3f1f2acd12.txt"
