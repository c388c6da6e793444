"""Triage: give every comment of the current draft a handling, alone or grouped with identical ones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.consolidation import HANDLING_LABELS, Handling, check_handling
from models.db.tables import CommentRow, HandlingRow, RecipientRow, ResponseRow
from models.errors import DomainError, InvalidInput
from models.text import nfc_or_none
from workflows.definition.schema import Capability
from workflows.service.app import App
from workflows.service.registry import get_workflow


@dataclass(frozen=True)
class TriageItem:
    comment_id: int
    unit_code: str
    unit_name: str
    section: str | None
    text: str
    proposed_wording: str | None
    late: bool
    handling_id: int | None
    decision: Handling | None
    explanation: str | None
    decided_by: str | None
    decided_at: datetime | None

    @property
    def decision_label(self) -> str:
        return HANDLING_LABELS[self.decision] if self.decision else "Chưa xử lý"


def triage_items(app: App, round_id: int) -> list[TriageItem]:
    """Every comment in the units' latest answers to the current draft version, in unit order."""
    with app.uow(read_only=True) as uow:
        return _triage(uow.session, round_id, uow.rounds.row(round_id).draft_version)


def _triage(session: Session, round_id: int, version: int) -> list[TriageItem]:
    rows = session.execute(
        select(CommentRow, RecipientRow.unit_code, RecipientRow.unit_name, ResponseRow.late, HandlingRow)
        .join(ResponseRow, ResponseRow.id == CommentRow.response_id)
        .join(RecipientRow, RecipientRow.id == ResponseRow.recipient_id)
        .outerjoin(HandlingRow, HandlingRow.id == CommentRow.handling_id)
        .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == version,
               ResponseRow.revision == RecipientRow.response_revision)
        .order_by(RecipientRow.id, CommentRow.position)).all()
    return [TriageItem(c.id, code, name, c.section, c.text, c.proposed_wording, late, c.handling_id,
                       Handling(h.decision) if h else None, h.explanation if h else None,
                       h.decided_by if h else None, h.decided_at if h else None)
            for c, code, name, late, h in rows]


def handle_comments(app: App, round_id: int, comment_ids: list[int], decision: str, explanation: str | None,
                    actor: str) -> int:
    """Give one handling to the listed comments (several units' identical comments share it)."""
    try:
        handling = Handling(decision)
    except ValueError:
        raise InvalidInput(f"decision: \"{decision}\" không hợp lệ ({', '.join(h.value for h in Handling)}).",
                           "bad_decision") from None
    explanation = nfc_or_none(explanation)
    check_handling(handling, explanation)
    if not comment_ids:
        raise InvalidInput("Chưa chọn ý kiến nào.", "no_comments")
    now = app.clock.now()
    with app.uow() as uow:
        round_row = uow.rounds.row(round_id, lock=True)  # the round's row only: its units are not needed
        workflow = get_workflow(round_row.workflow)
        if not workflow.allows(round_row.status, Capability.TRIAGE):
            raise DomainError(f"Không thể xử lý ý kiến khi đợt đang ở trạng thái "
                              f"\"{workflow.state_title(round_row.status)}\".", "triage_not_allowed")
        current = {item.comment_id for item in _triage(uow.session, round_id, round_row.draft_version)}
        unknown = sorted(set(comment_ids) - current)
        if unknown:
            raise DomainError(f"Ý kiến số {', '.join(map(str, unknown))} không thuộc bản trả lời mới nhất của "
                              "dự thảo hiện hành trong đợt này.", "comment_unknown")
        row = HandlingRow(round_id=round_id, draft_version=round_row.draft_version, decision=handling.value,
                          explanation=explanation, decided_by=actor, decided_at=now)
        uow.session.add(row)
        uow.flush()
        uow.session.execute(update(CommentRow).where(CommentRow.id.in_(comment_ids)).values(handling_id=row.id))
        uow.audit.append(round_id, now, actor, [("comments_handled", {
            "comments": sorted(comment_ids), "decision": handling.value, "explanation": explanation})])
        uow.commit()
        return row.id
