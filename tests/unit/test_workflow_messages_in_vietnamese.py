"""`ykien workflow validate` speaks Vietnamese: each sort of problem in a definition is said in Vietnamese at its
file:line:col, with what the user typed (names, keys, values) kept as typed, and no English left in the messages."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from workflows.definition import Registry, TimeSpecError, parse_relative_days, parse_timespec, validate_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "workflows"
REGISTRY = Registry(
    guards=frozenset({"has_responses"}),
    effects=frozenset({"send_invitations", "record_response", "mark_closed"}),
    templates=frozenset({"invitation", "reminder_before"}),
    partials=(FIXTURES,),  # _minimal.yaml: the events and terms
)

# One problem of each sort the validator finds past the YAML syntax, a line or two apart.
EVERY_SORT = """\
name: "kind"
title: 2025
initial: "draft"
recipient_roles: ["comment"]
response: { kind: "comments", allow_agree: "maybe", colour: "đỏ" }
states:
  draft:
    title: "Dự thảo"
    transitions:
      launch: { to: "circulatng", efects: ["send_invitations"] }
  circulating:
    title: "Đang lấy ý kiến"
    timers:
      - { name: "close", at: "deadline - two days", event: "deadline_passed" }
    transitions:
      deadline_passed: { to: "done" }
  done:
    title: "Xong"
    final: yes
extends: "_minimal"
"""

ACCEPTED_FORMS = ("Hãy viết '<anchor>', '<anchor> + N working days', '<anchor> - N days' hoặc 'N working days "
                  "before|after <anchor>' (mốc <anchor>: deadline, closing, launch, entered, hoặc một ngày quy trình "
                  "khai báo dưới dates; N từ 0 đến 365), có thể thêm ', repeat every N working days, at most M times'")

# (line, column, what the file has there, the message)
EVERY_SORT_PROBLEMS = [
    (2, 8, "2025", 'YAML đọc giá trị 2025 thành một số; hãy đặt trong ngoặc kép: "2025"'),
    (5, 44, '"maybe"', 'phải là true hoặc false, không phải "maybe"'),
    (5, 53, "colour:", 'không có trường "colour" (các trường được phép: allow_agree, decline, fields, kind, max_items, '
                       "proposer, repeatable, sections)"),
    (10, 21, '"circulatng"', 'không có trạng thái "circulatng". Có phải "circulating"?'),
    (10, 35, "efects:", 'không có trường "efects". Có phải "effects"?'),
    (14, 30, '"deadline - two days"',
     f'mốc thời gian "deadline - two days" không hợp lệ: "two days" không phải số ngày. {ACCEPTED_FORMS}'),
    (19, 12, "yes", "YAML đọc giá trị yes thành true (kiểu đúng/sai); hãy viết true hoặc false"),
]

# Syntax errors PyYAML words in its usual ways: (text, line, column, the message after "lỗi cú pháp YAML: ").
SYNTAX_ERRORS = [
    pytest.param('name: "hong"\ntitle: "Hỏng"\nstates: [\n', 4, 1,
                 "cần một giá trị ở đây nhưng gặp hết tệp (giá trị bắt đầu từ dòng 4)", id="unclosed_list"),
    pytest.param('name: "hong"\nstates:\n\tdraft: { title: "Dự thảo" }\n', 3, 1,
                 "có ký tự tab: YAML chỉ cho thụt lề bằng dấu cách", id="tab"),
    pytest.param('name: "hong"\ntitle: @hong\n', 2, 8,
                 "ký tự '@' không được đứng đầu một giá trị; hãy đặt giá trị trong ngoặc kép", id="at_sign"),
    pytest.param('name: "hong"\ntitle: Góp ý: dự thảo\n', 2, 13,
                 "không được có dấu hai chấm ở đây: thụt lề sai, hoặc một giá trị có dấu hai chấm chưa đặt trong "
                 "ngoặc kép", id="colon_in_value"),
    pytest.param('name: "hong"\ntitle\ninitial: "draft"\n', 3, 1,
                 "thiếu dấu hai chấm (:) sau khóa (khóa bắt đầu từ dòng 2)", id="key_without_colon"),
    pytest.param('name: "hong"\nstates: *draft\n', 2, 9,
                 "alias *draft chưa được định nghĩa (không có anchor &draft)", id="undefined_alias"),
    pytest.param('states:\n  draft:\n    title: "Dự thảo"\n   final: true\n', 4, 4,
                 "gặp một khóa mới (khóa: giá trị) ở chỗ khối phải kết thúc: kiểm tra thụt lề (khối khóa: giá trị "
                 "bắt đầu từ dòng 2)", id="indentation"),
    pytest.param('recipient_roles: ["comment", "inform"}\n', 1, 38,
                 "thiếu dấu ',' hoặc ']': gặp '}' (danh sách [...] bắt đầu từ dòng 1)", id="list_closed_by_brace"),
    pytest.param('response: { kind: "comments"]\n', 1, 29,
                 "thiếu dấu ',' hoặc '}': gặp ']' (khối {...} bắt đầu từ dòng 1)", id="mapping_closed_by_bracket"),
    pytest.param('title: "Thử\n', 2, 1,
                 "hết tệp mà chuỗi trong ngoặc chưa đóng (chuỗi trong ngoặc bắt đầu từ dòng 1)", id="unclosed_quote"),
    pytest.param('name: "hong"\n---\nname: "again"\n', 2, 1,
                 "tệp chỉ được có một tài liệu YAML, nhưng có thêm một tài liệu sau dấu --- (tài liệu thứ nhất bắt "
                 "đầu từ dòng 1)", id="two_documents"),
]

# Words of the English messages; a message may hold them only inside quotes (what the user typed, or the grammar
# of a timer date), never in its own words.
ENGLISH = re.compile(r"\b(expected|unknown|allowed|got|must|should|cannot|missing|found|while|did you mean|"
                     r"is read as|not|the|is|quote|duplicate|error)\b", re.IGNORECASE)
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


def problems_of(folder: Path, name: str, text: str) -> list[tuple[int | None, int | None, str]]:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    problems = validate_file(path, REGISTRY)
    assert all(p.file == str(path) for p in problems), problems
    return [(p.line, p.column, p.message) for p in problems]


def source_at(text: str, line: int, column: int) -> str:
    return text.splitlines()[line - 1][column - 1:]


def english_in(message: str) -> list[str]:
    return ENGLISH.findall(QUOTED.sub("", message))


def test_each_sort_of_problem_is_said_in_vietnamese_at_its_line_and_column(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "kind.yaml", EVERY_SORT) == [
        (line, column, message) for line, column, _, message in EVERY_SORT_PROBLEMS]
    for line, column, found, _ in EVERY_SORT_PROBLEMS:
        assert source_at(EVERY_SORT, line, column).startswith(found), (line, column, found)


@pytest.mark.parametrize(("text", "line", "column", "message"), SYNTAX_ERRORS)
def test_a_yaml_syntax_error_is_said_in_vietnamese_where_pyyaml_stopped(
        tmp_path: Path, text: str, line: int, column: int, message: str) -> None:
    assert problems_of(tmp_path, "hong.yaml", text) == [(line, column, f"lỗi cú pháp YAML: {message}")]


def test_a_syntax_problem_pyyaml_words_otherwise_keeps_its_words_after_the_vietnamese_lead(tmp_path: Path) -> None:
    [(line, column, message)] = problems_of(tmp_path, "hong.yaml", 'title: |x\n  "Thử"\n')
    assert (line, column) == (1, 9)
    assert message.startswith("lỗi cú pháp YAML: expected chomping or indentation indicators, but found 'x'")


def test_a_character_yaml_refuses_is_a_problem_at_its_line_and_column_not_a_crash(tmp_path: Path) -> None:
    # PyYAML checks the characters before it parses: a NUL used to escape as a ReaderError (a traceback).
    assert problems_of(tmp_path, "nul.yaml", 'name: "x"\ntitle: "a\x00b"\n') == [
        (2, 10, "lỗi YAML: tệp có ký tự không được phép #x0000 (ở ký tự thứ 20)")]


def test_no_english_is_left_in_what_the_validator_says(tmp_path: Path) -> None:
    said = [message for _, _, message in problems_of(tmp_path, "kind.yaml", EVERY_SORT)]
    said += [message for case in SYNTAX_ERRORS for _, _, message in problems_of(tmp_path, "hong.yaml", case.values[0])]
    for fixture in sorted(FIXTURES.glob("*.yaml")):
        said += [p.message for p in validate_file(fixture, REGISTRY)]
    said += [p.message for p in validate_file(tmp_path / "missing.yaml", REGISTRY)]
    for spec in ("evnt - 2 days", "deadline - 366 days", "deadline, at most 3 times", "deadline, every day",
                 "deadline, repeat every 2 days", "deadline, repeat every 2 days, at most 0 times", "2 working days"):
        with pytest.raises(TimeSpecError) as caught:
            parse_timespec(spec, ["event"])
        said.append(str(caught.value))
    with pytest.raises(TimeSpecError) as caught:
        parse_relative_days("ten days")
    said.append(str(caught.value))
    assert len(said) > 40  # the fixtures were read: every sort is in the sample
    assert [(message, english_in(message)) for message in said if english_in(message)] == []
    assert all(unicodedata.is_normalized("NFC", message) for message in said)


def test_the_english_check_would_catch_the_old_messages() -> None:
    for old in ("unknown field 'colour' (allowed: allow_agree, fields, kind)", "expected true or false, got 'maybe'",
                "value '5' is read as the number 5 by YAML; quote it: \"5\"",
                "YAML syntax error: while parsing a flow node, expected the node content, but found '<stream end>'",
                'unknown state "circulatng" (did you mean circulating?)',
                "bad duration 'deadline - two days': 'two days' is not a number of days"):
        assert english_in(old), old
