"""Parse the recipient-unit directory CSV (danh bạ cơ quan, đơn vị); pure, no database.

Every problem is said in Vietnamese for the staff who import the file, after `file:line(:column):`; what the user
types stays as typed: the header names (code, name, group, email, contact_person, phone), values, commands."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from config.single_line import single_line_problem
from models.email_address import EmailRefused, normalized_email

# What `ykien init` seeds; after that the groups are data (`ykien directory groups`, the web directory page).
DEFAULT_GROUPS: dict[str, str] = {
    "trung-uong": "Cơ quan trung ương",
    "mttq-doan-the": "Ủy ban MTTQ và các đoàn thể tỉnh",
    "so-ban-nganh": "Các sở, ban, ngành tỉnh",
    "xa-phuong": "Ủy ban nhân dân các xã, phường",
    "hiep-hoi": "Hiệp hội, Liên minh HTX",
    "bao-chi": "Báo chí, phát thanh truyền hình",
    "ubnd-tinh": "UBND tỉnh và Văn phòng UBND tỉnh",
    "don-vi-thuoc-so": "Các phòng, đơn vị trực thuộc Sở",
}

COLUMNS = ("code", "name", "group", "email", "contact_person", "phone")
REQUIRED_COLUMNS = ("code", "name", "group", "email")

_CODE = re.compile(r"[A-Za-z0-9_.-]{1,40}")
GROUP_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,59}")
GROUP_CODE_RULE = ('mã nhóm gồm 1 đến 60 ký tự, chỉ dùng chữ thường không dấu a-z, chữ số 0-9 và "-", "_", ".", '
                   "bắt đầu bằng chữ cái hoặc chữ số")
GROUP_LABEL_MAX = 200
_PHONE = re.compile(r"[0-9 +.\-()]+")
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?[eE]\+?\d+")
_EDGE_JUNK = " \t\r\n\u00a0\u200b\ufeff"


class DirectoryImportError(ValueError):
    """The directory file is invalid; `errors` holds every problem as `filename:line: message`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class UnitRecord:
    """One recipient unit as read from the file; `group` is the group code."""

    code: str
    name: str
    group: str
    email: str
    contact_person: str | None
    phone: str | None
    line: int


def check_group_code(code: str) -> str | None:
    """Why `code` cannot be a group code, or None."""
    if not GROUP_CODE.fullmatch(code):
        return f'"{code}" không phải mã nhóm hợp lệ ({GROUP_CODE_RULE})'
    return None


def check_group_label(label: str) -> tuple[str, str | None]:
    """The label in NFC and trimmed, and why it cannot be a group label (or None)."""
    cleaned = unicodedata.normalize("NFC", label).strip(_EDGE_JUNK)
    if not cleaned:
        return cleaned, "nhãn nhóm không được để trống"
    problem = single_line_problem(cleaned)
    if problem is not None:
        return cleaned, f"nhãn nhóm {problem}"
    if len(cleaned) > GROUP_LABEL_MAX:
        return cleaned, f"nhãn nhóm dài quá {GROUP_LABEL_MAX} ký tự"
    return cleaned, None


# How to add a group the file names, where the file is imported: on the command line, or on the Danh bạ page.
ADD_GROUP_BY_COMMAND = "hãy thêm nhóm bằng `ykien directory groups add`, hoặc nhập lại với --create-groups"
ADD_GROUP_ON_PAGE = ("hãy thêm nhóm ở mục Nhóm đơn vị của trang này, hoặc đánh dấu \"Tạo các nhóm chưa có mà tệp nêu\" "
                     "rồi nhập lại")


def parse_units_csv(data: bytes, filename: str, known_groups: Mapping[str, str],
                    create_groups: bool = False, add_group_hint: str = ADD_GROUP_BY_COMMAND) -> list[UnitRecord]:
    """Parse a UTF-8 CSV with the columns code,name,group,email[,contact_person][,phone].

    Either every row is valid and all are returned, or `DirectoryImportError` lists
    every problem found. `group` may be a code or a label of `known_groups`; with
    `create_groups`, an unknown group that is a valid group code is taken as a new group.
    """
    text = _decode(data, filename)
    errors: list[str] = []
    _check_controls(text, filename, errors)
    rows, read_whole = _read_rows(text, filename, errors)
    if not rows:
        if read_whole:
            errors.append(f"{filename}:1: tệp rỗng; dòng đầu tiên phải là dòng tiêu đề {','.join(COLUMNS)}")
        raise DirectoryImportError(errors)
    header_line, header = rows[0]
    columns = _check_header(header, header_line, rows[1:], filename, errors)
    if columns is None:
        raise DirectoryImportError(errors)
    if not read_whole:  # the rows after the one it could not read are unknown: say nothing of them
        raise DirectoryImportError(errors)
    if len(rows) == 1:
        errors.append(f"{filename}:{header_line}: không có đơn vị nào: tệp chỉ có dòng tiêu đề; "
                      "hãy ghi mỗi đơn vị một dòng bên dưới")
        raise DirectoryImportError(errors)
    groups = _GroupMatcher(known_groups, create_groups, add_group_hint)
    records: list[UnitRecord] = []
    first_line_of_code: dict[str, int] = {}
    for line, cells in rows[1:]:
        if len(cells) > len(header):
            errors.append(
                f"{filename}:{line}: có {len(cells)} giá trị nhưng dòng tiêu đề chỉ có {len(header)} cột "
                "(hãy đặt giá trị có dấu phẩy trong ngoặc kép)"
            )
            continue
        record = _parse_row(line, cells, columns, groups, filename, errors)
        code = _cell(cells, columns, "code")
        key = code.casefold()
        if code and key in first_line_of_code:
            first = first_line_of_code[key]
            errors.append(f'{filename}:{line}: mã "{code}" bị lặp (đã có ở dòng {first})')
        elif code:
            first_line_of_code[key] = line
        if record is not None:
            records.append(record)
    errors.extend(groups.unknown_errors(filename))
    if errors:
        raise DirectoryImportError(errors)
    return records


def _decode(data: bytes, filename: str) -> str:
    data = data.removeprefix(b"\xef\xbb\xbf")  # Excel's "CSV UTF-8" starts with a BOM
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DirectoryImportError(
            [
                f"{filename}:{line}: không phải văn bản UTF-8 (byte 0x{data[exc.start]:02X} không đọc được); "
                'hãy lưu lại tệp bằng bảng mã UTF-8 (trong Excel: Save As, chọn kiểu tệp "CSV UTF-8 (Comma delimited)")'
            ]
        ) from None


def _check_controls(text: str, filename: str, errors: list[str]) -> None:
    """Refuse control characters (C0, DEL, C1; a tab too, unless the whole file is tab-separated and the
    header check says so) with their line and column."""
    first_line = text.split("\n", 1)[0]
    tab_separated = "\t" in first_line and "," not in first_line
    line, column = 1, 0
    for ch in text:
        column += 1
        if ch == "\n":
            line, column = line + 1, 0
            continue
        if ch == "\r" or unicodedata.category(ch) != "Cc" or (ch == "\t" and tab_separated):
            continue
        name = f" ({_CONTROL_NAMES[ch]})" if ch in _CONTROL_NAMES else ""
        errors.append(f"{filename}:{line}:{column}: ký tự điều khiển U+{ord(ch):04X}{name} không được có trong tệp; "
                      "hãy xóa ký tự này (ký tự này thường bị dính vào khi sao chép từ chương trình khác)")


_CONTROL_NAMES = {"\x00": "NUL", "\t": "TAB", "\x0b": "VT", "\x0c": "FF", "\x1b": "ESC", "\x7f": "DEL"}


def _read_rows(text: str, filename: str, errors: list[str]) -> tuple[list[tuple[int, list[str]]], bool]:
    """Non-blank CSV records with the line each starts on, cells cleaned and NFC; and whether the whole file could
    be read (if not, `errors` says at which record's first line it stopped)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    next_line = 1
    try:
        for cells in reader:
            line, next_line = next_line, reader.line_num + 1
            cleaned = [_clean(cell) for cell in cells]
            if any(cleaned):
                rows.append((line, cleaned))
    except csv.Error as exc:
        errors.append(f"{filename}:{next_line}: không đọc được CSV từ dòng này: {_csv_problem(exc)}")
        return rows, False
    return rows, True


_FIELD_LIMIT = re.compile(r"field larger than field limit \((\d+)\)")


def _csv_problem(error: csv.Error) -> str:
    """Python's csv module says why in English; with the default dialect, the one thing it refuses is a value over
    its size limit (a quote never closed swallows the rest of the file into one value)."""
    too_long = _FIELD_LIMIT.fullmatch(str(error))
    if too_long:
        return (f"có một giá trị dài quá {too_long.group(1)} ký tự "
                "(thường do một dấu ngoặc kép mở mà không đóng)")
    return f"lỗi của mô-đun csv: {error}"


def _clean(cell: str) -> str:
    return unicodedata.normalize("NFC", cell).strip(_EDGE_JUNK)


def _check_header(
    header: list[str],
    line: int,
    body: list[tuple[int, list[str]]],
    filename: str,
    errors: list[str],
) -> dict[str, int] | None:
    """Map each known column to its index, or report why the header is unusable."""
    where = f"{filename}:{line}"
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "dấu chấm phẩy (;)" if ";" in header[0] else "dấu tab"
        errors.append(f"{where}: các cột được phân cách bằng {separator}; hãy lưu lại tệp với các cột phân cách "
                      "bằng dấu phẩy (CSV)")
        return None
    columns: dict[str, int] = {}
    problems = []
    for index, raw in enumerate(header):
        name = raw.casefold()
        if not name:
            if any(index < len(cells) and cells[index] for _, cells in body):
                problems.append(f"cột {index + 1} có giá trị nhưng không có tên cột")
            continue
        if name in columns:
            problems.append(f'cột "{raw}" bị lặp')
        elif name not in COLUMNS:
            problems.append(f'không có cột "{raw}"')
        else:
            columns[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.insert(0, f"thiếu cột {_and(missing)}")
    if problems:
        # The rows are still checked with the columns that could be read.
        errors.append(
            f"{where}: {'; '.join(problems)} (dòng tiêu đề phải là {','.join(COLUMNS)}; "
            f"có thể bỏ contact_person và phone; các tên cột hợp lệ: {', '.join(COLUMNS)})"
        )
    return columns


class _GroupMatcher:
    """Finds a group code from a code or a Vietnamese label, ignoring case and spacing."""

    def __init__(self, known_groups: Mapping[str, str], create: bool = False,
                 add_hint: str = ADD_GROUP_BY_COMMAND) -> None:
        self._known = known_groups
        self._create = create
        self._add_hint = add_hint
        self._by_key: dict[str, str] = {}
        for code, label in known_groups.items():
            self._by_key.setdefault(_fold(code), code)
            self._by_key.setdefault(_fold(label), code)
        self._unknown: dict[str, list[int]] = {}  # group as written -> the lines that use it

    def find(self, text: str) -> str | None:
        return self._by_key.get(_fold(text))

    def resolve(self, text: str, line: int) -> str | None:
        """The group code for `text`, a new group's code (when creating), or None (reported once, later)."""
        found = self.find(text)
        if found is None and self._create and check_group_code(text) is None:
            return text
        if found is None:
            self._unknown.setdefault(text, []).append(line)
        return found

    def unknown_errors(self, filename: str) -> list[str]:
        """One error per unknown group, naming the lines that use it."""
        if self._create:
            return [f"{filename}:{lines[0]}: không tạo được nhóm \"{text}\"{_lines_note(lines)}: "
                    f"{GROUP_CODE_RULE}; các nhóm hiện có: {self.describe()}" for text, lines in self._unknown.items()]
        return [f"{filename}:{lines[0]}: không có nhóm \"{text}\"{_lines_note(lines)}; các nhóm hiện có: "
                f"{self.describe()} ({self._add_hint})" for text, lines in self._unknown.items()]

    def describe(self) -> str:
        return "; ".join(f"{code} ({label})" for code, label in self._known.items()) or "(chưa có nhóm nào)"


def _lines_note(lines: list[int]) -> str:
    return f" (dòng {', '.join(map(str, lines))})" if len(lines) > 1 else ""


def _and(names: list[str]) -> str:
    """"email", "name và email", "code, name và email"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} và {names[-1]}"


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _parse_row(
    line: int,
    cells: list[str],
    columns: dict[str, int],
    groups: _GroupMatcher,
    filename: str,
    errors: list[str],
) -> UnitRecord | None:
    where = f"{filename}:{line}"
    count_before = len(errors)

    def cell(column: str) -> str:
        return _cell(cells, columns, column)

    code = cell("code")
    if not code and "code" in columns:
        errors.append(f"{where}: code không được để trống")
    elif code and not _CODE.fullmatch(code):
        errors.append(
            f'{where}: code "{code}" chỉ được gồm chữ cái không dấu A-Z, chữ số, "_", "." và "-" (tối đa 40 ký tự)'
        )

    name = cell("name")
    if not name and "name" in columns:
        errors.append(f"{where}: name không được để trống")
    for column in ("name", "contact_person"):  # a line break inside quotes, a bidi override: "Kính gửi: …" is one line
        # the other control characters were said with their line and column (_check_controls)
        problem = single_line_problem("".join(c for c in cell(column)
                                              if c in "\n\r" or unicodedata.category(c) != "Cc"))
        if problem is not None:
            errors.append(f"{where}: {column} {problem}")

    group_text = cell("group")
    group = groups.resolve(group_text, line) if group_text else None
    if not group_text and "group" in columns:
        errors.append(f"{where}: group không được để trống; các nhóm hiện có: {groups.describe()}")

    email = _check_email(cell("email"), where, errors) if "email" in columns else None
    phone = _check_phone(cell("phone"), where, errors)
    contact_person = cell("contact_person") or None

    if len(errors) > count_before or group is None or email is None:
        return None
    return UnitRecord(
        code=code,
        name=name,
        group=group,
        email=email,
        contact_person=contact_person,
        phone=phone,
        line=line,
    )


def _cell(cells: list[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    return cells[index] if index is not None and index < len(cells) else ""


def _check_email(text: str, where: str, errors: list[str]) -> str | None:
    if not text:
        errors.append(f"{where}: email không được để trống")
        return None
    try:
        return normalized_email(text)
    except EmailRefused as refused:
        errors.append(f'{where}: email "{text}" không phải địa chỉ email hợp lệ{refused.why}')
        return None


def _check_phone(text: str, where: str, errors: list[str]) -> str | None:
    if not text:
        return None
    if _PHONE.fullmatch(text) and any(ch.isdigit() for ch in text):
        return text
    hint = ""
    if _SCIENTIFIC.fullmatch(text):
        hint = " (Excel đã đổi số điện thoại thành số dạng khoa học: hãy định dạng cột là Text rồi nhập lại)"
    errors.append(f'{where}: phone "{text}" chỉ được gồm chữ số, khoảng trắng và + . - ( ){hint}')
    return None
