"""The department's calendar.yaml: extra days off and make-up working days announced each year."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from config.choice_words import did_you_mean, either
from config.file_words import NotUtf8, line_and_column, refused_character, utf8_text, yaml_syntax_error
from config.single_line import single_line_problem

_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LISTS = ("days_off", "working_days")
_ENTRY_KEYS = ("date", "name")
# The years a day of the file may fall in: ykien began in 2025, so a day of the last century is a typo ("1800",
# "9999"), and 2100 is the last year whose public holidays the `holidays` package knows (config.calendar refuses the
# years after it). README, "The working-day calendar".
YEARS = (2000, 2100)


class CalendarFileError(ValueError):
    """calendar.yaml is invalid; `errors` holds every problem as `file:line: message`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class CalendarExtras:
    """The contents of a calendar file: dates to add as days off and as working days."""

    days_off: dict[date, str] = field(default_factory=dict)
    working_days: dict[date, str] = field(default_factory=dict)


def read_calendar_file(path: Path, named_by: str | None = None) -> CalendarExtras:
    """Parse and check a calendar file; a missing file has no extras, unless the setting `named_by` chose it (then
    a wrong path would silently drop the department's days off and make-up days). Raises `CalendarFileError`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if named_by is not None:
            raise CalendarFileError([f"{named_by}: không có tệp lịch \"{path}\"; hãy sửa đường dẫn, hoặc bỏ trống "
                                     "biến này để dùng calendar.yaml trong YKIEN_HOME"]) from None
        return CalendarExtras()
    try:
        text = utf8_text(data)
    except NotUtf8 as bad:
        raise CalendarFileError([f"{path}:{bad.line}: {bad}"]) from None
    return parse_calendar_text(text, str(path))


def parse_calendar_text(text: str, filename: str) -> CalendarExtras:
    """Parse calendar YAML text; `filename` is only used in error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (NUL), found before parsing: no mark
        line, _ = line_and_column(text, exc.position)
        raise CalendarFileError([f"{filename}:{line}: {refused_character(exc)}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark, message = yaml_syntax_error(exc)
        where = f"{filename}:{mark.line + 1}" if mark is not None else filename
        raise CalendarFileError([f"{where}: {message}"]) from None
    except yaml.YAMLError as exc:
        raise CalendarFileError([f"{filename}: lỗi YAML: {exc}"]) from None
    except RecursionError:  # hundreds of nested brackets: PyYAML runs out of stack before the parser could say so
        raise CalendarFileError([f"{filename}: các khối lồng nhau quá sâu; tệp lịch chỉ có hai danh sách days_off "
                                 "và working_days, mỗi mục { date: \"YYYY-MM-DD\", name: \"...\" }"]) from None
    parser = _Parser(filename)
    extras = parser.parse(root)
    if parser.errors:
        raise CalendarFileError(parser.errors)
    return extras


@dataclass
class _Entry:
    day: date
    name: str
    line: int


class _Parser:
    """Walks the YAML node tree, keeping line numbers, and collects every error."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.errors: list[str] = []

    def error(self, node: Node, message: str) -> None:
        self.errors.append(f"{self.filename}:{_line(node)}: {message}")

    def parse(self, root: Node | None) -> CalendarExtras:
        if root is None or _is_null(root):
            return CalendarExtras()
        if not isinstance(root, MappingNode):
            self.error(root, f"tệp lịch phải là một khối khóa: giá trị với các khóa {either(_LISTS, 'và')}")
            return CalendarExtras()
        lists: dict[str, list[_Entry]] = {}
        for key, value in self.mapping_items(root, _LISTS):
            lists[key] = self.entries(value, key)
        days_off = self.unique(lists.get("days_off", []), "days_off")
        working_days = self.unique(lists.get("working_days", []), "working_days")
        for day in sorted(set(days_off) & set(working_days)):
            off, work = days_off[day], working_days[day]
            self.errors.append(
                f"{self.filename}:{work.line}: ngày {day.isoformat()} vừa có trong working_days vừa có "
                f"trong days_off (dòng {off.line}); hãy bỏ một trong hai"
            )
        return CalendarExtras(
            days_off={d: e.name for d, e in sorted(days_off.items())},
            working_days={d: e.name for d, e in sorted(working_days.items())},
        )

    def mapping_items(self, node: MappingNode, allowed: tuple[str, ...]) -> Iterable[tuple[str, Node]]:
        """Yield the (key, value) pairs of `node`, reporting unknown and duplicate keys."""
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR_TAG:
                self.error(key_node, f"khóa phải là {either(allowed, 'hoặc')}")
                continue
            key = key_node.value
            if key in seen:
                self.error(key_node, f'khóa "{key}" bị lặp (đã có ở dòng {seen[key]})')
                continue
            seen[key] = _line(key_node)
            if key not in allowed:
                listed = f" (các khóa được phép: {', '.join(allowed)})"
                self.error(key_node, f'không có khóa "{key}"{did_you_mean(key, allowed) or listed}')
                continue
            yield key, value_node

    def entries(self, node: Node, list_name: str) -> list[_Entry]:
        if _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.error(node, f'{list_name} phải là một danh sách các mục {{ date: "YYYY-MM-DD", name: "..." }}')
            return []
        result = []
        for item in node.value:
            entry = self.entry(item, list_name)
            if entry is not None:
                result.append(entry)
        return result

    def entry(self, node: Node, list_name: str) -> _Entry | None:
        if not isinstance(node, MappingNode):
            self.error(node, f'mỗi mục của {list_name} phải có dạng {{ date: "YYYY-MM-DD", name: "..." }}')
            return None
        values = dict(self.mapping_items(node, _ENTRY_KEYS))
        missing = [key for key in _ENTRY_KEYS if key not in values]
        if missing:
            self.error(node, f"thiếu khóa {' và '.join(missing)}")
        day = self.date_value(values["date"]) if "date" in values else None
        name = self.name_value(values["name"]) if "name" in values else None
        if day is None or name is None:
            return None
        return _Entry(day, name, _line(node))

    def date_value(self, node: Node) -> date | None:
        if _is_null(node):
            self.error(node, 'date không được để trống; hãy viết ngày dạng "YYYY-MM-DD"')
            return None
        if not isinstance(node, ScalarNode):
            self.error(node, 'date phải là một chuỗi trong ngoặc kép, ví dụ "2026-02-13"')
            return None
        if node.tag == _TIMESTAMP_TAG:
            self.error(node, f'date {node.value} phải là một chuỗi: hãy đặt trong ngoặc kép, date: "{node.value}"')
            return None
        if node.tag != _STR_TAG:
            self.error(node, f'date {node.value} phải là một chuỗi trong ngoặc kép, ví dụ "2026-02-13"')
            return None
        text = node.value.strip()
        if not _ISO_DATE.fullmatch(text):
            self.error(node, f'ngày "{text}" không hợp lệ: hãy viết dạng "YYYY-MM-DD", ví dụ "2026-02-13"')
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            self.error(node, f'ngày "{text}" không tồn tại')
            return None
        if not YEARS[0] <= day.year <= YEARS[1]:
            self.error(node, f'ngày "{text}": năm phải từ {YEARS[0]} đến {YEARS[1]} (năm ykien có lịch ngày lễ)')
            return None
        return day

    def name_value(self, node: Node) -> str | None:
        if _is_null(node):
            self.error(node, "name không được để trống")
            return None
        if not isinstance(node, ScalarNode) or node.tag != _STR_TAG:
            shown = node.value if isinstance(node, ScalarNode) else "..."
            self.error(node, f'name {shown} phải là một chuỗi: hãy đặt trong ngoặc kép, name: "{shown}"')
            return None
        name = unicodedata.normalize("NFC", node.value.strip())
        if not name:
            self.error(node, "name không được để trống")
            return None
        problem = single_line_problem(name)
        if problem is not None:  # "\x1b[31m" written in quotes coloured the terminal of `ykien calendar year`
            self.error(node, f"name {problem}")
            return None
        return name

    def unique(self, entries: list[_Entry], list_name: str) -> dict[date, _Entry]:
        result: dict[date, _Entry] = {}
        for entry in entries:
            first = result.get(entry.day)
            if first is not None:
                self.errors.append(
                    f"{self.filename}:{entry.line}: ngày {entry.day.isoformat()} được liệt kê hai lần trong "
                    f"{list_name} (đã có ở dòng {first.line})"
                )
                continue
            result[entry.day] = entry
        return result


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG


