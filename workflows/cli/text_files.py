"""Text and JSON files named on the command line (--text-file, --proposal-file), read whole: what is wrong is said
in Vietnamese with the option, the file and, where it can be, the line and column, as the CSV and YAML readers say
it. Never Python's English ("Expecting value: line 1 column 1", "UnicodeDecodeError")."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from config.file_words import NotUtf8, utf8_text
from config.os_words import os_reason
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


def read_text_file(path: Path, option: str, code: str) -> str:
    """The UTF-8 text of `path` (a BOM is dropped); InvalidInput with `code` naming `option`, the file and, for bytes
    that are not UTF-8, the line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{option}: không đọc được tệp {path} ({os_reason(error)}).", code) from None
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
