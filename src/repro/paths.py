"""Where the package's own files are, resolved from the package (never from the working directory),
and how outputs name a folder without writing an absolute path.

The files the package reads at run time (the paper's data and codebook, the notebooks, the reference,
the examples) live in the repository's top-level folders ``data/``, ``notebooks/``, ``reference/`` and
``examples/``, their single source. A wheel carries copies of them inside the package, as
``repro/_bundle/`` (pyproject.toml's build configuration puts them there); run from the clone (an
editable install, or ``PYTHONPATH=src``), the package reads the repository's folders themselves. Both
are found through :mod:`importlib.resources`, so the installed tool works from any folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _on_disk(traversable) -> Path:
    """The package's files as a path on disk: notebooks and kernels need real files. Every ordinary
    installation (a wheel, an editable install, a clone on ``PYTHONPATH``) unpacks the package."""
    if not isinstance(traversable, Path):
        raise RuntimeError(f"repro must be installed as files on disk (a wheel or a clone), not inside an archive "
                           f"({traversable}); install it with pip, pipx or uv.")
    return traversable.resolve()


#: The package's own folder (``…/site-packages/repro``, or ``src/repro`` in the clone).
PACKAGE = _on_disk(files("repro"))
_BUNDLE = PACKAGE / "_bundle"

#: The clone the package runs from, or None when it is installed from a wheel.
REPOSITORY: Path | None = None if _BUNDLE.is_dir() else PACKAGE.parents[1]
#: The folder holding ``data/``, ``notebooks/``, ``reference/`` and ``examples/``: the clone, or the
#: wheel's bundle. Outputs name folders relative to it (:func:`shown_folder`), so the paper's data
#: folder is ``data`` wherever the package is.
RESOURCES = REPOSITORY if REPOSITORY is not None else _BUNDLE
#: The paper's tables and codebook.
PAPER_DATA = RESOURCES / "data"
#: The codebook that defines every analysis folder's columns.
CODEBOOK = PAPER_DATA / "datapackage.json"
#: The notebooks that ``repro reproduce`` runs, the tutorial and the explorer.
NOTEBOOKS = RESOURCES / "notebooks"
#: The committed reference a reproduction is verified against (``repro verify``).
REFERENCE = RESOURCES / "reference"
#: The worked examples (the tutorial's analysis, a rater's scores).
EXAMPLES = RESOURCES / "examples"
#: Where this project's workplace lays the article's text, relative to the folder holding the clone.
WORKPLACE_PAPER_TEXT = Path("shared") / "paper" / "000_1676eb3f1f2acd12.txt"
#: The article's text beside the clone (None when installed: ``repro check-source`` then needs its path).
SHARED_PAPER_TEXT = REPOSITORY.parent / WORKPLACE_PAPER_TEXT if REPOSITORY is not None else None


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
    """How outputs name a folder: relative to :data:`RESOURCES` when inside it (``data``,
    ``examples/tutorial``, in the clone and in an installed package alike), else by its own name.

    Never an absolute path, which differs from machine to machine and would make two clones'
    outputs differ; where a folder must be identified exactly, outputs add its files' hashes.
    """
    resolved = Path(folder).resolve()
    if resolved == RESOURCES or RESOURCES in resolved.parents:
        return resolved.relative_to(RESOURCES).as_posix() or "."
    return resolved.name
