"""The directory of recipient units and their groups."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.db.tables import UnitGroupRow, UnitRow

if TYPE_CHECKING:
    from models.directory import UnitRecord


class DirectoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def groups(self) -> dict[str, str]:
        return {g.code: g.label for g in self.session.scalars(select(UnitGroupRow).order_by(UnitGroupRow.code))}

    def ensure_groups(self, groups: Mapping[str, str]) -> None:
        existing = self.groups()
        for code, label in groups.items():
            if code not in existing:
                self.session.add(UnitGroupRow(code=code, label=label))
        self.session.flush()

    def upsert_units(self, units: Iterable[UnitRecord], at: datetime) -> tuple[int, int]:
        """Insert new units and update known ones; returns (added, updated)."""
        known = {u.code: u for u in self.session.scalars(select(UnitRow))}
        added = updated = 0
        for unit in units:
            values = {"name": unit.name, "group_code": unit.group, "email": unit.email,
                      "contact_person": unit.contact_person, "phone": unit.phone}
            row = known.get(unit.code)
            if row is None:
                self.session.add(UnitRow(code=unit.code, updated_at=at, **values))
                added += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                row.updated_at = at
                updated += 1
        return added, updated

    def units(self, codes: Iterable[str] | None = None, groups: Iterable[str] | None = None) -> list[UnitRow]:
        query = select(UnitRow).order_by(UnitRow.group_code, UnitRow.code)
        if codes is not None:
            query = query.where(UnitRow.code.in_(list(codes)))
        if groups is not None:
            query = query.where(UnitRow.group_code.in_(list(groups)))
        return list(self.session.scalars(query))
