"""The folders warm PDF servers keep in the temporary directory (LibreOffice's profile, unoserver's log), and what a
server killed or crashed leaves there.

Each folder holds a file locked (flock) by the process that made it, for as long as that process lives: the kernel
drops the lock when the process ends, however it ends, in any PID namespace. A server starting later removes the
folders whose lock it can take, and the socket their LibreOffice left in /tmp. A stop removes its own folder.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO

PREFIX = "ykien-unoserver-"
_HELD = "held"  # the locked file; a folder without it (still being made, or made before it existed) is left alone


def office_pipe(profile: Path) -> Path:
    """The socket LibreOffice opens in /tmp for the user installation `profile` (its single-instance pipe), which it
    leaves behind when stopped by a signal, as unoserver stops it: `OSL_PIPE_<uid>_SingleOfficeIPC_` and the MD5 of
    the profile's file URL in UTF-16, each byte in hex without its leading zero (desktop/source/app/
    officeipcthread.cxx, sal/osl/unx/pipe.cxx)."""
    digest = hashlib.md5(profile.as_uri().encode("utf-16-le"), usedforsecurity=False).digest()
    return Path("/tmp") / f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{''.join(f'{byte:x}' for byte in digest)}"


class HeldFolder:
    """A new folder in the temporary directory, held by this process until `remove` (or its end)."""

    def __init__(self, parent: Path | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        # Locked under another name, then renamed: a sweeping process never finds the file unlocked.
        staging = self.path / f".{_HELD}"
        self._held: IO[bytes] | None = staging.open("wb")
        fcntl.flock(self._held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        staging.rename(self.path / _HELD)

    @property
    def profile(self) -> Path:
        """Where LibreOffice keeps its user installation."""
        return self.path / "profile"

    def remove(self) -> None:
        remove_folder(self.path)
        if self._held is not None:
            self._held.close()
            self._held = None


def remove_folder(folder: Path) -> None:
    """The folder and the socket its LibreOffice may have left in /tmp."""
    office_pipe(folder / "profile").unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


def remove_abandoned(parent: Path | None = None) -> int:
    """Remove the folders whose process is gone (their lock free); how many."""
    removed = 0
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            held = (folder / _HELD).open("rb")
        except OSError:  # no lock file, or not ours to read
            continue
        with held:
            try:
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # its process lives
                continue
            with contextlib.suppress(OSError):
                remove_folder(folder)
                removed += 1
    return removed
