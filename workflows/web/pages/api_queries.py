"""Read models the JSON API needs beyond views.py: who owns a round, each unit's latest answer, the directory."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from models.db.tables import UnitGroupRow, UnitRow
from workflows.engine.events import CommentInput
from workflows.service.app import App
from workflows.service.round_page import latest_answers, round_brief


@dataclass(frozen=True)
class UnitResponse:
    """A unit's latest answer to the current draft version, with its comments or proposal."""

    unit_code: str
    unit_name: str
    revision: int
    kind: str
    received_at: datetime
    late: bool
    entered_by: str
    channel: str
    note: str | None
    attachment_name: str | None
    comments: tuple[CommentInput, ...]
    proposal: dict[str, str] | None


@dataclass(frozen=True)
class DirectoryUnit:
    code: str
    name: str
    group: str
    group_label: str
    email: str
    contact_person: str | None
    phone: str | None


def unit_responses(app: App, round_id: int) -> list[UnitResponse]:
    """Latest revision of every unit that answered (the round page's query, in the API's shape)."""
    round_brief(app, round_id)
    return [UnitResponse(a.unit_code, a.unit_name, a.revision, a.kind, a.received_at, a.late, a.entered_by,
                         a.channel, a.note, a.attachment_name,
                         tuple(CommentInput(c.text, c.section, c.proposed_wording) for c in a.comments),
                         {str(k): str(v) for k, v in a.proposal.items()} if a.proposal else None)
            for a in latest_answers(app, round_id)]


def directory_units(app: App, group: str | None = None) -> list[DirectoryUnit]:
    with app.uow(read_only=True) as uow:
        query = (select(UnitRow, UnitGroupRow.label).join(UnitGroupRow, UnitGroupRow.code == UnitRow.group_code)
                 .order_by(UnitRow.group_code, UnitRow.code))
        if group:
            query = query.where(UnitRow.group_code == group)
        rows = uow.session.execute(query).all()
    return [DirectoryUnit(u.code, u.name, u.group_code, label, u.email, u.contact_person, u.phone) for u, label in rows]
