"""Files named on the command line to be read: every one is a regular file within its kind's size limit
(config.input_files: a folder, a FIFO or a device is refused before anything opens it), said with the option.
Text and JSON files (--text-file, --proposal-file) are read whole: what is wrong is said in Vietnamese with the
option, the file and, where it can be, the line and column, as the CSV and YAML readers say it. Never Python's
English ("Expecting value: line 1 column 1", "UnicodeDecodeError")."""
from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

from config.file_words import NotUtf8, utf8_text
from config.input_files import InputFileRefused, input_file_problem, read_input_file
from models import limits
from models.errors import InvalidInput

# json's usual complaints, in Vietnamese (json.JSONDecodeError.msg); another one keeps json's words.
_JSON_PROBLEMS: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), said) for pattern, said in [
    (r"^Expecting value$", "cần một giá trị (chuỗi trong ngoặc kép, số, đối tượng {...} hoặc danh sách [...])"),
    (r"^Expecting property name enclosed in double quotes$", "tên trường phải nằm trong ngoặc kép \"...\""),
    (r"^Expecting ':' delimiter$", "thiếu dấu hai chấm (:) sau tên trường"),
    (r"^Expecting ',' delimiter$", "thiếu dấu phẩy (,) giữa hai mục"),
    (r"^Unterminated string starting at$", "chuỗi mở ngoặc kép mà chưa đóng"),
    (r"^Extra data$", "còn nội dung thừa sau giá trị JSON đầu tiên"),
    (r"^Invalid control character at$", "có ký tự điều khiển (xuống dòng, tab ...) trong chuỗi; hãy viết \\n, \\t"),
    (r"^Invalid \\escape$", "ký tự thoát sau dấu \\ không hợp lệ; muốn viết dấu \\ thì viết \\\\"),
]]


def check_input_file(path: Path, option: str, code: str, limit: int | None = None, why: str = "") -> Path:
    """`path` when it is a regular file of at most `limit` bytes, for a service that reads it itself; InvalidInput
    with `code` naming `option` otherwise ("--attach budget_file: "f.csv" là một ống dẫn (FIFO), không phải tệp
    thường.")."""
    problem = input_file_problem(path, limit, why)
    if problem is not None:
        raise InvalidInput(f"{option}: {problem}.", code)
    return path


def checked_attachments(given: list[str]) -> list[str]:
    """`--attach FIELD=PATH` as given, once no PATH is a FIFO, a device or a socket (refused here, naming the field:
    the service, which reads them, said "không có tệp" of them). What is missing, a folder, a bad FIELD=PATH or a file
    too large is the service's to say, with the field's place in the form."""
    for option in given:
        key, sep, path_text = option.partition("=")
        if not sep or not path_text.strip():
            continue
        path = Path(path_text.strip())
        if special_file(path):
            check_input_file(path, f"--attach {key.strip()}", "bad_attach")
    return given


def special_file(path: Path) -> bool:
    """Whether something is at `path` that is neither a regular file nor a folder: a FIFO, a device, a socket."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def read_file(path: Path, option: str, code: str, limit: int, why: str = "") -> bytes:
    """The bytes of the regular file `path`, at most `limit` (`why` says whose limit: "(YKIEN_MAX_UPLOAD_MB)");
    InvalidInput with `code` naming `option` otherwise."""
    try:
        return read_input_file(path, limit, why)
    except InputFileRefused as refused:
        raise InvalidInput(f"{option}: {refused}.", code) from None


def upload_limit(max_upload_mb: int) -> tuple[int, str]:
    """The bound on a file the web would take as an upload, and its words: (bytes, "(YKIEN_MAX_UPLOAD_MB)")."""
    return max_upload_mb * 1024 * 1024, "(YKIEN_MAX_UPLOAD_MB, như khi tải lên trên trang web)"


def read_text_file(path: Path, option: str, code: str, limit: int = limits.TEXT_FILE_BYTES) -> str:
    """The UTF-8 text of `path` (a BOM is dropped), at most `limit` bytes; InvalidInput with `code` naming `option`,
    the file and, for bytes that are not UTF-8, the line."""
    data = read_file(path, option, code, limit, "của một tệp văn bản")
    try:
        return utf8_text(data)
    except NotUtf8 as bad:
        raise InvalidInput(f"{option}: {path}:{bad.line}: {bad}.", code) from None


def read_json_file(path: Path, option: str, code: str) -> Any:
    """The JSON value in `path`, read as read_text_file reads text; InvalidInput naming the line and column of a
    syntax error."""
    return json_value(read_text_file(path, option, code), path, option, code)


def json_value(text: str, path: Path, option: str, code: str) -> Any:
    """The JSON value of `text`, read from `path`; InvalidInput naming the line and column of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"{option}: {path}:{error.lineno}:{error.colno}: không phải JSON hợp lệ: "
                           f"{_json_problem(error.msg)}.", code) from None
    except ValueError:  # a number of more than 4300 digits, which Python will not read
        raise InvalidInput(f"{option}: {path}: không phải JSON hợp lệ: có số dài quá 4300 chữ số.", code) from None
    except RecursionError:  # thousands of nested [ or {: json runs out of stack
        raise InvalidInput(f"{option}: {path}: không phải JSON hợp lệ: các khối lồng nhau quá sâu.", code) from None


def _json_problem(message: str) -> str:
    for pattern, said in _JSON_PROBLEMS:
        if pattern.match(message):
            return said
    return message
