"""What is wrong with the bytes, the characters or the YAML syntax of a text file someone wrote (a workflow, a wording,
the calendar, a template), in Vietnamese, and where: one wording for every loader."""
from __future__ import annotations

import re

import yaml


def line_and_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of the character at `position` of `text`."""
    line_start = text.rfind("\n", 0, position) + 1
    return text.count("\n", 0, position) + 1, position - line_start + 1


def not_utf8(byte_number: int) -> str:
    """A file whose `byte_number`-th byte (1-based) is not UTF-8."""
    return f"không phải văn bản UTF-8 (byte thứ {byte_number} không đọc được); hãy lưu lại tệp bằng bảng mã UTF-8"


class NotUtf8(ValueError):
    """Bytes that are not UTF-8: the 1-based line and byte (counted in the file, a BOM included) of the first one."""

    def __init__(self, line: int, byte: int) -> None:
        super().__init__(not_utf8(byte))
        self.line = line
        self.byte = byte


def utf8_text(data: bytes) -> str:
    """The text of a file's bytes: UTF-8, a BOM (as Windows editors write one) dropped; NotUtf8 where it is not."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8(body[:error.start].count(b"\n") + 1, len(data) - len(body) + error.start + 1) from None


def refused_character(error: yaml.reader.ReaderError) -> str:
    """A character YAML does not accept (NUL, other control characters), which PyYAML finds before parsing."""
    if isinstance(error.character, int):
        return f"lỗi YAML: tệp có ký tự không được phép #x{error.character:04x} (ở ký tự thứ {error.position + 1})"
    return f"lỗi YAML: {error}"


def yaml_syntax_error(err: yaml.MarkedYAMLError) -> tuple[yaml.Mark | None, str]:
    """Where PyYAML stopped and why, in Vietnamese: "lỗi cú pháp YAML: thiếu dấu hai chấm (:) sau khóa (khóa bắt đầu
    từ dòng 3)"; a problem PyYAML words in a way not listed here keeps its English."""
    mark = err.problem_mark or err.context_mark
    lead, since = _context(err.context) if err.context else (None, None)
    parts = [p for p in (lead, _said(err.problem) if err.problem else None) if p]
    message = "lỗi cú pháp YAML" + (": " + ", ".join(parts) if parts else "")
    if err.context_mark is not None and err.problem_mark is not None and since:
        message += f" ({since.format(line=err.context_mark.line + 1)})"
    return mark, message


# PyYAML names what it found by its token: the usual ones, as a person editing the file sees them.
_TOKENS = {
    "'<stream end>'": "hết tệp",
    "'<block end>'": "chỗ hết khối thụt lề",
    "'<block mapping start>'": "một khóa mới (khóa: giá trị)",
    "'?'": "một khóa mới (khóa: giá trị)",
    "'<block sequence start>'": "một mục danh sách (-)",
    "'<scalar>'": "một giá trị",
    "'<alias>'": "một alias (*)",
    "'<anchor>'": "một anchor (&)",
    "'<tag>'": "một thẻ (!)",
    "'<document start>'": "dấu mở tài liệu (---)",
    "'<document end>'": "dấu kết thúc tài liệu (...)",
    "'<directive>'": "một chỉ thị (%)",
}

# PyYAML's usual problems, in Vietnamese; {found} and the like are filled from PyYAML's text.
_PROBLEMS: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), said) for pattern, said in [
    (r"^expected the node content, but found (?P<found>.+)$", "cần một giá trị ở đây nhưng gặp {found}"),
    (r"^found character '\\t' that cannot start any token$", "có ký tự tab: YAML chỉ cho thụt lề bằng dấu cách"),
    (r"^found character (?P<char>.+) that cannot start any token$",
     "ký tự {char} không được đứng đầu một giá trị; hãy đặt giá trị trong ngoặc kép"),
    (r"^mapping values are not allowed here$",
     "không được có dấu hai chấm ở đây: thụt lề sai, hoặc một giá trị có dấu hai chấm chưa đặt trong ngoặc kép"),
    (r"^could not find expected ':'$", "thiếu dấu hai chấm (:) sau khóa"),
    (r"^found undefined alias '(?P<name>.*)'$", "alias *{name} chưa được định nghĩa (không có anchor &{name})"),
    (r"^expected <block end>, but found (?P<found>.+)$", "gặp {found} ở chỗ khối phải kết thúc: kiểm tra thụt lề"),
    (r"^expected ',' or '\]', but got (?P<found>.+)$", "thiếu dấu ',' hoặc ']': gặp {found}"),
    (r"^expected ',' or '\}', but got (?P<found>.+)$", "thiếu dấu ',' hoặc '}}': gặp {found}"),
    (r"^sequence entries are not allowed here$", "không được mở mục danh sách (-) ở đây: kiểm tra thụt lề"),
    (r"^mapping keys are not allowed here$", "không được đặt khóa (?) ở đây: kiểm tra thụt lề"),
    (r"^found unexpected end of stream$", "hết tệp mà chuỗi trong ngoặc chưa đóng"),
    (r"^found unexpected document separator$", "gặp dấu phân cách tài liệu (---) khi chuỗi trong ngoặc chưa đóng"),
    (r"^found unknown escape character (?P<char>.+)$",
     "ký tự thoát {char} sau dấu \\ không hợp lệ trong ngoặc kép; muốn viết dấu \\ thì viết \\\\"),
    (r"^expected a comment or a line break, but found (?P<found>.+)$",
     "sau giá trị chỉ được có chú thích (#) hoặc xuống dòng, nhưng gặp {found}"),
    (r"^expected '<document start>', but found (?P<found>.+)$", "cần dấu mở tài liệu (---) nhưng gặp {found}"),
    (r"^but found another document$", "nhưng có thêm một tài liệu sau dấu ---"),
    (r"^second occurrence$", "lần thứ hai ở đây"),
    (r"^could not determine a constructor for the tag '(?P<tag>.*)'$", "không dùng được thẻ {tag}"),
]]

# What PyYAML was reading when it stopped: (context, what to say before the problem, where it started). Most
# contexts only say where ("while parsing a block mapping" started at line 3); a few are part of the problem.
_CONTEXTS: list[tuple[re.Pattern[str], str | None, str]] = [(re.compile(pattern), lead, since) for
                                                            pattern, lead, since in [
    (r"^while parsing a block mapping$", None, "khối khóa: giá trị bắt đầu từ dòng {line}"),
    (r"^while parsing a block collection$", None, "khối bắt đầu từ dòng {line}"),
    (r"^while parsing a flow sequence$", None, "danh sách [...] bắt đầu từ dòng {line}"),
    (r"^while parsing a flow mapping$", None, "khối {{...}} bắt đầu từ dòng {line}"),
    (r"^while parsing a (flow |block )?node$", None, "giá trị bắt đầu từ dòng {line}"),
    (r"^while scanning a simple key$", None, "khóa bắt đầu từ dòng {line}"),
    (r"^while scanning a (double-)?quoted scalar$", None, "chuỗi trong ngoặc bắt đầu từ dòng {line}"),
    (r"^while scanning a block scalar$", None, "khối văn bản (| hoặc >) bắt đầu từ dòng {line}"),
    (r"^while scanning an? (alias|anchor)$", None, "alias hoặc anchor bắt đầu từ dòng {line}"),
    (r"^while (scanning|parsing) a tag$", None, "thẻ bắt đầu từ dòng {line}"),
    (r"^while scanning a directive$", None, "chỉ thị bắt đầu từ dòng {line}"),
    (r"^while constructing a mapping$", None, "khối khóa: giá trị bắt đầu từ dòng {line}"),
    (r"^while scanning for the next token$", None, ""),
    (r"^expected a single document in the stream$", "tệp chỉ được có một tài liệu YAML",
     "tài liệu thứ nhất bắt đầu từ dòng {line}"),
    (r"^found duplicate anchor '(?P<name>.*)'; first occurrence$", "anchor &{name} được đặt hai lần",
     "lần đầu ở dòng {line}"),
]]


def _said(problem: str) -> str:
    """PyYAML's problem in Vietnamese when it is a usual one, else as PyYAML wrote it."""
    for pattern, said in _PROBLEMS:
        if (found := pattern.match(problem)) is not None:
            return said.format(**{name: _TOKENS.get(value, value) for name, value in found.groupdict().items()})
    return problem


def _context(context: str) -> tuple[str | None, str]:
    """What to say of PyYAML's context before the problem, and where it started (a format taking {line})."""
    for pattern, lead, since in _CONTEXTS:
        if (found := pattern.match(context)) is not None:
            return (lead.format(**found.groupdict()) if lead else None), since
    return context, "bắt đầu từ dòng {line}"
