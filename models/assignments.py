"""A preparatory task assigned to one unit of a round, with its own due date (seed 004: "Giao các sở: Công Thương,
Tài chính, Nông nghiệp và Môi trường chuẩn bị Tham luận ..., gửi Sở Khoa học và Công nghệ trước ngày 18/8/2025").

The kinds of task a round may assign, their fields and reminders, are declared by the round's definition
(`assignments:`); this is one assignment as plain data, no database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
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

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def status(self, today: date) -> AssignmentStatus:
        if self.done_at is not None:
            return AssignmentStatus.DONE_LATE if self.late else AssignmentStatus.DONE
        return AssignmentStatus.OVERDUE if today > self.due else AssignmentStatus.OPEN
