"""Folders a command makes, and takes back when it fails before writing anything into them (`ykien init`'s
YKIEN_HOME, `ykien db backup`'s destination)."""
from __future__ import annotations

from pathlib import Path


def missing_folders(folder: Path) -> list[Path]:
    """`folder` and those of its parents that are not there yet, deepest first (what mkdir(parents=True) makes)."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def remove_if_empty(folders: list[Path]) -> None:
    """Remove `folders` (deepest first), as long as they are empty: nothing was written there."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return
