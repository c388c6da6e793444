"""The pydantic schema of a workflow definition (one YAML file in workflows/definitions/).

Structure and per-field rules only; cross-references (states, registry names, reachability)
are checked in validate.py, which also turns errors into file:line:col problems.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    Strict,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from workflows.definition.timespec import Anchor, DayKind, TimeSpec, parse_relative_days, parse_timespec

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"  # states, events, timers, field keys
WORKFLOW_NAME_PATTERN = r"^[a-z_]+$"
DOCUMENT_FILENAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*\.(docx|xlsx|pdf|zip|csv)$"

END_OF_DAY = dt.time.max  # "24:00": the timer fires at the very end of its day
DEFAULT_TIMER_TIME = dt.time(8, 0)

_CLOCK_RE = re.compile(r"^(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})$")


class RecipientRole(StrEnum):
    """What a recipient unit is asked to do."""

    COMMENT = "comment"  # góp ý / trả lời
    PUBLISH = "publish"  # đăng tải dự thảo
    INFORM = "inform"  # để biết, báo cáo


RecipientRoleName = Literal["comment", "publish", "inform"]


class DefinitionModel(BaseModel):
    """Base: unknown fields rejected, no type coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _parse_at(value: Any) -> TimeSpec:
    if isinstance(value, TimeSpec):
        return value
    if not isinstance(value, str):
        raise ValueError(f"phải là một mốc thời gian trong ngoặc kép, ví dụ \"deadline - 2 working days\", "
                         f"không phải {value!r}")
    # Any name is taken as an anchor here; validate.py checks it against the dates the workflow declares.
    return parse_timespec(value, None)


def parse_clock(value: Any) -> dt.time:
    """"HH:MM" from 00:00 to 23:59, or "24:00" meaning END_OF_DAY (time.max)."""
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and (match := _CLOCK_RE.match(value.strip())) is not None:
        hour, minute = int(match["h"]), int(match["m"])
        if hour == 24 and minute == 0:
            return END_OF_DAY
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    raise ValueError(f"giờ {shown} không hợp lệ: hãy viết \"HH:MM\", từ \"00:00\" đến \"24:00\" (cuối ngày)")


def format_clock(value: dt.time) -> str:
    """The inverse of parse_clock."""
    return "24:00" if value == END_OF_DAY else value.strftime("%H:%M")


TimeSpecField = Annotated[
    TimeSpec,
    PlainValidator(_parse_at),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["deadline - 2 working days"]}),
]
ClockField = Annotated[
    dt.time,
    PlainValidator(parse_clock),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$"}),
]
Name = Annotated[str, Field(pattern=NAME_PATTERN)]


DraftRule = Literal["required", "optional"]
FieldKind = Literal["text", "long_text", "number", "count", "money", "months", "date", "email", "phone", "choice",
                    "file"]
FIGURE_KINDS = frozenset({"number", "count", "money", "months"})  # whole numbers, summed in a consolidation
HEADING_NUMBER_PATTERN = r"^([IVXLC]+\.|[0-9]+(\.[0-9]+)*\.?|[a-zđ]\))$"  # "I.", "1.", "2.1.", "2.1", "a)"


class ResponseField(DefinitionModel):
    """One field of a structured response form (e.g. Mẫu A1-ĐXNV, or a council member's vote).

    text is one line, long_text a paragraph; number, count, money and months are whole numbers (money in đồng;
    a count is never negative); choice takes one of `options`; file is an attachment named by the unit.
    """

    key: Name
    label: str = Field(min_length=1)
    required: bool = False
    kind: FieldKind = "text"
    options: list[Annotated[str, Field(min_length=1)]] = []  # for choice
    max_length: Annotated[int, Field(ge=1, le=20_000)] | None = None  # for text kinds
    minimum: int | None = None  # for number kinds
    maximum: int | None = None
    # A required field a unit may leave blank when another field holds one of the values given:
    # { attendance: ["Không tham dự"] } (the name of who attends is not asked of a unit that declines).
    required_unless: dict[Name, list[Annotated[str, Field(min_length=1)]]] = {}
    column: Annotated[str, Field(min_length=1)] | None = None  # the grid shows the unit's value under this title

    def required_for(self, values: dict[str, Any]) -> bool:
        """Whether this field must be filled in a form holding `values`."""
        if not self.required:
            return False
        return not any(unicodedata.normalize("NFC", str(values.get(key) or "")).strip() in excused
                       for key, excused in self.required_unless.items())

    @model_validator(mode="after")
    def _options_fit_kind(self) -> ResponseField:
        if self.kind == "choice" and len(self.options) < 2:
            raise ValueError(f"trường \"{self.key}\" là kind \"choice\": hãy liệt kê ít nhất hai lựa chọn (options)")
        if self.kind != "choice" and self.options:
            raise ValueError(f"trường \"{self.key}\": options chỉ dùng cho kind \"choice\"")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"trường \"{self.key}\": minimum {self.minimum} lớn hơn maximum {self.maximum}")
        if self.kind not in FIGURE_KINDS and (self.minimum is not None or self.maximum is not None):
            raise ValueError(f"trường \"{self.key}\": minimum và maximum chỉ dùng cho trường số "
                             f"({', '.join(sorted(FIGURE_KINDS))})")
        if self.required_unless and not self.required:
            raise ValueError(f"trường \"{self.key}\": required_unless chỉ dùng cho trường bắt buộc (required: true)")
        return self

    @property
    def figure(self) -> bool:
        """A whole number that a consolidation adds up across units (number, count, money, months)."""
        return self.kind in FIGURE_KINDS

    @property
    def lowest(self) -> int | None:
        """The smallest value taken: the declared minimum, else 0 for a count."""
        if self.minimum is not None:
            return self.minimum
        return 0 if self.kind == "count" else None


class ResponseSection(DefinitionModel):
    """One heading of a report form (seed 003: "2.4. Đào tạo nguồn nhân lực ..."): its place in the programme,
    what the unit is asked to write under it, and the fields it answers with (text, figures, attachments).

    A heading without fields only groups the headings whose `parent` it is ("I. Tình hình triển khai ...").
    A required heading must have at least one of its fields filled.
    """

    key: Name
    title: str = Field(min_length=1)
    number: Annotated[str, Field(pattern=HEADING_NUMBER_PATTERN)] | None = None
    parent: Name | None = None  # the heading it sits under (declared before it)
    required: bool = False
    guidance: str | None = None  # what the unit should write here, shown under the heading
    fields: list[ResponseField] = []

    @model_validator(mode="after")
    def _required_has_fields(self) -> ResponseSection:
        if self.required and not self.fields:
            raise ValueError(f"mục \"{self.key}\" là bắt buộc nhưng không có trường nào để điền")
        return self

    @property
    def heading(self) -> str:
        """The heading as printed: "2.4. Đào tạo nguồn nhân lực"."""
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def figures(self) -> list[ResponseField]:
        return [f for f in self.fields if f.figure]


class DeclineRule(DefinitionModel):
    """An answer that says no (seed 004: the RSVP "Không tham dự"): the unit answered, and is counted and listed
    apart from the units whose answer says yes, in the kind's words. The field is a choice of the response form
    (checked by validate.py); `values` are its options that decline."""

    field: Name  # the choice field that tells: "attendance"
    values: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)  # ["Không tham dự"]
    label: str = Field(min_length=1, max_length=40)  # a unit whose answer declines: "Không tham dự"
    accepted_label: str = Field(min_length=1, max_length=40)  # a unit whose answer does not: "Tham dự"

    def declines(self, values: Mapping[str, Any]) -> bool:
        """Whether a filled form holding `values` declines."""
        return unicodedata.normalize("NFC", str(values.get(self.field) or "")).strip() in self.values


class ResponseSpec(DefinitionModel):
    """What a recipient sends back: free comments, or proposals on a form.

    A repeatable form is filled once per item (seed 001: one Mẫu A1-ĐXNV per task), up to `max_items` in one answer.
    A form may instead be declared as `sections` (seed 003: the headings of a programme report), each with its own
    fields; `fields` is then every heading's fields in order, so whatever reads a form reads a report too.
    """

    kind: Literal["comments", "proposals"]
    # The unit may answer without content ("agree / no comment"; a call's "Không có đề xuất"). Left out, only a
    # consultation's comments take it: a form kind offers it when it says so, and names it (terms.agreed).
    allow_agree: bool = True
    fields: list[ResponseField] = []
    sections: list[ResponseSection] = []
    repeatable: bool = False  # the unit may send several filled forms in one answer
    max_items: Annotated[int, Field(ge=1, le=50)] = 10  # how many, when repeatable
    # The field that names who proposes (Mẫu A1-ĐXNV: "Tên tổ chức/cá nhân đề xuất"), which may be a business the
    # unit forwards for: lists of the forms name each by it, and by the unit that sent it beside. None: the unit.
    proposer: Name | None = None
    decline: DeclineRule | None = None  # what an answer that declines looks like, when the form can decline

    @model_validator(mode="before")
    @classmethod
    def _agree_by_kind(cls, data: Any) -> Any:
        """allow_agree left out: true for comments, false for a form (which would otherwise gain an answer worded
        for a consultation)."""
        if isinstance(data, dict) and "allow_agree" not in data:
            return {**data, "allow_agree": data.get("kind") != "proposals"}
        return data

    @model_validator(mode="after")
    def _fields_match_kind(self) -> ResponseSpec:
        if self.sections:
            if self.kind != "proposals":
                raise ValueError("sections chỉ dùng cho kind \"proposals\" (một phiếu)")
            if self.repeatable:
                raise ValueError("phiếu có sections chỉ điền một lần: không dùng repeatable")
            flat = [f for section in self.sections for f in section.fields]
            if self.fields and self.fields != flat:
                raise ValueError("hãy khai báo các trường dưới sections, không khai báo thêm ở fields")
            object.__setattr__(self, "fields", flat)  # frozen model: set once, while validating
            headings = [s.key for s in self.sections]
            twice = sorted({k for k in headings if headings.count(k) > 1})
            if twice:
                raise ValueError(f"khóa mục được liệt kê hai lần: {', '.join(twice)}")
        if self.kind == "proposals" and not self.fields:
            raise ValueError("kind \"proposals\" cần danh sách fields (các trường của phiếu)")
        if self.kind == "comments" and self.fields:
            raise ValueError("fields chỉ dùng cho kind \"proposals\"")
        if self.repeatable and self.kind != "proposals":
            raise ValueError("repeatable chỉ dùng cho kind \"proposals\" (phiếu điền một lần cho mỗi mục)")
        keys = [f.key for f in self.fields]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"khóa trường được liệt kê hai lần: {', '.join(repeated)}")
        if self.proposer is not None and self.proposer not in keys:
            raise ValueError(f"proposer \"{self.proposer}\" không phải khóa của một trường trong phiếu "
                             f"(các trường: {', '.join(keys) or 'không có'})")
        if self.decline is not None and self.repeatable:
            raise ValueError("decline: một câu trả lời gồm nhiều phiếu (repeatable) không thể là lời từ chối")
        return self

    def section(self, key: str) -> ResponseSection:
        """The heading called key (KeyError if none)."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"no section {key!r}")

    def answering_sections(self) -> list[ResponseSection]:
        """The headings a unit answers under (those with fields), in form order."""
        return [s for s in self.sections if s.fields]

    def sections_filled(self, values: dict[str, Any]) -> list[ResponseSection]:
        """The headings with at least one field filled in `values` (one filled form)."""
        return [s for s in self.answering_sections()
                if any(str(values.get(f.key) or "").strip() for f in s.fields)]

    @property
    def items_allowed(self) -> int:
        """How many filled forms one answer may hold: max_items when repeatable, else one."""
        return self.max_items if self.repeatable else 1


@dataclass(frozen=True)
class GridColumn:
    """A column the round's unit grid shows for this kind beyond the common ones (answer, deadline, ...)."""

    key: str  # what the service computes (workflows/service/grid_columns.py: COLUMN_VALUES)
    title: str  # the column's heading
    numeric: bool = False  # figures and counts align right; words ("Tham dự", "Đã nộp 14/8") align left


class Capability(StrEnum):
    """What a state lets people do. Code asks a definition for these, never for a state's name."""

    EDIT = "edit"  # staff change the round's settings, recipients and draft
    LAUNCH = "launch"  # the round can be sent out
    ANSWER = "answer"  # units answer through their personal link; staff record answers
    LATE_ANSWER = "late_answer"  # staff may record an answer that came after the close, marked late
    REMIND = "remind"  # staff remind units now
    EXTEND = "extend"  # a deadline may be moved for one unit or all
    TRIAGE = "triage"  # comments get a handling (tiếp thu, giải trình)
    REVISE_DRAFT = "revise_draft"  # a new draft version may be uploaded
    DECIDE = "decide"  # UBND's decision (issued or returned) is recorded
    REVISE = "revise"  # a returned draft goes back to drafting
    FOLLOW_UP = "follow_up"  # a new round on the latest draft to the same or fewer units
    TASKS = "tasks"  # units hand in the tasks assigned to them (late ones marked late); their reminders run
    NEXT_ROUND = "next_round"  # the next period's round (same form, same units) may be started from this one


# The transition each capability needs in its state, so the definition cannot promise what it cannot do.
CAPABILITY_EVENTS: dict[Capability, tuple[str, ...]] = {
    Capability.LAUNCH: ("launch",),
    Capability.ANSWER: ("respond",),
    Capability.LATE_ANSWER: ("respond",),
    Capability.REMIND: ("remind",),
    Capability.EXTEND: ("extend",),
    Capability.DECIDE: ("decide_issued", "decide_returned"),
    Capability.REVISE: ("revise",),
}


class DateDef(DefinitionModel):
    """A named date of a round besides the deadline (the day of a workshop), given when the round is created."""

    title: str = Field(min_length=1)  # "Ngày tổ chức hội thảo"
    not_before: Literal["deadline"] | None = None  # refuse a round whose date comes before its deadline


class ParticipantGroup(DefinitionModel):
    """One part of an invitation's "Thành phần" (seed 004: "b) Đại biểu các cơ quan thuộc tỉnh"): the directory's
    unit groups it gathers, in the order the plan lists them."""

    key: Name
    title: str = Field(min_length=1)
    groups: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)


class ReminderDef(DefinitionModel):
    """When an assigned task is reminded, counted from its own due date ("due - 2 working days")."""

    at: TimeSpecField
    time: ClockField = DEFAULT_TIMER_TIME


class AssignmentDef(DefinitionModel):
    """A kind of preparatory task staff give to named units, each with its own due date (seed 004: "Giao các sở
    ... chuẩn bị Tham luận ..."): who may be given it, its default due date, its reminders and what is handed in."""

    title: str = Field(min_length=1)
    column: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # the grid's heading; the title if absent
    participants: Name  # the key of the participants group whose units may be given it
    due: TimeSpecField  # the default due date, from a declared date or the deadline
    reminders: list[ReminderDef] = []
    fields: list[ResponseField] = Field(min_length=1)

    @model_validator(mode="after")
    def _fields_once(self) -> AssignmentDef:
        keys = [f.key for f in self.fields]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"khóa trường được liệt kê hai lần: {', '.join(repeated)}")
        return self

    def form(self) -> ResponseSpec:
        """The task's fields as a one-page form, checked like a unit's answer."""
        return ResponseSpec(kind="proposals", allow_agree=False, fields=list(self.fields))


class PackageDef(DefinitionModel):
    """What leaves the Sở from this state: the documents bundled, and the event that records it."""

    title: str = Field(min_length=1)  # the button and the CLI's word for it: "Trình UBND tỉnh"
    event: Name
    documents: list[Name] = Field(min_length=1)  # keys of the workflow's documents, in package order
    done: str = Field(min_length=1)  # what staff read afterwards: "Đã lập hồ sơ trình UBND tỉnh."


class DocumentDef(DefinitionModel):
    """One document a round of this kind produces: who builds it, with which wording, and when."""

    title: str = Field(min_length=1)
    builder: Name  # a document builder registered in the service (request_letter, synthesis_docx, ...)
    filename: Annotated[str, Field(pattern=DOCUMENT_FILENAME_PATTERN)]
    wording: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] | None = None  # wording file; the builder's own if absent
    states: list[str] = Field(min_length=1)  # where it is offered
    numbered: bool = False  # leaves the Sở with a số and ký hiệu from the sổ văn bản đi (models/register.py)
    # An earlier numbered document of the kind this one cites by its number and date (the reminder cites the
    # request letter; the synthesis table is "Kèm theo" the tờ trình).
    cites: Name | None = None
    # The letter's "Nơi nhận:" besides "Như trên" and "Lưu: VT, <phòng>" (["Lãnh đạo Sở"] for a letter the UBND
    # tỉnh need not see); absent, the builder's own (a consultation's letter: "UBND tỉnh (báo cáo)", "Lãnh đạo Sở").
    receivers: list[Annotated[str, Field(min_length=1)]] | None = None
    # The "Kính gửi:" of a letter to one body (a tờ trình, a report, the list sent on): absent, the builder's own
    # ("Ủy ban nhân dân tỉnh …", "Bộ Khoa học và Công nghệ"); a kind sends its result where it goes ("Hội đồng …").
    addressee: Annotated[str, Field(min_length=1)] | None = None


class SilenceRule(DefinitionModel):
    """Whether a unit that does not answer is taken to agree, and the sentence that announces it."""

    agreement: bool = False  # the default of a new round
    sentence: str | None = None  # letters and emails; a kind without it can never count silence as agreement
    label: str = "coi như đồng ý"  # the grid's mark for a silent unit taken to agree

    @model_validator(mode="after")
    def _sentence_when_agreement(self) -> SilenceRule:
        if self.agreement and not self.sentence:
            raise ValueError("ở đây im lặng được coi là đồng ý: hãy viết câu thông báo điều đó (sentence: ...)")
        return self

    @property
    def possible(self) -> bool:
        return self.sentence is not None


AskedRole = Literal["comment", "publish"]  # the roles a request letter asks something of
# What a request letter asks of a role when the kind's `terms.asks` does not say: in its verb and topic, as the
# reminder's V/v ("đôn đốc {verb} đối với {topic}") is by default.
ASKED_BY_DEFAULT: dict[AskedRole, str] = {"comment": "nghiên cứu, {verb} đối với {topic}",
                                          "publish": "đăng tải {topic} trên Cổng thông tin điện tử tỉnh"}


class Terms(DefinitionModel):
    """The words of this kind in emails, pages and documents, so a call for proposals never says "góp ý".

    Texts may hold {title}, {issuer_name}, {governing_body} and {draft_kind} (the type of document the title opens
    with: "Kế hoạch"); `fill_terms` replaces them.
    """

    round: str = Field(min_length=1)  # "đợt lấy ý kiến"
    subject: str = Field(min_length=1)  # the default V/v: "xin ý kiến góp ý đối với dự thảo {title}"
    answer: str = Field(min_length=1)  # what one answer is called: "ý kiến góp ý"
    answered: str = Field(min_length=1)  # the grid's label for an answer with content: "Có ý kiến góp ý"
    agreed: str = "Đồng ý / không có ý kiến"  # the label of the answer "agree", when allowed
    verb: str = Field(min_length=1)  # the role of units asked to answer: "góp ý", "đề xuất"
    role: Annotated[str, Field(min_length=1, max_length=20)] | None = None  # the grid's word for that role, when
    # the verb is too long for a column ("Được mời" for "đăng ký tham dự"); the verb with a capital if absent
    topic: str = Field(min_length=1)  # what a reminder letter is about: "dự thảo {title}" (see reminder_subject)
    # The reminder letter's V/v, which may also hold the round's {subject}: "đôn đốc {subject}"; absent, "đôn đốc
    # {verb} đối với {topic}"
    reminder_subject: str | None = None
    document: str = "Nội dung"  # what the circulated text is called on the unit's page: "Dự thảo"
    title_label: str = Field(default="Tên dự thảo", min_length=1)  # the title on the create form: "Tên hội thảo"
    response: str = Field(min_length=1)  # what the unit sends back: "ý kiến góp ý bằng văn bản"
    purpose: str = Field(min_length=1)
    deadline_label: str = Field(min_length=1)
    request: dict[RecipientRoleName, list[str]]
    link_hint: dict[RecipientRoleName, str]
    awaited: dict[RecipientRoleName, str]
    received: dict[Literal["comments", "agree", "proposals"], str]
    # What the request letter (builder "request_letter") asks of the units of a role, after their names: "nghiên cứu,
    # đóng góp ý kiến đối với dự thảo {title}"; it may also hold {draft_kind}, the type the title opens with ("Kế
    # hoạch"). A role left out is asked in the kind's verb and topic (see ASKED_BY_DEFAULT); informed units never.
    asks: dict[AskedRole, Annotated[str, Field(min_length=1)]] = {}

    def ask(self, role: AskedRole) -> str:
        """What the request letter asks of the units of `role`, its placeholders still to fill: the kind's own, else
        the default in its verb and topic ("nghiên cứu, thẩm định đối với hồ sơ {title}")."""
        if role in self.asks:
            return self.asks[role]
        return ASKED_BY_DEFAULT[role].replace("{verb}", self.verb).replace("{topic}", self.topic)


class TransitionDef(DefinitionModel):
    """One way to handle an event; to=None stays in the state (effects only)."""

    to: str | None = None
    guard: str | None = None
    effects: list[str] = []


class TimerDef(DefinitionModel):
    """A timer set when the state is entered; it fires `event`, runs `effects`, or both.

    `time` is the local time of day; "24:00" is stored as END_OF_DAY (datetime.time.max).
    """

    name: Name
    title: str | None = None  # what staff read ("Nhắc trước hạn"); the name when absent
    at: TimeSpecField
    time: ClockField = DEFAULT_TIMER_TIME
    event: str | None = None
    effects: list[str] = []

    @property
    def end_of_day(self) -> bool:
        """True for "24:00": the timer fires once the whole day is over."""
        return self.time == END_OF_DAY

    @property
    def moves_on_at_deadline(self) -> bool:
        """True when the timer fires an event at the deadline itself (or the closing, the deadline when the kind has
        no grace period): what staff know as the round's deadline, not a separate step."""
        return (self.event is not None and self.at.offset == 0 and self.at.repeat_every is None
                and self.at.anchor in (Anchor.DEADLINE, Anchor.CLOSING))

    @model_validator(mode="after")
    def _does_something(self) -> TimerDef:
        if self.event is None and not self.effects:
            raise ValueError(f"bộ hẹn giờ \"{self.name}\" không có event cũng không có effects: hãy khai báo ít nhất "
                             "một trong hai")
        return self


class StateDef(DefinitionModel):
    """A state: its Vietnamese label, entry effects, timers and transitions by event name."""

    title: str = Field(min_length=1)
    final: bool = False
    allows: list[Annotated[Capability, Strict(False)]] = []
    package: PackageDef | None = None
    entry: list[str] = []
    opens: list[Name] = []  # the tasks (keys of the workflow's `tasks`) the open_tasks effect opens for staff here
    timers: list[TimerDef] = []
    transitions: dict[str, list[TransitionDef]] = {}

    @field_validator("transitions", mode="before")
    @classmethod
    def _single_to_list(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {event: [alt] if isinstance(alt, (dict, TransitionDef)) else alt for event, alt in value.items()}
        return value

    def timer(self, name: str) -> TimerDef:
        """The timer called name (KeyError if none)."""
        for timer in self.timers:
            if timer.name == name:
                return timer
        raise KeyError(f"no timer {name!r}")


class Workflow(DefinitionModel):
    """A whole workflow definition."""

    name: Annotated[str, Field(pattern=WORKFLOW_NAME_PATTERN)]
    title: str = Field(min_length=1)
    initial: str
    recipient_roles: list[Annotated[RecipientRole, Strict(False)]]
    response: ResponseSpec
    silence: SilenceRule = SilenceRule()
    grace_period: Annotated[str, Field(min_length=1)] | None = None  # "3 working days": the close waits this long
    # Whether a round of this kind goes out with a draft attached: "required" refuses to launch one without it
    # unless staff say why (the reason is audited); "optional" for kinds whose letter is the whole content.
    draft: DraftRule = "optional"
    terms: Terms
    events: dict[Name, Annotated[str, Field(min_length=1)]]  # every event a state handles, with its title
    tasks: dict[Name, Annotated[str, Field(min_length=1)]] = {}  # tasks the effects open (a report), with titles
    templates: dict[str, str] = {}  # message kind -> template set overriding the generic one
    documents: dict[Name, DocumentDef] = {}
    letter: Name | None = None  # the numbered document the round's emails go with: they quote its number once given
    dates: dict[Name, DateDef] = {}  # named dates of a round besides the deadline, given at its creation
    participants: list[ParticipantGroup] = []  # the invitation's groups, in the plan's order ("Thành phần")
    assignments: dict[Name, AssignmentDef] = {}  # kinds of preparatory task given to named units
    states: dict[str, StateDef]

    @property
    def needs_draft(self) -> bool:
        """Whether launching a round of this kind without a draft needs a reason (`draft: "required"`)."""
        return self.draft == "required"

    def allows(self, status: str, capability: Capability) -> bool:
        """Whether a round in state `status` lets people do `capability`."""
        state = self.states.get(status)
        return state is not None and capability in state.allows

    def states_allowing(self, capability: Capability) -> list[str]:
        """The states that let people do `capability`, in definition order."""
        return [name for name, state in self.states.items() if capability in state.allows]

    def staff_steps(self, status: str) -> list[str]:
        """The titles of the steps people take in state `status`: its transitions, but for the events its timers
        fire (the deadline passing), in definition order."""
        state = self.states.get(status)
        if state is None:
            return []
        timed = {timer.event for timer in state.timers}
        return [self.event_title(event) for event in state.transitions if event not in timed]

    def package(self, status: str) -> PackageDef | None:
        """What can be sent out from state `status` (a submission, a report), if anything."""
        state = self.states.get(status)
        return state.package if state is not None else None

    def documents_in(self, status: str) -> dict[str, DocumentDef]:
        """The documents offered in state `status`, in definition order."""
        return {key: doc for key, doc in self.documents.items() if status in doc.states}

    def event_title(self, name: str) -> str:
        """The Vietnamese title of an event (its name when it has none)."""
        return self.events.get(name, name)

    def task_title(self, name: str) -> str:
        """The Vietnamese title of a task the kind's effects open (its name when it has none)."""
        return self.tasks.get(name, name)

    def state_title(self, status: str) -> str:
        state = self.states.get(status)
        return state.title if state is not None else status

    def grid_columns(self) -> list[GridColumn]:
        """The grid's own columns for this kind: a form with headings shows how many of them each unit reported;
        a response field with a `column` shows the unit's value (field:<key>); each kind of assigned task shows
        where the unit's stands (task:<key>)."""
        columns: list[GridColumn] = []
        if self.response.answering_sections():
            columns.append(GridColumn("sections_reported", "Mục đã báo cáo", numeric=True))
        columns.extend(GridColumn(f"field:{f.key}", f.column, numeric=f.figure)
                       for f in self.response.fields if f.column)
        columns.extend(GridColumn(f"task:{key}", task.column or task.title) for key, task in self.assignments.items())
        return columns

    def participant_group(self, key: str) -> ParticipantGroup:
        """The participants group called key (KeyError if none)."""
        for group in self.participants:
            if group.key == key:
                return group
        raise KeyError(f"no participants group {key!r}")

    def groups_covered(self, reached: Iterable[str]) -> set[str]:
        """The directory groups a participants section gathers with a group in `reached`: the section is invited
        through that group, so the others may stay empty (a province files its companies under the associations,
        say) without leaving a part of the plan's "Thành phần" out."""
        reached = set(reached)
        return {group for section in self.participants if reached & set(section.groups) for group in section.groups}

    def assignment(self, key: str) -> AssignmentDef:
        """The kind of task called key (KeyError if none)."""
        try:
            return self.assignments[key]
        except KeyError:
            raise KeyError(f"workflow {self.name!r} has no task {key!r}") from None

    def answering_state(self) -> str | None:
        """The first state, from the initial one, in which units answer: where the reminders live."""
        for name, state in self.states.items():
            if Capability.ANSWER in state.allows:
                return name
        return None

    def grace_days(self) -> tuple[int, DayKind] | None:
        """The grace period as (days, kind), or None when the round closes at the deadline."""
        return parse_relative_days(self.grace_period) if self.grace_period else None

    def used_events(self) -> set[str]:
        """Every event some state handles or some timer fires."""
        names: set[str] = set()
        for state in self.states.values():
            names.update(state.transitions)
            names.update(t.event for t in state.timers if t.event is not None)
        return names

    def any_timer(self, name: str) -> TimerDef | None:
        """The timer called name in any state, or None."""
        for state in self.states.values():
            for timer in state.timers:
                if timer.name == name:
                    return timer
        return None

    def titled_dates(self, given: Mapping[str, dt.date]) -> tuple[tuple[str, dt.date], ...]:
        """The named dates given to a round as the kind titles them, in date order (("Ngày tổ chức hội thảo",
        20/08/2025),); a key the kind does not declare is left out."""
        return tuple((self.dates[key].title, day) for key, day in sorted(given.items(), key=lambda item: item[1])
                     if key in self.dates)

    def timer_title(self, name: str) -> str:
        """The Vietnamese title of a timer of any state: its own, else the title of the event it fires ("Hết hạn");
        its name only for a timer the definition no longer has (validation requires a title of the others)."""
        timer = self.any_timer(name)
        if timer is None:
            return name
        if timer.title:
            return timer.title
        if timer.event is not None and timer.event in self.events:
            title = self.events[timer.event]
            return title[:1].upper() + title[1:]
        return timer.name

    def state(self, name: str) -> StateDef:
        """The state called name (KeyError if none)."""
        try:
            return self.states[name]
        except KeyError:
            raise KeyError(f"workflow {self.name!r} has no state {name!r}") from None

    def final_states(self) -> set[str]:
        """Names of the final states."""
        return {name for name, state in self.states.items() if state.final}


def fill_terms(text: str, **values: str) -> str:
    """Replace {title}, {issuer_name}, {governing_body} (and {subject} where a term allows it) in a term; other braces
    stay as written. A value is not made to say its opening words twice: staff type titles as letters write them,
    so "dự thảo {title}" with "Dự thảo Kế hoạch …" gives "dự thảo Kế hoạch …", and "đề xuất nhiệm vụ khoa học và
    công nghệ {title}" with "Đề xuất nhiệm vụ KH&CN cấp quốc gia …" gives "đề xuất nhiệm vụ KH&CN cấp quốc gia …"."""
    for key, value in values.items():
        pieces = text.split("{" + key + "}")
        text = pieces[0]
        for number, piece in enumerate(pieces[1:]):
            text = _joined(text, value, at_start=number == 0) + piece
    return text


_AT_LEAST = 2  # words a term and a value must share to count as a repetition ("dự thảo"), not a chance word


def _joined(before: str, value: str, at_start: bool) -> str:
    """`before` then `value`, less the words of `value` that `before` already says (see fill_terms). A value
    quoted or glued to the text before it is a name as written and stays whole."""
    said, words = before.split(), value.split()
    if not said or not words or not before.endswith(" "):
        return before + value
    folded_said, folded_words = [_fold(word) for word in said], [_fold(word) for word in words]
    opening = 0
    while opening < min(len(said), len(words)) and folded_said[opening] == folded_words[opening]:
        opening += 1
    if at_start and opening >= _AT_LEAST:  # the value begins as the term does: it says the whole of it
        return _lower_word(value.strip())
    for shared in range(min(len(said), len(words)), _AT_LEAST - 1, -1):
        if folded_said[-shared:] == folded_words[:shared]:
            rest = value.split(None, shared)[shared:]
            return before + rest[0] if rest else before.rstrip()
    return before + value


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word).casefold()


def _lower_word(text: str) -> str:
    """"đề xuất …" for "Đề xuất …"; an abbreviation ("KH&CN", "UBND") keeps its capitals."""
    first = text.split(maxsplit=1)[0] if text else ""
    return text[:1].lower() + text[1:] if first[1:] == first[1:].lower() else text
