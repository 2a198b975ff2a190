"""Output folders that never cost a user a file.

Every command that writes a folder (``reproduce``, ``sensitivity``, ``compare``, ``verify``) goes
through here. An output folder may be:

- a folder that does not exist yet;
- an empty folder;
- a folder an earlier run of ``repro`` wrote: it holds a ``manifest.json`` of ours that lists every
  file in it with its SHA-256, and no file has changed since (a sub-folder with a manifest of its own
  counts as ours too, and so does a sub-folder of an earlier results folder whose manifest lists
  every file in it).

Anything else is refused before any work starts, and so are the analysis's data folder, any folder
holding it or inside it, the repository itself and the current working directory. A file that was
added to an earlier results folder, or one of its files edited since, is somebody's work: the folder
is refused, not replaced.

The new results are written into a staging folder beside the target and swapped in only when the
run has completed, so an interrupted or failed run leaves the previous results exactly as they were.
Like ``git clone`` into a non-empty folder, a refusal says why and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

from repro import paths
from repro.strict_json import dumps_strict

MANIFEST = "manifest.json"
#: What marks a manifest as ours.
PACKAGE = "repro"
#: How many offending files a refusal names before it says "and N more".
SHOWN = 5


class OutputFolderError(Exception):
    """The output folder cannot be used; nothing was written or removed (a user mistake: exit 2)."""


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies somewhere under it (both resolved)."""
    return path == folder or folder in path.parents


def read_manifest(folder: Path) -> dict | None:
    """``folder/manifest.json`` if it is a manifest of ours (package ``repro``, a ``files`` table), else None."""
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(manifest, dict) or manifest.get("package") != PACKAGE or not isinstance(manifest.get("files"), dict):
        return None
    return manifest


def _listed_hash(entry) -> str | None:
    """The SHA-256 a manifest records for one file (an entry is ``{"sha256": ...}`` or the hash itself)."""
    if isinstance(entry, dict):
        return entry.get("sha256")
    return entry if isinstance(entry, str) else None


def _nearest_manifest(path: Path, manifests: dict[Path, dict | None]) -> tuple[Path, dict] | None:
    """The closest folder above ``path`` that holds a manifest of ours, with that manifest; None if
    there is none. ``manifests`` caches what each folder holds."""
    for folder in path.parents:
        if folder not in manifests:
            manifests[folder] = read_manifest(folder)
        if manifests[folder] is not None:
            return folder, manifests[folder]
        if folder == folder.parent:
            break
    return None


def _all_files(folder: Path) -> list[Path]:
    """Every file, symlink and other non-folder entry under ``folder``, without following symlinks."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        root_path = Path(root)
        found += [root_path / name for name in files]
        found += [root_path / name for name in dirs if (root_path / name).is_symlink()]
    return sorted(found)


def files_not_ours(folder: Path) -> tuple[list[str], list[str]] | None:
    """The files under ``folder`` that are not repro's, as two lists of paths relative to ``folder``:
    those no manifest of ours lists (strangers) and those whose bytes differ from the hash their
    manifest records (changed since repro wrote them). None when neither ``folder`` nor a folder
    above it has a manifest of ours that could vouch for its files.

    Each file is judged by the nearest manifest above it, so a sub-folder rewritten by a later
    command (with a manifest of its own) is judged by its own manifest.
    """
    folder = Path(folder)
    manifests: dict[Path, dict | None] = {}
    if _nearest_manifest(folder / MANIFEST, manifests) is None:
        return None
    strangers, changed = [], []
    for path in _all_files(folder):
        rel = path.relative_to(folder).as_posix()
        owner = _nearest_manifest(path, manifests)
        if owner is None or path.is_symlink():  # repro never writes symlinks
            strangers.append(rel)
            continue
        home, manifest = owner
        if path == home / MANIFEST:
            continue
        expected = _listed_hash(manifest["files"].get(path.relative_to(home).as_posix()))
        if expected is None:
            strangers.append(rel)
        elif not path.is_file() or sha256(path) != expected:
            changed.append(rel)
    return strangers, changed


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def check_output_folder(out: str | Path, data_folder: str | Path | None = None) -> Path:
    """The absolute output folder, if ``repro`` may write there; else :class:`OutputFolderError`.

    Nothing is created or changed here: call it before any work starts.

    Parameters
    ----------
    out
        The output folder as the user typed it (relative to the working directory, or absolute).
    data_folder
        The analysis's data folder; the output may neither be it, hold it, nor lie inside it.

    Returns
    -------
    Path
        ``out`` made absolute (symbolic links kept as typed).
    """
    target = Path(os.path.abspath(out))
    shown = str(out)
    cwd = Path.cwd().resolve()
    resolved = target.resolve()
    if data_folder is not None:
        data = Path(data_folder).resolve()
        if _inside(resolved, data) or _inside(data, resolved):
            raise OutputFolderError(f"{shown}: is, holds or lies inside the analysis's data folder {data_folder}; "
                                    "choose an output folder elsewhere (nothing was written).")
    if paths.REPOSITORY is not None and _inside(paths.REPOSITORY, resolved):
        raise OutputFolderError(f"{shown}: is or holds the repository itself; choose a folder inside it, such as "
                                "results, or elsewhere (nothing was written).")
    # The package's own files (in the clone src/repro, installed the package's folder in site-packages,
    # with the paper's data, notebooks and reference) are never written.
    if _inside(resolved, paths.PACKAGE) or _inside(paths.PACKAGE, resolved):
        raise OutputFolderError(f"{shown}: is, holds or lies inside the repro package's own folder {paths.PACKAGE}; "
                                "choose a folder of your own, such as results (nothing was written).")
    if _inside(cwd, resolved):
        raise OutputFolderError(f"{shown}: is or holds the folder you are working in; name a new folder for the "
                                "results, such as results (nothing was written).")
    if resolved.exists() and not resolved.is_dir():
        raise OutputFolderError(f"{shown}: is a file, not a folder; name a folder for the results (nothing was written).")
    if resolved.is_dir() and any(resolved.iterdir()):
        judged = files_not_ours(resolved)
        if judged is None:
            raise OutputFolderError(f"{shown}: is not empty and was not written by repro (it has no manifest of ours); "
                                    "name a new or empty folder, so that no file of yours is replaced (nothing was written).")
        strangers, changed = judged
        if strangers:
            raise OutputFolderError(f"{shown}: holds files repro did not make ({_some(strangers)}); move them away or "
                                    "name another folder, so that they are not replaced (nothing was written).")
        if changed:
            raise OutputFolderError(f"{shown}: holds files changed since repro wrote them ({_some(changed)}); keep your "
                                    "copy elsewhere and delete the folder yourself, or name another folder "
                                    "(nothing was written).")
    return target


def _umask_mode() -> int:
    """The mode a new folder gets under the user's umask (0755 under 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


@contextmanager
def staged_output(out: Path):
    """A fresh staging folder beside ``out``; on success it replaces ``out`` whole, on any exception
    (an interrupt included) it is removed and ``out`` is left as it was.

    The caller fills the staging folder and writes its manifest with :func:`write_manifest`; call
    :func:`check_output_folder` first. The folder gets the permissions the user's umask gives
    (0755 under 022), not mkdtemp's 0700.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        staging.chmod(_umask_mode())
        yield staging
        if not (staging / MANIFEST).exists():
            raise RuntimeError("an output folder was staged without its manifest")
        _replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _replace(staging: Path, out: Path) -> None:
    """Swap the finished folder in for the old one, with two renames on the same file system.

    SIGINT and SIGTERM wait until both renames are done, so a stop never leaves ``out`` missing;
    the old folder is removed afterwards, whatever happens.
    """
    old = out.with_name(f".{out.name}.old-{os.getpid()}") if out.exists() else None
    stops = {signal.SIGINT, signal.SIGTERM}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        if old is not None:
            out.rename(old)
        staging.rename(out)
    finally:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)


def write_manifest(folder: Path, fields: dict, made_by: dict[str, tuple[str, dict]] | None = None) -> Path:
    """Write ``folder/manifest.json``: ``fields``, and every file under ``folder`` with its SHA-256
    (and, where ``made_by`` says, what made it with which parameters). Paths are relative and sorted,
    so the bytes depend only on the contents."""
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p != folder / MANIFEST):
        rel = path.relative_to(folder).as_posix()
        entry = {"sha256": sha256(path)}
        if made_by and rel in made_by:
            entry["made_by"], entry["parameters"] = made_by[rel]
        files[rel] = entry
    manifest = {"package": PACKAGE, **fields, "files": files}
    path = folder / MANIFEST
    path.write_text(dumps_strict(manifest), encoding="utf-8")
    return path
