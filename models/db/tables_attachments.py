"""Files a unit attaches to a form field (a budget table, a list of trainees): kept in the database, so whichever
replica serves a page serves the file too."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.db.tables import Base


class AttachmentRow(Base):
    """One uploaded file of one unit for one field of a round's form. `response_id` is set in the transaction that
    records the answer it came with; a row without one belongs to an answer that was refused or never finished."""

    __tablename__ = "attachments"
    # links and form values name a file by its id: SQLite must not give a removed one's again (migration 0023)
    __table_args__ = ({"sqlite_autoincrement": True},)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"), index=True, nullable=True)
    field_key: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
