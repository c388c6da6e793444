"""What a round collected under the headings of a form is consolidated into: the staff's text per heading, and the
round a round was started from (next year's report round from this year's)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.db.tables import Base


class ConsolidatedHeadingRow(Base):
    """The consolidated text of one heading of a round's form, as staff edited it from the units' passages."""

    __tablename__ = "consolidated_headings"
    __table_args__ = (UniqueConstraint("round_id", "heading", name="uq_consolidated_headings_round_heading"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    heading: Mapped[str] = mapped_column(String(60))  # the section key of the definition
    text: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str] = mapped_column(String(200))
    edited_at: Mapped[datetime]


class RoundOriginRow(Base):
    """A round started from an earlier one (same form and recipients, new dates): its figures are shown beside."""

    __tablename__ = "round_origins"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    previous_round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
