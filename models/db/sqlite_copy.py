"""Copying a live SQLite database with SQLite's online backup API: a consistent snapshot even while another process
writes, page by page, without stopping it."""
from __future__ import annotations

import sqlite3
from pathlib import Path

PAGES_PER_STEP = 1024


def copy_database(source: Path, target: Path) -> None:
    """Copy the database `source` into the file `target` (created or overwritten), consistently."""
    origin = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(target, timeout=30)
        try:
            origin.backup(copy, pages=PAGES_PER_STEP)
        finally:
            copy.close()
    finally:
        origin.close()


def schema_revisions(path: Path) -> set[str] | None:
    """The alembic revisions a SQLite file records; None when it is not a SQLite database or has no such table."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:  # not a database, or not one of ykien's
        return None
    finally:
        connection.close()
    return {str(row[0]) for row in rows}
