"""run_due(now): fire every due timer, then deliver every due message. Safe to run in parallel."""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import timedelta

from models.db.claims import release_dead_claims
from models.db.tables import OutboxRow, TimerRow
from workflows.engine.decide import decide
from workflows.engine.events import TimerFired
from workflows.engine.refusals import Refused
from workflows.service.app import App
from workflows.service.apply import apply_decision
from workflows.service.delivery import DeliveryReport, worker_name
from workflows.service.registry import get_workflow

TIMER_BATCH = 100
TIMER_LEASE = timedelta(minutes=5)
SCHEDULER = "hệ thống (bộ hẹn giờ)"


@dataclass
class SweepReport:
    timers_fired: int = 0
    timers_ignored: int = 0
    refused: list[str] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def fire_due_timers(app: App) -> SweepReport:
    """Claim due timers and run each as a step: "close" for a timer that raises an event, else "remind"."""
    from workflows.service.steps import run_step

    report = SweepReport()
    while True:
        now = app.clock.now()
        with app.uow() as uow:
            ids = uow.timers.claim_due(now, TIMER_BATCH, worker_name(), TIMER_LEASE)
            claimed = uow.timers.describe(ids)
            uow.commit()
        if not claimed:
            return report
        for timer_id, round_id, name, state_name, workflow_name in claimed:
            timer = next((t for t in get_workflow(workflow_name).state(state_name).timers if t.name == name), None)
            step = "close" if timer is not None and timer.event else "remind"
            delivery = run_step(app, step, timer_id=timer_id, round_id=round_id)
            report.timers_fired += 1
            if delivery is not None:
                report.delivery.add(delivery)


def fire_timer(app: App, timer_id: int) -> SweepReport:
    report = SweepReport()
    _fire_one(app, timer_id, report)
    return report


def _fire_one(app: App, timer_id: int, report: SweepReport) -> None:
    """Fire one timer and mark it done in the same transaction, so it fires exactly once."""
    now = app.clock.now()
    with app.uow() as uow:
        timer = uow.timers.get_pending(timer_id)
        if timer is None:
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


def release_dead_claims_here(app: App) -> int:
    with app.uow() as uow:
        released = release_dead_claims(uow.session, [TimerRow, OutboxRow], socket.gethostname())
        uow.commit()
    return released


def run_due(app: App) -> SweepReport:
    """Everything due at the clock's now: timers first, then any message still waiting (retries)."""
    from workflows.service.steps import run_step

    release_dead_claims_here(app)
    report = fire_due_timers(app)
    with app.uow(read_only=True) as uow:
        waiting = uow.outbox.has_due(app.clock.now())
    if waiting:
        report.delivery.add(run_step(app, "deliver"))
    return report
