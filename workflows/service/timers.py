"""Fire one timer in one transaction: the use case behind the "remind" and "close" steps."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from workflows.engine.decide import decide
from workflows.engine.events import TimerFired
from workflows.engine.refusals import Refused
from workflows.service.app import App
from workflows.service.apply import apply_decision
from workflows.service.registry import get_workflow

SCHEDULER = "hệ thống (bộ hẹn giờ)"
# A timer is fired by whichever process runs its step, on that process's clock: one that runs a little behind
# ykien serve's still fires it; one that finds it due later than this (its clock far behind serve's, a restored copy
# of this database sharing the work pool under the same installation id, a step submitted by mistake) leaves it
# pending for its time.
EARLY_FIRING_TOLERANCE = timedelta(minutes=1)


@dataclass
class TimerReport:
    """Timers fired, ignored (their round had left the timer's state), not yet due, and refused by the engine."""

    timers_fired: int = 0
    timers_ignored: int = 0
    timers_not_due: int = 0
    refused: list[str] = field(default_factory=list)


def fire_timer(app: App, timer_id: int) -> TimerReport:
    report = TimerReport()
    _fire_one(app, timer_id, report)
    return report


def _fire_one(app: App, timer_id: int, report: TimerReport) -> None:
    """Fire one timer and mark it done in the same transaction, so it fires exactly once."""
    now = app.clock.now()
    with app.uow() as uow:
        timer = uow.timers.get_pending(timer_id)
        if timer is None:
            return
        if timer.due_at > now + EARLY_FIRING_TOLERANCE:  # a pending timer's time never moves (it is replaced)
            report.timers_not_due += 1
            return
        state = uow.rounds.get(timer.round_id, lock=True)
        timer = uow.timers.get_pending(timer_id)  # re-read under the round lock
        if timer is None:
            return
        workflow = get_workflow(state.workflow)
        if timer.state != state.status:
            uow.timers.mark_fired(timer, now)
            report.timers_ignored += 1
            uow.commit()
            return
        try:
            decision = decide(state, TimerFired(timer.name, dict(timer.payload)), now, workflow,
                              app.calendar, app.tz)
        except Refused as refusal:
            uow.audit.append(state.id, now, SCHEDULER, [("timer_refused", {
                "timer": timer.name, "code": refusal.code, "message": refusal.message})])
            uow.timers.mark_fired(timer, now)
            report.refused.append(f"{timer.name}: {refusal.message}")
            uow.commit()
            return
        uow.timers.mark_fired(timer, now)
        apply_decision(app, uow, workflow, decision, SCHEDULER, now)
        uow.commit()
        report.timers_fired += 1
