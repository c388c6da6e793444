"""A SQLite database migrated once for the run and copied for each test (the `migrated_sqlite` fixture of
tests/conftest.py), as PostgreSQL's template database is: a copy costs milliseconds, `alembic upgrade` ~0.4 s."""
from __future__ import annotations

import shutil
from pathlib import Path


def make_migrated_sqlite(path: Path) -> Path:
    """A SQLite file at `path` migrated to the latest revision, closed: one file, no WAL beside it."""
    from models.db.database import make_engine, migrate

    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
    finally:
        engine.dispose()  # the last connection closed: the WAL is checkpointed into the file and removed
    assert not path.with_name(path.name + "-wal").exists(), "the template must be one file"
    return path


def copy_migrated_sqlite(template: Path, home: Path) -> Path:
    """`template` copied to home/ykien.db (home made if missing): the database file's path."""
    home.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(template, home / "ykien.db"))


def copy_home_database(template_home: Path, home: Path) -> None:
    """The database files of a template home (an App built once per module, closed) copied into a test's home."""
    for database in template_home.glob("ykien.db*"):
        shutil.copy(database, home / database.name)
