"""`round respond --proposal-file`: the forms a JSON file holds (one object, or a list of them), and what is wrong in
them said with the file and the line of the field, as the CSV and YAML readers say theirs ("bao-cao.json:3: Phiếu 2:
Tên nhiệm vụ: chưa điền (bắt buộc)"); a field the file does not have is placed at its form's first line."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from models.errors import InvalidInput
from models.text import nfc
from workflows.cli.text_files import json_value, read_text_file
from workflows.definition.schema import ResponseSpec
from workflows.service.answer_input import AnswerInvalid, form_text, json_kind

OPTION = "--proposal-file"
T = TypeVar("T")


@dataclass(frozen=True)
class FormLines:
    """Where one form of the file starts, and the line of each of its keys (as the forms are read: NFC)."""

    start: int
    keys: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProposalFile:
    path: Path
    forms: list[dict[str, str]]
    lines: list[FormLines]

    def checked(self, spec: ResponseSpec, check: Callable[[], T]) -> T:
        """What `check` returns; its AnswerInvalid said again with this file and, for a field of a form, the line
        (a file field left out is --attach's to fill, not the file's: said as it was)."""
        try:
            return check()
        except AnswerInvalid as invalid:
            files = {item.key for item in spec.fields if item.kind == "file"}
            said = []
            for problem in invalid.problems:
                message = problem.message.rstrip(".")
                place = form_field(spec, problem.field)
                if place is None or place[0] > len(self.lines):
                    said.append(f"{self.path}: {message}")
                    continue
                form, key = self.lines[place[0] - 1], place[1]
                line = form.keys.get(key)
                if line is None and key in files:
                    said.append(message)
                    continue
                said.append(f"{self.path}:{line or form.start}: {message}")
            raise InvalidInput(f"{OPTION}: {'; '.join(said)}.", invalid.code) from None


def form_field(spec: ResponseSpec, name: str) -> tuple[int, str] | None:
    """(form number, key) of a form field's input name (answer_input.proposal_input: p_<key>, p<number>_<key>); None
    for a problem of the answer as a whole ("proposals")."""
    head, _, key = name.partition("_")
    if not key or not head.startswith("p"):
        return None
    if not spec.repeatable:
        return (1, key) if head == "p" else None
    return (int(head[1:]), key) if head[1:].isdigit() and int(head[1:]) > 0 else None


def read_proposal_file(path: Path, code: str) -> ProposalFile:
    """The forms in `path` (a JSON object, or a list of objects), keys and values in NFC, with their lines;
    InvalidInput with `code` naming the option and the file when it holds something else, and the file, the line,
    the form and the key of a value that is not text or a whole number (a list, an object, null, true, 12.5)."""
    text = read_text_file(path, OPTION, code)
    loaded = json_value(text, path, OPTION, code)
    items = loaded if isinstance(loaded, list) else [loaded]
    if not items or not all(isinstance(item, dict) for item in items):
        raise InvalidInput(f"{OPTION}: {path}: phiếu đề xuất phải là một đối tượng JSON, hoặc danh sách các đối tượng "
                           "(mỗi phiếu một đối tượng).", code)
    lines = form_lines(text)
    wrong = [f"{path}:{lines[number - 1].keys.get(nfc(key), lines[number - 1].start)}: Phiếu {number}: \"{nfc(key)}\" "
             f"phải là chữ trong ngoặc kép (hoặc số nguyên), không phải {json_kind(value)}"
             for number, item in enumerate(items, 1) for key, value in item.items() if form_text(value) is None]
    if wrong:  # as the JSON API refuses the same body: "proposals.0.leadership_text: phải là một chuỗi"
        raise InvalidInput(f"{OPTION}: {'; '.join(wrong)}.", code)
    forms = [{nfc(key): nfc(form_text(value) or "") for key, value in item.items()} for item in items]
    return ProposalFile(path, forms, lines)


def form_lines(text: str) -> list[FormLines]:
    """The lines of the forms in JSON `text` already parsed: the top-level object, or each object of the top-level
    list, in order, with the line of each of its keys."""
    forms: list[FormLines] = []
    stack: list[str] = []  # the open containers, "{" or "["
    expect_key = False
    line, index = 1, 0
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        elif char == '"':
            end = index + 1
            while text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if expect_key and forms and len(stack) == (1 if stack[0] == "{" else 2):
                forms[-1].keys.setdefault(nfc(json.loads(text[index:end + 1])), line)
            expect_key = False
            line += text.count("\n", index, end)
            index = end
        elif char in "{[":
            stack.append(char)
            if char == "{" and (len(stack) == 1 or (len(stack) == 2 and stack[0] == "[")):
                forms.append(FormLines(line))
            expect_key = char == "{"
        elif char in "}]":
            stack.pop()
        elif char == ",":
            expect_key = bool(stack) and stack[-1] == "{"
        index += 1
    return forms
