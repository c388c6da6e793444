"""What guards and effects see: the state being changed, the event, the time, the calendar."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.calendar import WorkingCalendar
from models.rounds import RoundState
from workflows.definition import Workflow
from workflows.engine.decision import Decision
from workflows.engine.events import Event


@dataclass
class EngineContext:
    state: RoundState
    event: Event
    now: datetime
    workflow: Workflow
    calendar: WorkingCalendar
    tz: ZoneInfo
    decision: Decision
    timer_payload: dict[str, Any] = field(default_factory=dict)
    reschedule: bool = False
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> date:
        """The local date in the department's time zone."""
        return self.now.astimezone(self.tz).date()

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()
