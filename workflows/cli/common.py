"""What every command shares: building the app, printing, and turning errors into exit codes."""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
BAD_INPUT_CODES = frozenset({"unit_unknown"})

# The largest number of a round or a comment: the same bound as the ids in the pages' and the API's paths (a larger
# one would overflow SQLite's INTEGER on its way to the database).
MAX_ID = 2**31 - 1

JSON_OPTION = typer.Option(False, "--json", help="In kết quả dạng JSON (ổn định, cho máy đọc).")
ACTOR_OPTION = typer.Option(None, "--by", help="Người thực hiện (ghi vào nhật ký). Mặc định: tên người dùng hệ thống.")


def actor_name(value: str | None) -> str:
    """Who does it: --by, else YKIEN_ACTOR, else the system user. Raises InvalidInput for bytes that are not UTF-8."""
    from models.errors import InvalidInput

    for source, name in (("--by", value), ("YKIEN_ACTOR", os.environ.get("YKIEN_ACTOR")),
                         ("USER", os.environ.get("USER"))):
        if name and has_surrogates(name):
            raise InvalidInput(f"{source}: \"{_shown(name)}\" không phải văn bản UTF-8 hợp lệ.", "not_utf8")
        if name:
            return name
    return "cán bộ"


def has_surrogates(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _shown(text: str) -> str:
    """The argument as it can be printed: each byte that is not UTF-8 as \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def undecodable_argument(args: list[str], value_options: Collection[str] = ()) -> str | None:
    """A message naming the first argument that is not valid UTF-8 (its option or its position), else None.

    `value_options` are the option names that take a value: an argument after one of them is its value.
    """
    for position, arg in enumerate(args, start=1):
        if not has_surrogates(arg):
            continue
        name, equals, _ = arg.partition("=")
        previous = args[position - 2] if position > 1 else ""
        if arg.startswith("--") and equals and not has_surrogates(name):
            place = f"giá trị của tùy chọn {name} (đối số thứ {position})"
        elif previous in value_options:
            place = f"giá trị của tùy chọn {previous} (đối số thứ {position})"
        else:
            place = f"đối số thứ {position}"
        return (f"{place} không phải văn bản UTF-8 hợp lệ: \"{_shown(arg)}\". "
                "Hãy nhập lại bằng bảng mã UTF-8 (Unicode); chưa có gì được ghi.")
    return None


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def say(text: str) -> None:
    """Print a line as it is: what people typed is never read as rich markup ("[/b]") or an emoji code (":x:")."""
    console.print(text, markup=False, emoji=False)


def plain(*values: object) -> list[Text]:
    """Table cells shown as they are (see `say`)."""
    return [value if isinstance(value, Text) else Text(str(value)) for value in values]


def error_line(message: str) -> Text:
    return Text.assemble(("Lỗi:", "bold red"), " ", message)


def fail(code: str, message: str, exit_code: int, as_json: bool) -> typer.Exit:
    if as_json:
        print_json({"error": {"code": code, "message": message}})
    else:
        err_console.print(error_line(message))
    return typer.Exit(exit_code)


def check_id(value: int, name: str) -> int:
    """`value` if it can number a round or a comment (1 to MAX_ID), else InvalidInput naming the argument."""
    from models.errors import InvalidInput

    if not 1 <= value <= MAX_ID:
        raise InvalidInput(f"{name}: \"{value}\" không phải số thứ tự hợp lệ (từ 1 đến {MAX_ID}).", "bad_number")
    return value


@contextmanager
def guarded(as_json: bool = False) -> Iterator[None]:
    """Map domain refusals to exit 1 and bad input to exit 2, with a message naming what is wrong."""
    from config.calendar import CalendarRangeError
    from config.calendar_file import CalendarFileError
    from config.settings import SettingsError
    from models.directory import DirectoryImportError
    from models.errors import DomainError, InvalidInput
    from workflows.definition import WorkflowError

    try:
        yield
    except DomainError as error:
        # A unit code the round does not have is wrong input, as an unknown unit or group is everywhere else.
        status = EXIT_BAD_INPUT if error.code in BAD_INPUT_CODES else EXIT_REFUSED
        raise fail(error.code, error.message, status, as_json) from None
    except InvalidInput as error:
        raise fail(error.code, error.message, EXIT_BAD_INPUT, as_json) from None
    except DirectoryImportError as error:
        raise fail("invalid_csv", str(error), EXIT_BAD_INPUT, as_json) from None
    except (WorkflowError, CalendarFileError, SettingsError) as error:
        raise fail("invalid_input", str(error), EXIT_BAD_INPUT, as_json) from None
    except CalendarRangeError as error:  # a date typed far away; the commands that read one name its option first
        raise fail("date_out_of_range", f"Ngày nằm ngoài những năm có lịch ngày lễ ({error}).", EXIT_BAD_INPUT,
                   as_json) from None
    except OSError as error:
        if error.filename is None:  # not about a file someone named: a fault to see whole
            raise
        name = os.fsdecode(error.filename) if isinstance(error.filename, (str, bytes)) else str(error.filename)
        problem = error.strerror or str(error)
        raise fail("file_unusable", f"{_shown(name)}: không dùng được tệp hoặc thư mục này ({problem}).",
                   EXIT_BAD_INPUT, as_json) from None


def open_app(create_schema: bool = False):
    """The app for this process; without `ykien init` first, a clear error instead of a stack trace."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from config.settings import load_settings
    from models.errors import InvalidInput
    from workflows.service.app import build_app

    settings = load_settings()
    url = settings.database_url_resolved
    if not create_schema and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        # Connecting would create an empty database file in a home that was never initialised.
        raise InvalidInput(f"Chưa khởi tạo ({url}): hãy chạy `ykien init` trước.", "not_initialised")
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        app = build_app(settings)
        if create_schema:
            settings.home.mkdir(parents=True, exist_ok=True)  # where a SQLite database is made
        current = app.schema_is_current()  # the first connection
    except OperationalError as error:  # the server is not there, refuses us, or the file cannot be opened
        reason = str(error.orig or error).strip().splitlines()[0]
        raise InvalidInput(f"Không kết nối được cơ sở dữ liệu {shown} (YKIEN_DATABASE_URL): {reason}",
                           "database_unreachable") from None
    if create_schema:  # connected: a fault while migrating is shown whole
        app.close()
        return build_app(settings, create_schema=True)
    if not current:
        raise InvalidInput(f"Cơ sở dữ liệu ({shown}) chưa được khởi tạo hoặc chưa cập nhật: hãy chạy `ykien init`.",
                           "not_initialised")
    return app
