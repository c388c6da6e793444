"""Preparatory tasks assigned to the units of a round (models/assignments.py), each with its own due date and its
own reminder schedule: `remind_at` is the next reminder's moment, claimed by the sweep like a timer."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.db.tables import Base


class AssignmentRow(Base):
    """One task (a key of the definition's `assignments`) given to one recipient of one round."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "recipient_id", "task", name="uq_assignments_round_recipient_task"),
        Index("ix_assignments_round_task_due", "round_id", "task", "due"),
        Index("ix_assignments_remind_at", "status", "remind_at"),
        {"sqlite_autoincrement": True},  # staff name a task by its id: SQLite must not give a removed one's again
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    task: Mapped[str] = mapped_column(String(60))
    due: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    # "pending" while a reminder may still come, "done" otherwise: the claim columns follow the timers' (claims.py)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    remind_at: Mapped[datetime | None]
    remind_index: Mapped[int] = mapped_column(Integer, default=0)  # which of the task's reminders is next
    remind_occurrence: Mapped[int] = mapped_column(Integer, default=1)  # its occurrence, for a repeating one
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
