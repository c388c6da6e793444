"""Mail caught by the embedded SMTP sink, kept in the database for staff to read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.db.tables import ReceivedMailRow


@dataclass(frozen=True)
class MailSummary:
    id: int
    received_at: datetime
    mail_from: str
    rcpt_to: str
    subject: str | None


@dataclass(frozen=True)
class StoredMail:
    summary: MailSummary
    raw: bytes


_SUMMARY_COLUMNS = (ReceivedMailRow.id, ReceivedMailRow.received_at, ReceivedMailRow.mail_from,
                    ReceivedMailRow.rcpt_to, ReceivedMailRow.subject)


class MailboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, mail_from: str, rcpt_to: str, message_id: str | None, subject: str | None, raw: bytes,
            received_at: datetime) -> None:
        self.session.add(ReceivedMailRow(mail_from=mail_from, rcpt_to=rcpt_to, message_id=message_id,
                                         subject=subject, raw=raw, received_at=received_at))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(ReceivedMailRow)) or 0

    def raw_messages(self) -> list[bytes]:
        """Every message as received, oldest first."""
        return list(self.session.scalars(select(ReceivedMailRow.raw).order_by(ReceivedMailRow.id)))

    def newest(self, limit: int, offset: int = 0) -> list[MailSummary]:
        """A slice of the mail, newest first, without the raw bytes."""
        rows = self.session.execute(select(*_SUMMARY_COLUMNS).order_by(ReceivedMailRow.id.desc())
                                    .limit(limit).offset(offset)).all()
        return [MailSummary(*row) for row in rows]

    def number_of(self, message_id: str) -> int | None:
        """The number of the first stored message with this Message-ID (indexed), None when none is kept."""
        return self.session.scalar(select(func.min(ReceivedMailRow.id)).where(ReceivedMailRow.message_id == message_id))

    def get(self, mail_id: int) -> StoredMail | None:
        row = self.session.get(ReceivedMailRow, mail_id)
        if row is None:
            return None
        return StoredMail(MailSummary(row.id, row.received_at, row.mail_from, row.rcpt_to, row.subject),
                          bytes(row.raw))
