"""Plan the timers of a state: when each one is due, as UTC instants."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config.calendar import WorkingCalendar
from models.rounds import RoundState
from workflows.definition import TimerDef, TimeSpec, parse_timespec
from workflows.definition.schema import ReminderDef
from workflows.definition.timespec import Anchor, DayKind
from workflows.engine.decision import TimerIntent

DISABLED = "off"


def shift(calendar: WorkingCalendar, start: date, days: int, kind: DayKind) -> date:
    if kind is DayKind.WORKING:
        return calendar.add_working_days(start, days)
    return start + timedelta(days=days)


def fire_moment(day: date, timer: TimerDef | ReminderDef, tz: ZoneInfo) -> datetime:
    """The UTC instant a timer fires on a local date; "24:00" means the end of that day."""
    if timer_is_end_of_day(timer):
        local = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
    else:
        local = datetime.combine(day, timer.time, tzinfo=tz)
    return local.astimezone(ZoneInfo("UTC"))


def timer_is_end_of_day(timer: TimerDef | ReminderDef) -> bool:
    return bool(getattr(timer, "end_of_day", False)) or timer.time == time.max


def effective_spec(state: RoundState, timer: TimerDef) -> TimeSpec | None:
    """The round's own override of a timer (or None when the round switched it off)."""
    override = state.timer_overrides.get(timer.name)
    if override is None:
        return timer.at
    if override == DISABLED:
        return None
    return parse_timespec(override, None)  # checked against the kind's dates when the round was made


Grace = tuple[int, DayKind] | None  # the workflow's grace period: the close waits this long after the deadline


def closing_date(calendar: WorkingCalendar, deadline: date, grace: Grace) -> date:
    """The last day answers are taken for a deadline: the deadline itself, or the end of its grace period."""
    return shift(calendar, deadline, grace[0], grace[1]) if grace else deadline


def _anchors(state: RoundState, timer: TimerDef, spec: TimeSpec, tz: ZoneInfo,
             calendar: WorkingCalendar, grace: Grace) -> list[tuple[date, dict[str, Any]]]:
    """The dates a timer counts from, each with the payload that tells its firing what it was for.

    A timer that raises an event fires once, from the latest deadline of any unit; a timer with
    only effects (a reminder) fires once per distinct unit deadline, so an extended unit is reminded
    against its own deadline.
    """
    if spec.anchor is Anchor.LAUNCH:
        return [(state.launched_at.astimezone(tz).date(), {})] if state.launched_at else []
    if spec.anchor is Anchor.ENTERED:
        return [(state.entered_at.astimezone(tz).date(), {})] if state.entered_at else []
    if not isinstance(spec.anchor, Anchor):  # a date the workflow declares, given with the round
        named = state.dates.get(spec.anchor)
        return [(named, {})] if named else []
    def anchored(deadline: date) -> date:
        return closing_date(calendar, deadline, grace) if spec.anchor is Anchor.CLOSING else deadline

    if timer.event:
        latest = state.latest_deadline()
        return [(anchored(latest), {"deadline": latest.isoformat()})] if latest else []
    deadlines = sorted(state.unit_deadlines())
    return [(anchored(d), {"deadline": d.isoformat()}) for d in deadlines]


def occurrence_date(calendar: WorkingCalendar, anchor: date, spec: TimeSpec, occurrence: int) -> date:
    first = shift(calendar, anchor, spec.offset, spec.day_kind)
    if occurrence == 1 or not spec.repeat_every:
        return first
    return shift(calendar, first, spec.repeat_every * (occurrence - 1), spec.repeat_kind)


def spec_date(calendar: WorkingCalendar, spec: TimeSpec, deadline: date | None, dates: dict[str, date],
              grace: Grace = None) -> date | None:
    """The first date a TimeSpec names for a round with this deadline and these named dates (None when its anchor
    has no date: a date not given, or launch/entered, which only a running round has)."""
    if spec.anchor is Anchor.DEADLINE or spec.anchor is Anchor.CLOSING:
        if deadline is None:
            return None
        anchor = closing_date(calendar, deadline, grace) if spec.anchor is Anchor.CLOSING else deadline
    elif isinstance(spec.anchor, Anchor) or spec.anchor not in dates:
        return None
    else:
        anchor = dates[spec.anchor]
    return shift(calendar, anchor, spec.offset, spec.day_kind)


@dataclass(frozen=True)
class NextReminder:
    """The next reminder of an assigned task: which of its reminders, which occurrence, and when (UTC)."""

    index: int
    occurrence: int
    at: datetime


def next_reminder(reminders: list[ReminderDef], due: date, after: datetime, calendar: WorkingCalendar,
                  tz: ZoneInfo) -> NextReminder | None:
    """The earliest reminder of a task due on `due` that falls after `after` (every reminder counts from the
    task's own due date, its `at` anchored on "due"); None when none is left. Missed ones are not caught up."""
    best: NextReminder | None = None
    for index, reminder in enumerate(reminders):
        for occurrence in range(1, reminder.at.max_times + 1):
            moment = fire_moment(occurrence_date(calendar, due, reminder.at, occurrence), reminder, tz)
            if moment > after:
                if best is None or moment < best.at:
                    best = NextReminder(index, occurrence, moment)
                break
    return best


def plan_timer(state: RoundState, timer: TimerDef, now: datetime, calendar: WorkingCalendar,
               tz: ZoneInfo, first_occurrence: int = 1,
               only_payload: dict[str, Any] | None = None, grace: Grace = None,
               closes_at: datetime | None = None) -> list[TimerIntent]:
    """The next firing of one timer for each of its anchors, skipping firings already past.

    An event timer whose moment has passed is still planned (it fires at the next sweep): a round
    must close even when its deadline went by while nothing was running. A timer with effects only is
    not planned at or after `closes_at`, the moment the state's closing timer fires: it would never come.
    """
    spec = effective_spec(state, timer)
    if spec is None:
        return []
    planned: list[TimerIntent] = []
    for anchor, payload in _anchors(state, timer, spec, tz, calendar, grace):
        if only_payload is not None and payload.get("deadline") != only_payload.get("deadline"):
            continue
        occurrence = first_occurrence
        while occurrence <= spec.max_times:
            due = fire_moment(occurrence_date(calendar, anchor, spec, occurrence), timer, tz)
            if not timer.event and closes_at is not None and due >= closes_at:
                break
            if due > now or timer.event:
                key = f"{timer.name}@{payload.get('deadline', anchor.isoformat())}#{occurrence}"
                planned.append(TimerIntent(timer.name, key, due, state.status,
                                           {**payload, "occurrence": occurrence}))
                break
            occurrence += 1
    return planned


def plan_state_timers(state: RoundState, timers: list[TimerDef], now: datetime,
                      calendar: WorkingCalendar, tz: ZoneInfo, grace: Grace = None) -> list[TimerIntent]:
    """Every timer of a state; reminders due after the state's closing timer are left out."""
    closing = [intent for timer in timers if timer.event
               for intent in plan_timer(state, timer, now, calendar, tz, grace=grace)]
    closes_at = min((intent.due_at for intent in closing), default=None)
    planned: list[TimerIntent] = []
    for timer in timers:
        if timer.event:
            planned.extend(i for i in closing if i.name == timer.name)
        else:
            planned.extend(plan_timer(state, timer, now, calendar, tz, grace=grace, closes_at=closes_at))
    return planned


def state_closes_at(state: RoundState, timers: list[TimerDef], now: datetime, calendar: WorkingCalendar,
                    tz: ZoneInfo, grace: Grace = None) -> datetime | None:
    """When the state's closing timer fires (None when it has none)."""
    moments = [intent.due_at for timer in timers if timer.event
               for intent in plan_timer(state, timer, now, calendar, tz, grace=grace)]
    return min(moments, default=None)
