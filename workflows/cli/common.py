"""What every command shares: building the app, printing, and turning errors into exit codes."""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from config.made_folders import missing_folders, remove_if_empty
from config.os_words import os_reason

if TYPE_CHECKING:
    from workflows.service.database_errors import Target

PIPED_WIDTH = 200  # output that goes to a file or a pipe, when COLUMNS does not say how wide to make it
console = Console(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
# Refusals that are a wrong value typed (a typo, a code already taken, a document the kind has not): exit 2, the
# field they name said as the command's option or argument.
BAD_INPUT_CODES = frozenset({"unit_unknown", "workflow_unknown", "office_exists", "document_unknown",
                             "token_library_unusable"})

# The largest number of a round or a comment: the same bound as the ids in the pages' and the API's paths (a larger
# one would overflow SQLite's INTEGER on its way to the database).
MAX_ID = 2**31 - 1

JSON_OPTION = typer.Option(False, "--json", help="In kết quả dạng JSON (ổn định, cho máy đọc).")
ACTOR_OPTION = typer.Option(None, "--by", help="Người thực hiện (ghi vào nhật ký). Mặc định: tên người dùng hệ thống.")
ROUND_ARGUMENT = typer.Argument(..., help="Số thứ tự của đợt (cột Số của `ykien round list`).")
USERNAME_ARGUMENT = typer.Argument(..., help="Tên đăng nhập của cán bộ (xem `ykien user list`).")
DOCUMENT_KEY_ARGUMENT = typer.Argument(..., help="Khóa văn bản trong quy trình, ví dụ request_letter.")


def fit_to_terminal() -> None:
    """Size the output for this run: a terminal's own width; into a pipe or a file, COLUMNS when it is set (someone
    who says `COLUMNS=80 ykien round show 1 | less` wants 80 columns), else PIPED_WIDTH."""
    columns = os.environ.get("COLUMNS", "").strip()
    given = int(columns) if columns.isdigit() and int(columns) > 0 else None
    if sys.stdout.isatty():
        console.width = given  # type: ignore[assignment]  # None: rich asks the terminal
    else:
        console.width = given or PIPED_WIDTH


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


def warn(message: str, heading: str = "Lưu ý:") -> None:
    """A notice on stderr that does not stop the command (exit stays 0): "Lưu ý: …", the message as it is."""
    err_console.print(Text.assemble((heading, "bold yellow"), " ", message))


def error_line(message: str) -> Text:
    return Text.assemble(("Lỗi:", "bold red"), " ", message)


# A value longer than this, quoted in an error (a whole page pasted as a unit code, a path), is cut to its start and
# its length: printed whole it would push the line that says what is wrong off the screen.
LONGEST_QUOTED = 200
_QUOTED = re.compile(r'"([^"]*)"')  # each pair of quotes in turn: the text between two values is never one


def shown_value(text: str) -> str:
    """`text` as an error quotes it: whole, or when longer than LONGEST_QUOTED its first words and its length."""
    from models.text import grouped

    if len(text) <= LONGEST_QUOTED:
        return text
    start = text[:61]
    last_space = start.rfind(" ")
    start = start[:last_space] if last_space > 20 else start[:60]  # whole words, unless a word is that long
    return f"{start.rstrip()}… ({grouped(len(text))} ký tự)"


def clipped_quotes(message: str) -> str:
    """`message` with each quoted value as `shown_value` shows it; the words around the values stay whole."""
    return _QUOTED.sub(lambda found: f'"{shown_value(found[1])}"', message)


def json_logs_requested() -> bool:
    """YKIEN_LOG_FORMAT asks for JSON lines, read as the settings read it: here, the settings may be what failed."""
    from config.settings import env_name

    return os.environ.get(env_name("log_format"), "").strip().lower() == "json"


def fail(code: str, message: str, exit_code: int, as_json: bool, log_as: str | None = None) -> typer.Exit:
    """The command's refusal: "Lỗi: …" on stderr, --json's error object on stdout, or, for a long-running process
    (`log_as` names its logger) whose lines are JSON, one more such line: a collector reading one JSON object a line
    would be handed plain text as the reason it stopped."""
    message = clipped_quotes(message)
    if as_json:
        print_json({"error": {"code": code, "message": message}})
    elif log_as is not None and json_logs_requested():
        from workflows.logs import log_refusal

        log_refusal(log_as, code, message)
    else:
        err_console.print(error_line(message))
    return typer.Exit(exit_code)


def as_option_named(message: str) -> str:
    """`message` with its leading field ("deadline: …", "date event: …", as the service and the API name it)
    written as the option of the running command that sets it ("--deadline: …"), or as its argument in capitals
    ("label: …" as "LABEL: …", as the help and the usage errors name arguments); unchanged when nothing of the
    command matches."""
    # Typer vendors click and does not re-export its current-context getter (typer is pinned in uv.lock).
    from typer._click.globals import get_current_context

    subject, colon, rest = message.partition(": ")
    field, space, which = subject.partition(" ")  # "date event: …" names one value of a repeated option
    if not colon or not field.isidentifier():
        return message
    context = get_current_context(silent=True)
    if context is None:
        return message
    given = {opt for param in context.command.params for opt in param.opts}
    options = [option for option in OPTIONS_OF_FIELD.get(field, ("--" + field.replace("_", "-"),)) if option in given]
    if options:
        return f"{'/'.join(options)}{space}{which}: {rest}"
    arguments = {param.name for param in context.command.params if param.param_type_name == "argument"}
    if field in arguments:
        return f"{field.upper()}{space}{which}: {rest}"
    return message


# A field the service names that another option of a command sets: recipients by several together, a password
# (`user add`, `user reset-password`) through the variable --password-env names, the legal bases by --basis.
OPTIONS_OF_FIELD = {"recipients": ("--unit", "--group"), "password": ("--password-env",),
                    "legal_bases": ("--basis",)}


def check_id(value: int, name: str) -> int:
    """`value` if it can number a round or a comment (1 to MAX_ID), else InvalidInput naming the argument."""
    from models.errors import InvalidInput

    if not 1 <= value <= MAX_ID:
        raise InvalidInput(f"{name}: \"{value}\" không phải số thứ tự hợp lệ (từ 1 đến {MAX_ID}).", "bad_number")
    return value


@contextmanager
def guarded(as_json: bool = False, log_as: str | None = None) -> Iterator[None]:
    """Map domain refusals to exit 1 and bad input to exit 2, with a message naming what is wrong; with `log_as`
    (serve, worker), written as that logger's record when YKIEN_LOG_FORMAT=json asks their lines as JSON."""
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
        if error.code in BAD_INPUT_CODES:
            raise fail(error.code, as_option_named(error.message), EXIT_BAD_INPUT, as_json, log_as) from None
        raise fail(error.code, error.message, EXIT_REFUSED, as_json, log_as) from None
    except InvalidInput as error:
        raise fail(error.code, as_option_named(error.message), EXIT_BAD_INPUT, as_json, log_as) from None
    except DirectoryImportError as error:
        raise fail("invalid_csv", str(error), EXIT_BAD_INPUT, as_json, log_as) from None
    except (WorkflowError, CalendarFileError, SettingsError) as error:
        raise fail("invalid_input", str(error), EXIT_BAD_INPUT, as_json, log_as) from None
    except CalendarRangeError as error:  # a date typed far away; the commands that read one name its option first
        raise fail("date_out_of_range", f"Ngày ngoài lịch: {error}.", EXIT_BAD_INPUT,
                   as_json, log_as) from None
    except OSError as error:
        if error.filename is None:  # not about a file someone named: a fault to see whole
            raise
        name = os.fsdecode(error.filename) if isinstance(error.filename, (str, bytes)) else str(error.filename)
        problem = os_reason(error)
        raise fail("file_unusable", f"{shown_value(_shown(name))}: không dùng được tệp hoặc thư mục này ({problem}).",
                   EXIT_BAD_INPUT, as_json, log_as) from None
    except Exception as error:
        # The database failed under the command (locked, read-only, gone): one line naming the setting to change.
        from workflows.service.database_errors import database_problem

        problem_found = database_problem(error)
        if problem_found is None:  # not the database's state but a fault: shown whole
            raise
        raise fail(problem_found.code, problem_found.message, EXIT_BAD_INPUT, as_json, log_as) from None


def open_app(create_schema: bool = False, writes: bool = False):
    """The app for this process, its database checked before the command runs: there, reachable, at this code's
    schema (migrated first when `create_schema`, as `ykien init` does), and able to commit a write when
    the command writes (`writes`, and always with `create_schema`), so that no command reports success on a
    database it could not change. A failure is InvalidInput here, or a driver error `guarded` turns into one line."""
    from config.settings import load_settings
    from models.errors import InvalidInput
    from workflows.service.app import build_app
    from workflows.service.database_check import ensure_writable, schema_of
    from workflows.service.database_errors import INIT, Target

    settings = load_settings()
    target = Target.of(settings)
    if not create_schema and target.file is not None and not target.file.is_file():
        # Connecting would create an empty database file in a home that was never initialised.
        raise InvalidInput(_not_created(target, target.file, settings.home), "not_initialised")
    app = build_app(settings)
    made = missing_folders(settings.home) if create_schema else []
    try:
        if create_schema:
            settings.home.mkdir(parents=True, exist_ok=True)  # where a SQLite database is made by default
        schema = schema_of(app)  # the first connection
        revisions = ", ".join(sorted(schema.revisions))
        if not schema.current and schema.newer:
            raise InvalidInput(f"{target.name.capitalize()} có cấu trúc phiên bản {revisions}, mới hơn bản ykien "
                               f"này (phiên bản {schema.code}): hãy cài bản ykien mới hơn, hoặc sửa {target.setting} "
                               "nếu nhầm cơ sở dữ liệu.", "schema_too_new")
        if create_schema and not schema.current:
            app.close()
            app = build_app(settings, create_schema=True)  # a fault while migrating is shown whole
        elif not schema.revisions:
            raise InvalidInput(f"{target.name.capitalize()} chưa được khởi tạo: hãy chạy {INIT} (hoặc sửa "
                               f"{target.setting} nếu nhầm cơ sở dữ liệu).", "not_initialised")
        elif not schema.current:
            raise InvalidInput(f"{target.name.capitalize()} có cấu trúc phiên bản {revisions}, cũ hơn phiên bản "
                               f"{schema.code} bản ykien này cần: hãy chạy {INIT} để cập nhật.", "not_initialised")
        if writes or create_schema:
            ensure_writable(app)
    except BaseException:
        app.close()
        remove_if_empty(made)  # a refused `ykien init` leaves no empty YKIEN_HOME behind
        raise
    return app


def _not_created(target: Target, file: Path, home: Path) -> str:
    """No SQLite file where the settings say: the home was never initialised, or the URL names a wrong path."""
    if target.setting == "YKIEN_HOME":
        return f"Chưa khởi tạo: chưa có {target.name} trong YKIEN_HOME ({home}). Hãy chạy `ykien init` trước."
    missing_folder = "" if file.parent.is_dir() else f" (thư mục {file.parent} cũng không có)"
    return (f"Không có {target.name}{missing_folder}: hãy chạy `ykien init` để tạo, hoặc sửa {target.setting} nếu "
            "đường dẫn sai.")
