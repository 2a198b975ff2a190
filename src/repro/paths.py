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


def analysis_folder(folder: str | Path | None) -> Path:
    """The analysis folder a command names (``None``: the paper's data), checked to be a folder.

    Raises AnalysisError otherwise. The rest of the checks are :func:`repro.data.load_analysis`'s.
    """
    from repro.errors import AnalysisError, Problem

    path = Path(folder) if folder is not None else PAPER_DATA
    if not path.is_dir():
        raise AnalysisError([Problem(str(path), "is not a folder; expected a folder holding swot.csv and force_field.csv.")])
    return path


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
