"""The state of a round as the engine sees it: plain data, no database."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum


class RecipientRole(StrEnum):
    COMMENT = "comment"
    PUBLISH = "publish"
    INFORM = "inform"


class ResponseKind(StrEnum):
    COMMENTS = "comments"
    AGREE = "agree"
    PROPOSALS = "proposals"


class ResponseChannel(StrEnum):
    WEB = "web"
    PAPER = "paper"
    PHONE = "phone"
    EMAIL = "email"


@dataclass
class RecipientState:
    """One unit addressed by a round, with what it has done so far."""

    unit_code: str
    unit_name: str
    email: str
    group: str
    role: RecipientRole
    contact_person: str | None = None
    deadline_override: date | None = None
    response_kind: ResponseKind | None = None
    responded_at: datetime | None = None
    response_late: bool = False
    response_revision: int = 0
    reminders_sent: int = 0

    @property
    def answers(self) -> bool:
        """Whether the unit is expected to answer (publish/inform units are not)."""
        return self.role is RecipientRole.COMMENT

    @property
    def has_answered(self) -> bool:
        return self.response_kind is not None

    @property
    def answered_with_content(self) -> bool:
        """Answered with comments or forms: not "agree", which a kind may word "không có đề xuất"."""
        return self.response_kind is not None and self.response_kind is not ResponseKind.AGREE

    @property
    def extended(self) -> bool:
        return self.deadline_override is not None

    def deadline(self, round_deadline: date | None) -> date | None:
        return self.deadline_override or round_deadline


@dataclass
class Task:
    """A piece of work the workflow opens for staff, e.g. the report to UBND after zero responses."""

    name: str
    opened_at: datetime
    done_at: datetime | None = None


@dataclass(frozen=True)
class UnitCounts:
    """How many units a round asks to answer, how many of them have answered, and how many of those answered with
    content (comments or forms, not "agree")."""

    asked: int = 0
    answered: int = 0
    with_content: int = 0


@dataclass
class RoundState:
    """Everything the engine needs to decide the next step of one round."""

    id: int
    workflow: str
    status: str
    title: str
    subject: str
    office: str
    deadline: date | None
    silence_is_agreement: bool = True
    deadline_working_days: int | None = None
    launched_at: datetime | None = None
    # The deadline the round's letter asked for when it went out: an extension of the whole round moves `deadline`,
    # not what the letter already sent said (None before the launch)
    launch_deadline: date | None = None
    entered_at: datetime | None = None
    closed_at: datetime | None = None
    draft_version: int = 1
    timer_overrides: dict[str, str] = field(default_factory=dict)
    dates: dict[str, date] = field(default_factory=dict)  # the named dates the kind declares (`dates:`), by key
    tasks: list[Task] = field(default_factory=list)
    outcome: dict[str, str] = field(default_factory=dict)
    recipients: dict[str, RecipientState] = field(default_factory=dict)
    unhandled_comments: int = 0  # comments of the current draft version not yet given a handling
    # A state loaded for an event about one unit holds that unit only (partial); `others` then counts the
    # units left out, when the event's guards need the counts (None: not loaded).
    partial: bool = False
    others: UnitCounts | None = None
    # ...and the deadline overrides of the units left out that are asked to answer, when the event replans the
    # timers (None in the set: a unit on the round's deadline; the field None: not loaded).
    other_deadlines: frozenset[date | None] | None = None

    def clone(self) -> RoundState:
        """A copy the engine may change freely. Every field of a recipient or task is immutable, so a
        shallow copy of each is a deep copy, at a fraction of copy.deepcopy's cost on thousands of units."""
        return replace(self, timer_overrides=dict(self.timer_overrides), tasks=[replace(t) for t in self.tasks],
                       outcome=dict(self.outcome),
                       recipients={code: replace(r) for code, r in self.recipients.items()})

    def recipient(self, unit_code: str) -> RecipientState | None:
        return self.recipients.get(unit_code)

    def answering(self) -> list[RecipientState]:
        return [r for r in self.recipients.values() if r.answers]

    def pending(self) -> list[RecipientState]:
        """Units asked to answer that have not answered yet (of those loaded: every unit unless partial)."""
        return [r for r in self.answering() if not r.has_answered]

    def _others(self) -> UnitCounts:
        if not self.partial:
            return UnitCounts()
        if self.others is None:
            raise RuntimeError(f"round {self.id} was loaded for one unit without the counts of the others")
        return self.others

    def asked_count(self) -> int:
        """Units asked to answer, in the whole round (a partial state adds the counts of the units left out)."""
        return len(self.answering()) + self._others().asked

    def answered_count(self) -> int:
        """Units that have answered, in the whole round."""
        return sum(1 for r in self.answering() if r.has_answered) + self._others().answered

    def answered_with_content_count(self) -> int:
        """Units that answered with comments or forms (not "agree"), in the whole round."""
        return sum(1 for r in self.answering() if r.answered_with_content) + self._others().with_content

    def pending_count(self) -> int:
        """Units asked to answer that have not answered yet, in the whole round."""
        return self.asked_count() - self.answered_count()

    def unit_deadlines(self) -> set[date]:
        """The distinct deadlines of the units asked to answer, in the whole round."""
        deadlines = {d for r in self.answering() if (d := r.deadline(self.deadline))}
        if self.partial:
            if self.other_deadlines is None:
                raise RuntimeError(f"round {self.id} was loaded for one unit without the deadlines of the others")
            deadlines |= {d for override in self.other_deadlines if (d := override or self.deadline)}
        return deadlines

    def latest_deadline(self) -> date | None:
        deadlines = self.unit_deadlines()
        if self.deadline is not None:
            deadlines.add(self.deadline)
        return max(deadlines) if deadlines else None

    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.done_at is None]
