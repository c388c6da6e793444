"""The events a round can receive: commands from people and timers firing."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models.rounds import ResponseChannel, ResponseKind


@dataclass(frozen=True)
class CommentInput:
    text: str
    section: str | None = None
    proposed_wording: str | None = None
    quote: str | None = None  # the text of the draft the comment is about, when the unit chose it on its page


@dataclass(frozen=True)
class Launch:
    no_draft_reason: str | None = None  # why staff send a round of a kind that needs a draft without one
    name: str = field(default="launch", init=False)


@dataclass(frozen=True)
class Respond:
    unit_code: str
    kind: ResponseKind
    entered_by: str
    channel: ResponseChannel = ResponseChannel.WEB
    comments: tuple[CommentInput, ...] = ()
    proposals: tuple[dict[str, str], ...] = ()  # filled forms, one per item (several when the form is repeatable)
    note: str | None = None
    late_accept: bool = False
    attachment_name: str | None = None
    attachment_sha256: str | None = None
    name: str = field(default="respond", init=False)


@dataclass(frozen=True)
class Extend:
    new_deadline: date
    unit_code: str | None = None
    reason: str | None = None
    name: str = field(default="extend", init=False)


@dataclass(frozen=True)
class Remind:
    unit_codes: tuple[str, ...] | None = None
    name: str = field(default="remind", init=False)


@dataclass(frozen=True)
class Close:
    reason: str | None = None
    name: str = field(default="close", init=False)


@dataclass(frozen=True)
class Command:
    """A plain named event with data: consolidate, submit, decide_issued, revise, ..."""

    name: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimerFired:
    timer_name: str
    payload: dict[str, Any] = field(default_factory=dict)
    name: str = field(default="timer", init=False)


Event = Launch | Respond | Extend | Remind | Close | Command | TimerFired

# The events the engine raises itself, by class; a definition declares them with their titles.
ENGINE_EVENTS: frozenset[str] = frozenset({"launch", "respond", "extend", "remind", "close"})


def event_unit(event: Event) -> str | None:
    """The unit an event is about, when it names one (an answer, an extension for one unit)."""
    unit = getattr(event, "unit_code", None)
    return unit if isinstance(unit, str) else None


def event_units(event: Event) -> tuple[str, ...] | None:
    """The units an event is about, when it names them (one for an answer or an extension of one unit, the chosen
    ones for a reminder); None when it is about the whole round."""
    unit = event_unit(event)
    if unit is not None:
        return (unit,)
    return event.unit_codes if isinstance(event, Remind) else None
