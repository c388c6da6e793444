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

console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2

JSON_OPTION = typer.Option(False, "--json", help="In kết quả dạng JSON (ổn định, cho máy đọc).")
ACTOR_OPTION = typer.Option(None, "--by", help="Người thực hiện (ghi vào nhật ký). Mặc định: tên người dùng hệ thống.")


def actor_name(value: str | None) -> str:
    return value or os.environ.get("YKIEN_ACTOR") or os.environ.get("USER") or "cán bộ"


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


def fail(code: str, message: str, exit_code: int, as_json: bool) -> typer.Exit:
    if as_json:
        print_json({"error": {"code": code, "message": message}})
    else:
        err_console.print(f"[bold red]Lỗi:[/] {message}", markup=True, highlight=False)
    return typer.Exit(exit_code)


@contextmanager
def guarded(as_json: bool = False) -> Iterator[None]:
    """Map domain refusals to exit 1 and bad input to exit 2, with a message naming what is wrong."""
    from config.calendar_file import CalendarFileError
    from config.settings import SettingsError
    from models.directory import DirectoryImportError
    from models.errors import DomainError, InvalidInput
    from workflows.definition import WorkflowError

    try:
        yield
    except DomainError as error:
        raise fail(error.code, error.message, EXIT_REFUSED, as_json) from None
    except InvalidInput as error:
        raise fail(error.code, error.message, EXIT_BAD_INPUT, as_json) from None
    except DirectoryImportError as error:
        raise fail("invalid_csv", str(error), EXIT_BAD_INPUT, as_json) from None
    except (WorkflowError, CalendarFileError, SettingsError) as error:
        raise fail("invalid_input", str(error), EXIT_BAD_INPUT, as_json) from None


def open_app(create_schema: bool = False):
    """The app for this process; without `ykien init` first, a clear error instead of a stack trace."""
    from config.settings import load_settings
    from models.errors import InvalidInput
    from workflows.service.app import build_app

    settings = load_settings()
    url = settings.database_url_resolved
    if not create_schema and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        # Connecting would create an empty database file in a home that was never initialised.
        raise InvalidInput(f"Chưa khởi tạo ({url}): hãy chạy `ykien init` trước.", "not_initialised")
    app = build_app(settings, create_schema=create_schema)
    if not create_schema and not app.schema_is_current():
        raise InvalidInput(f"Cơ sở dữ liệu ({app.engine.url.render_as_string(hide_password=True)}) chưa được "
                           "khởi tạo hoặc chưa cập nhật: hãy chạy `ykien init`.", "not_initialised")
    return app
