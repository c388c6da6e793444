"""A unit's answer saved unsent ("Lưu nháp, chưa gửi"): at most one per recipient, replaced by each save and removed
when the unit sends. Every read and write names the one recipient: saving is that unit's business alone."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from models.db.tables import SavedAnswerRow, table_of


@dataclass(frozen=True)
class SavedAnswer:
    """What the unit had typed when it saved: the choice, the comment rows, the forms."""

    draft_version: int
    answer: str | None
    rows: tuple[dict[str, str], ...]  # section, comment, proposed, quote
    proposals: tuple[dict[str, str], ...]
    saved_at: datetime


def _strings(items: Any) -> tuple[dict[str, str], ...]:
    if not isinstance(items, list):
        return ()
    return tuple({str(k): str(v) for k, v in item.items() if v is not None} for item in items
                 if isinstance(item, Mapping))


# Every answer runs it (most find nothing to delete): Core, without the ORM's bulk-delete bookkeeping.
_REMOVE = delete(table_of(SavedAnswerRow)).where(table_of(SavedAnswerRow).c.recipient_id == bindparam("recipient_id"))


class SavedAnswerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, recipient_id: int) -> SavedAnswer | None:
        row = self.session.scalar(select(SavedAnswerRow).where(SavedAnswerRow.recipient_id == recipient_id))
        if row is None:
            return None
        return SavedAnswer(row.draft_version, row.answer, _strings(row.rows), _strings(row.proposals), row.saved_at)

    def save(self, round_id: int, recipient_id: int, draft_version: int, answer: str | None,
             rows: Sequence[Mapping[str, str]], proposals: Sequence[Mapping[str, str]], saved_at: datetime) -> None:
        """Keep what the unit typed, in place of what it saved before."""
        row = self.session.scalar(select(SavedAnswerRow).where(SavedAnswerRow.recipient_id == recipient_id)
                                  .with_for_update())
        if row is None:
            row = SavedAnswerRow(round_id=round_id, recipient_id=recipient_id)
            self.session.add(row)
        row.draft_version = draft_version
        row.answer = answer
        row.rows = [dict(r) for r in rows]
        row.proposals = [dict(p) for p in proposals]
        row.saved_at = saved_at
        self.session.flush()

    def remove(self, recipient_id: int) -> None:
        self.session.execute(_REMOVE, {"recipient_id": recipient_id})
