"""Persist a decision: state, responses, timers, outbox and audit in the caller's transaction."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from models.db.unit_of_work import UnitOfWork
from workflows.definition import Workflow
from workflows.engine.decision import Decision
from workflows.service.app import App
from workflows.service.outgoing import OutboxWriter


def apply_decision(app: App, uow: UnitOfWork, workflow: Workflow, decision: Decision, actor: str,
                   now: datetime, on_progress: Callable[[int, int], None] | None = None,
                   also: Callable[[UnitOfWork, Decision], None] | None = None) -> None:
    """`on_progress(done, total)` hears of the messages queued, as they are (a launch to thousands of units);
    `also` writes what belongs with the decision (rows of the caller's own). The audit goes last: on PostgreSQL,
    appending to the round's chain is the one step that answers of one round take in turn
    (AuditRepository.append), so nothing else may come between it and the commit."""
    state = decision.state
    uow.rounds.save(state)
    recipient_ids = {code: uow.rounds.recipient_id(state.id, code) for code in
                     {i.unit_code for i in decision.messages} | {r.unit_code for r in decision.responses}}
    for record in decision.responses:
        uow.responses.add(state.id, recipient_ids[record.unit_code], state.draft_version, record)
    if decision.replace_timers:
        uow.timers.cancel_pending(state.id)
    uow.timers.add(state.id, decision.timers)
    if decision.messages:
        uow.flush()
        OutboxWriter(app, workflow).write(uow, state, uow.rounds.details(state.id), decision.messages,
                                          recipient_ids, now, on_progress)
    if also is not None:
        also(uow, decision)
    uow.audit.append(state.id, now, actor, [(a.action, a.details) for a in decision.audit])
