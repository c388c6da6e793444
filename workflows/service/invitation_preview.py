"""The invitation email of a draft round as one unit would get it, before anything is sent."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date

from models.rounds import RecipientRole
from models.text import nfc
from notifications.compose import ComposedEmail
from workflows.engine.decision import MessageIntent
from workflows.service.app import App
from workflows.service.outgoing import RoundMail, files_at_link, letter_citation, message_context
from workflows.service.registry import get_workflow
from workflows.service.unit_lookup import find_recipient

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
    by_role: dict[str, int]  # role -> how many units of the round have it
    typed: str = ""  # what staff typed in the unit field, shown back in it
    unit_problem: str | None = None  # why `typed` named no unit of the round (the letter shown is then the first's)

    @property
    def units_total(self) -> int:
        return sum(self.by_role.values())


def preview_invitation(app: App, round_id: int, typed: str | None = None) -> InvitationPreview:
    """Compose the invitation for one unit, with a placeholder link: the unit `typed` names (a code or a name, whole
    or in part, with or without diacritics, any role: unit_lookup.find_recipient), else the first asked to comment.
    A deadline given in working days is counted from today, as launching now would. Reads that one unit and the
    count of units by role, never the round's list: a preview costs the same at 5,000 units as at 50."""
    today = app.clock.now().astimezone(app.tz).date()
    typed = nfc(typed or "").strip()
    choice = find_recipient(app, round_id, typed) if typed else None
    with app.uow(read_only=True) as uow:
        code = choice.code if choice is not None and choice.code else uow.rounds.first_unit(round_id)
        if code is None:
            raise ValueError(f"round {round_id} has no recipients")
        state = uow.rounds.get(round_id, lock=False, only_unit=code)
        by_role = uow.rounds.role_counts(round_id)
        details = uow.rounds.details(round_id)
        workflow = get_workflow(state.workflow)
        letter = letter_citation(uow, workflow, round_id)
        at_link = files_at_link(app, uow, workflow, state, details)  # named in the preview as the mail will
    chosen = state.recipients[code]
    preview_state = copy.copy(state)
    if state.launched_at is None and state.deadline_working_days is not None:
        preview_state.deadline = app.calendar.add_working_days(today, state.deadline_working_days)
    link = PLACEHOLDER_LINK if chosen.role is not RecipientRole.INFORM else None
    mail = RoundMail.of(app, workflow, preview_state, letter, at_link)
    context = message_context(app, mail, preview_state, details, chosen,
                              MessageIntent("invitation", chosen.unit_code, {}), link)
    email = mail.compose("invitation", context)
    return InvitationPreview(
        round_id=state.id, status=state.status, unit_code=chosen.unit_code, unit_name=chosen.unit_name,
        unit_email=chosen.email, role=chosen.role.value, deadline=chosen.deadline(preview_state.deadline),
        deadline_working_days=state.deadline_working_days, email=email,
        by_role={role.value: by_role[role.value] for role in RecipientRole if by_role.get(role.value)},
        typed=typed, unit_problem=choice.problem if choice is not None else None)
