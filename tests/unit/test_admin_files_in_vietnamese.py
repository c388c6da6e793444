"""The two files a department's administrator writes by hand, a document's wording (templates/documents/*.yaml) and
calendar.yaml, report every problem in Vietnamese, at the line (and column) where it is, naming keys and values as
they were typed. Bad bytes and characters YAML refuses are problems at their line, never a traceback."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from config.calendar_file import CalendarFileError, read_calendar_file
from notifications.documents import wording as wording_module
from notifications.documents.specs import WordingSpec
from notifications.documents.wording import WordingError, load_wording

# --- document wording -------------------------------------------------------------------------------------------

# One file per sort of problem, as the reminder letter's wording (every text has a default; only body is required).
# The message is the whole of what the administrator reads after "reminder_letter.yaml:".
WORDING_PROBLEMS = [
    pytest.param(b'body:\n  - "Ph\xf2ng"\n',  # "Phòng" saved in Windows-1258: \xf2 is not UTF-8
                 "2: không phải văn bản UTF-8 (byte thứ 14 không đọc được); hãy lưu lại tệp bằng bảng mã UTF-8",
                 id="not_utf8"),
    pytest.param(b'body:\n  - "a\x00b"\n',
                 "2:7: lỗi YAML: tệp có ký tự không được phép #x0000 (ở ký tự thứ 13)", id="nul"),
    pytest.param(b'body:\n  - "a\n', "3:1: lỗi cú pháp YAML: found unexpected end of stream", id="yaml_syntax"),
    pytest.param(b'- "a"\n', "1:1: tệp lời văn phải là một khối khóa: giá trị, mỗi khóa là một lời văn hoặc một "
                             "danh sách các đoạn văn", id="not_a_mapping"),
    pytest.param(b'bdy:\n  - "a"\n', '1:1: không có khóa "bdy". Có phải "body"?', id="unknown_key"),
    pytest.param(b'zzz:\n  - "a"\n', '1:1: không có khóa "zzz"', id="unknown_key_far_from_any"),
    pytest.param(b'column_no: "STT"\n', " thiếu khóa: body", id="missing_key"),
    pytest.param(b'[a, b]: "x"\n', "1:1: khóa phải là một tên, không phải danh sách hay khối khóa: giá trị",
                 id="key_not_a_name"),
    pytest.param(b'body:\n  - "a"\nbody:\n  - "b"\n', '3:1: khóa "body" bị lặp (đã có ở dòng 1)', id="duplicate_key"),
    pytest.param(b'body: "x"\n', '1:7: phải là một danh sách các đoạn văn [...], không phải "x"',
                 id="block_not_a_list"),
    pytest.param(b'body:\n  - ["a"]\n', '2:5: đoạn văn phải là một chuỗi trong ngoặc kép hoặc một khối khóa: giá trị '
                                      'có khóa "text", không phải một danh sách', id="paragraph_not_text_or_mapping"),
    pytest.param(b'body:\n  - { text: "a", alig: "left" }\n', '2:18: đoạn văn không có khóa "alig". Có phải "align"?',
                 id="unknown_paragraph_key"),
    pytest.param(b'body:\n  - { bold: true }\n', '2:5: đoạn văn thiếu khóa "text"', id="paragraph_without_text"),
    pytest.param(b'body:\n  - { each: "adressees", text: "{{ item }}" }\n',
                 '2:13: văn bản này không có danh sách "adressees". Có phải "addressees"?', id="each_not_a_list"),
    pytest.param(b'body:\n  - { text: "a", align: "centre" }\n',
                 '2:25: align phải là left, center, right hoặc justify, không phải "centre". Có phải "center"?',
                 id="align"),
    pytest.param(b'body:\n  - { text: "a", bold: "maybe" }\n', '2:24: bold phải là true hoặc false, không phải "maybe"',
                 id="flag"),
    pytest.param(b'body:\n  - { text: "a", italic: }\n',
                 "2:25: italic phải là true hoặc false, không phải giá trị rỗng (null)", id="empty_flag"),
    pytest.param(b'body:\n  - "a"\ncolumn_no: 12\n', "3:12: phải là một chuỗi trong ngoặc kép, không phải 12",
                 id="text_not_a_string"),
    pytest.param(b'body:\n  - "{{ contact_nme }}"\n', '2:5: không có biến "contact_nme". Có phải "contact_name"?',
                 id="unknown_variable"),
    pytest.param(b'body:\n  - "ok"\n  - "{% if attached %}no end"\n',
                 "3: lỗi cú pháp mẫu Jinja2: Unexpected end of template.", id="jinja_syntax"),
]


def wording_problem(folder: Path, content: bytes) -> str:
    """What loading the reminder letter's wording from `content` says, after the file's name."""
    (folder / "reminder_letter.yaml").write_bytes(content)
    with pytest.raises(WordingError) as caught:
        load_wording("reminder_letter", folder)
    message = str(caught.value)
    assert message.startswith("reminder_letter.yaml:"), message
    return message.removeprefix("reminder_letter.yaml:")


@pytest.mark.parametrize(("content", "message"), WORDING_PROBLEMS)
def test_each_wording_problem_is_said_in_vietnamese_at_its_line(tmp_path: Path, content: bytes, message: str) -> None:
    said = wording_problem(tmp_path, content)
    if message.endswith("Unexpected end of template."):  # Jinja2's own words follow the Vietnamese lead
        assert said.startswith(message), said
    else:
        assert said == message


def test_an_unreadable_wording_file_is_a_problem_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wording_module, "TEMPLATE_DIR", tmp_path / "absent")
    with pytest.raises(WordingError) as caught:
        load_wording("reminder_letter")
    assert str(caught.value) == f"{tmp_path / 'absent' / 'reminder_letter.yaml'}: không đọc được tệp lời văn " \
                                "(không có tệp hoặc thư mục này)"


def test_an_unknown_document_wording_names_the_known_ones() -> None:
    with pytest.raises(WordingError) as caught:
        load_wording("reminder")
    assert str(caught.value).startswith('không có tệp lời văn "reminder" (các tệp lời văn có: call_letter, ')
    assert "reminder_letter" in str(caught.value)


def test_a_default_text_with_an_unknown_variable_is_said_in_vietnamese(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = WordingSpec("fake_letter", texts=frozenset({"title"}), blocks=frozenset(), variables=frozenset({"subject"}),
                       lists=frozenset(), defaults=(("title", "{{ subjet }}"),))
    monkeypatch.setitem(wording_module.SPECS, "fake_letter", spec)
    (tmp_path / "fake_letter.yaml").write_text("{}\n", encoding="utf-8")
    with pytest.raises(WordingError) as caught:
        load_wording("fake_letter", tmp_path)
    assert str(caught.value) == 'fake_letter.yaml: lời văn mặc định của khóa "title" dùng biến không có: subjet'


def test_a_wording_that_fails_while_filling_in_says_so_in_vietnamese(tmp_path: Path) -> None:
    (tmp_path / "reminder_letter.yaml").write_text('body:\n  - "{{ issuer_name.__class__.__mro__ }}"\n',
                                                   encoding="utf-8")
    wording = load_wording("reminder_letter", tmp_path)
    with pytest.raises(WordingError) as caught:
        wording.paragraphs("body", {"issuer_name": "Sở Khoa học và Công nghệ"})
    assert str(caught.value).startswith("reminder_letter.yaml:2:5: lỗi khi điền mẫu Jinja2: ")


# --- calendar.yaml ----------------------------------------------------------------------------------------------

# One file per sort of problem; every problem of the file, each after "calendar.yaml:".
CALENDAR_PROBLEMS = [
    pytest.param(b'days_off:\n  - { date: "2026-02-13", name: "Ph\xf2ng" }\n',
                 ["2: không phải văn bản UTF-8 (byte thứ 46 không đọc được); hãy lưu lại tệp bằng bảng mã UTF-8"],
                 id="not_utf8"),
    pytest.param(b'\xef\xbb\xbfdays_off:\n  - { date: "2026-02-13", name: "Ph\xf2ng" }\n',
                 ["2: không phải văn bản UTF-8 (byte thứ 49 không đọc được); hãy lưu lại tệp bằng bảng mã UTF-8"],
                 id="not_utf8_after_a_bom"),
    pytest.param(b'days_off:\n  - { date: "2026-02-13", name: "a\x00" }\n',
                 ["2: lỗi YAML: tệp có ký tự không được phép #x0000 (ở ký tự thứ 45)"], id="nul"),
    pytest.param(b'days_off:\n  - { date: "2026-02-13", name: "a" \nworking_days: []\n',
                 ["3: lỗi cú pháp YAML: thiếu dấu ',' hoặc '}': gặp một giá trị (khối {...} bắt đầu từ dòng 2)"],
                 id="yaml_syntax"),
    pytest.param(b'- { date: "2026-02-13", name: "a" }\n',
                 ["1: tệp lịch phải là một khối khóa: giá trị với các khóa days_off và working_days"],
                 id="not_a_mapping"),
    pytest.param(b"2026: []\n", ["1: khóa phải là days_off hoặc working_days"], id="key_not_a_name"),
    pytest.param(b"days_off: []\ndays_off: []\n", ['2: khóa "days_off" bị lặp (đã có ở dòng 1)'], id="duplicate_key"),
    pytest.param(b"working_day: []\n", ['1: không có khóa "working_day". Có phải "working_days"?'], id="unknown_key"),
    # "holidays" is not "working_days" (a calendar's holidays are days_off): the allowed keys, no wrong guess
    pytest.param(b"holidays: []\n", ['1: không có khóa "holidays" (các khóa được phép: days_off, working_days)'],
                 id="unknown_key_not_guessed_wrong"),
    pytest.param(b'days_off:\n  - { note: "x" }\n',
                 ['2: không có khóa "note" (các khóa được phép: date, name)', "2: thiếu khóa date và name"],
                 id="unknown_and_missing_entry_keys"),
    pytest.param(b'days_off: "2026-02-13"\n',
                 ['1: days_off phải là một danh sách các mục { date: "YYYY-MM-DD", name: "..." }'], id="not_a_list"),
    pytest.param(b'working_days:\n  - "2026-02-28"\n',
                 ['2: mỗi mục của working_days phải có dạng { date: "YYYY-MM-DD", name: "..." }'],
                 id="entry_not_a_mapping"),
    pytest.param(b'days_off:\n  - { date: , name: "a" }\n',
                 ['2: date không được để trống; hãy viết ngày dạng "YYYY-MM-DD"'], id="empty_date"),
    pytest.param(b'days_off:\n  - { date: ["2026-02-13"], name: "a" }\n',
                 ['2: date phải là một chuỗi trong ngoặc kép, ví dụ "2026-02-13"'], id="date_not_a_scalar"),
    pytest.param(b'days_off:\n  - { date: 2026-02-13, name: "a" }\n',
                 ['2: date 2026-02-13 phải là một chuỗi: hãy đặt trong ngoặc kép, date: "2026-02-13"'],
                 id="unquoted_date"),
    pytest.param(b'days_off:\n  - { date: 20260213, name: "a" }\n',
                 ['2: date 20260213 phải là một chuỗi trong ngoặc kép, ví dụ "2026-02-13"'], id="date_a_number"),
    pytest.param(b'days_off:\n  - { date: "13/02/2026", name: "a" }\n',
                 ['2: ngày "13/02/2026" không hợp lệ: hãy viết dạng "YYYY-MM-DD", ví dụ "2026-02-13"'],
                 id="date_format"),
    pytest.param(b'days_off:\n  - { date: "2026-02-30", name: "a" }\n', ['2: ngày "2026-02-30" không tồn tại'],
                 id="no_such_day"),
    pytest.param(b'days_off:\n  - { date: "2026-02-13", name: "  " }\n', ["2: name không được để trống"],
                 id="blank_name"),
    pytest.param(b'days_off:\n  - { date: "2026-02-13", name: yes }\n',
                 ['2: name yes phải là một chuỗi: hãy đặt trong ngoặc kép, name: "yes"'], id="name_not_a_string"),
    pytest.param(b'days_off:\n  - { date: "2026-02-13", name: "a" }\n'
                 b'working_days:\n  - { date: "2026-02-13", name: "b" }\n',
                 ["4: ngày 2026-02-13 vừa có trong working_days vừa có trong days_off (dòng 2); hãy bỏ một trong hai"],
                 id="in_both_lists"),
    pytest.param(b'days_off:\n  - { date: "2026-02-13", name: "a" }\n  - { date: "2026-02-13", name: "b" }\n',
                 ["3: ngày 2026-02-13 được liệt kê hai lần trong days_off (đã có ở dòng 2)"], id="listed_twice"),
]


def calendar_problems(folder: Path, content: bytes) -> list[str]:
    """Every problem reading `content` as calendar.yaml reports, each after "calendar.yaml:"."""
    path = folder / "calendar.yaml"
    path.write_bytes(content)
    with pytest.raises(CalendarFileError) as caught:
        read_calendar_file(path)
    prefix = f"{path}:"
    assert all(error.startswith(prefix) for error in caught.value.errors), caught.value.errors
    return [error.removeprefix(prefix) for error in caught.value.errors]


@pytest.mark.parametrize(("content", "messages"), CALENDAR_PROBLEMS)
def test_each_calendar_problem_is_said_in_vietnamese_at_its_line(
        tmp_path: Path, content: bytes, messages: list[str]) -> None:
    assert calendar_problems(tmp_path, content) == messages


# --- no English left --------------------------------------------------------------------------------------------

# The English of the old messages; a message may hold such a word only inside quotes (a value as typed) or in the
# words PyYAML and Jinja2 write after the Vietnamese lead "lỗi cú pháp YAML: " / "... mẫu Jinja2: ".
ENGLISH = re.compile(r"\b(expected|unknown|missing|must|cannot|invalid|listed|did you mean|keys|duplicate|first on|"
                     r"line|is not|quote it|no such|empty|keep one|save it|paragraph|variable|mapping|write it|"
                     r"found|but got)\b",
                     re.IGNORECASE)
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
LIBRARY_WORDS = re.compile(r"(lỗi cú pháp YAML|lỗi cú pháp mẫu Jinja2|lỗi khi điền mẫu Jinja2): .*")


def english_in(message: str) -> list[str]:
    return ENGLISH.findall(QUOTED.sub("", LIBRARY_WORDS.sub(r"\1", message)))


def test_no_english_is_left_in_what_the_two_files_say(tmp_path: Path) -> None:
    said: list[str] = []
    for number, case in enumerate(WORDING_PROBLEMS):
        folder = tmp_path / f"wording{number}"
        folder.mkdir()
        said.append(wording_problem(folder, case.values[0]))
    for number, case in enumerate(CALENDAR_PROBLEMS):
        folder = tmp_path / f"calendar{number}"
        folder.mkdir()
        said += calendar_problems(folder, case.values[0])
    with pytest.raises(WordingError) as caught:
        load_wording("reminder")
    said.append(str(caught.value))
    assert len(said) == len(WORDING_PROBLEMS) + len(CALENDAR_PROBLEMS) + 2  # one calendar file has two problems
    assert [(message, english_in(message)) for message in said if english_in(message)] == []
    assert all(unicodedata.is_normalized("NFC", message) for message in said)


def test_the_english_check_would_catch_the_old_messages() -> None:
    for old in ("1:1: unknown key 'bdy' (did you mean body?)", "3:1: duplicate key 'body' (first on line 1)",
                "reminder_letter.yaml: missing keys: body", "2:5: paragraph has no 'text'",
                "2:24: bold must be true or false", "1:1: expected a mapping of texts",
                "1:1: keys must be plain names", "2:5: a paragraph is a text or a mapping with 'text'",
                "unknown document wording 'x' (known: a, b)", "3:1: found unexpected end of stream",
                "2: file is not UTF-8; save it as UTF-8", "3: invalid YAML: expected ',' or '}', but got '<scalar>'",
                "4: 2026-02-13 is listed in working_days and in days_off (line 2); keep one",
                '2: invalid date "13/02/2026": write it as "YYYY-MM-DD", e.g. "2026-02-13"',
                "2: name must not be empty", "3: 2026-02-13 is listed twice in days_off (first on line 2)",
                "1: expected one of the keys days_off, working_days"):
        assert english_in(old), old
