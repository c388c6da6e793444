"""The outbox of one round for staff: a page of messages without their bodies, and one message as sent."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from models.db.outbox_repository import OutboxItem, OutboxMessage
from models.errors import NotFound
from workflows.definition import Workflow
from workflows.service.app import App
from workflows.service.assignments import RECEIPT_MESSAGE, REMINDER_MESSAGE

KIND_LABELS = {"invitation": "Thư phát hành",  # of every kind: a call, a report request, an invitation too
               "reminder_before": "Nhắc trước hạn", "reminder_overdue": "Nhắc quá hạn",
               "extension": "Thông báo gia hạn", "receipt": "Xác nhận đã nhận trả lời",
               # the mail of the tasks given to named units (a workshop's papers)
               REMINDER_MESSAGE: "Đôn đốc nhiệm vụ được giao", RECEIPT_MESSAGE: "Xác nhận đã nhận kết quả nhiệm vụ"}
TASK_MESSAGES = frozenset({REMINDER_MESSAGE, RECEIPT_MESSAGE})


def kind_labels_of(workflow: Workflow) -> dict[str, str]:
    """The kinds of mail a round of this kind can send, for the outbox's filter: the mail of assigned tasks only for
    a kind that assigns tasks (a workshop), so an appraisal's filter offers no "Đôn đốc nhiệm vụ được giao"."""
    return {kind: label for kind, label in KIND_LABELS.items() if workflow.assignments or kind not in TASK_MESSAGES}


STATUS_LABELS = {"queued": "Đang chờ gửi", "sent": "Đã gửi", "failed": "Gửi lỗi"}
PER_PAGE = 100
_LINK = re.compile(r"(/r/)[A-Za-z0-9_-]{8,}")


class MessageNotFound(NotFound):
    code = "message_not_found"


@dataclass(frozen=True)
class OutboxProblem:
    """Messages of a round held back for one reason: waiting for a retry (status queued), or given up (failed)."""

    status: str
    count: int
    reason: str
    next_attempt_at: datetime | None  # the earliest retry of the group; None when failed
    text: str  # the sentence staff read, e.g. "12 thư chờ gửi lại lúc 09:14 20/11/2025: không kết nối được …"


def _reason(error: str) -> str:
    return error[:1].lower() + error[1:] if error[:2] != error[:2].upper() else error


def outbox_problems(app: App, round_id: int) -> list[OutboxProblem]:
    """What of the round's mail waits for a retry and why (earliest retry first), then what failed and why.

    One grouped query: a fan-out held back by an outage reads as one line, not one per unit."""
    tz: ZoneInfo = app.settings.tz
    with app.uow(read_only=True) as uow:
        rows = uow.outbox.problems(round_id)
    problems = []
    for status, error, count, next_at in rows:
        if status == "queued" and next_at is not None:
            when = next_at.astimezone(tz).strftime("%H:%M %d/%m/%Y")
            text = f"{count} thư chờ gửi lại lúc {when}: {_reason(error)}"
            problems.append(OutboxProblem(status, count, error, next_at, text))
        else:
            problems.append(OutboxProblem(status, count, error, None, f"{count} thư gửi lỗi: {_reason(error)}"))
    far = datetime.max.replace(tzinfo=tz)
    problems.sort(key=lambda p: (p.status != "queued", p.next_attempt_at or far, -p.count))
    return problems


@dataclass(frozen=True)
class OutboxPage:
    items: list[OutboxItem]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]  # by status, for the whole round
    problems: list[OutboxProblem] = field(default_factory=list)  # what waits or failed, and why

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def outbox_page(app: App, round_id: int, status: str | None = None, kind: str | None = None, page: int = 1,
                per_page: int = PER_PAGE) -> OutboxPage:
    """Newest first; four queries whatever the size of the round."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        total = uow.outbox.count_for_round(round_id, status, kind)
        page = max(1, min(page, max(1, -(-total // per_page))))
        items = uow.outbox.page_for_round(round_id, per_page, (page - 1) * per_page, status, kind)
        counts = uow.outbox.counts_by_status(round_id)
    return OutboxPage(items, total, page, per_page, counts, outbox_problems(app, round_id))


def outbox_message(app: App, round_id: int, message_id: int, hide_links: bool = False) -> OutboxMessage:
    """One message of the round as it was composed; hide_links masks the personal link tokens."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        found = uow.outbox.message(round_id, message_id)
    if found is None:
        raise MessageNotFound(f"Không có thư số {message_id} trong đợt {round_id}.")
    return replace(found, text_body=mask_links(found.text_body)) if hide_links else found


def mask_links(text: str) -> str:
    """Personal links let whoever holds them answer for a unit: read-only viewers see them masked."""
    return _LINK.sub(r"\1(ẩn)", text)


def message_texts(app: App, round_id: int, kind: str) -> list[tuple[str | None, str]]:
    """(unit code, plain text) of each message of one kind the round queued, in order."""
    with app.uow(read_only=True) as uow:
        return uow.outbox.texts(round_id, kind)
