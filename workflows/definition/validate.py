"""Load and validate a workflow definition, reporting every problem as file:line:col: message."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from config.choice_words import did_you_mean
from config.file_words import not_utf8
from config.os_words import os_reason
from config.validation_words import said_in_vietnamese
from workflows.definition.errors import Problem, WorkflowError, sort_problems
from workflows.definition.schema import (
    CAPABILITY_EVENTS,
    DEFAULT_TIMER_TIME,
    DOCUMENT_FILENAME_PATTERN,
    END_OF_DAY,
    HEADING_NUMBER_PATTERN,
    NAME_PATTERN,
    WORKFLOW_NAME_PATTERN,
    Capability,
    TransitionDef,
    Workflow,
    parse_clock,
)
from workflows.definition.timespec import Anchor, TimeSpecError, parse_relative_days, parse_timespec
from workflows.definition.yaml_loader import DataPath, LoadedYaml, load_yaml, merge_loaded

__all__ = ["Problem", "Registry", "WorkflowError", "load_workflow", "load_workflow_text", "validate_file"]

_NAME_RE = re.compile(NAME_PATTERN)
# What a unit sends, in the words of a refusal (response.kind)
_ANSWER_WORDS = {"comments": "ý kiến theo từng mục (tiếp thu, giải trình từng ý kiến)",
                 "proposals": "phiếu (các trường của response)"}


@dataclass(frozen=True)
class Registry:
    """Names the engine implements; a definition may use only these.

    events: the events the engine itself raises (launch, respond, ...): a definition declares them with
    their titles like any other; templates: the message kinds notifications can compose (keys of
    `templates:`); builders: the document builders (`builder:` of a document); None skips a check.
    partials: folders where `extends: "_name"` looks after the definition's own folder.
    builder_answers: (builder, response kind) for the builders that tabulate one kind of answer: the synthesis
    table reads comments, the list of proposals reads forms; a definition whose units answer otherwise is refused.
    own_folders: folders of ykien's own definitions, read at every start of every process: their files are parsed
    by libyaml (yaml_loader.load_yaml's `own`), a department's by PyYAML's own parser, which its problems are
    written for.
    """

    guards: frozenset[str]
    effects: frozenset[str]
    events: frozenset[str] = frozenset()
    templates: frozenset[str] | None = None
    builders: frozenset[str] | None = None
    partials: tuple[Path, ...] = ()
    builder_answers: tuple[tuple[str, str], ...] = ()
    own_folders: tuple[Path, ...] = ()

    def is_own(self, path: Path) -> bool:
        """Whether `path` is a file of ykien's own definitions (in one of `own_folders`, not below)."""
        return path.parent in self.own_folders


def load_workflow(path: Path, registry: Registry) -> Workflow:
    """Read and validate a definition file; raise WorkflowError listing every problem."""
    text = _read(Path(path))
    if isinstance(text, Problem):
        raise WorkflowError([text])
    return load_workflow_text(text, str(path), registry)


def load_workflow_text(text: str, filename: str, registry: Registry) -> Workflow:
    """Validate definition text; filename is used in messages and must match the workflow name."""
    workflow, problems = _check(text, filename, registry)
    if problems or workflow is None:
        raise WorkflowError(problems)
    return workflow


def validate_file(path: Path, registry: Registry) -> list[Problem]:
    """Every problem in a definition file, in file order; empty when it is valid."""
    text = _read(Path(path))
    if isinstance(text, Problem):
        return [text]
    try:
        return _check(text, str(path), registry)[1]
    except WorkflowError as err:  # YAML syntax: nothing more can be checked
        return err.problems


def _read(path: Path) -> str | Problem:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        return Problem(str(path), None, None, not_utf8(err.start + 1))
    except OSError as err:
        return Problem(str(path), None, None, f"không đọc được tệp ({os_reason(err)})")



def _check(text: str, filename: str, registry: Registry) -> tuple[Workflow | None, list[Problem]]:
    loaded = load_yaml(text, filename, own=registry.is_own(Path(filename)))
    problems = list(loaded.problems)
    if loaded.data is None:
        return None, sort_problems(problems)
    if not isinstance(loaded.data, dict):
        problems.append(loaded.problem((), "định nghĩa quy trình phải là một khối khóa: giá trị (name: ..., "
                                           "states: ...)"))
        return None, sort_problems(problems)
    if "extends" in loaded.data:
        loaded, refused = _extend(loaded, filename, registry)
        if refused is not None:
            return None, sort_problems([*problems, refused])
        problems = list(loaded.problems)
    coercion_problems, explained = _check_coercions(loaded)
    problems += coercion_problems
    workflow: Workflow | None = None
    try:
        workflow = Workflow.model_validate(loaded.data)
    except ValidationError as err:
        # a value YAML misread is reported once, as such, not again by the schema
        problems += [
            _schema_problem(loaded, e)
            for e in err.errors()
            if _data_path(loaded.data, tuple(e["loc"])) not in explained
        ]
    problems += _Semantics(loaded, filename, registry, explained).check()
    return workflow, sort_problems(problems)


# --- shared parts -------------------------------------------------------------------------------


_PARTIAL_RE = re.compile(r"^_[a-z0-9_]+$")
_WORDING_RE = re.compile(r"^[a-z0-9_]+$")  # as the schema's `wording` pattern


def _extend(loaded: LoadedYaml, filename: str, registry: Registry) -> tuple[LoadedYaml, Problem | None]:
    """Lay the definition over the partial it extends (a file `_name.yaml` beside it or in the
    registry's partial folders); the partial's parts keep their own file:line:col."""
    name = loaded.data.pop("extends")
    if not isinstance(name, str) or not _PARTIAL_RE.match(name):
        return loaded, loaded.problem(("extends",), f"extends: phải là tên một phần dùng chung, đặt trong ngoặc kép, "
                                                    f"ví dụ \"_round\" (tệp _round.yaml), không phải {_show(name)}")
    folders = [Path(filename).parent, *registry.partials]
    path = next((folder / f"{name}.yaml" for folder in folders if (folder / f"{name}.yaml").is_file()), None)
    if path is None:
        where = ", ".join(str(folder) for folder in folders)
        return loaded, loaded.problem(("extends",), f"extends: không có tệp {name}.yaml trong {where}")
    text = _read(path)
    if isinstance(text, Problem):
        return loaded, text
    base = load_yaml(text, str(path), own=registry.is_own(path))
    if not isinstance(base.data, dict):
        return loaded, base.problem((), "phần dùng chung phải là một khối khóa: giá trị (events: ..., states: ...)")
    if "extends" in base.data:
        return loaded, base.problem(("extends",), "phần dùng chung không được extends một phần dùng chung khác")
    return merge_loaded(base, loaded), None


# --- YAML 1.1 surprises -------------------------------------------------------------------------


def _check_coercions(loaded: LoadedYaml) -> tuple[list[Problem], set[DataPath]]:
    """Report scalars YAML read as bool/number/null/date where text is expected; put the text back.

    Returns the problems and the paths they explain (keys and values).
    """
    problems = []
    explained: set[DataPath] = set(loaded.key_coercions)
    for path, coercion in loaded.key_coercions.items():
        problems.append(
            loaded.problem(
                path,
                f"YAML đọc khóa {coercion.text} thành {coercion.describe()}; hãy đặt trong ngoặc kép: "
                f"\"{coercion.text}\"",
                prefer_key=True,
            )
        )
    for path, coercion in loaded.coercions.items():
        expected = _type_at(path)
        if expected is bool:
            if isinstance(coercion.value, bool) and coercion.text not in ("true", "false"):
                problems.append(
                    loaded.problem(
                        path,
                        f"YAML đọc giá trị {coercion.text} thành {coercion.describe()}; hãy viết true hoặc false",
                    )
                )
            continue  # true/false are right here; other types are reported by the schema
        if expected is int and isinstance(coercion.value, int) and not isinstance(coercion.value, bool) \
                and coercion.kind == "number":
            continue  # a whole number where one is expected (a limit such as max_length: 500)
        if coercion.value is None:
            # where null is not allowed the schema says so; where it is, an empty value is still a slip
            if _accepts_none(path):
                problems.append(loaded.problem(path, "giá trị rỗng (YAML đọc thành null): hãy điền giá trị hoặc bỏ "
                                                     "hẳn trường này"))
                explained.add(path)
            continue
        if expected is not None:
            problems.append(
                loaded.problem(
                    path,
                    f"YAML đọc giá trị {coercion.text} thành {coercion.describe()}; "
                    f"hãy đặt trong ngoặc kép: \"{coercion.text}\"",
                )
            )
            explained.add(path)
        _set(loaded.data, path, coercion.text)
    return problems, explained


def _set(data: Any, path: DataPath, value: Any) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _strip(tp: Any) -> Any:
    """Annotated[T, ...] -> T; T | None -> T."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _type_at(path: Iterable[str | int]) -> Any:
    """The schema type expected at a data path (Optional and Annotated removed), or None if unknown."""
    return _strip(_annotation_at(path))


def _accepts_none(path: Iterable[str | int]) -> bool:
    tp = _annotation_at(path)
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)


def _annotation_at(path: Iterable[str | int]) -> Any:
    tp: Any = Workflow
    for part in path:
        tp = _strip(tp)
        if typing.get_origin(tp) is list and not isinstance(part, int):
            tp = _strip(typing.get_args(tp)[0])  # the single-mapping form of a list of transitions
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = tp.model_fields.get(part) if isinstance(part, str) else None
            if info is None:
                return None
            tp = info.annotation
        elif typing.get_origin(tp) is list:
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    return tp


# --- schema errors ------------------------------------------------------------------------------


def _data_path(data: Any, loc: tuple[str | int, ...]) -> DataPath:
    """Map a pydantic loc onto the data, skipping parts the data does not have (e.g. normalised [0])."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
            path.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and part == loc[-1]:
            path.append(part)  # a missing or unknown field: keep its name for the message
            break
    return tuple(path)


def _schema_problem(loaded: LoadedYaml, error: Any) -> Problem:
    kind = error["type"]
    loc = tuple(error["loc"])
    path = _data_path(loaded.data, loc)
    value = error.get("input")
    if kind == "missing":
        field = loc[-1]
        return loaded.problem(path[:-1], f"thiếu trường \"{field}\"", prefer_key=True)
    if kind == "extra_forbidden":
        field = str(loc[-1])
        model = _type_at(path[:-1])
        if typing.get_origin(model) is list:
            model = _strip(typing.get_args(model)[0])
        allowed = sorted(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []
        hint = did_you_mean(field, allowed) or (f" (các trường được phép: {', '.join(allowed)})" if allowed else "")
        return loaded.problem(path, f"không có trường \"{field}\"{hint}", prefer_key=True)
    if kind == "value_error":
        message = str(error["ctx"]["error"])
    elif kind == "string_type":
        message = f"phải là một chuỗi trong ngoặc kép, không phải {_show(value)}"
    elif kind == "bool_type":
        message = f"phải là true hoặc false, không phải {_show(value)}"
    elif kind == "list_type":
        if _type_at(path) == list[TransitionDef]:
            message = (
                f"phải là một chuyển trạng thái {{ to: ..., guard: ..., effects: [...] }} hoặc một danh sách các "
                f"chuyển trạng thái, không phải {_show(value)}"
            )
        else:
            message = f"phải là một danh sách [...], không phải {_show(value)}"
    elif kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        message = f"phải là một khối khóa: giá trị {{ ... }}, không phải {_show(value)}"
    elif kind in ("literal_error", "enum"):
        message = f"{_show(value)} không hợp lệ ở đây; {said_in_vietnamese(error)}"
    elif kind == "string_pattern_mismatch":
        message = f"{_show(value)} {_PATTERN_RULES.get(str(error['ctx']['pattern']), _NAME_RULE)}"
    elif kind == "string_too_short":
        message = "không được để trống"
    elif kind == "too_short":
        message = f"phải có ít nhất {error['ctx']['min_length']} mục"
    else:
        message = said_in_vietnamese(error)  # pydantic's own words when it has no Vietnamese for them
    return loaded.problem(path, message)


_NAME_RULE = "không phải tên hợp lệ: chỉ dùng chữ thường không dấu, chữ số và dấu gạch dưới"
_PATTERN_RULES = {  # the other patterns of the schema, each said as what it is
    WORKFLOW_NAME_PATTERN: "không phải tên quy trình hợp lệ: chỉ dùng chữ thường không dấu và dấu gạch dưới",
    HEADING_NUMBER_PATTERN: 'không phải số mục hợp lệ: viết như "I.", "1.", "2.1." hoặc "a)"',
    DOCUMENT_FILENAME_PATTERN: "không phải tên tệp hợp lệ: chỉ dùng chữ thường không dấu, chữ số, dấu chấm, dấu gạch "
                               "dưới và dấu gạch ngang, đuôi .docx, .xlsx, .pdf, .zip hoặc .csv",
}


def _show(value: Any) -> str:
    """A value as the messages name it: text in double quotes, a mapping or a list by what it is."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "một khối khóa: giá trị"
    if isinstance(value, list):
        return "một danh sách"
    if value is None:
        return "giá trị rỗng (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


# --- cross-references ---------------------------------------------------------------------------


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


class _Semantics:
    """Checks that need the whole file: names, targets, registry look-ups, reachability.

    Works on the raw data, defensively, so that it still reports when the schema failed.
    """

    def __init__(self, loaded: LoadedYaml, filename: str, registry: Registry, explained: set[DataPath]) -> None:
        self.loaded = loaded
        self.explained = explained  # paths whose YAML misreading is reported already
        self.data: dict[str, Any] = loaded.data
        self.filename = filename
        self.registry = registry
        self.problems: list[Problem] = []
        self.states = _mapping(self.data.get("states"))
        declared = self.data.get("events")
        # Without an events block (reported by the schema) every name is taken as declared, to avoid noise.
        self.events: frozenset[str] | None = (
            frozenset(k for k in declared if isinstance(k, str)) if isinstance(declared, dict) else None
        )
        self.documents = _mapping(self.data.get("documents"))

    def report(self, path: DataPath, message: str, *, prefer_key: bool = False) -> None:
        if path in self.explained:
            return
        self.problems.append(self.loaded.problem(path, message, prefer_key=prefer_key))

    def check(self) -> list[Problem]:
        self.check_name()
        self.check_initial()
        self.check_templates()
        for name in ("templates", "documents"):
            for key in _mapping(self.data.get(name)):
                self.check_key((name, key), "tên loại thông báo" if name == "templates" else "khóa văn bản")
        for key in _mapping(self.data.get("events")):
            self.check_key(("events", key), "tên sự kiện")
        self.check_grace()
        self.check_sections()
        self.check_required_unless(("response",), _mapping(self.data.get("response")))
        self.check_decline()
        self.check_agree_named()
        self.check_assignments()
        self.check_documents()
        for state_name, state in self.states.items():
            self.check_key(("states", state_name), "tên trạng thái")
            if isinstance(state, dict):
                self.check_state(state_name, state)
        self.check_graph()
        return self.problems

    def check_event(self, path: DataPath, event: str, *, prefer_key: bool = False) -> bool:
        """Report an event the definition does not declare; True when it is declared."""
        if self.events is None or event in self.events:
            return True
        hint = did_you_mean(event, self.events) or f" (hãy khai báo dưới events: kèm tên gọi, ví dụ {event}: \"...\")"
        self.report(path, f"không có sự kiện \"{event}\"{hint}", prefer_key=prefer_key)
        return False

    def check_grace(self) -> None:
        grace = self.data.get("grace_period")
        if not isinstance(grace, str):
            return
        try:
            parse_relative_days(grace)
        except TimeSpecError as err:
            self.report(("grace_period",), str(err))

    def check_sections(self) -> None:
        """A report form's headings: each `parent` names a heading declared before it, and every field key is
        used once across all headings (answers are stored by field key)."""
        sections = _mapping(self.data.get("response")).get("sections")
        before: list[str] = []
        seen_fields: dict[str, str] = {}
        for i, section in _items(sections):
            if not isinstance(section, dict):
                continue
            key = section.get("key")
            parent = section.get("parent")
            if isinstance(parent, str):
                path: DataPath = ("response", "sections", i, "parent")
                if parent == key:
                    self.report(path, f"mục \"{key}\" không thể nằm dưới chính nó")
                elif parent not in before:
                    later = isinstance(sections, list) and any(
                        isinstance(s, dict) and s.get("key") == parent for s in sections)
                    hint = " (hãy khai báo mục cha trước mục này)" if later else did_you_mean(parent, before)
                    self.report(path, f"không có mục cha \"{parent}\"{hint}")
            if isinstance(key, str):
                if key in before:
                    self.report(("response", "sections", i, "key"), f"khóa mục \"{key}\" bị dùng hai lần")
                before.append(key)
            for j, field in _items(section.get("fields")):
                name = field.get("key") if isinstance(field, dict) else None
                if not isinstance(name, str):
                    continue
                if name in seen_fields:
                    self.report(("response", "sections", i, "fields", j, "key"),
                                f"khóa trường \"{name}\" đã được dùng ở mục \"{seen_fields[name]}\"")
                else:
                    seen_fields[name] = str(key)

    def declared_dates(self) -> list[str]:
        return [key for key in _mapping(self.data.get("dates")) if isinstance(key, str)]

    def response_fields(self) -> list[tuple[DataPath, dict[str, Any]]]:
        """The response form's fields, under their headings or not, with their paths."""
        response = _mapping(self.data.get("response"))
        found: list[tuple[DataPath, dict[str, Any]]] = [
            (("response", "fields", i), f) for i, f in _items(response.get("fields")) if isinstance(f, dict)]
        for i, section in _items(response.get("sections")):
            if isinstance(section, dict):
                found.extend((("response", "sections", i, "fields", j), f)
                             for j, f in _items(section.get("fields")) if isinstance(f, dict))
        return found

    def check_anchor(self, path: DataPath, at: Any, allowed: list[str], what: str) -> None:
        """A timer date's anchor must be one of `allowed` (the engine's anchors and the declared dates)."""
        if not isinstance(at, str):
            return
        try:
            spec = parse_timespec(at, None)
        except TimeSpecError:
            return  # the schema reports it
        if str(spec.anchor) not in allowed:
            hint = did_you_mean(str(spec.anchor), allowed) or f" ({what}: {', '.join(allowed)})"
            self.report(path, f"không có mốc ngày \"{spec.anchor}\" trong \"{at}\"{hint}")

    def check_required_unless(self, base: DataPath, form: dict[str, Any]) -> None:
        """Each `required_unless` names a field of the same form and, for a choice, some of its options."""
        places = self.response_fields() if base == ("response",) else [
            ((*base, "fields", i), f) for i, f in _items(form.get("fields")) if isinstance(f, dict)]
        fields = {f.get("key"): f for _, f in places}
        for path, field in places:
            for key, excused in _mapping(field.get("required_unless")).items():
                where = (*path, "required_unless", key)
                other = fields.get(key)
                if other is None or key == field.get("key"):
                    known = [k for k in fields if isinstance(k, str) and k != field.get("key")]
                    self.report(where, f"required_unless: không có trường \"{key}\" trong phiếu"
                                       f"{did_you_mean(key, known)}", prefer_key=True)
                    continue
                options = other.get("options") if isinstance(other.get("options"), list) else None
                for j, value in _items(excused):
                    if options is not None and value not in options:
                        self.report((*where, j), f"\"{value}\" không phải một lựa chọn của trường \"{key}\" "
                                                 f"({'; '.join(str(o) for o in options)})")

    def check_agree_named(self) -> None:
        """A form kind that takes an answer without forms names it (terms.agreed, "Không có đề xuất"): the shared
        name, "Đồng ý / không có ý kiến", is a consultation's and would be put on its unit page and grid."""
        response = _mapping(self.data.get("response"))
        if response.get("kind") != "proposals" or response.get("allow_agree") is not True:
            return
        if "agreed" not in _mapping(self.data.get("terms")):
            self.report(("response", "allow_agree"),
                        "allow_agree: true với phiếu (kind \"proposals\") cần terms.agreed: tên của trả lời không kèm "
                        "phiếu mà đơn vị thấy trên trang của mình, ví dụ agreed: \"Không có đề xuất\"", prefer_key=True)

    def check_decline(self) -> None:
        """`response.decline` names a choice field of the response form and some of its options."""
        decline = _mapping(self.data.get("response")).get("decline")
        if not isinstance(decline, dict) or not isinstance(decline.get("field"), str):
            return  # absent, or its shape is the schema's to report
        key = decline["field"]
        fields = {f.get("key"): f for _, f in self.response_fields()}
        where: DataPath = ("response", "decline", "field")
        found = fields.get(key)
        if found is None:
            known = [k for k in fields if isinstance(k, str)]
            self.report(where, f"decline: không có trường \"{key}\" trong phiếu trả lời{did_you_mean(key, known)}")
            return
        options = found.get("options")
        if found.get("kind") != "choice" or not isinstance(options, list):
            self.report(where, f"decline: trường \"{key}\" không phải trường lựa chọn (kind: \"choice\"); lời từ "
                               "chối phải là một trong các lựa chọn của nó")
            return
        for j, value in _items(decline.get("values")):
            if value not in options:
                self.report(("response", "decline", "values", j),
                            f"decline: \"{value}\" không phải một lựa chọn của trường \"{key}\" "
                            f"({'; '.join(str(o) for o in options)})")

    def check_assignments(self) -> None:
        """Each kind of task: a declared participants group, a due date from the deadline or a declared date,
        reminders counted from "due", field keys used once across the response form and every task."""
        groups = [g.get("key") for _, g in _items(self.data.get("participants")) if isinstance(g, dict)]
        seen_groups: list[str] = []
        for i, group in _items(self.data.get("participants")):
            key = group.get("key") if isinstance(group, dict) else None
            if isinstance(key, str):
                if key in seen_groups:
                    self.report(("participants", i, "key"), f"khóa nhóm participants \"{key}\" bị dùng hai lần")
                seen_groups.append(key)
        dates = self.declared_dates()
        used: dict[str, str] = {str(f.get("key")): "phiếu trả lời" for _, f in self.response_fields()}
        for task, spec in _mapping(self.data.get("assignments")).items():
            if not isinstance(spec, dict):
                continue
            base: DataPath = ("assignments", task)
            self.check_key(base, "tên nhiệm vụ")
            participants = spec.get("participants")
            if isinstance(participants, str) and participants not in groups:
                known = [g for g in groups if isinstance(g, str)]
                hint = did_you_mean(participants, known) or \
                    f" (participants: {', '.join(known) or 'chưa khai báo nhóm nào'})"
                self.report((*base, "participants"), f"không có nhóm participants \"{participants}\"{hint}")
            self.check_anchor((*base, "due"), spec.get("due"), ["deadline", "closing", *dates],
                              "hạn của nhiệm vụ tính từ deadline, closing hoặc một ngày đã khai báo")
            for j, reminder in _items(spec.get("reminders")):
                if isinstance(reminder, dict):
                    self.check_anchor((*base, "reminders", j, "at"), reminder.get("at"), ["due"],
                                      "lời nhắc của nhiệm vụ tính từ hạn của nó")
            for j, field in _items(spec.get("fields")):
                name = field.get("key") if isinstance(field, dict) else None
                if not isinstance(name, str):
                    continue
                if name in used:
                    self.report((*base, "fields", j, "key"), f"khóa trường \"{name}\" đã được dùng trong {used[name]}")
                else:
                    used[name] = f"nhiệm vụ \"{task}\""
            self.check_required_unless(base, spec)

    def check_documents(self) -> None:
        builders = self.registry.builders
        for key, document in self.documents.items():
            if not isinstance(document, dict):
                continue
            builder = document.get("builder")
            if builders is not None and isinstance(builder, str) and builder not in builders:
                self.report(("documents", key, "builder"),
                            f"không có bộ dựng văn bản \"{builder}\" (các bộ dựng có: {', '.join(sorted(builders))})"
                            f"{did_you_mean(builder, builders)}")
            self.check_wording(key, document.get("wording"))
            self.check_answers_read(key, builder)
            for i, state in _items(document.get("states")):
                if isinstance(state, str) and state not in self.states:
                    self.report(("documents", key, "states", i),
                                f"không có trạng thái \"{state}\"{did_you_mean(state, self.states)}")
            cited = document.get("cites")
            if isinstance(cited, str):
                if cited == key:
                    self.report(("documents", key, "cites"), f"văn bản \"{key}\" không thể dẫn chiếu chính nó")
                else:
                    self.check_numbered(("documents", key, "cites"), cited)
        letter = self.data.get("letter")
        if isinstance(letter, str):
            self.check_numbered(("letter",), letter)

    def check_answers_read(self, key: str, builder: object) -> None:
        """A builder that tabulates one kind of answer (the synthesis table: comments by section, each handled) is
        refused where the units answer another way: its table would stay empty and speak of what nobody sent."""
        reads = dict(self.registry.builder_answers)
        needed = reads.get(builder) if isinstance(builder, str) else None
        answers = _mapping(self.data.get("response")).get("kind")
        if needed is None or not isinstance(answers, str) or answers == needed:
            return
        fitting = sorted(name for name, kind in reads.items() if kind == answers)
        self.report(("documents", key, "builder"),
                    f"bộ dựng \"{builder}\" lập bảng từ {_ANSWER_WORDS.get(needed, needed)}, nhưng đơn vị của quy "
                    f"trình này trả lời bằng {_ANSWER_WORDS.get(answers, answers)} (response.kind: \"{answers}\"); "
                    f"hãy dùng {', '.join(fitting) or 'bộ dựng khác'} hoặc unit_list")

    def check_wording(self, key: str, wording: object) -> None:
        """A document's own wording file stands beside the definition, in <kind>/documents/; checked only for a
        definition read from a file (its folder is known)."""
        name = self.data.get("name")
        definition = Path(self.filename)
        if not (isinstance(wording, str) and _WORDING_RE.match(wording) and isinstance(name, str)
                and definition.is_file()):
            return
        expected = definition.parent / name / "documents" / f"{wording}.yaml"
        if not expected.is_file():
            self.report(("documents", key, "wording"), f"wording \"{wording}\": không có tệp lời văn {expected}")

    def check_numbered(self, path: DataPath, key: str) -> None:
        """Report a reference to a document that is not declared, or that gets no number to cite."""
        document = self.documents.get(key)
        if document is None:
            self.report(path, f"không có văn bản \"{key}\" (hãy khai báo dưới documents:)"
                              f"{did_you_mean(key, self.documents)}")
        elif isinstance(document, dict) and document.get("numbered") is not True:
            self.report(path, f"văn bản \"{key}\" không có số để dẫn chiếu (hãy đặt numbered: true)")

    def check_key(self, path: DataPath, what: str) -> None:
        key = path[-1]
        if key == "" or path in self.loaded.null_keys:
            self.report(path, f"khóa rỗng: cần {what} ở đây", prefer_key=True)
        elif not _NAME_RE.match(str(key)):
            self.report(path, f"\"{key}\" {_NAME_RULE}", prefer_key=True)

    def check_name(self) -> None:
        name = self.data.get("name")
        stem = Path(self.filename).stem
        if isinstance(name, str) and name != stem:
            self.report(("name",), f"name \"{name}\" phải trùng với tên tệp \"{stem}\"")

    def check_initial(self) -> None:
        initial = self.data.get("initial")
        if isinstance(initial, str) and self.states and initial not in self.states:
            self.report(("initial",), f"không có trạng thái \"{initial}\"{did_you_mean(initial, self.states)}")

    def check_templates(self) -> None:
        known = self.registry.templates
        if known is None:
            return
        for kind in _mapping(self.data.get("templates")):
            if kind and kind not in known:
                self.report(
                    ("templates", kind),
                    f"không có loại thông báo \"{kind}\"{did_you_mean(kind, known)}",
                    prefer_key=True,
                )

    def check_names(self, path: DataPath, values: Any, kind: str, known: frozenset[str]) -> None:
        """Each of values is one of known, and only once; kind is what they are, in Vietnamese ("hành động")."""
        seen: set[str] = set()
        for i, value in _items(values):
            if not isinstance(value, str):
                continue  # the schema reports it
            if value in seen:
                self.report((*path, i), f"{kind} \"{value}\" được liệt kê hai lần")
            seen.add(value)
            if value not in known:
                self.report((*path, i), f"không có {kind} \"{value}\"{did_you_mean(value, known)}")

    def check_state(self, state_name: str, state: dict[str, Any]) -> None:
        base: DataPath = ("states", state_name)
        self.check_names((*base, "entry"), state.get("entry"), "hành động", self.registry.effects)
        self.check_names((*base, "opens"), state.get("opens"), "công việc",
                         frozenset(_mapping(self.data.get("tasks"))))
        transitions = _mapping(state.get("transitions"))
        for event, alternatives in transitions.items():
            self.check_transitions((*base, "transitions", event), event, alternatives)
        self.check_timers(base, state, transitions)
        self.check_capabilities(base, state, transitions)
        self.check_package(base, state, transitions)
        self.check_dead_timers(base, state, transitions)
        final = state.get("final", False)
        if not isinstance(final, bool):
            return  # the schema reports it; whether the state may be stuck is unknown
        if final and transitions:
            self.report(
                (*base, "transitions"),
                f"trạng thái cuối \"{state_name}\" có transitions: trạng thái cuối kết thúc đợt; "
                "hãy bỏ transitions hoặc đặt final: false",
                prefer_key=True,
            )
        if not final and not state.get("transitions"):
            self.report(
                base,
                f"trạng thái \"{state_name}\" không phải trạng thái cuối nhưng không có transitions, nên đợt sẽ bị "
                "kẹt ở đó: hãy thêm một chuyển trạng thái hoặc đặt final: true",
                prefer_key=True,
            )

    def check_transitions(self, path: DataPath, event: str, alternatives: Any) -> None:
        if event == "" or path in self.loaded.null_keys:
            self.report(path, "chuyển trạng thái không có tên sự kiện", prefer_key=True)
        else:
            self.check_event(path, event, prefer_key=True)
        if isinstance(alternatives, dict):
            self.check_transition(path, alternatives)
            return
        if isinstance(alternatives, list) and not alternatives:
            self.report(path, f"sự kiện \"{event}\" có danh sách chuyển trạng thái rỗng")
        unguarded_at: int | None = None
        for i, alternative in _items(alternatives):
            if unguarded_at is not None:
                self.report(
                    (*path, i),
                    f"phương án này không bao giờ được dùng: phương án {unguarded_at + 1} đứng trước không có guard",
                )
            if isinstance(alternative, dict):
                self.check_transition((*path, i), alternative)
                if alternative.get("guard") is None and unguarded_at is None:
                    unguarded_at = i

    def check_transition(self, path: DataPath, transition: dict[str, Any]) -> None:
        target = transition.get("to")
        if isinstance(target, str) and target not in self.states:
            self.report((*path, "to"), f"không có trạng thái \"{target}\"{did_you_mean(target, self.states)}")
        guard = transition.get("guard")
        if isinstance(guard, str) and guard not in self.registry.guards:
            self.report((*path, "guard"),
                        f"không có điều kiện \"{guard}\"{did_you_mean(guard, self.registry.guards)}")
        self.check_names((*path, "effects"), transition.get("effects"), "hành động", self.registry.effects)

    def check_timers(self, base: DataPath, state: dict[str, Any], transitions: dict[str, Any]) -> None:
        seen: dict[str, int] = {}
        for i, timer in _items(state.get("timers")):
            if not isinstance(timer, dict):
                continue
            path = (*base, "timers", i)
            self.check_anchor((*path, "at"), timer.get("at"), [a.value for a in Anchor] + self.declared_dates(),
                              "bộ hẹn giờ tính từ deadline, closing, launch, entered hoặc một ngày đã khai báo")
            name = timer.get("name")
            if isinstance(name, str):
                if name in seen:
                    self.report((*path, "name"), f"tên bộ hẹn giờ \"{name}\" bị dùng hai lần trong trạng thái này")
                seen.setdefault(name, i)
            event = timer.get("event")
            if event is None and timer.get("effects") and not timer.get("title"):
                # Staff read a timer by its title (round page, timeline, audit); one that fires an event takes the
                # event's title, one that only runs effects has nothing Vietnamese to show but its name.
                self.report(path, f"bộ hẹn giờ \"{name}\" thiếu title: hãy đặt tên tiếng Việt cán bộ đọc trên trang "
                                  "của đợt và trong nhật ký, ví dụ title: \"Nhắc trước hạn\"")
            if isinstance(event, str):
                if not self.check_event((*path, "event"), event):
                    pass
                elif event not in transitions:
                    self.report(
                        (*path, "event"),
                        f"sự kiện \"{event}\" của bộ hẹn giờ không có chuyển trạng thái trong trạng thái "
                        f"\"{base[-1]}\": hãy thêm transitions: {{ {event}: ... }} hoặc cho bộ hẹn giờ phát sự kiện "
                        "khác",
                    )
            self.check_names((*path, "effects"), timer.get("effects"), "hành động", self.registry.effects)

    def check_capabilities(self, base: DataPath, state: dict[str, Any], transitions: dict[str, Any]) -> None:
        for i, capability in _items(state.get("allows")):
            try:
                needed = CAPABILITY_EVENTS.get(Capability(capability), ())
            except ValueError:
                continue  # the schema reports it
            missing = [event for event in needed if event not in transitions]
            if missing:
                self.report((*base, "allows", i),
                            f"trạng thái \"{base[-1]}\" cho phép {capability} nhưng không có chuyển trạng thái cho "
                            f"{', '.join(missing)}: hãy thêm, hoặc bỏ {capability}")

    def check_package(self, base: DataPath, state: dict[str, Any], transitions: dict[str, Any]) -> None:
        package = state.get("package")
        if not isinstance(package, dict):
            return
        event = package.get("event")
        if isinstance(event, str) and event not in transitions:
            self.report((*base, "package", "event"),
                        f"sự kiện \"{event}\" của package không có chuyển trạng thái trong trạng thái \"{base[-1]}\"")
        for i, key in _items(package.get("documents")):
            if isinstance(key, str) and key not in self.documents:
                self.report((*base, "package", "documents", i),
                            f"không có văn bản \"{key}\" (hãy khai báo dưới documents:)"
                            f"{did_you_mean(key, self.documents)}")

    def check_dead_timers(self, base: DataPath, state: dict[str, Any], transitions: dict[str, Any]) -> None:
        """A reminder due when the state has already been left by its closing timer can never fire."""
        timers = [(i, t) for i, t in _items(state.get("timers")) if isinstance(t, dict)]
        grace = _grace_days(self.data.get("grace_period"))
        closes: list[tuple[tuple[int, int], str, str]] = []
        for _, timer in timers:
            event, at = timer.get("event"), timer.get("at")
            if isinstance(event, str) and self._leaves(str(base[-1]), transitions.get(event)):
                moment = _relative_moment(at, timer.get("time"), grace)
                if moment is not None:
                    closes.append((moment, str(timer.get("name")), str(at)))
        if not closes:
            return
        close_moment, close_name, close_at = min(closes)
        for i, timer in timers:
            if timer.get("event") is not None:
                continue
            moment = _relative_moment(timer.get("at"), timer.get("time"), grace)
            if moment is not None and moment >= close_moment:
                hint = ("hãy khai báo grace_period dài hơn và đóng lúc \"closing\"" if grace
                        else "hãy khai báo grace_period: \"N working days\" và đóng lúc \"closing\"")
                self.report((*base, "timers", i, "at"),
                            f"bộ hẹn giờ \"{timer.get('name')}\" không bao giờ chạy được: đợt đã rời trạng thái "
                            f"\"{base[-1]}\" trước đó, khi bộ hẹn giờ \"{close_name}\" chạy lúc \"{close_at}\"; "
                            f"{hint}, hoặc bỏ bộ hẹn giờ này")

    def _leaves(self, state_name: str, alternatives: Any) -> bool:
        options = [alternatives] if isinstance(alternatives, dict) else alternatives
        if not isinstance(options, list) or not options:
            return False
        return all(isinstance(o, dict) and isinstance(o.get("to"), str) and o.get("to") != state_name
                   for o in options)

    def graph(self) -> dict[str, set[str]] | None:
        """State -> states one transition away; None when something malformed makes it unreliable."""
        graph: dict[str, set[str]] = {}
        for name, state in self.states.items():
            if not isinstance(state, dict) or not isinstance(state.get("final", False), bool):
                return None
            transitions = state.get("transitions", {})
            if not isinstance(transitions, dict):
                return None
            graph[name] = set()
            for alternatives in transitions.values():
                options = [alternatives] if isinstance(alternatives, dict) else alternatives
                if not isinstance(options, list):
                    return None
                for alternative in options:
                    target = alternative.get("to") if isinstance(alternative, dict) else None
                    if not isinstance(alternative, dict) or not isinstance(target, (str, type(None))):
                        return None
                    if target is not None:
                        if target not in self.states:
                            return None  # reported as an unknown state
                        graph[name].add(target)
        return graph

    def check_graph(self) -> None:
        graph = self.graph()
        if graph is None:
            return  # the schema problems already reported would only cause noise here
        initial = self.data.get("initial")
        if isinstance(initial, str) and initial in self.states:
            reachable = _closure(graph, {initial})
            for name in self.states:
                if name not in reachable:
                    self.report(
                        ("states", name),
                        f"không thể đi tới trạng thái \"{name}\" từ trạng thái đầu \"{initial}\"",
                        prefer_key=True,
                    )
        finals = {name for name, state in self.states.items() if state.get("final") is True}
        if self.states and not finals:
            self.report(
                ("states",), "không có trạng thái cuối: hãy đặt final: true cho (các) trạng thái kết thúc đợt",
                prefer_key=True,
            )
            return
        for name, state in self.states.items():
            stuck = not state.get("final") and not state.get("transitions")  # reported already
            if not stuck and not (_closure(graph, {name}) & finals):
                self.report(
                    ("states", name),
                    f"từ trạng thái \"{name}\" không đi tới được trạng thái cuối nào: đợt vào trạng thái này sẽ "
                    "không bao giờ kết thúc",
                    prefer_key=True,
                )


def _grace_days(value: Any) -> int:
    if not isinstance(value, str):
        return 0
    try:
        return parse_relative_days(value)[0]
    except TimeSpecError:
        return 0


def _relative_moment(at: Any, time: Any, grace: int) -> tuple[int, int] | None:
    """(days after the deadline, minute of the day) of a timer's first firing; None when it counts from
    something else (launch, state entry) or cannot be read (reported elsewhere)."""
    try:
        spec = parse_timespec(at) if isinstance(at, str) else None
        clock = parse_clock(time) if time is not None else DEFAULT_TIMER_TIME
    except (TimeSpecError, ValueError):
        return None
    if spec is None or spec.anchor not in (Anchor.DEADLINE, Anchor.CLOSING):
        return None
    days = spec.offset + (grace if spec.anchor is Anchor.CLOSING else 0)
    minute = 24 * 60 if clock == END_OF_DAY else clock.hour * 60 + clock.minute
    return days, minute


def _closure(graph: dict[str, set[str]], start: set[str]) -> set[str]:
    seen = set(start)
    todo = list(start)
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
