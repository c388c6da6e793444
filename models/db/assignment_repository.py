"""Assignments of a round's preparatory tasks: one row per (round, unit, task). A hand-in or a reminder reads and
writes that one row; the grid reads the rows of one page of units."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.assignments import Assignment
from models.db.claims import claim_ids
from models.db.tables import RecipientRow
from models.db.tables_assignments import AssignmentRow

PENDING = "pending"  # a reminder may still come
DONE = "done"  # handed in, or no reminder left


def _assignment(row: AssignmentRow, unit_code: str, unit_name: str) -> Assignment:
    return Assignment(id=row.id, round_id=row.round_id, task=row.task, unit_code=unit_code, unit_name=unit_name,
                      due=row.due, note=row.note, done_at=row.done_at, late=row.late, values=dict(row.values or {}),
                      reminders_sent=row.reminders_sent,
                      next_reminder_at=row.remind_at if row.status == PENDING else None)


class AssignmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _query(self) -> Any:
        return select(AssignmentRow, RecipientRow.unit_code, RecipientRow.unit_name).join(
            RecipientRow, RecipientRow.id == AssignmentRow.recipient_id)

    def _many(self, query: Any) -> list[Assignment]:
        rows = self.session.execute(query.order_by(RecipientRow.id, AssignmentRow.task, AssignmentRow.id))
        return [_assignment(row, code, name) for row, code, name in rows]

    def of_round(self, round_id: int) -> list[Assignment]:
        return self._many(self._query().where(AssignmentRow.round_id == round_id))

    def of_units(self, round_id: int, unit_codes: Iterable[str]) -> list[Assignment]:
        """The assignments of the given units (one page of the grid, or one unit's page)."""
        codes = list(unit_codes)
        if not codes:
            return []
        return self._many(self._query().where(AssignmentRow.round_id == round_id,
                                              RecipientRow.unit_code.in_(codes)))

    def row(self, assignment_id: int, lock: bool = False) -> AssignmentRow | None:
        query = select(AssignmentRow).where(AssignmentRow.id == assignment_id)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query.execution_options(populate_existing=True)).one_or_none()

    def find(self, round_id: int, recipient_id: int, task: str, lock: bool = False) -> AssignmentRow | None:
        query = select(AssignmentRow).where(AssignmentRow.round_id == round_id,
                                            AssignmentRow.recipient_id == recipient_id, AssignmentRow.task == task)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def handed_in_values(self, recipient_id: int) -> list[dict[str, Any]]:
        """The form values of the unit's handed-in tasks (a few rows: the unit's own), which name their files."""
        return [dict(values) for values in self.session.scalars(
            select(AssignmentRow.values).where(AssignmentRow.recipient_id == recipient_id,
                                               AssignmentRow.done_at.is_not(None))) if values]

    def load(self, row: AssignmentRow) -> Assignment:
        """The assignment a row holds, with its unit's code and name."""
        code, name = self.session.execute(select(RecipientRow.unit_code, RecipientRow.unit_name)
                                          .where(RecipientRow.id == row.recipient_id)).one()
        return _assignment(row, code, name)

    def add(self, round_id: int, recipient_id: int, task: str, due: date, note: str | None, now: datetime,
            actor: str) -> AssignmentRow:
        row = AssignmentRow(round_id=round_id, recipient_id=recipient_id, task=task, due=due, note=note,
                            late=False, values={}, reminders_sent=0, status=PENDING, remind_index=0,
                            remind_occurrence=1, created_at=now, created_by=actor)
        self.session.add(row)
        self.session.flush()
        return row

    def remove(self, assignment_id: int) -> None:
        self.session.execute(delete(AssignmentRow).where(AssignmentRow.id == assignment_id))

    def claim_due(self, now: datetime, limit: int, worker: str, lease: timedelta) -> list[int]:
        """Claim for `worker` up to `limit` assignments whose next reminder is due at `now`."""
        return claim_ids(self.session, AssignmentRow, AssignmentRow.remind_at, now, limit, worker, lease, PENDING,
                         extra=[AssignmentRow.remind_at.is_not(None)])

    def upcoming_reminders(self, round_id: int, limit: int = 5) -> list[tuple[str, datetime]]:
        """The round's next task reminders as (task, moment), one per task and moment, soonest first."""
        query = (select(AssignmentRow.task, AssignmentRow.remind_at)
                 .where(AssignmentRow.round_id == round_id, AssignmentRow.status == PENDING,
                        AssignmentRow.remind_at.is_not(None))
                 .group_by(AssignmentRow.task, AssignmentRow.remind_at)
                 .order_by(AssignmentRow.remind_at, AssignmentRow.task).limit(limit))
        return [(task, moment) for task, moment in self.session.execute(query) if moment is not None]

    def next_reminder(self, round_id: int) -> datetime | None:
        query = select(AssignmentRow.remind_at).where(AssignmentRow.round_id == round_id,
                                                      AssignmentRow.status == PENDING,
                                                      AssignmentRow.remind_at.is_not(None))
        return self.session.scalar(query.order_by(AssignmentRow.remind_at).limit(1))
