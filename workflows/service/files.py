"""Files under the home (drafts, replies, packages) and exports: never seen half-written."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def file_in_place(target: Path, unique: str = "") -> Iterator[Path]:
    """A temporary path beside `target` to write; when the block succeeds it becomes `target` in one rename,
    when it fails it is removed. `unique` keeps concurrent writers of the same target apart."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{unique}.partial" if unique else f"{target.name}.partial")
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
