"""Output folders that never cost a user a file.

Every command that writes a folder (``reproduce``, ``sensitivity``, ``compare``) goes through here.
An output folder may be:

- a folder that does not exist yet;
- an empty folder;
- a folder an earlier run of ``repro`` wrote: it holds a ``manifest.json`` of ours that lists every
  file in it (a sub-folder with a manifest of its own counts as ours too).

Anything else is refused before any work starts, and so are the analysis's data folder, any folder
holding it or inside it, the repository itself and the current working directory. The new results are
written into a staging folder beside the target and swapped in only when the run has completed, so an
interrupted or failed run leaves the previous results exactly as they were.

Like ``git clone`` into a non-empty folder, the refusal says why and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from repro import paths
from repro.pipeline.outputs import dumps_strict

MANIFEST = "manifest.json"
#: What marks a manifest as ours.
PACKAGE = "repro"


class OutputFolderError(Exception):
    """The output folder cannot be used; nothing was written or removed (a user mistake: exit 2)."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _files_not_ours(folder: Path) -> list[str] | None:
    """Files under ``folder`` that no manifest of ours lists; None when ``folder`` has no manifest of ours."""
    manifest = folder / MANIFEST
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(listed, dict) or listed.get("package") != PACKAGE or not isinstance(listed.get("files"), dict):
        return None
    strangers = []
    for entry in sorted(folder.iterdir()):
        if entry.name == MANIFEST:
            continue
        if entry.is_dir() and not entry.is_symlink():
            nested = _files_not_ours(entry)
            if nested is None:  # a sub-folder without a manifest of its own: each file must be listed
                nested = [p.relative_to(entry).as_posix() for p in sorted(entry.rglob("*"))
                          if not p.is_dir() and f"{entry.name}/{p.relative_to(entry).as_posix()}" not in listed["files"]]
            strangers += [f"{entry.name}/{n}" for n in nested]
        elif entry.name not in listed["files"]:
            strangers.append(entry.name)
    return strangers


def check_output_folder(out: str | Path, data_folder: str | Path | None = None) -> Path:
    """The absolute output folder, if ``repro`` may write there; else :class:`OutputFolderError`.

    Nothing is created or changed here: call it before any work starts.
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
    if _inside(paths.ROOT.resolve(), resolved):
        raise OutputFolderError(f"{shown}: is or holds the repository itself; choose a folder inside it, such as "
                                "results, or elsewhere (nothing was written).")
    if _inside(cwd, resolved):
        raise OutputFolderError(f"{shown}: is or holds the folder you are working in; name a new folder for the "
                                "results, such as results (nothing was written).")
    if resolved.exists() and not resolved.is_dir():
        raise OutputFolderError(f"{shown}: is a file, not a folder; name a folder for the results (nothing was written).")
    if resolved.is_dir() and any(resolved.iterdir()):
        strangers = _files_not_ours(resolved)
        if strangers is None:
            raise OutputFolderError(f"{shown}: is not empty and was not written by repro (it has no manifest of ours); "
                                    "name a new or empty folder, so that no file of yours is replaced (nothing was written).")
        if strangers:
            listed = ", ".join(strangers[:5]) + (f" and {len(strangers) - 5} more" if len(strangers) > 5 else "")
            raise OutputFolderError(f"{shown}: holds files repro did not make ({listed}); move them away or name "
                                    "another folder, so that they are not replaced (nothing was written).")
    return target


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


@contextmanager
def staged_output(out: Path):
    """A fresh staging folder beside ``out``; on success it replaces ``out`` whole, on any exception
    (an interrupt included) it is removed and ``out`` is left as it was.

    The caller fills the staging folder and writes its manifest with :func:`write_manifest`.
    The folder gets the permissions the user's umask gives (0755 under 022), not mkdtemp's 0700.
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
    """Swap the finished folder in for the old one, with two renames on the same file system."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    staging.rename(out)
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
