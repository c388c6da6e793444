"""Long actions run as background jobs (a launch to thousands of units, a submission package): one row each, so
that any replica can answer "how far has it got?" and a restarted server can say a job was interrupted."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.db.tables import Base, OutboxRow


class JobRow(Base):
    """A background job of one round: what it does, how far it is (done of total in its current step), and how it
    ended. `owner` names the process that runs it; `updated_at` is its last sign of life."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: a job's address is not guessable
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # launch | submission
    actor: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # running | done | failed | interrupted
    step: Mapped[str] = mapped_column(String(20))  # what the counts count (jobs.STEP_LABELS)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result_url: Mapped[str | None] = mapped_column(String(500))
    message: Mapped[str | None] = mapped_column(Text)  # for people: the outcome, or why it failed (Vietnamese)
    owner: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class JobFileRow(Base):
    """The file a job made (a document's PDF), kept in the database so that any replica serves its download, whichever
    process (serve's thread or a `ykien worker`) made it; removed after a week."""

    __tablename__ = "job_files"
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(index=True)


# A launch's progress counts the round's messages by status every half second while they go out: from this index
# alone, never from the rows, whose bodies make counting 5,000 messages cost 50 ms instead of 1 ms. Delivery claims a
# round's due messages from it in order (status, then next_attempt_at and id), reading about the rows it takes.
Index("ix_outbox_round_claim", OutboxRow.round_id, OutboxRow.status, OutboxRow.next_attempt_at, OutboxRow.id)
# The round page counts its units by the worst status of the mail sent to each (a GROUP BY recipient over the round's
# outbox): in index order and from the index alone, not from the rows sorted (migration 0022).
Index("ix_outbox_unit_mail", OutboxRow.round_id, OutboxRow.recipient_id, OutboxRow.status)
