"""Proof that this user's ``repro`` wrote something: a keyed hash (HMAC-SHA256) under a secret key
that only this user can read.

A manifest that merely says ``"package": "repro"`` proves nothing: anyone can write that JSON. So
every manifest ``repro`` writes is sealed with an HMAC of its bytes, and only a folder whose seal
checks out under the user's key counts as one ``repro`` may replace. Nobody without the key (another
user, a script, a file copied from elsewhere) can make a seal that checks out.

The key is 32 random bytes kept in ``$XDG_STATE_HOME/repro/owner.key`` (``~/.local/state/repro/
owner.key`` when ``XDG_STATE_HOME`` is not set), created on first need in a folder only the user can
open (0700), as a file only the user can read (0600), and never written anywhere else. Like ssh with
a private key, a key file that others could read or that belongs to another user is refused, with
the command that fixes it. Deleting the key only makes every earlier results folder "not provably
``repro``'s": they are then refused, never replaced, until deleted by hand.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

#: The key's file name, inside ``$XDG_STATE_HOME/repro``.
KEY_FILE = "owner.key"
#: Bytes of randomness in the key (256 bits, the size of the hash).
KEY_BYTES = 32


class OwnershipKeyError(Exception):
    """The user's key cannot be made or used (a setup problem the message says how to fix: exit 2)."""


def key_path() -> Path:
    """Where this user's key lives: ``$XDG_STATE_HOME/repro/owner.key``, by default under ``~/.local/state``."""
    state = os.environ.get("XDG_STATE_HOME")
    if not state or not os.path.isabs(state):  # the XDG spec: a relative value is to be ignored
        try:
            state = str(Path.home() / ".local" / "state")
        except RuntimeError:
            raise OwnershipKeyError("repro keeps a key that proves which folders it wrote in $XDG_STATE_HOME/repro, "
                                    "but neither XDG_STATE_HOME nor HOME is set; set one of them.") from None
    return Path(state) / "repro" / KEY_FILE


def _check_private(path: Path, info: os.stat_result, others_may: int = 0) -> None:
    """Refuse a key (or its folder) that another user owns, or that others may use beyond ``others_may``."""
    if info.st_uid != os.geteuid():
        raise OwnershipKeyError(f"{path}: belongs to another user; repro's key must be your own. Remove it (a new "
                                "one is made), or set XDG_STATE_HOME to a folder of your own.")
    if info.st_mode & 0o077 & ~others_may:
        if stat.S_ISDIR(info.st_mode):
            raise OwnershipKeyError(f"{path}: others may change what it holds, so repro's key in it proves nothing; "
                                    f"make it yours alone with: chmod 700 {path}")
        raise OwnershipKeyError(f"{path}: others may read or change it, so it proves nothing; make it private with: "
                                f"chmod 600 {path}")


def _read(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a pipe must not block
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OwnershipKeyError(f"{path}: repro's key cannot be read ({exc.strerror}).") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OwnershipKeyError(f"{path}: is not a file; remove it (a new key is made).")
        _check_private(path, info)
        key = f.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise OwnershipKeyError(f"{path}: is not a key repro made ({len(key)} bytes); remove it (a new one is "
                                "made; earlier results folders are then refused, not replaced).")
    return key


def _create(path: Path) -> bytes:
    """Make the key: written whole into a private temporary file, then linked into place, so that two
    runs starting at once agree on one key (the second link fails and that run reads the first's)."""
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = folder / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(KEY_BYTES))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass  # another run made it first: use theirs
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise OwnershipKeyError(f"{folder}: repro could not keep its key here ({exc.strerror}); it proves which "
                                "folders repro wrote. Set XDG_STATE_HOME to a folder of your own that can be "
                                "written.") from None
    key = _read(path)
    if key is None:
        raise OwnershipKeyError(f"{path}: repro's key vanished as it was made; run the command again.")
    return key


def user_key(create: bool = True) -> bytes | None:
    """This user's key; made on first need when ``create``, else None where there is none yet."""
    path = key_path()
    info = None
    try:
        info = os.stat(path.parent)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OwnershipKeyError(f"{path.parent}: cannot be opened ({exc.strerror}).") from None
    if info is not None:
        _check_private(path.parent, info, others_may=0o055)  # others may look in, not change it
    key = _read(path)
    if key is None and create:
        key = _create(path)
    return key


def seal(data: bytes, purpose: str) -> str:
    """The seal (hex HMAC-SHA256 under the user's key, made on first need) of ``data`` used as
    ``purpose``: a seal made for one purpose never checks out for another."""
    return hmac.new(user_key(create=True), purpose.encode() + b"\0" + data, hashlib.sha256).hexdigest()


def seal_holds(data: bytes, purpose: str, claimed: str, length: int | None = None) -> bool:
    """Whether ``claimed`` is the seal this user's key gives ``data`` for ``purpose`` (or its first
    ``length`` hex digits), compared in constant time. Without a key nothing was ever sealed, so
    nothing holds."""
    key = user_key(create=False)
    if key is None or not isinstance(claimed, str):
        return False
    expected = hmac.new(key, purpose.encode() + b"\0" + data, hashlib.sha256).hexdigest()
    # As bytes: compare_digest refuses text with letters beyond ASCII, which a forged seal may hold.
    return hmac.compare_digest(expected[:length].encode("ascii"), claimed.strip().encode("utf-8", "replace"))
