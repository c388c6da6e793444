"""The checks of reply PDFs' digital signatures (ký số), one per file of a round, found by the file's SHA-256."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import RecipientRow, ReplySignatureRow, ResponseRow
from models.signatures import SignatureReport


class ReplySignatureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, round_id: int, sha256: str, report: SignatureReport, checked_at: datetime) -> None:
        """Keep the check of one file; a later check of the same file (new trust roots) replaces it."""
        row = self.session.scalar(select(ReplySignatureRow).where(
            ReplySignatureRow.round_id == round_id, ReplySignatureRow.sha256 == sha256))
        if row is None:
            self.session.add(ReplySignatureRow(round_id=round_id, sha256=sha256, status=report.status.value,
                                               report=report.to_json(), checked_at=checked_at))
            return
        row.status, row.report, row.checked_at = report.status.value, report.to_json(), checked_at

    def get(self, round_id: int, sha256: str) -> SignatureReport | None:
        row = self.session.scalar(select(ReplySignatureRow).where(
            ReplySignatureRow.round_id == round_id, ReplySignatureRow.sha256 == sha256))
        return SignatureReport.from_json(row.report) if row is not None else None

    def latest_by_unit(self, round_id: int, draft_version: int) -> dict[str, SignatureReport]:
        """unit code -> the check of the file its latest answer to the draft version carries, in one query."""
        rows = self.session.execute(
            select(RecipientRow.unit_code, ReplySignatureRow.report)
            .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
            .join(ReplySignatureRow, (ReplySignatureRow.round_id == ResponseRow.round_id)
                  & (ReplySignatureRow.sha256 == ResponseRow.attachment_sha256))
            .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == draft_version,
                   ResponseRow.revision == RecipientRow.response_revision)).all()
        return {code: SignatureReport.from_json(report) for code, report in rows}

    def files_of_round(self, round_id: int) -> list[tuple[str, str]]:
        """(attachment name, sha256) of every reply file a round's answers carry, for a new check."""
        rows = self.session.execute(
            select(ResponseRow.attachment_name, ResponseRow.attachment_sha256).distinct()
            .where(ResponseRow.round_id == round_id, ResponseRow.attachment_name.is_not(None),
                   ResponseRow.attachment_sha256.is_not(None))).all()
        return [(str(name), str(sha)) for name, sha in rows]
