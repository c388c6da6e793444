"""The pydantic schema of a workflow definition (one YAML file in workflows/definitions/).

Structure and per-field rules only; cross-references (states, registry names, reachability)
are checked in validate.py, which also turns errors into file:line:col problems.
"""

from __future__ import annotations

import datetime as dt
import re
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

from workflows.definition.timespec import TimeSpec, parse_timespec

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"  # states, events, timers, field keys
WORKFLOW_NAME_PATTERN = r"^[a-z_]+$"

END_OF_DAY = dt.time.max  # "24:00": the timer fires at the very end of its day
DEFAULT_TIMER_TIME = dt.time(8, 0)

_CLOCK_RE = re.compile(r"^(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})$")


class RecipientRole(StrEnum):
    """What a recipient unit is asked to do."""

    COMMENT = "comment"  # góp ý / trả lời
    PUBLISH = "publish"  # đăng tải dự thảo
    INFORM = "inform"  # để biết, báo cáo


class DefinitionModel(BaseModel):
    """Base: unknown fields rejected, no type coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _parse_at(value: Any) -> TimeSpec:
    if isinstance(value, TimeSpec):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a quoted duration such as \"deadline - 2 working days\", got {value!r}")
    return parse_timespec(value)


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
    raise ValueError(f"bad time {value!r}: expected \"HH:MM\" from \"00:00\" to \"24:00\" (end of day)")


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


class ResponseField(DefinitionModel):
    """One field of a structured response form (e.g. Mẫu A1-ĐXNV)."""

    key: Name
    label: str = Field(min_length=1)
    required: bool = False
    kind: Literal["text", "money", "months"] = "text"


class ResponseSpec(DefinitionModel):
    """What a recipient sends back: free comments, or proposals on a form."""

    kind: Literal["comments", "proposals"]
    allow_agree: bool = True  # the unit may answer "agree / no comment" without text
    fields: list[ResponseField] = []

    @model_validator(mode="after")
    def _fields_match_kind(self) -> ResponseSpec:
        if self.kind == "proposals" and not self.fields:
            raise ValueError("a proposals response needs a list of fields (the form)")
        if self.kind == "comments" and self.fields:
            raise ValueError("fields apply only to kind \"proposals\"")
        keys = [f.key for f in self.fields]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"field key listed twice: {', '.join(repeated)}")
        return self


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

    @model_validator(mode="after")
    def _does_something(self) -> TimerDef:
        if self.event is None and not self.effects:
            raise ValueError(f"timer '{self.name}' has neither an event nor effects: give at least one")
        return self


class StateDef(DefinitionModel):
    """A state: its Vietnamese label, entry effects, timers and transitions by event name."""

    title: str = Field(min_length=1)
    final: bool = False
    entry: list[str] = []
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
    templates: dict[str, str]  # message kind -> notification template name
    documents: dict[str, str] = {}  # document kind -> document template name
    states: dict[str, StateDef]

    def events(self) -> set[str]:
        """Every event some state handles or some timer fires."""
        names: set[str] = set()
        for state in self.states.values():
            names.update(state.transitions)
            names.update(t.event for t in state.timers if t.event is not None)
        return names

    def timer_title(self, name: str) -> str:
        """The Vietnamese title of a timer of any state (its name when it has none)."""
        for state in self.states.values():
            for timer in state.timers:
                if timer.name == name:
                    return timer.title or timer.name
        return name

    def state(self, name: str) -> StateDef:
        """The state called name (KeyError if none)."""
        try:
            return self.states[name]
        except KeyError:
            raise KeyError(f"workflow {self.name!r} has no state {name!r}") from None

    def final_states(self) -> set[str]:
        """Names of the final states."""
        return {name for name, state in self.states.items() if state.final}
