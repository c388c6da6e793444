"""The numbers of a round's comments as last shown to each person: the comment ids in the table's order, one row per
round, draft version and person (models/db/tables.NumberingShownRow)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import NumberingShownRow


@dataclass(frozen=True)
class NumberingShown:
    comment_ids: tuple[int, ...]  # number n is comment_ids[n - 1]
    shown_at: datetime


class NumberingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, round_id: int, draft_version: int, shown_to: str) -> NumberingShownRow | None:
        return self.session.scalar(select(NumberingShownRow).where(
            NumberingShownRow.round_id == round_id, NumberingShownRow.draft_version == draft_version,
            NumberingShownRow.shown_to == shown_to))

    def last_shown(self, round_id: int, draft_version: int, shown_to: str) -> NumberingShown | None:
        row = self._row(round_id, draft_version, shown_to)
        if row is None:
            return None
        return NumberingShown(tuple(int(i) for i in row.comment_ids), row.shown_at)

    def remember(self, round_id: int, draft_version: int, shown_to: str, comment_ids: Sequence[int],
                 at: datetime) -> bool:
        """Keep these numbers as shown to `shown_to` now, unless the same numbers were; True when written."""
        row = self._row(round_id, draft_version, shown_to)
        if row is not None and list(row.comment_ids) == list(comment_ids):
            return False
        if row is None:
            self.session.add(NumberingShownRow(round_id=round_id, draft_version=draft_version, shown_to=shown_to,
                                               comment_ids=list(comment_ids), shown_at=at))
        else:
            row.comment_ids, row.shown_at = list(comment_ids), at
        return True
