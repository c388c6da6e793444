"""The uploaded versions of a round's draft: every upload is kept, numbered per round."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from models.db.tables import DraftVersionRow


@dataclass(frozen=True)
class StoredDraft:
    """One uploaded version of a round's draft, as recorded (the file itself lives under the home)."""

    version: int
    filename: str
    sha256: str
    sections: tuple[str, ...]
    note: str | None
    uploaded_at: datetime
    uploaded_by: str


def _stored(row: DraftVersionRow) -> StoredDraft:
    return StoredDraft(row.version, row.filename, row.sha256, tuple(row.sections or ()), row.note, row.uploaded_at,
                       row.uploaded_by)


_VERSION = select(DraftVersionRow).where(DraftVersionRow.round_id == bindparam("round_id"),
                                       DraftVersionRow.version == bindparam("version"))


class DraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, round_id: int, version: int, filename: str, sha256: str, sections: Iterable[str],
            note: str | None, uploaded_at: datetime, uploaded_by: str) -> None:
        self.session.add(DraftVersionRow(round_id=round_id, version=version, filename=filename, sha256=sha256,
                                         sections=list(sections), note=note, uploaded_at=uploaded_at,
                                         uploaded_by=uploaded_by))

    def highest_version(self, round_id: int) -> int:
        """The number of the round's newest uploaded version; 0 before the first upload."""
        return self.session.scalar(select(func.max(DraftVersionRow.version)).where(
            DraftVersionRow.round_id == round_id)) or 0

    def for_round(self, round_id: int) -> list[StoredDraft]:
        """Every uploaded version of the round, oldest first."""
        return [_stored(row) for row in self.session.scalars(
            select(DraftVersionRow).where(DraftVersionRow.round_id == round_id).order_by(DraftVersionRow.version))]

    def get(self, round_id: int, version: int) -> StoredDraft | None:
        row = self.session.scalar(_VERSION, {"round_id": round_id, "version": version})
        return _stored(row) if row is not None else None
