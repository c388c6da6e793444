"""`ykien backup` and `ykien restore` for the default SQLite database: a consistent copy taken while ykien runs,
and a copy put back while nothing runs (refused when a process's heartbeat says one does). PostgreSQL has its own
tools (pg_dump, pg_restore), named in the refusal."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from config.settings import sqlite_file
from models.db.database import SCHEMA_REVISION
from models.db.sqlite_copy import copy_database, schema_revisions
from models.errors import DomainError, InvalidInput
from workflows.service.app import App
from workflows.service.installation import refuse_while_running


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int


@dataclass(frozen=True)
class RestoreReport:
    database: Path
    previous: Path  # the database as it was, kept beside it
    size: int


def _database_file(app: App) -> Path:
    path = sqlite_file(app.settings.database_url_resolved)
    if path is None:
        raise DomainError("Sao lưu và khôi phục của ykien dành cho cơ sở dữ liệu SQLite; với PostgreSQL hãy dùng "
                          "pg_dump và pg_restore.", "not_sqlite")
    return path


def backup(app: App, target: Path, overwrite: bool = False) -> BackupReport:
    """A consistent copy of the database in `target`; a file already there is replaced only when `overwrite`, and
    holds the old backup or the whole new one, never a part."""
    source = _database_file(app)
    if target.is_dir():
        raise InvalidInput(f"FILE: \"{target}\" là một thư mục; hãy ghi tên tệp sao lưu, ví dụ "
                           f"\"{target / 'ykien-sao-luu.db'}\".", "bad_file")
    if target.exists() and target.resolve() == source.resolve():
        raise InvalidInput(f"FILE: \"{target}\" là chính cơ sở dữ liệu đang dùng; hãy ghi bản sao lưu vào tệp khác.",
                           "bad_file")
    if target.exists() and not overwrite:
        raise InvalidInput(f"FILE: đã có tệp \"{target}\". Chưa ghi gì (bản sao lưu cũ không bị ghi đè). Để ghi đè, "
                           "chạy lại lệnh với --overwrite; hoặc chọn tên tệp khác.", "file_exists")
    if not target.parent.is_dir():
        problem = "là một tệp, không phải thư mục" if target.parent.exists() else "không tồn tại"
        raise InvalidInput(f"FILE: thư mục \"{target.parent}\" {problem}.", "bad_file")
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        copy_database(source, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(target, target.stat().st_size)


def restore(app: App, source: Path) -> RestoreReport:
    """Put the backup `source` in place of the database, keeping the current one beside it; refused while a ykien
    process beats (serve, tick) and for a file that is not a backup of this ykien's schema."""
    database = _database_file(app)
    if source.is_dir():
        raise InvalidInput(f"FILE: \"{source}\" là một thư mục, không phải tệp sao lưu.", "bad_file")
    if not source.is_file():
        raise InvalidInput(f"FILE: không có tệp \"{source}\".", "bad_file")
    revisions = schema_revisions(source)
    if revisions is None:
        raise InvalidInput(f"FILE: \"{source}\" không phải bản sao lưu cơ sở dữ liệu ykien (SQLite).", "bad_file")
    if revisions != {SCHEMA_REVISION}:
        found = ", ".join(sorted(revisions)) or "trống"
        raise InvalidInput(f"FILE: \"{source}\" có cấu trúc phiên bản {found}, bản ykien này cần {SCHEMA_REVISION}: "
                           "khôi phục bằng bản ykien đã tạo ra nó, rồi chạy ykien init.", "schema_mismatch")
    refuse_while_running(app, "khôi phục")
    now = app.clock.now()
    app.engine.dispose()  # no connection of ours stays on the file being replaced
    # named in the Sở's time, the time every other date the staff read is in (the clock itself is UTC)
    local = now.astimezone(app.tz)
    previous = database.with_name(f"{database.name}.truoc-khoi-phuc-{local:%Y%m%d-%H%M%S}")
    copy_database(database, previous)
    copy_database(source, database)
    return RestoreReport(database, previous, database.stat().st_size)
