"""run_due(now): fire every due timer, then deliver every due message. Safe to run in parallel.

Both go through the command path's failure policy (service/commands.py): a timer that fired stays fired
when sending what it queued fails, the messages wait in the outbox for the next sweep, and the report
says so (`delivery_errors`) instead of the sweep failing.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import timedelta

from workflows.service.app import App
from workflows.service.commands import Handover, deliver_queued, run_timer
from workflows.service.delivery import DeliveryReport, worker_name
from workflows.service.registry import get_workflow
from workflows.service.timers import TimerReport

TIMER_BATCH = 100
TIMER_LEASE = timedelta(minutes=5)


@dataclass
class SweepReport(TimerReport):
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    delivery_errors: list[str] = field(default_factory=list)  # deliveries that failed; their mail waits

    def add(self, handed: Handover) -> None:
        if handed.report is not None:
            self.delivery.add(handed.report)
        if handed.error is not None:
            self.delivery_errors.append(handed.error)


def fire_due_timers(app: App) -> SweepReport:
    """Claim due timers and run each as a step: "close" for a timer that raises an event, else "remind"."""
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
            handed = run_timer(app, step, timer_id, round_id)
            report.timers_fired += 1
            report.add(handed)


def release_dead_claims_here(app: App) -> int:
    with app.uow() as uow:
        host = socket.gethostname()
        released = uow.timers.release_dead_claims(host) + uow.outbox.release_dead_claims(host)
        uow.commit()
    return released


def run_due(app: App) -> SweepReport:
    """Everything due at the clock's now: timers first, then any message still waiting (retries)."""
    release_dead_claims_here(app)
    report = fire_due_timers(app)
    with app.uow(read_only=True) as uow:
        waiting = uow.outbox.has_due(app.clock.now())
    if waiting:
        report.add(deliver_queued(app))
    return report
