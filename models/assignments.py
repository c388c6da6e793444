"""A preparatory task assigned to one unit of a round, with its own due date (seed 004: "Giao các sở: Công Thương,
Tài chính, Nông nghiệp và Môi trường chuẩn bị Tham luận ..., gửi Sở Khoa học và Công nghệ trước ngày 18/8/2025").

The kinds of task a round may assign, their fields and reminders, are declared by the round's definition
(`assignments:`); this is one assignment as plain data, no database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any


class AssignmentStatus(StrEnum):
    """Where one assignment stands on a given day."""

    OPEN = "open"  # not handed in, due date not passed
    OVERDUE = "overdue"  # not handed in, due date passed
    DONE = "done"  # handed in on or before its due date
    DONE_LATE = "done_late"  # handed in after its due date


ASSIGNMENT_LABELS: dict[AssignmentStatus, str] = {
    AssignmentStatus.OPEN: "Chưa nộp",
    AssignmentStatus.OVERDUE: "Quá hạn, chưa nộp",
    AssignmentStatus.DONE: "Đã nộp",
    AssignmentStatus.DONE_LATE: "Nộp trễ hạn",
}


@dataclass(frozen=True)
class Assignment:
    """One task (a key of the definition's `assignments`) given to one unit of one round."""

    id: int
    round_id: int
    task: str  # the key of the task in the round's definition
    unit_code: str
    unit_name: str
    due: date
    note: str | None = None  # what staff added when assigning ("trình bày 10 phút")
    done_at: datetime | None = None
    late: bool = False  # handed in after `due` (local date)
    values: dict[str, Any] = field(default_factory=dict)  # the task's form, as handed in
    reminders_sent: int = 0
    next_reminder_at: datetime | None = None  # when it is reminded next (None: handed in, or no reminder left)

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def status(self, today: date) -> AssignmentStatus:
        if self.done_at is not None:
            return AssignmentStatus.DONE_LATE if self.late else AssignmentStatus.DONE
        return AssignmentStatus.OVERDUE if today > self.due else AssignmentStatus.OPEN

    def label(self, today: date, tz: tzinfo) -> str:
        """Where it stands, as the grid shows it: "Đã nộp 15/8", "Nộp trễ 19/8", "Chưa nộp (hạn 18/8)",
        "Quá hạn (hạn 18/8)"."""
        status = self.status(today)
        if self.done_at is not None:
            handed = self.done_at.astimezone(tz).date()
            word = "Nộp trễ" if status is AssignmentStatus.DONE_LATE else "Đã nộp"
            return f"{word} {_day(handed)}"
        word = "Quá hạn" if status is AssignmentStatus.OVERDUE else "Chưa nộp"
        return f"{word} (hạn {_day(self.due)})"


def _day(value: date) -> str:
    return f"{value.day}/{value.month}"
