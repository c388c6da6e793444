"""The register of outgoing documents: its entries, and the counter that gives each number once.

A number is given inside the taker's transaction: the counter row of (register, year) is raised with
`UPDATE ... SET last_number = last_number + 1 ... RETURNING`, which holds the row's lock on PostgreSQL until the
transaction ends (a second taker waits, then reads the raised value); SQLite runs one writer at a time (BEGIN
IMMEDIATE, models/db/database.py). A rollback gives the number back with everything else, so no number is
skipped; the unique constraint (register, year, number) refuses a duplicate whatever happens.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.db.tables import RegisterCounterRow, RegisterEntryRow
from models.errors import NotFound
from models.register import RegisterEntry, Source


class EntryNotFound(NotFound):
    code = "entry_not_found"


def _entry(row: RegisterEntryRow) -> RegisterEntry:
    return RegisterEntry(
        id=row.id, register=row.register, year=row.year, number=row.number, symbol=row.symbol, office=row.office,
        issued_on=row.issued_on, document_type=row.document_type, document_title=row.document_title,
        summary=row.summary, round_id=row.round_id, document_key=row.document_key, signer=row.signer,
        recipients=row.recipients, source=Source(row.source), created_at=row.created_at, created_by=row.created_by,
        cancelled_at=row.cancelled_at, cancelled_by=row.cancelled_by, cancel_reason=row.cancel_reason)


_LATEST_OF = (select(RegisterEntryRow)
              .where(RegisterEntryRow.round_id == bindparam("round_id"),
                     RegisterEntryRow.document_key == bindparam("document_key"),
                     RegisterEntryRow.cancelled_at.is_(None))
              .order_by(RegisterEntryRow.id.desc()).limit(1))


class RegisterRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _ensure_counter(self, register: str, year: int) -> None:
        """The counter row of (register, year), created at 0 if missing; two first takers of a year both pass."""
        dialect = self.session.get_bind().dialect.name
        values = {"register": register, "year": year, "last_number": 0}
        if dialect == "postgresql":
            self.session.execute(postgresql.insert(RegisterCounterRow).values(**values).on_conflict_do_nothing())
        elif dialect == "sqlite":
            self.session.execute(sqlite.insert(RegisterCounterRow).values(**values).on_conflict_do_nothing())
        elif self.session.get(RegisterCounterRow, (register, year)) is None:  # pragma: no cover - other databases
            self.session.add(RegisterCounterRow(**values))
            self.session.flush()

    def lock_counter(self, register: str, year: int) -> int:
        """Hold the counter of (register, year) until the transaction ends (an entered number and a taken one
        never pass each other); its last number."""
        self._ensure_counter(register, year)
        last = self.session.scalar(select(RegisterCounterRow.last_number)
                                   .where(RegisterCounterRow.register == register, RegisterCounterRow.year == year)
                                   .with_for_update())
        return int(last or 0)

    def next_number(self, register: str, year: int) -> int:
        """Raise the counter to the next number no entry of the year holds (numbers the văn thư entered by hand
        are skipped) and return it. The caller adds the entry in the same transaction."""
        self._ensure_counter(register, year)
        while True:
            number = self.session.scalar(
                update(RegisterCounterRow)
                .where(RegisterCounterRow.register == register, RegisterCounterRow.year == year)
                .values(last_number=RegisterCounterRow.last_number + 1)
                .returning(RegisterCounterRow.last_number))
            assert number is not None, "the counter row exists: _ensure_counter made it"
            if not self.is_used(register, year, number):
                return int(number)

    def is_used(self, register: str, year: int, number: int) -> bool:
        """Whether an entry of the year holds the number, cancelled or not."""
        return self.session.scalar(select(RegisterEntryRow.id).where(
            RegisterEntryRow.register == register, RegisterEntryRow.year == year,
            RegisterEntryRow.number == number)) is not None

    def holder(self, register: str, year: int, number: int) -> RegisterEntry | None:
        row = self.session.scalars(select(RegisterEntryRow).where(
            RegisterEntryRow.register == register, RegisterEntryRow.year == year,
            RegisterEntryRow.number == number)).one_or_none()
        return _entry(row) if row is not None else None

    def out_of_order(self, register: str, year: int, number: int,
                     issued_on: date) -> tuple[RegisterEntry | None, RegisterEntry | None]:
        """The nearest lower number of the year dated after `issued_on`, and the nearest higher one dated before
        it; cancelled entries aside (a wrong date is a common reason to cancel, and they carry no document)."""
        live = (RegisterEntryRow.register == register, RegisterEntryRow.year == year,
                RegisterEntryRow.cancelled_at.is_(None))
        below = self.session.scalars(select(RegisterEntryRow).where(
            *live, RegisterEntryRow.number < number, RegisterEntryRow.issued_on > issued_on)
            .order_by(RegisterEntryRow.number.desc()).limit(1)).one_or_none()
        above = self.session.scalars(select(RegisterEntryRow).where(
            *live, RegisterEntryRow.number > number, RegisterEntryRow.issued_on < issued_on)
            .order_by(RegisterEntryRow.number).limit(1)).one_or_none()
        return (_entry(below) if below is not None else None), (_entry(above) if above is not None else None)

    def add(self, *, register: str, year: int, number: int, symbol: str, office: str, issued_on: date,
            document_type: str, document_title: str, summary: str, round_id: int | None, document_key: str | None,
            signer: str, recipients: str, source: Source, at: datetime, by: str) -> RegisterEntry:
        row = RegisterEntryRow(
            register=register, year=year, number=number, symbol=symbol, office=office, issued_on=issued_on,
            document_type=document_type, document_title=document_title, summary=summary, round_id=round_id,
            document_key=document_key, signer=signer, recipients=recipients, source=source.value, created_at=at,
            created_by=by)
        self.session.add(row)
        self.session.flush()
        return _entry(row)

    def get(self, entry_id: int, lock: bool = False) -> RegisterEntry:
        query = select(RegisterEntryRow).where(RegisterEntryRow.id == entry_id)
        if lock:
            query = query.with_for_update()
        row = self.session.scalars(query).one_or_none()
        if row is None:
            raise EntryNotFound(f"Không có số văn bản mã {entry_id} trong sổ.")
        return _entry(row)

    def cancel(self, entry_id: int, at: datetime, by: str, reason: str) -> RegisterEntry:
        row = self.session.get(RegisterEntryRow, entry_id)
        if row is None:
            raise EntryNotFound(f"Không có số văn bản mã {entry_id} trong sổ.")
        row.cancelled_at, row.cancelled_by, row.cancel_reason = at, by, reason
        self.session.flush()
        return _entry(row)

    def of_year(self, register: str, year: int) -> list[RegisterEntry]:
        """The year's entries, newest number first."""
        rows = self.session.scalars(select(RegisterEntryRow).where(
            RegisterEntryRow.register == register, RegisterEntryRow.year == year)
            .order_by(RegisterEntryRow.number.desc()))
        return [_entry(row) for row in rows]

    def of_round(self, round_id: int) -> list[RegisterEntry]:
        """A round's entries in the order they were made."""
        rows = self.session.scalars(select(RegisterEntryRow).where(RegisterEntryRow.round_id == round_id)
                                    .order_by(RegisterEntryRow.id))
        return [_entry(row) for row in rows]

    def latest_of(self, round_id: int, document_key: str) -> RegisterEntry | None:
        """The round's newest entry for one of its documents that is not cancelled (the number its emails cite),
        in one statement that reads that entry only."""
        row = self.session.scalar(_LATEST_OF, {"round_id": round_id, "document_key": document_key})
        return _entry(row) if row is not None else None

    def years(self, register: str) -> list[int]:
        """The years that have entries, newest first."""
        found = self.session.scalars(select(RegisterEntryRow.year).where(RegisterEntryRow.register == register)
                                     .group_by(RegisterEntryRow.year).order_by(RegisterEntryRow.year.desc()))
        return [int(year) for year in found]

    def count(self, register: str, year: int) -> int:
        return int(self.session.scalar(select(func.count()).select_from(RegisterEntryRow).where(
            RegisterEntryRow.register == register, RegisterEntryRow.year == year)) or 0)
