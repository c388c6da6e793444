"""Files under the home (drafts, replies, packages) and exports: never seen half-written."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def file_in_place(target: Path, unique: str = "") -> Iterator[Path]:
    """A temporary path beside `target` to write; when the block succeeds it is flushed to disk and becomes
    `target` in one rename, when it fails it is removed. The temporary name is never another writer's: two
    requests rendering the same file at once (a draft's first view) each write their own and the last rename wins;
    `unique` only makes the name easier to trace."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{unique or 'tmp'}.{secrets.token_hex(4)}.partial")
    try:
        yield partial
        with partial.open("rb+") as written:  # on disk before the name points at it: a crash leaves old or new
            os.fsync(written.fileno())
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
