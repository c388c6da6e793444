"""The invitation email of a draft round as one unit would get it, before anything is sent."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from models.rounds import RecipientRole
from notifications.compose import ComposedEmail
from workflows.engine.decision import MessageIntent
from workflows.service.app import App
from workflows.service.outgoing import RoundMail, letter_citation, message_context
from workflows.service.registry import get_workflow

PLACEHOLDER_LINK = "(đường dẫn riêng của từng đơn vị)"


@dataclass(frozen=True)
class InvitationPreview:
    round_id: int
    status: str
    unit_code: str
    unit_name: str
    unit_email: str
    role: str
    deadline: date | None
    deadline_working_days: int | None
    email: ComposedEmail
    by_role: dict[str, int]
    units: list[tuple[str, str, str]]  # (code, name, role) of every recipient, for choosing another


def preview_invitation(app: App, round_id: int, unit_code: str | None = None) -> InvitationPreview:
    """Compose the invitation for one unit (the first asked to comment unless given), with a placeholder link;
    a deadline given in working days is counted from today, as launching now would."""
    today = app.clock.now().astimezone(app.tz).date()
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
        details = uow.rounds.details(round_id)
        workflow = get_workflow(state.workflow)
        letter = letter_citation(uow, workflow, round_id)
    recipients = list(state.recipients.values())
    if not recipients:
        raise ValueError(f"round {round_id} has no recipients")
    chosen = state.recipients.get(unit_code or "") or next(
        (r for r in recipients if r.role is RecipientRole.COMMENT), recipients[0])
    preview_state = copy.copy(state)
    if state.launched_at is None and state.deadline_working_days is not None:
        preview_state.deadline = app.calendar.add_working_days(today, state.deadline_working_days)
    link = PLACEHOLDER_LINK if chosen.role is not RecipientRole.INFORM else None
    mail = RoundMail.of(app, workflow, preview_state, letter)
    context = message_context(app, mail, preview_state, details, chosen,
                              MessageIntent("invitation", chosen.unit_code, {}), link)
    email = mail.compose("invitation", context)
    by_role: dict[str, int] = {}
    for recipient in recipients:
        by_role[recipient.role.value] = by_role.get(recipient.role.value, 0) + 1
    return InvitationPreview(
        round_id=state.id, status=state.status, unit_code=chosen.unit_code, unit_name=chosen.unit_name,
        unit_email=chosen.email, role=chosen.role.value, deadline=chosen.deadline(preview_state.deadline),
        deadline_working_days=state.deadline_working_days, email=email, by_role=by_role,
        units=[(r.unit_code, r.unit_name, r.role.value) for r in recipients])
