"""The list of offices, and the rows that name an office by its code (rounds, accounts)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models.db.tables import OfficeRow, RoundRow, UserRow
from models.offices import Office


class OfficeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[Office]:
        return [Office(r.code, r.name) for r in self.session.scalars(select(OfficeRow).order_by(OfficeRow.code))]

    def codes(self) -> list[str]:
        return list(self.session.scalars(select(OfficeRow.code).order_by(OfficeRow.code)))

    def get(self, code: str, lock: bool = False) -> Office | None:
        query = select(OfficeRow).where(OfficeRow.code == code)
        if lock:
            query = query.with_for_update()
        row = self.session.scalars(query).one_or_none()
        return Office(row.code, row.name) if row is not None else None

    def add(self, office: Office, at: datetime) -> None:
        self.session.add(OfficeRow(code=office.code, name=office.name, created_at=at))
        self.session.flush()

    def usage(self, code: str) -> tuple[int, int]:
        """(rounds, accounts) that name the office."""
        rounds = self.session.scalar(select(func.count()).select_from(RoundRow).where(RoundRow.office == code))
        users = self.session.scalar(select(func.count()).select_from(UserRow).where(UserRow.office == code))
        return rounds or 0, users or 0

    def rename(self, old: str, new: Office) -> None:
        """Give the office `old` the code and name of `new`, and move the rounds and accounts that name it, in the
        caller's transaction."""
        self.session.execute(update(OfficeRow).where(OfficeRow.code == old).values(code=new.code, name=new.name))
        self.session.execute(update(RoundRow).where(RoundRow.office == old).values(office=new.code))
        self.session.execute(update(UserRow).where(UserRow.office == old).values(office=new.code))
        self.session.expire_all()  # rows read before hold the old code

    def merge(self, old: str, into: str) -> None:
        """Move the rounds and accounts of the office `old` to the office `into`, and drop `old` from the list."""
        self.session.execute(update(RoundRow).where(RoundRow.office == old).values(office=into))
        self.session.execute(update(UserRow).where(UserRow.office == old).values(office=into))
        self.session.execute(delete(OfficeRow).where(OfficeRow.code == old))
        self.session.expire_all()
