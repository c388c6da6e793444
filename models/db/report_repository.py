"""Reads and writes of a round's report form beyond one answer: the units' latest forms (all of them for a
consolidation, a page of them for the grid), the consolidated text per heading, the round a round started from."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.response_repository import stored_proposals
from models.db.tables import RecipientRow, ResponseRow
from models.db.tables_reports import ConsolidatedHeadingRow, RoundOriginRow


@dataclass(frozen=True)
class UnitForm:
    """One unit's latest answer to the round's form: the filled fields by key (the first form of the answer)."""

    unit_code: str
    unit_name: str
    late: bool
    values: dict[str, str]


@dataclass(frozen=True)
class ConsolidatedText:
    text: str
    edited_by: str
    edited_at: datetime


class ReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def latest_forms(self, round_id: int, draft_version: int, unit_codes: Sequence[str] | None = None
                     ) -> list[UnitForm]:
        """Each unit's latest answer for the draft version, in the round's unit order, in one query; only the
        units named when `unit_codes` is given (a page of the grid costs its page)."""
        query = (select(RecipientRow.unit_code, RecipientRow.unit_name, ResponseRow.late, ResponseRow.proposal)
                 .join(ResponseRow, ResponseRow.recipient_id == RecipientRow.id)
                 .where(ResponseRow.round_id == round_id, ResponseRow.draft_version == draft_version,
                        ResponseRow.revision == RecipientRow.response_revision)
                 .order_by(RecipientRow.id))
        if unit_codes is not None:
            if not unit_codes:
                return []
            query = query.where(RecipientRow.round_id == round_id, RecipientRow.unit_code.in_(list(unit_codes)))
        forms = []
        for code, name, late, stored in self.session.execute(query).all():
            filled = stored_proposals(stored)
            forms.append(UnitForm(code, name, late, dict(filled[0]) if filled else {}))
        return forms

    def consolidated(self, round_id: int) -> dict[str, ConsolidatedText]:
        """The consolidated text of each heading staff have written, by heading key."""
        rows = self.session.scalars(select(ConsolidatedHeadingRow).where(ConsolidatedHeadingRow.round_id == round_id))
        return {r.heading: ConsolidatedText(r.text, r.edited_by, r.edited_at) for r in rows}

    def save_consolidated(self, round_id: int, heading: str, text: str, edited_by: str, edited_at: datetime) -> None:
        """Write (or replace) one heading's consolidated text."""
        row = self.session.scalar(select(ConsolidatedHeadingRow).where(
            ConsolidatedHeadingRow.round_id == round_id, ConsolidatedHeadingRow.heading == heading))
        if row is None:
            self.session.add(ConsolidatedHeadingRow(round_id=round_id, heading=heading, text=text,
                                                    edited_by=edited_by, edited_at=edited_at))
        else:
            row.text, row.edited_by, row.edited_at = text, edited_by, edited_at

    def previous_round(self, round_id: int) -> int | None:
        """The round this one was started from, if any."""
        return self.session.scalar(select(RoundOriginRow.previous_round_id).where(RoundOriginRow.round_id == round_id))

    def set_previous_round(self, round_id: int, previous_round_id: int) -> None:
        self.session.add(RoundOriginRow(round_id=round_id, previous_round_id=previous_round_id))
