"""The files units attach to their forms: stored before the answer (so its form can name them), tied to the answer
in the answer's own transaction, read one at a time for a download."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.db.tables import RecipientRow, ResponseRow
from models.db.tables_attachments import AttachmentRow


@dataclass(frozen=True)
class StoredFile:
    """One attachment as a download needs it: who it belongs to, its name and type, and its bytes."""

    id: int
    round_id: int
    recipient_id: int
    field_key: str
    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes


@dataclass(frozen=True)
class FileFacts:
    """What a confirmation needs to know of a stored file, without its bytes: whose it is and whether an answer
    took it already."""

    id: int
    round_id: int
    recipient_id: int
    field_key: str
    filename: str
    size: int
    created_at: datetime
    tied: bool


class AttachmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, round_id: int, recipient_id: int, field_key: str, filename: str, content_type: str,
            sha256: str, data: bytes, now: datetime) -> int:
        """A new file, not yet tied to an answer; its id."""
        row = AttachmentRow(round_id=round_id, recipient_id=recipient_id, field_key=field_key, filename=filename,
                            content_type=content_type, size=len(data), sha256=sha256, data=data, created_at=now)
        self.session.add(row)
        self.session.flush()
        return row.id

    def tie(self, ids: Sequence[int], recipient_id: int, revision: int) -> int:
        """The files `ids` of the unit belong to its answer `revision` (written in the answer's transaction);
        how many rows were tied."""
        if not ids:
            return 0
        response_id = (select(ResponseRow.id)
                       .where(ResponseRow.recipient_id == recipient_id, ResponseRow.revision == revision)
                       .scalar_subquery())
        result = self.session.execute(
            update(AttachmentRow)
            .where(AttachmentRow.id.in_(list(ids)), AttachmentRow.recipient_id == recipient_id,
                   AttachmentRow.response_id.is_(None))
            .values(response_id=response_id))
        return int(getattr(result, "rowcount", 0) or 0)

    def discard_untied(self, ids: Sequence[int]) -> None:
        """Files stored for an answer that was then refused: removed, unless an answer took them meanwhile."""
        if ids:
            self.session.execute(delete(AttachmentRow).where(AttachmentRow.id.in_(list(ids)),
                                                             AttachmentRow.response_id.is_(None)))

    def discard_stale(self, recipient_id: int, before: datetime, keep: Collection[int] = ()) -> int:
        """The unit's files no answer took, stored before `before` (a form left unconfirmed), but those `keep` names
        (a handed-in task's, which no answer takes): removed; how many."""
        stale = [AttachmentRow.recipient_id == recipient_id, AttachmentRow.response_id.is_(None),
                 AttachmentRow.created_at < before]
        if keep:
            stale.append(AttachmentRow.id.not_in(list(keep)))
        result = self.session.execute(delete(AttachmentRow).where(*stale))
        return int(getattr(result, "rowcount", 0) or 0)

    def facts(self, ids: Sequence[int]) -> dict[int, FileFacts]:
        """The files `ids` that exist, by id, without their bytes."""
        if not ids:
            return {}
        rows = self.session.execute(
            select(AttachmentRow.id, AttachmentRow.round_id, AttachmentRow.recipient_id, AttachmentRow.field_key,
                   AttachmentRow.filename, AttachmentRow.size, AttachmentRow.created_at, AttachmentRow.response_id)
            .where(AttachmentRow.id.in_(list(ids))))
        return {r.id: FileFacts(r.id, r.round_id, r.recipient_id, r.field_key, r.filename, r.size, r.created_at,
                                r.response_id is not None) for r in rows}

    def get(self, attachment_id: int) -> StoredFile | None:
        row = self.session.get(AttachmentRow, attachment_id)
        if row is None:
            return None
        return StoredFile(row.id, row.round_id, row.recipient_id, row.field_key, row.filename, row.content_type,
                          row.size, row.sha256, row.data)

    def recipient_id(self, round_id: int, unit_code: str) -> int | None:
        """The recipient row of a unit in a round (whose files staff record on its behalf)."""
        return self.session.scalar(select(RecipientRow.id).where(RecipientRow.round_id == round_id,
                                                                 RecipientRow.unit_code == unit_code))

    def response_of(self, attachment_id: int) -> int | None:
        """The answer (response row) a file came with, None while untied."""
        return self.session.scalar(select(AttachmentRow.response_id).where(AttachmentRow.id == attachment_id))


__all__ = ["AttachmentRepository", "FileFacts", "StoredFile"]
