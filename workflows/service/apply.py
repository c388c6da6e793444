"""Persist a decision: state, responses, timers, outbox and audit in the caller's transaction."""
from __future__ import annotations

from datetime import datetime

from models.db.tables import CommentRow, ResponseRow
from models.db.unit_of_work import UnitOfWork
from workflows.definition import Workflow
from workflows.engine.decision import Decision
from workflows.service.app import App
from workflows.service.outgoing import OutboxWriter


def apply_decision(app: App, uow: UnitOfWork, workflow: Workflow, decision: Decision, actor: str,
                   now: datetime) -> None:
    state = decision.state
    uow.rounds.save(state)
    recipient_ids = {code: uow.rounds.recipient_id(state.id, code) for code in
                     {i.unit_code for i in decision.messages} | {r.unit_code for r in decision.responses}}
    for record in decision.responses:
        response = ResponseRow(
            round_id=state.id, recipient_id=recipient_ids[record.unit_code], draft_version=state.draft_version,
            revision=record.revision, kind=record.kind.value, entered_by=record.entered_by,
            channel=record.channel.value, received_at=record.received_at, late=record.late,
            note=record.note, proposal=record.proposal, attachment_name=record.attachment_name,
            attachment_sha256=record.attachment_sha256)
        uow.session.add(response)
        uow.flush()
        uow.session.add_all(CommentRow(response_id=response.id, position=i, section=c.section, text=c.text,
                                       proposed_wording=c.proposed_wording)
                            for i, c in enumerate(record.comments, start=1))
    if decision.replace_timers:
        uow.timers.cancel_pending(state.id)
    uow.timers.add(state.id, decision.timers)
    if decision.messages:
        uow.flush()
        OutboxWriter(app, workflow).write(uow.session, state, uow.rounds.details(state.id), decision.messages,
                                          recipient_ids, now)
    uow.audit.append(state.id, now, actor, [(a.action, a.details) for a in decision.audit])
