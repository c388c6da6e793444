"""The daily digest for staff: who asked for it (and where it goes), and the digest of each working day, one row per
staff member and day (the unique pair is what makes two sweeps queue it once)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.db.tables import Base


class DigestSubscriptionRow(Base):
    """A staff member who opted in to the daily digest, and the address it goes to."""

    __tablename__ = "digest_subscriptions"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    changed_at: Mapped[datetime]


class DigestSentRow(Base):
    """The digest of one staff member for one working day: queued (outbox_id set) or skipped (no live round).
    `covered_until` is the instant its content was read up to; the next digest reports what came after."""

    __tablename__ = "digests_sent"
    __table_args__ = (UniqueConstraint("user_id", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    covered_until: Mapped[datetime]
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
