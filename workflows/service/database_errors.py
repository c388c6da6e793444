"""What a failure of the database means to the person reading it (at the command line, in serve's log, in /readyz):
one Vietnamese line naming the problem and the setting to change (YKIEN_DATABASE_URL, or YKIEN_HOME whose ykien.db
is the default), with a stable code. Here in the service so that the CLI, the sweep and the web app say it alike.

The driver's error is read from its own attributes (sqlite3's `sqlite_errorname`, psycopg's `sqlstate`; libpq's
text when it fails before a session exists), so neither driver is imported here.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.settings import Settings

INIT = "`ykien init`"


@dataclass(frozen=True)
class DatabaseProblem:
    code: str
    message: str


@dataclass(frozen=True)
class Target:
    """The database the settings name, as a person reads it."""

    url: str  # its password hidden
    setting: str  # YKIEN_DATABASE_URL, or YKIEN_HOME for the default file
    file: Path | None  # the SQLite file; None on PostgreSQL
    user: str
    server: str  # host:port of a PostgreSQL server (the local socket when the URL names no host)
    database: str

    @classmethod
    def of(cls, settings: Settings) -> Target:
        from sqlalchemy.engine import make_url

        from config.settings import sqlite_file

        text = settings.database_url_resolved
        url = make_url(text)
        return cls(url.render_as_string(hide_password=True), settings.database_setting, sqlite_file(text),
                   url.username or "", f"{url.host or 'localhost (socket)'}:{url.port or 5432}", url.database or "")

    @property
    def name(self) -> str:
        return f"tệp cơ sở dữ liệu {self.file}" if self.file is not None else f"cơ sở dữ liệu {self.url}"


# The problems of a database that stopped answering for a while (a restart, a network cut): a long-running process
# says them once and waits for the database to come back, instead of failing each sweep and heartbeat aloud.
UNREACHABLE_CODES = frozenset({"database_unreachable", "database_busy"})


def database_problem(error: BaseException, settings: Settings | None = None) -> DatabaseProblem | None:
    """The problem a driver error from the database stands for, or None for an error that is a fault of ours
    (an integrity or programming error ykien should not make): that one is shown whole. `settings` name the
    database (read from the environment when not given)."""
    if "sqlalchemy" not in sys.modules:  # no database was opened
        return None
    from sqlalchemy.exc import DBAPIError

    from config.settings import SettingsError, load_settings

    if not isinstance(error, DBAPIError):
        return None
    try:
        target = Target.of(settings if settings is not None else load_settings())
    except SettingsError:
        return None
    original = error.orig
    detail = first_line(str(original if original is not None else error))
    if target.file is not None or getattr(original, "sqlite_errorname", None) is not None:
        return _sqlite(getattr(original, "sqlite_errorname", None) or "", detail, target, error)
    return _postgres(getattr(original, "sqlstate", None) or "", detail, target, error)


def unreachable_problem(error: BaseException, settings: Settings) -> DatabaseProblem | None:
    """The problem when `error` says the database cannot be reached now (refused, cut off, restarting, out of
    connections, a connection lost under a query); None for any other error, a bug's included."""
    problem = database_problem(error, settings)
    if problem is not None and problem.code in UNREACHABLE_CODES:
        return problem
    if getattr(error, "connection_invalidated", False):  # SQLAlchemy's word for a connection the server dropped
        detail = first_line(str(getattr(error, "orig", None) or error))
        return DatabaseProblem("database_unreachable", f"Mất kết nối tới {Target.of(settings).name} ({detail}): "
                               "hãy kiểm tra máy chủ đang chạy, và YKIEN_DATABASE_URL.")
    return None


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else text.strip()


def _sqlite(name: str, detail: str, target: Target, error: BaseException) -> DatabaseProblem | None:
    from sqlalchemy.exc import OperationalError

    primary = name.removeprefix("SQLITE_").split("_")[0]  # SQLITE_READONLY_DIRECTORY -> READONLY
    path, setting = target.file, target.setting
    if primary == "CANTOPEN" and path is not None:
        if not path.parent.is_dir():
            return DatabaseProblem("database_missing", f"Không mở được {target.name}: thư mục {path.parent} không tồn "
                                   f"tại. Hãy tạo thư mục đó, hoặc sửa {setting}.")
        if path.is_dir():
            return DatabaseProblem("database_unusable", f"Không mở được {target.name}: đó là một thư mục, không phải "
                                   f"tệp. Hãy sửa {setting}.")
        return DatabaseProblem("database_unusable", f"Không mở được {target.name}: không có quyền đọc, ghi tệp hoặc "
                               f"thư mục chứa nó. Hãy cấp quyền, hoặc sửa {setting}.")
    if primary == "READONLY":
        return DatabaseProblem("database_read_only", f"Không ghi được vào {target.name}: tệp chỉ cho đọc hoặc thư mục "
                               f"chứa nó không cho ghi, chưa có gì được lưu. Hãy cấp quyền ghi, hoặc sửa {setting}.")
    if primary in ("BUSY", "LOCKED"):
        return DatabaseProblem("database_locked", f"{target.name.capitalize()} đang bị một tiến trình khác giữ khóa "
                               "và đã hết thời gian chờ, chưa có gì được lưu. Hãy thử lại sau (muốn chờ lâu hơn: "
                               "thêm ?timeout=SỐ_GIÂY vào YKIEN_DATABASE_URL).")
    if primary in ("NOTADB", "CORRUPT"):
        return DatabaseProblem("database_corrupt", f"{target.name.capitalize()} không phải cơ sở dữ liệu SQLite hoặc "
                               f"đã hỏng. Hãy sửa {setting} cho đúng tệp, hoặc khôi phục tệp từ bản sao lưu.")
    if primary == "FULL":
        return DatabaseProblem("disk_full", f"Ổ đĩa chứa {target.name} đã đầy, chưa có gì được lưu. Hãy giải phóng "
                               "dung lượng rồi thử lại.")
    if primary in ("IOERR", "PERM", "AUTH"):
        return DatabaseProblem("database_unusable", f"Lỗi đọc, ghi {target.name} ({detail}), chưa có gì được lưu. "
                               f"Hãy kiểm tra ổ đĩa và quyền, hoặc sửa {setting}.")
    if "no such table" in detail or "no such column" in detail:
        return DatabaseProblem("not_initialised", f"{target.name.capitalize()} thiếu bảng của ykien ({detail}): hãy "
                               f"chạy {INIT}, hoặc sửa {setting} nếu nhầm tệp.")
    if isinstance(error, OperationalError):
        return DatabaseProblem("database_error", f"Lỗi cơ sở dữ liệu ở {target.name} ({detail}). Hãy kiểm tra "
                               f"{setting}.")
    return None


# libpq's words when there is no session yet (no SQLSTATE comes with them)
_UNREACHABLE = {
    "connection refused": "máy chủ từ chối kết nối",
    "failed to resolve host": "không tìm thấy tên máy",
    "could not translate host name": "không tìm thấy tên máy",
    "name or service not known": "không tìm thấy tên máy",
    "timeout expired": "quá thời gian chờ",
    "network is unreachable": "không có đường mạng tới máy chủ",
    "no route to host": "không có đường mạng tới máy chủ",
    "no such file or directory": "không có máy chủ ở socket này",
    "the database system is starting up": "máy chủ đang khởi động",
    "the database system is shutting down": "máy chủ đang dừng",
    "server closed the connection unexpectedly": "máy chủ đóng kết nối",
}
# The server ending a session it had (SQLSTATE), as a person reads it
_SESSION_ENDED = {
    "57P01": "máy chủ ngắt kết nối: nó đang dừng hoặc khởi động lại",
    "57P02": "máy chủ ngắt kết nối sau một sự cố",
    "57P03": "máy chủ chưa nhận kết nối: nó đang khởi động hoặc đang dừng",
}
_AUTHENTICATION = ("password authentication failed", "no password supplied", "authentication failed",
                   "role \"", "no pg_hba.conf entry")


# libpq's and psycopg's refusals of an option of the URL (a value only they judge), each as (pattern, what it says)
_BAD_OPTIONS = (
    (re.compile(r"bad value for (?P<name>\w+): '(?P<value>.*)'"), 'giá trị "{value}" của tùy chọn {name} không hợp lệ'),
    (re.compile(r'invalid (?P<name>\w+) value: "(?P<value>.*)"'), 'giá trị "{value}" của tùy chọn {name} không hợp lệ'),
    (re.compile(r'invalid \w+ value "(?P<value>.*)" for connection option "(?P<name>\w+)"'),
     'giá trị "{value}" của tùy chọn {name} không hợp lệ'),
    (re.compile(r'invalid connection option "(?P<name>\w+)"'), 'PostgreSQL không có tùy chọn "{name}"'),
)


def _bad_option(detail: str) -> str | None:
    """What libpq or psycopg refused in the URL's options, in Vietnamese; None when `detail` is not such a refusal."""
    for pattern, said in _BAD_OPTIONS:
        found = pattern.search(detail)
        if found is not None:
            return said.format(**found.groupdict())
    return None


def _postgres(sqlstate: str, detail: str, target: Target, error: BaseException) -> DatabaseProblem | None:
    from sqlalchemy.exc import OperationalError

    lowered = detail.lower()
    server, user, url = target.server, target.user, target.url
    fix = f"YKIEN_DATABASE_URL ({url})"
    connecting = not sqlstate  # libpq failed before a session: only its text says why
    if sqlstate == "3D000" or (connecting and f"database \"{target.database}\" does not exist" in lowered):
        name = target.database
        return DatabaseProblem("database_missing", f"Máy chủ PostgreSQL {server} không có cơ sở dữ liệu \"{name}\": "
                               f"hãy tạo nó (createdb {name}) rồi chạy {INIT}, hoặc sửa {fix}.")
    if sqlstate.startswith("28") or (connecting and any(words in lowered for words in _AUTHENTICATION)):
        return DatabaseProblem("database_login_refused", f"Máy chủ PostgreSQL {server} không cho người dùng \"{user}\" "
                               f"đăng nhập (sai mật khẩu, hoặc không có người dùng này): hãy sửa {fix}.")
    if sqlstate == "53300" or (connecting and ("too many clients" in lowered or "connection slots" in lowered)):
        return DatabaseProblem("database_busy", f"Máy chủ PostgreSQL {server} đã đủ số kết nối: hãy thử lại sau, "
                               "hoặc tăng max_connections của máy chủ.")
    option = _bad_option(detail) if connecting else None
    if option is not None:
        return DatabaseProblem("database_url_invalid", f"YKIEN_DATABASE_URL ({url}): {option}. Hãy sửa tùy chọn đó "
                               "(sau dấu ?), theo tài liệu của libpq.")
    cause = next((said for words, said in _UNREACHABLE.items() if words in lowered), None) if connecting else None
    cause = cause or _SESSION_ENDED.get(sqlstate)
    if cause is not None or sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return DatabaseProblem("database_unreachable", f"Không kết nối được máy chủ PostgreSQL {server} "
                               f"({cause or detail}): hãy kiểm tra máy chủ đang chạy, và {fix}.")
    if sqlstate == "25006":
        return DatabaseProblem("database_read_only", f"Cơ sở dữ liệu {url} chỉ cho đọc (giao dịch read-only, có thể "
                               "là máy chủ dự phòng), chưa có gì được lưu. Hãy trỏ YKIEN_DATABASE_URL tới máy chủ "
                               "chính.")
    if sqlstate == "42501":
        return DatabaseProblem("database_permission", f"Người dùng \"{user}\" không có quyền trên bảng của ykien trong "
                               f"{url} ({detail}), chưa có gì được lưu. Hãy cấp quyền (GRANT), hoặc sửa "
                               "YKIEN_DATABASE_URL.")
    if sqlstate in ("55P03", "57014", "40P01"):
        return DatabaseProblem("database_locked", f"Cơ sở dữ liệu {url} đang bận (bị khóa hoặc hết thời gian chờ), "
                               "chưa có gì được lưu. Hãy thử lại sau.")
    if sqlstate == "42P01":
        return DatabaseProblem("not_initialised", f"Cơ sở dữ liệu {url} thiếu bảng của ykien ({detail}): hãy chạy "
                               f"{INIT}, hoặc sửa YKIEN_DATABASE_URL nếu nhầm cơ sở dữ liệu.")
    if sqlstate in ("53100", "53200"):
        return DatabaseProblem("disk_full", f"Máy chủ PostgreSQL {server} hết chỗ (ổ đĩa hoặc bộ nhớ), chưa có gì "
                               "được lưu. Hãy báo người quản trị máy chủ.")
    if isinstance(error, OperationalError):
        return DatabaseProblem("database_error", f"Lỗi cơ sở dữ liệu {url} ({detail}). Hãy kiểm tra máy chủ "
                               "PostgreSQL và YKIEN_DATABASE_URL.")
    return None
