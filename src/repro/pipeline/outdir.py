"""Output folders that never cost a user a file: the write protocol of every command that writes a
folder (``reproduce``, ``sensitivity``, ``compare``, ``verify``'s difference images and
``verify --update``; ``template`` writes single files by the same rules, see
:mod:`repro.pipeline.template`).

Which folders may be written
----------------------------
An output folder may be a folder that does not exist yet, an empty folder, or a folder this user's
``repro`` wrote and nobody has touched since. Ownership is proven, not declared: every manifest
(``manifest.json``, which lists every file with its SHA-256) is sealed by a keyed hash of its bytes
in ``.repro-seal`` beside it, under a key only this user can read (:mod:`repro.ownership`).
A manifest that merely says ``"package": "repro"``, written by hand, by another user or on another
machine, seals nothing, and its folder is refused. A sub-folder with a sealed manifest of its own
(``results/sensitivity`` rewritten by ``repro sensitivity``) is judged by its own manifest. Every
other file, folder or link in the folder, and every listed file whose bytes changed, is somebody's
work: the folder is refused, not replaced. So are the analysis's data folder, a folder holding it or
inside it, the repository itself, the working directory, a mount point (a folder that is replaced
whole cannot be one) and a folder whose parent cannot be written. Refusals come before any work
starts, say why, and change nothing, like ``git clone`` into a non-empty folder.

The committed ``reference/`` is tracked by git: ``repro verify --update`` may replace it when it is
sealed by this user or when git holds every file in it unchanged (nothing is then lost: git gives
any of them back). Results made by another user or on CI can be read and verified, never replaced.

Symbolic links
--------------
``--out`` may be, or pass through, a symbolic link to a folder: the link is followed, the results
are written in the folder it points to, and the link itself is kept. A link that points nowhere is
refused. A link *inside* an output folder is somebody's (``repro`` never makes one), so the folder
is refused; nothing is ever written through a link, and nothing outside the named folder is written
but the staging folders beside it described below.

How a folder is replaced
------------------------
The results are written into a staging folder beside the target, ``.NAME.partial-TOKEN-SEAL``, whose
name carries the seal of NAME and a random TOKEN (so the name itself proves which user's repro made
it) and which the run keeps locked (``flock``) while it lives. When the results are complete:

1. the parent folder is locked against other runs of ``repro`` (for the swap only);
2. the target is checked again: a file that appeared in it since the start is kept, the target is
   left as it is, the new results are moved to ``NAME.new`` (or ``NAME.new-2`` ..., a free name),
   and the command says so and exits with code 2;
3. the staging folder and the target are exchanged in one atomic step (Linux ``renameat2`` with
   ``RENAME_EXCHANGE``); where that cannot be done, with two renames through ``.NAME.old-TOKEN-SEAL``;
4. the old results, now beside the target, are compared with what step 2 saw (every entry's size,
   time and inode) and removed; had anything changed in them, the swap is undone and step 2's
   refusal applies.

A crash or SIGKILL at any point leaves the old or the new results at the target, or (between the
two renames of the fallback) the old ones in ``.NAME.old-*`` beside it. Every command that writes
looks for such leftovers before anything else: it moves old results back where the target is
missing, and removes the side folders whose sealed names prove they are this user's and that no
live run holds. Anything else it leaves alone. SIGINT and SIGTERM wait while the swap runs.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from repro import paths
from repro import ownership
from repro.strict_json import dumps_strict

MANIFEST = "manifest.json"
#: The seal beside each manifest: the keyed hash of the manifest's bytes (:mod:`repro.ownership`).
SEAL = ".repro-seal"
#: Files that say who made a folder rather than being outputs: never listed, never counted.
BOOKKEEPING = (SEAL,)
#: What marks a manifest as (claiming to be) repro's.
PACKAGE = "repro"
#: How many offending files a refusal names before it says "and N more".
SHOWN = 5
#: How long a run waits for another run of repro to finish swapping a folder in the same parent.
LOCK_WAIT_SECONDS = 60
#: The purposes a seal is made for (a seal for one never holds for the other).
MANIFEST_PURPOSE, STAGING_PURPOSE = "repro manifest v1", "repro side folder v1"


class OutputFolderError(Exception):
    """The output folder cannot be used or replaced; nothing of the user's was changed (exit 2)."""


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex (read in blocks, never whole)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies somewhere under it (both resolved)."""
    return path == folder or folder in path.parents


# --- manifests and seals -------------------------------------------------------------------------

def _manifest_of(text: bytes) -> dict | None:
    try:
        manifest = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(manifest, dict) or manifest.get("package") != PACKAGE or not isinstance(manifest.get("files"), dict):
        return None
    return manifest


def _read_small(path: Path, limit: int = 64 * 1024 * 1024) -> bytes | None:
    """A regular file's bytes (not through a link), or None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a pipe must not block
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        data = f.read(limit + 1)
    return data if len(data) <= limit else None


def read_manifest(folder: Path) -> dict | None:
    """``folder/manifest.json`` if it claims to be repro's (package ``repro``, a ``files`` table), else
    None. A claim anyone can write: enough to *read* a results folder (``repro verify``), never to
    replace one (see :func:`sealed_manifest`)."""
    text = _read_small(Path(folder) / MANIFEST)
    return None if text is None else _manifest_of(text)


def sealed_manifest(folder: Path) -> dict | None:
    """``folder/manifest.json`` if this user's ``repro`` wrote it: its seal checks out under the user's
    key. None for a missing, foreign or hand-written manifest."""
    folder = Path(folder)
    text, seal = _read_small(folder / MANIFEST), _read_small(folder / SEAL, 1024)
    if text is None or seal is None:
        return None
    try:
        holds = ownership.seal_holds(text, MANIFEST_PURPOSE, seal.decode("ascii", "replace"))
    except ownership.OwnershipKeyError as exc:
        raise OutputFolderError(str(exc)) from None
    return _manifest_of(text) if holds else None


def output_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` that is an output: all but the bookkeeping of ownership (the seals), sorted."""
    return sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.name not in BOOKKEEPING)


def write_manifest(folder: Path, fields: dict, made_by: dict[str, tuple[str, dict]] | None = None) -> Path:
    """Write ``folder/manifest.json`` and its seal: ``fields``, and every file under ``folder`` with its
    SHA-256 (and, where ``made_by`` says, what made it with which parameters). Paths are relative and
    sorted, so the manifest's bytes depend only on the contents."""
    folder = Path(folder)
    files = {}
    for path in output_files(folder):
        if path == folder / MANIFEST:
            continue
        rel = path.relative_to(folder).as_posix()
        entry = {"sha256": sha256(path)}
        if made_by and rel in made_by:
            entry["made_by"], entry["parameters"] = made_by[rel]
        files[rel] = entry
    manifest = {"package": PACKAGE, **fields, "files": files}
    text = dumps_strict(manifest).encode("utf-8")
    path = folder / MANIFEST
    path.write_bytes(text)
    try:
        seal = ownership.seal(text, MANIFEST_PURPOSE)
    except ownership.OwnershipKeyError as exc:
        raise OutputFolderError(str(exc)) from None
    (folder / SEAL).write_text(seal + "\n", encoding="ascii")
    return path


# --- judging a folder ----------------------------------------------------------------------------

def _listed_hash(entry) -> str | None:
    """The SHA-256 a manifest records for one file (an entry is ``{"sha256": ...}`` or the hash itself)."""
    if isinstance(entry, dict):
        entry = entry.get("sha256")
    return entry if isinstance(entry, str) else None


def _judge(folder: Path, vouch) -> tuple[list[str], list[str]] | None:
    """The entries under ``folder`` that no manifest vouches for (strangers) and the files whose bytes
    differ from the hash their manifest records (changed), as paths relative to ``folder``; None when
    neither ``folder`` nor a folder above it has a manifest ``vouch`` accepts.

    ``vouch(folder)`` gives the manifest that speaks for a folder, or None. Each entry is judged by
    the nearest vouched-for manifest above it. Links, special files and folders that hold no listed
    file are strangers: repro makes none of them."""
    folder = Path(folder)
    manifests: dict[Path, dict | None] = {}

    def nearest(path: Path) -> tuple[Path, dict] | None:
        for above in path.parents:
            if above not in manifests:
                manifests[above] = vouch(above)
            if manifests[above] is not None:
                return above, manifests[above]
            if above == above.parent:
                break
        return None

    if nearest(folder / MANIFEST) is None:
        return None
    strangers, changed = [], []
    for root, dirs, files in os.walk(folder, followlinks=False):
        root_path = Path(root)
        links = [name for name in dirs if (root_path / name).is_symlink()]
        if not dirs and not files and root_path != folder:
            strangers.append(root_path.relative_to(folder).as_posix() + "/")  # repro makes no empty folder
        for name in sorted(files + links):
            path = root_path / name
            rel = path.relative_to(folder).as_posix()
            owner = nearest(path)
            if owner is None or not stat.S_ISREG(path.lstat().st_mode):  # a link, a pipe, a device ...
                strangers.append(rel)
                continue
            home, manifest = owner
            if root_path == home and name in (MANIFEST, SEAL):
                continue
            expected = _listed_hash(manifest["files"].get(path.relative_to(home).as_posix()))
            if expected is None:
                strangers.append(rel)
            elif sha256(path) != expected:
                changed.append(rel)
    return sorted(strangers), sorted(changed)


def files_not_ours(folder: Path) -> tuple[list[str], list[str]] | None:
    """The files under ``folder`` that this user's repro cannot vouch for, as two lists of paths relative
    to ``folder``: those no sealed manifest lists (strangers) and those whose bytes differ from the hash
    their manifest records (changed since repro wrote them). None when neither ``folder`` nor a folder
    above it has a manifest sealed by this user's repro.

    Each file is judged by the nearest sealed manifest above it, so a sub-folder rewritten by a later
    command (with a manifest of its own) is judged by its own manifest.
    """
    return _judge(folder, sealed_manifest)


def files_not_as_listed(folder: Path) -> tuple[list[str], list[str]] | None:
    """As :func:`files_not_ours`, but judged by any manifest that claims to be repro's, sealed or not:
    whether a results folder is still as its manifest describes it, whoever made it (for reading it,
    never for replacing it)."""
    return _judge(folder, read_manifest)


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def git_can_restore(folder: Path) -> bool:
    """Whether git tracks every file under ``folder`` with the bytes of its last commit, and nothing
    else is there but seals: then replacing the folder loses nothing git cannot give back."""
    def git(*arguments):
        return subprocess.run(["git", "-C", str(folder), *arguments], capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    try:
        tracked = git("ls-files", "-z", "--", ".")
        status = git("status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=all", "--", ".")
    except (OSError, subprocess.SubprocessError):
        return False
    if tracked.returncode or status.returncode or not tracked.stdout:
        return False
    entries = [e for e in status.stdout.split(b"\0") if e]
    return all(e.startswith(b"!! ") and os.path.basename(e[3:]) == SEAL.encode() for e in entries)


def _why_not_replaceable(folder: Path, tracked_by_git: bool = False) -> tuple[str, str] | None:
    """Why ``folder`` (absolute, links resolved) may not be replaced, as (what is the matter, what to
    do); None when it is missing, empty or provably repro's own."""
    if not os.path.lexists(folder):
        return None
    if folder.is_symlink():
        return "is a symbolic link", "name the folder it points to"
    if not folder.is_dir():
        return "is a file, not a folder", "name a folder for the results"
    if os.path.ismount(folder):
        return ("is a mount point, which cannot be replaced whole",
                f"name a folder inside it, such as {folder / 'results'}")
    if not any(folder.iterdir()):
        return None
    # A folder git tracks whole and unchanged (the committed reference) loses nothing git cannot give back,
    # whoever sealed it last: the files another commit added are as safe as those its manifest lists.
    if tracked_by_git and git_can_restore(folder):
        return None
    judged = files_not_ours(folder)
    if judged is None:
        if read_manifest(folder) is not None:
            return ("has a manifest.json that says repro wrote it, but it is not sealed by your repro (it was made by "
                    "another user, on another machine or by hand, or its seal is missing)",
                    "delete the folder yourself if you no longer need it, or name another folder")
        return ("is not empty and was not written by repro (it has no manifest of ours)",
                "name a new or empty folder, so that no file of yours is replaced")
    strangers, changed = judged
    if strangers:
        return (f"holds files repro did not make ({_some(strangers)})",
                "move them away or name another folder, so that they are not replaced")
    if changed:
        return (f"holds files changed since repro wrote them ({_some(changed)})",
                "keep your copy elsewhere and delete the folder yourself, or name another folder")
    return None


def _writable_ancestor_problem(folder: Path) -> str | None:
    """Why nothing can be created beside ``folder`` (its parent, or the nearest folder above that
    exists, cannot be written), or None."""
    above = folder.parent
    while not above.exists():
        if above == above.parent:
            return None
        above = above.parent
    if not above.is_dir():
        return f"{above} is a file, so the folder cannot be created"
    if not os.access(above, os.W_OK | os.X_OK):
        try:
            read_only = os.statvfs(above).f_flag & os.ST_RDONLY
        except OSError:
            read_only = False
        return f"{above} {'is on a read-only file system' if read_only else 'cannot be written by you'}"
    return None


def check_output_folder(out: str | Path, data_folder: str | Path | None = None, note=None,
                        tracked_by_git: bool = False) -> Path:
    """The absolute output folder, if ``repro`` may write there; else :class:`OutputFolderError`.

    Call it before any work starts. Nothing of the user's is changed; leftovers of an earlier run
    into the same folder that was killed are first put right (see the module's docstring), each said
    through ``note`` (a function taking one line, or None).

    Parameters
    ----------
    out
        The output folder as the user typed it (relative to the working directory, or absolute).
    data_folder
        The analysis's data folder; the output may neither be it, hold it, nor lie inside it.
    note
        Called with one line for each leftover put right.
    tracked_by_git
        Also accept a folder whose every file git tracks unchanged (the committed reference).

    Returns
    -------
    Path
        ``out`` made absolute, with symbolic links followed (the folder that will be written).
    """
    shown = str(out)
    typed = Path(os.path.abspath(out))
    if typed.is_symlink() and not typed.exists():
        raise OutputFolderError(f"{shown}: is a symbolic link to {os.readlink(typed)}, which does not exist; create "
                                "that folder or name another (nothing was written).")
    target = typed.resolve()
    cwd = Path.cwd().resolve()
    if data_folder is not None:
        data = Path(data_folder).resolve()
        if _inside(target, data) or _inside(data, target):
            raise OutputFolderError(f"{shown}: is, holds or lies inside the analysis's data folder {data_folder}; "
                                    "choose an output folder elsewhere (nothing was written).")
    if paths.REPOSITORY is not None and _inside(paths.REPOSITORY, target):
        raise OutputFolderError(f"{shown}: is or holds the repository itself; choose a folder inside it, such as "
                                "results, or elsewhere (nothing was written).")
    # The package's own files (in the clone src/repro, installed the package's folder in site-packages,
    # with the paper's data, notebooks and reference) are never written.
    if _inside(target, paths.PACKAGE) or _inside(paths.PACKAGE, target):
        raise OutputFolderError(f"{shown}: is, holds or lies inside the repro package's own folder {paths.PACKAGE}; "
                                "choose a folder of your own, such as results (nothing was written).")
    if _inside(cwd, target):
        raise OutputFolderError(f"{shown}: is or holds the folder you are working in; name a new folder for the "
                                "results, such as results (nothing was written).")
    cannot = _writable_ancestor_problem(target)
    if cannot:
        raise OutputFolderError(f"{shown}: cannot be written: {cannot}; name a folder you can write "
                                "(nothing was written).")
    try:
        ownership.user_key(create=True)  # a key that cannot be made must stop the run now, not after it
    except ownership.OwnershipKeyError as exc:
        raise OutputFolderError(str(exc)) from None
    recover(target, note)
    why = _why_not_replaceable(target, tracked_by_git)
    if why:
        raise OutputFolderError(f"{shown}: {why[0]}; {why[1]} (nothing was written).")
    return target


# --- renames -------------------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2


@lru_cache(maxsize=1)
def _renameat2():
    """Linux's renameat2 from the C library (glibc 2.28 and later), or None."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _rename_with(flags: int, source: Path, target: Path) -> bool:
    """``renameat2(source, target, flags)``; False where the system or the file system cannot do it."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(source), None, str(target))


def _rename_no_replace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``, never replacing anything there (FileExistsError instead)."""
    if _rename_with(_RENAME_NOREPLACE, source, target):
        return
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, "File exists", str(target))
    os.rename(source, target)  # a folder made in between could be replaced only if empty


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders at ``a`` and ``b`` in one atomic step; False where that cannot be done."""
    return _rename_with(_RENAME_EXCHANGE, a, b)


def _checkpoint(step: str) -> None:
    """Nothing: the place where each step of the swap is reached, so that a test can stop the
    process there (the crash tests replace this function in a process of their own)."""


# --- locks, side folders and leftovers -----------------------------------------------------------

@contextmanager
def _locked(folder: Path):
    """Hold an exclusive lock on ``folder`` (flock on the folder itself: nothing is created) against
    other runs of repro swapping or tidying in it; on a file system without locks, go on unlocked."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield
        return
    try:
        import fcntl

        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputFolderError(f"{folder}: another run of repro has been replacing a folder here for "
                                            f"{LOCK_WAIT_SECONDS} s; wait for it to end, then run again.") from None
                time.sleep(0.05)
            except OSError:
                break
        yield
    finally:
        os.close(fd)


#: A side folder's name: ``.NAME.partial-TOKEN-SEAL`` (a run's staging folder) or ``.NAME.old-TOKEN-SEAL``
#: (the previous results between the two renames of the fallback swap). SEAL is the seal of NAME and
#: TOKEN under the user's key, so the name itself proves which run of whose repro made the folder.
_SIDE = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|old)-(?P<token>[0-9a-f]{16})-(?P<seal>[0-9a-f]{32})$")


def _side_seal(name: str, token: str) -> str:
    return ownership.seal(f"{name}\0{token}".encode("utf-8"), STAGING_PURPOSE)[:32]


def _side_folder(out: Path, kind: str, token: str) -> Path:
    return out.with_name(f".{out.name}.{kind}-{token}-{_side_seal(out.name, token)}")


def _ours_by_name(folder: Path, out: Path) -> bool:
    """Whether ``folder``'s name is a side folder of ``out`` sealed by this user's repro."""
    match = _SIDE.match(folder.name)
    if not match or match["name"] != out.name:
        return False
    try:
        return ownership.seal_holds(f"{out.name}\0{match['token']}".encode("utf-8"), STAGING_PURPOSE,
                                    match["seal"], length=32)
    except ownership.OwnershipKeyError:
        return False


def _hold(folder: Path) -> int | None:
    """Lock ``folder`` for as long as this process lives (or until the descriptor returned is closed):
    the sign that its run is alive. None where the file system has no locks."""
    import fcntl

    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


#: Where a file system has no locks, a leftover is taken for a stopped run's only when this old.
UNLOCKED_LEFTOVER_SECONDS = 24 * 3600


def _in_use(folder: Path) -> bool:
    """Whether a live run holds ``folder`` (see :func:`_hold`)."""
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return True  # cannot be looked at: leave it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return time.time() - os.fstat(fd).st_mtime < UNLOCKED_LEFTOVER_SECONDS
    finally:
        os.close(fd)


def recover(out: Path, note=None) -> None:
    """Put right what an earlier run into ``out`` left when it was killed (see the module's docstring):
    the old results back where ``out`` is missing, then every side folder of ``out`` that this user's
    repro provably made (by its sealed name) and no live run holds, removed. ``note`` hears of each."""
    out = Path(out)
    parent = out.parent
    if not parent.is_dir():
        return
    say = note or (lambda line: None)
    with _locked(parent):
        try:
            leftovers = sorted(p for p in parent.iterdir() if p.name.startswith(f".{out.name}.")
                               and _ours_by_name(p, out) and p.is_dir() and not p.is_symlink())
        except OSError:
            return
        for folder in leftovers:
            kind = _SIDE.match(folder.name)["kind"]
            if _in_use(folder):
                continue
            if kind == "old" and not os.path.lexists(out):
                _rename_no_replace(folder, out)
                say(f"restored the previous results in {out.name} (a run stopped while replacing them had moved "
                    "them aside).")
                continue
            shutil.rmtree(folder)
            what = "the previous results" if kind == "old" else "the unfinished or unused results"
            say(f"removed {folder.name}: {what} of a run into {out.name} that was stopped.")


def _snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` with its kind, size, modification time and inode: two equal
    snapshots mean nothing was added, removed or rewritten in between."""
    found = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            found[os.path.relpath(path, folder)] = (stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns, info.st_ino)
    return found


# --- the staged write ----------------------------------------------------------------------------

def _umask_mode() -> int:
    """The mode a new folder gets under the user's umask (0755 under 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def describe_failure(exc: OSError) -> str:
    """What the system said, and its code: "No space left on device (ENOSPC)"."""
    code = errno.errorcode.get(exc.errno, "") if exc.errno else ""
    return f"{exc.strerror or exc}{f' ({code})' if code else ''}"


def _write_failure(out: Path, exc: OSError, staging: Path | None = None) -> OutputFolderError:
    """A failure of the system to write (disk full, no permission, a read-only file system ...) as one
    line naming the cause and the file."""
    where = exc.filename
    if where and staging is not None:
        try:
            where = Path(where).relative_to(staging).as_posix()
        except ValueError:
            pass
    return OutputFolderError(f"{out}: the results could not be written{f' ({where})' if where else ''}: "
                             f"{describe_failure(exc)}; nothing at {out} was changed.")


def _keep_aside(staging: Path, out: Path) -> Path:
    """Move finished results that may not replace ``out`` to a free, visible name beside it."""
    for n in range(1, 1000):
        kept = out.with_name(f"{out.name}.new" + (f"-{n}" if n > 1 else ""))
        try:
            _rename_no_replace(staging, kept)
            return kept
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    raise OutputFolderError(f"{out}: no free name to keep the new results beside it.")


def _appeared(out: Path, what: str, kept: Path) -> OutputFolderError:
    return OutputFolderError(f"{out}: {what}, which appeared while repro was running, so it was not replaced "
                             f"(nothing in it was changed); the new results are in {kept}.")


_CHANGED_DURING_SWAP = "something in it changed as the new results were put in place"


def _swap_in(staging: Path, out: Path, token: str, tracked_by_git: bool) -> None:
    """Steps 1-4 of the module's docstring."""
    with _locked(out.parent):
        _checkpoint("locked")
        before = _snapshot(out) if os.path.isdir(out) and not os.path.islink(out) else None
        why = _why_not_replaceable(out, tracked_by_git)
        if why:
            raise _appeared(out, f"now {why[0]}", _keep_aside(staging, out))
        if not os.path.lexists(out):
            try:
                _rename_no_replace(staging, out)
            except FileExistsError:
                raise _appeared(out, "now exists", _keep_aside(staging, out)) from None
            _checkpoint("renamed")
            return
        if _exchange(staging, out):
            _checkpoint("exchanged")
            if _snapshot(staging) != before:  # the old results, now at the staging folder's name
                _exchange(staging, out)
                raise _appeared(out, _CHANGED_DURING_SWAP, _keep_aside(staging, out))
            shutil.rmtree(staging)
            _checkpoint("removed")
            return
        old = _side_folder(out, "old", token)
        os.rename(out, old)
        _checkpoint("moved old")
        os.rename(staging, out)
        _checkpoint("moved new")
        if _snapshot(old) != before:
            os.rename(out, staging)
            os.rename(old, out)
            raise _appeared(out, _CHANGED_DURING_SWAP, _keep_aside(staging, out))
        shutil.rmtree(old)
        _checkpoint("removed")


@contextmanager
def staged_output(out: Path, tracked_by_git: bool = False):
    """A fresh staging folder beside ``out``; on success it replaces ``out`` by the protocol of the
    module's docstring, on any exception (an interrupt included) it is removed and ``out`` is left as
    it was.

    The caller fills the staging folder and writes its manifest with :func:`write_manifest`; call
    :func:`check_output_folder` first. The folder gets the permissions the user's umask gives (0755
    under 022). A failure of the system to write (disk full, permissions) is an
    :class:`OutputFolderError` naming the cause.
    """
    out = Path(out)
    staging = None
    held = None
    try:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            token = secrets.token_hex(8)
            staging = _side_folder(out, "partial", token)
            os.mkdir(staging, 0o700)
            held = _hold(staging)
            staging.chmod(_umask_mode())
        except OSError as exc:
            raise _write_failure(out, exc) from None
        except ownership.OwnershipKeyError as exc:
            raise OutputFolderError(str(exc)) from None
        _checkpoint("staged")
        try:
            yield staging
        except OSError as exc:
            raise _write_failure(out, exc, staging) from None
        if sealed_manifest(staging) is None:
            raise RuntimeError("an output folder was staged without its sealed manifest")
        _checkpoint("written")
        stops = {signal.SIGINT, signal.SIGTERM}
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
        try:
            _swap_in(staging, out, token, tracked_by_git)
        except OSError as exc:
            raise _write_failure(out, exc, staging) from None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    finally:
        if held is not None:
            os.close(held)
        if staging is not None and os.path.lexists(staging):
            shutil.rmtree(staging, ignore_errors=True)
