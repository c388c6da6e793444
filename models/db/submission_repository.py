"""The submission packages built for a round, as recorded (the zip files live under the home)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import SubmissionRow


@dataclass(frozen=True)
class StoredSubmission:
    filename: str
    sha256: str
    draft_version: int
    created_at: datetime
    created_by: str


class SubmissionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, round_id: int, draft_version: int, filename: str, sha256: str, created_at: datetime,
            created_by: str) -> None:
        self.session.add(SubmissionRow(round_id=round_id, draft_version=draft_version, filename=filename,
                                       sha256=sha256, created_at=created_at, created_by=created_by))

    def for_round(self, round_id: int) -> list[StoredSubmission]:
        """The round's packages, newest first."""
        return [StoredSubmission(r.filename, r.sha256, r.draft_version, r.created_at, r.created_by)
                for r in self.session.scalars(select(SubmissionRow).where(SubmissionRow.round_id == round_id)
                                              .order_by(SubmissionRow.id.desc()))]
