"""The outbox of one round for staff: a page of messages without their bodies, and one message as sent."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from models.db.tables import OutboxRow, RecipientRow
from models.errors import NotFound
from workflows.service.app import App

KIND_LABELS = {"invitation": "Xin ý kiến", "reminder_before": "Nhắc trước hạn", "reminder_overdue": "Nhắc quá hạn",
               "extension": "Thông báo gia hạn", "receipt": "Xác nhận đã nhận ý kiến"}
STATUS_LABELS = {"queued": "Đang chờ gửi", "sent": "Đã gửi", "failed": "Gửi lỗi"}
PER_PAGE = 100
_LINK = re.compile(r"(/r/)[A-Za-z0-9_-]{8,}")


class MessageNotFound(NotFound):
    code = "message_not_found"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    unit_code: str | None
    unit_name: str | None
    kind: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class OutboxPage:
    items: list[OutboxItem]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]  # by status, for the whole round

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class OutboxMessage:
    item: OutboxItem
    message_id: str
    text_body: str


_COLUMNS = (OutboxRow.id, OutboxRow.unit_code, RecipientRow.unit_name, OutboxRow.kind, OutboxRow.to_address,
            OutboxRow.subject, OutboxRow.status, OutboxRow.attempts, OutboxRow.last_error, OutboxRow.created_at,
            OutboxRow.sent_at)


def outbox_page(app: App, round_id: int, status: str | None = None, kind: str | None = None, page: int = 1,
                per_page: int = PER_PAGE) -> OutboxPage:
    """Newest first; three queries whatever the size of the round."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        conditions = [OutboxRow.round_id == round_id]
        if status:
            conditions.append(OutboxRow.status == status)
        if kind:
            conditions.append(OutboxRow.kind == kind)
        total = uow.session.scalar(select(func.count()).select_from(OutboxRow).where(*conditions)) or 0
        page = max(1, min(page, max(1, -(-total // per_page))))
        rows = uow.session.execute(
            select(*_COLUMNS).outerjoin(RecipientRow, RecipientRow.id == OutboxRow.recipient_id)
            .where(*conditions).order_by(OutboxRow.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
        counts = {status: number for status, number in uow.session.execute(
            select(OutboxRow.status, func.count()).where(OutboxRow.round_id == round_id).group_by(OutboxRow.status))}
    return OutboxPage([OutboxItem(*row) for row in rows], total, page, per_page, counts)


def outbox_message(app: App, round_id: int, message_id: int, hide_links: bool = False) -> OutboxMessage:
    """One message of the round as it was composed; hide_links masks the personal link tokens."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        row = uow.session.execute(
            select(*_COLUMNS, OutboxRow.message_id, OutboxRow.text_body)
            .outerjoin(RecipientRow, RecipientRow.id == OutboxRow.recipient_id)
            .where(OutboxRow.id == message_id, OutboxRow.round_id == round_id)).first()
    if row is None:
        raise MessageNotFound(f"Không có thư số {message_id} trong đợt {round_id}.")
    body, message_id_header = str(row[-1]), str(row[-2])
    text = mask_links(body) if hide_links else body
    return OutboxMessage(OutboxItem(*row[:-2]), message_id_header, text)  # type: ignore[arg-type]


def mask_links(text: str) -> str:
    """Personal links let whoever holds them answer for a unit: read-only viewers see them masked."""
    return _LINK.sub(r"\1(ẩn)", text)
