"""`ykien backup` and `ykien restore` for the default SQLite database: a consistent copy taken while ykien runs,
and a copy put back while nothing runs (refused when a process's heartbeat says one does). PostgreSQL has its own
tools (pg_dump, pg_restore), named in the refusal."""
from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from config.made_folders import missing_folders, remove_if_empty
from config.os_words import os_reason
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
    made = _folders_made(target.parent)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    written = False
    try:
        # opened here first, so that a place no file can be made (/proc, /sys, a folder not ours) is said with the
        # system's reason, not SQLite's "unable to open database file"
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        copy_database(source, partial)
        partial.replace(target)
        written = True
    except OSError as error:
        raise InvalidInput(f"FILE: không ghi được bản sao lưu vào \"{target}\" ({os_reason(error)}). Chưa ghi gì.",
                           "bad_file") from None
    except sqlite3.Error as error:
        raise InvalidInput(f"FILE: không ghi được bản sao lưu vào \"{target}\" ({_sqlite_reason(error)}). Chưa ghi "
                           "gì.", "bad_file") from None
    finally:
        for leftover in (partial, partial.with_name(f"{partial.name}-journal")):
            with contextlib.suppress(OSError):  # nothing could be made there
                leftover.unlink(missing_ok=True)
        if not written:
            remove_if_empty(made)
    return BackupReport(target, target.stat().st_size)


def _folders_made(folder: Path) -> list[Path]:
    """Make `folder` and its missing parents (README: "A missing folder is made"), returning those made, deepest
    first; InvalidInput naming FILE when a file stands in the way or the system refuses."""
    missing: list[Path] = []
    try:
        missing = missing_folders(folder)
        probe = missing[-1].parent if missing else folder
        if not probe.is_dir():
            raise InvalidInput(f"FILE: thư mục \"{probe}\" là một tệp, không phải thư mục.", "bad_file")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        remove_if_empty(missing)
        raise InvalidInput(f"FILE: không tạo được thư mục \"{folder}\" ({os_reason(error)}). Chưa ghi gì.",
                           "bad_file") from None
    return missing


# SQLite's result codes (sqlite3.Error.sqlite_errorname) a backup's destination can give, in Vietnamese.
_SQLITE_REASONS = {"SQLITE_FULL": "ổ đĩa đã đầy", "SQLITE_READONLY": "ổ đĩa chỉ cho đọc",
                   "SQLITE_CANTOPEN": "không mở được tệp ở đây", "SQLITE_PERM": "không có quyền",
                   "SQLITE_AUTH": "không có quyền", "SQLITE_IOERR": "lỗi đọc ghi ổ đĩa",
                   "SQLITE_BUSY": "tệp đang bị khóa", "SQLITE_LOCKED": "tệp đang bị khóa"}


def _sqlite_reason(error: sqlite3.Error) -> str:
    """The reason SQLite gave, in Vietnamese by its code (SQLITE_IOERR_WRITE is an SQLITE_IOERR); its code else."""
    name = str(getattr(error, "sqlite_errorname", "") or "")
    return _SQLITE_REASONS.get("_".join(name.split("_")[:2]), f"SQLite báo lỗi {name or 'không rõ'}")


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
