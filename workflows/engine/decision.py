"""What one decision asks the outside world to do, as plain rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.rounds import ResponseChannel, ResponseKind, RoundState
from workflows.engine.events import CommentInput


@dataclass(frozen=True)
class MessageIntent:
    """An email to compose for one unit from the workflow's template of this kind."""

    kind: str
    unit_code: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimerIntent:
    name: str
    key: str
    due_at: datetime
    state: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResponseRecord:
    unit_code: str
    revision: int
    kind: ResponseKind
    entered_by: str
    channel: ResponseChannel
    received_at: datetime
    late: bool
    comments: tuple[CommentInput, ...] = ()
    proposals: tuple[dict[str, str], ...] = ()
    note: str | None = None
    attachment_name: str | None = None
    attachment_sha256: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    action: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Decision:
    """The new state plus every row to persist with it in one transaction."""

    state: RoundState
    event: str
    previous_status: str
    messages: list[MessageIntent] = field(default_factory=list)
    timers: list[TimerIntent] = field(default_factory=list)
    replace_timers: bool = False
    responses: list[ResponseRecord] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    ignored: bool = False

    @property
    def transitioned(self) -> bool:
        return self.state.status != self.previous_status
