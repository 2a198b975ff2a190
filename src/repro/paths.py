"""Where the project's own files are, resolved from this package (never from the working directory),
and how outputs name a folder without writing an absolute path."""

from pathlib import Path

#: The repository root (the package is installed in editable mode from ``src/``).
ROOT = Path(__file__).resolve().parents[2]
#: The paper's tables and codebook.
PAPER_DATA = ROOT / "data"
#: The codebook that defines every analysis folder's columns.
CODEBOOK = PAPER_DATA / "datapackage.json"
#: The notebooks that ``repro reproduce`` runs.
NOTEBOOKS = ROOT / "notebooks"
#: The committed reference a reproduction is verified against (``repro verify``).
REFERENCE = ROOT / "reference"
#: Where the article's text is laid beside the repository in this project's workplace.
SHARED_PAPER_TEXT = ROOT.parent / "shared" / "paper" / "000_1676eb3f1f2acd12.txt"


def shown_folder(folder: str | Path) -> str:
    """How outputs name a folder: relative to the repository when inside it (``data``,
    ``examples/tutorial``), else by its own name.

    Never an absolute path, which differs from machine to machine and would make two clones'
    outputs differ; where a folder must be identified exactly, outputs add its files' hashes.
    """
    resolved = Path(folder).resolve()
    root = ROOT.resolve()
    if resolved == root or root in resolved.parents:
        return resolved.relative_to(root).as_posix() or "."
    return resolved.name
