"""What a cache of something read from a file keys it by, so that a file replaced or edited is read again."""
from __future__ import annotations

import os
from pathlib import Path

FileStamp = tuple[int, int]  # (modification time in ns, size)


def file_stamp(path: str | Path) -> FileStamp:
    """The stamp of the file at `path` as it is on disk now; OSError when it cannot be looked at."""
    status = os.stat(path)
    return status.st_mtime_ns, status.st_size


def stamp_if_any(path: str) -> FileStamp | None:
    """`file_stamp` of `path`, or None when unset ("") or when it cannot be looked at (whoever reads the file then
    says why)."""
    if not path:
        return None
    try:
        return file_stamp(path)
    except OSError:
        return None
