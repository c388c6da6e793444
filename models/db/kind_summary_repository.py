"""Counts the dashboard shows for each round beyond answers, in one query per kind of count for all rounds listed:
how many units chose each option of a choice field of their latest answer (an RSVP: attending, deputy, declined),
how many headings of a report form their latest answers filled, and how many assigned tasks are handed in, handed in
late, or overdue."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from models.db.tables import ResponseRow
from models.db.tables_assignments import AssignmentRow


def _latest_answers(round_ids: list[int]) -> Any:
    """The id of each unit's latest answer in the rounds, as a subquery to join on."""
    return (select(func.max(ResponseRow.id).label("id"))
            .where(ResponseRow.round_id.in_(round_ids))
            .group_by(ResponseRow.recipient_id)).subquery()


class KindSummaryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def choice_counts(self, round_ids: Iterable[int], key: str) -> dict[int, dict[str, int]]:
        """round id -> value of field `key` in each unit's latest answer (its first form) -> units."""
        ids = list(round_ids)
        if not ids:
            return {}
        latest = _latest_answers(ids)
        value: Any = ResponseRow.proposal[(0, key)].as_string()  # a JSON path: same SQL shape on SQLite and PostgreSQL
        query = (select(ResponseRow.round_id, value, func.count())
                 .join(latest, latest.c.id == ResponseRow.id)
                 .where(value.is_not(None))
                 .group_by(ResponseRow.round_id, value))
        counts: dict[int, dict[str, int]] = {}
        for round_id, chosen, count in self.session.execute(query):
            counts.setdefault(round_id, {})[chosen] = count
        return counts

    def section_counts(self, round_ids: Iterable[int], sections: Sequence[Sequence[str]]) -> dict[int, tuple[int, int]]:
        """round id -> (units that answered, headings filled summed over their latest answers), where `sections` are
        the field keys of each heading a unit answers under; a heading is filled when one of its fields is not empty
        or zero (as ResponseSpec.sections_filled reads a form)."""
        ids = list(round_ids)
        if not ids or not sections:
            return {}
        latest = _latest_answers(ids)

        def given(key: str) -> Any:
            text = cast(ResponseRow.proposal[(0, key)].as_string(), String)
            return func.coalesce(func.trim(text), "").not_in(("", "0"))

        filled = sum((case((or_(*(given(key) for key in keys)), 1), else_=0) for keys in sections), literal(0))
        query = (select(ResponseRow.round_id, func.count(), func.sum(filled))
                 .join(latest, latest.c.id == ResponseRow.id)
                 .group_by(ResponseRow.round_id))
        return {rid: (units, int(total or 0)) for rid, units, total in self.session.execute(query)}

    def assignment_counts(self, round_ids: Iterable[int], today: date) -> dict[int, tuple[int, int, int, int]]:
        """round id -> (assigned, handed in, handed in late, overdue: not handed in and past due on `today`)."""
        ids = list(round_ids)
        if not ids:
            return {}
        done = AssignmentRow.done_at.is_not(None)
        late = case((and_(done, AssignmentRow.late.is_(True)), 1), else_=0)
        overdue = case((and_(AssignmentRow.done_at.is_(None), AssignmentRow.due < today), 1), else_=0)
        query = (select(AssignmentRow.round_id, func.count(), func.count(AssignmentRow.done_at), func.sum(late),
                        func.sum(overdue))
                 .where(AssignmentRow.round_id.in_(ids))
                 .group_by(AssignmentRow.round_id))
        return {rid: (total, handed, int(late_n or 0), int(overdue_n or 0))
                for rid, total, handed, late_n, overdue_n in self.session.execute(query)}
