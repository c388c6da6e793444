"""A timer fires only when it is due, on the clock of the process that runs its step: a run of the "remind" step for
a timer whose time is more than a minute away (another installation's timer of the same id, on a shared work pool;
a step submitted by mistake) leaves it pending, and the reminder goes out at its time, once. A process whose clock
runs a little behind serve's still fires a timer serve found due."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from config.clock import FrozenClock
from workflows.engine.events import Launch
from workflows.service.app import App
from workflows.service.commands import run_command
from workflows.service.steps import fire_timer_step
from workflows.service.timers import EARLY_FIRING_TOLERANCE, fire_timer


def reminders_queued(app: App, round_id: int) -> int:
    with app.uow(read_only=True) as uow:
        return sum(1 for row in uow.outbox.for_round(round_id) if row.kind == "reminder_before")


def test_a_timer_run_before_its_time_stays_pending_and_fires_once_at_its_time(
        app: App, clock: FrozenClock, make_round: Callable[..., int], staff: str,
        caplog: pytest.LogCaptureFixture) -> None:
    round_id = make_round()
    clock.set(datetime.fromisoformat("2025-11-20T09:00").replace(tzinfo=app.tz))
    run_command(app, round_id, Launch(), staff)
    with app.uow(read_only=True) as uow:
        reminder = next(t for t in uow.timers.pending_for_round(round_id) if t.name == "remind_before")
    due = reminder.due_at

    early = fire_timer(app, reminder.id)  # days before its time
    assert (early.timers_fired, early.timers_not_due) == (0, 1)
    with caplog.at_level(logging.WARNING, logger="ykien.steps"):
        fire_timer_step(app, reminder.id, round_id)  # as a worker runs the "remind" step: it says why it did nothing
    assert f"hẹn giờ {reminder.id} của đợt {round_id} chưa đến hạn" in caplog.text
    clock.set(due - EARLY_FIRING_TOLERANCE - timedelta(seconds=1))
    assert fire_timer(app, reminder.id).timers_not_due == 1
    with app.uow(read_only=True) as uow:
        assert uow.timers.get_pending(reminder.id) is not None
    assert reminders_queued(app, round_id) == 0

    clock.set(due - timedelta(seconds=30))  # this process's clock 30 s behind the one that found it due
    assert fire_timer(app, reminder.id).timers_fired == 1
    queued = reminders_queued(app, round_id)
    assert queued > 0
    clock.set(due + timedelta(minutes=5))
    again = fire_timer(app, reminder.id)
    assert (again.timers_fired, again.timers_not_due) == (0, 0) and reminders_queued(app, round_id) == queued
