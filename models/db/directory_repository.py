"""The directory of recipient units and their groups."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from models.db.search_match import match_rank
from models.db.tables import RecipientRow, UnitGroupRow, UnitRow

if TYPE_CHECKING:
    from models.directory import UnitRecord


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    group: str
    email: str
    contact_person: str | None
    phone: str | None
    updated_at: datetime


@dataclass(frozen=True)
class DirectoryUnit:
    """A unit with the label of its group."""

    code: str
    name: str
    group: str
    group_label: str
    email: str
    contact_person: str | None
    phone: str | None


@dataclass(frozen=True)
class GroupReach:
    """A group a round names: its label, how many units the directory has in it now, and whether any unit of it is
    among the round's recipients."""

    code: str
    label: str
    units: int
    in_round: bool


@dataclass(frozen=True)
class DirectoryMatch:
    """A unit, or a group (its code and label), that a search key fits, and how well (search_match.match_rank)."""

    code: str
    name: str
    is_group: bool
    rank: int


def unit_info(row: UnitRow) -> UnitInfo:
    return UnitInfo(row.code, row.name, row.group_code, row.email, row.contact_person, row.phone, row.updated_at)


class DirectoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        # Rows locked by unit(code, lock=True), held so set_contact() writes them without loading them again
        # (the session's identity map keeps unchanged rows only weakly).
        self._locked: dict[str, UnitRow] = {}

    def groups(self) -> dict[str, str]:
        return {g.code: g.label for g in self.session.scalars(select(UnitGroupRow).order_by(UnitGroupRow.code))}

    def ensure_groups(self, groups: Mapping[str, str]) -> None:
        existing = self.groups()
        for code, label in groups.items():
            if code not in existing:
                self.session.add(UnitGroupRow(code=code, label=label))
        self.session.flush()

    def add_group(self, code: str, label: str) -> None:
        self.session.add(UnitGroupRow(code=code, label=label))
        self.session.flush()

    def rename_group(self, code: str, label: str) -> str | None:
        """Set a group's label; the old label, or None when there is no such group."""
        row = self.session.scalars(select(UnitGroupRow).where(UnitGroupRow.code == code).with_for_update()
                                   ).one_or_none()
        if row is None:
            return None
        old, row.label = row.label, label
        self.session.flush()
        return old

    def unit_counts(self) -> dict[str, int]:
        """How many units each group has (groups without units are left out)."""
        query = select(UnitRow.group_code, func.count()).group_by(UnitRow.group_code)
        return {code: count for code, count in self.session.execute(query)}

    def group_reach(self, round_id: int, codes: Iterable[str]) -> list[GroupReach]:
        """For each of `codes` the directory knows, in one query: its label, its units now, and whether the round
        has a recipient of it (the round's recipients were resolved when it was saved)."""
        wanted = sorted(set(codes))
        if not wanted:
            return []
        units = (select(func.count()).select_from(UnitRow).where(UnitRow.group_code == UnitGroupRow.code)
                 .correlate(UnitGroupRow).scalar_subquery())
        in_round = exists().where(RecipientRow.round_id == round_id,
                                  RecipientRow.group_code == UnitGroupRow.code).correlate(UnitGroupRow)
        query = (select(UnitGroupRow.code, UnitGroupRow.label, units, in_round)
                 .where(UnitGroupRow.code.in_(wanted)).order_by(UnitGroupRow.code))
        return [GroupReach(code, label, count, bool(reached))
                for code, label, count, reached in self.session.execute(query)]

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

    def matching(self, key: str, limit: int, groups: bool = False, units: bool = True) -> tuple[DirectoryMatch, ...]:
        """At most `limit` units (with `groups`: and groups, by code and label; without `units`: groups only) whose
        code or name contains `key` (a models.text.search_key), best first: rank 0 the code is `key`, 1 the name is, 2
        the name starts with it, 3 it is elsewhere, 4 it joins up the code's or name's words ("khcn": "KH&CN"); units
        before groups, then by name. One query; the directory is never read whole."""
        unit_rank = match_rank(UnitRow.code_key, UnitRow.name_key, key)
        unit_rows = select(UnitRow.code.label("code"), UnitRow.name.label("name"), literal(0).label("is_group"),
                           unit_rank.label("rank")).where(unit_rank.is_not(None))
        group_rank = match_rank(UnitGroupRow.code_key, UnitGroupRow.label_key, key)
        group_rows = select(UnitGroupRow.code.label("code"), UnitGroupRow.label.label("name"),
                            literal(1).label("is_group"), group_rank.label("rank")).where(group_rank.is_not(None))
        found = (union_all(unit_rows, group_rows) if units else group_rows) if groups else unit_rows
        rows = found.subquery()
        query = select(rows).order_by(rows.c.rank, rows.c.is_group, rows.c.name, rows.c.code).limit(limit)
        return tuple(DirectoryMatch(row.code, row.name, bool(row.is_group), row.rank)
                     for row in self.session.execute(query))

    def unit(self, code: str, lock: bool = False) -> UnitInfo | None:
        """One unit; with lock, its row is held until the transaction ends (to edit it)."""
        if lock:
            row = self.session.scalars(select(UnitRow).where(UnitRow.code == code).with_for_update()).one_or_none()
            if row is not None:
                self._locked[code] = row
        else:
            row = self.session.get(UnitRow, code)
        return unit_info(row) if row is not None else None

    def set_contact(self, code: str, email: str, contact_person: str | None, phone: str | None,
                    at: datetime) -> None:
        """Change where a unit's mail goes and whom to call; only the changed columns are written. Call
        unit(code, lock=True) first."""
        row = self._locked.get(code) or self.session.get(UnitRow, code)
        if row is None:
            raise LookupError(f"no unit {code}")
        for name, value in (("email", email), ("contact_person", contact_person), ("phone", phone)):
            if getattr(row, name) != value:
                setattr(row, name, value)
        row.updated_at = at

    def units_with_group_labels(self, group: str | None = None) -> list[DirectoryUnit]:
        """The units (of one group, or all) with their group's label, by group and code, in one query."""
        query = (select(UnitRow, UnitGroupRow.label).join(UnitGroupRow, UnitGroupRow.code == UnitRow.group_code)
                 .order_by(UnitRow.group_code, UnitRow.code))
        if group:
            query = query.where(UnitRow.group_code == group)
        return [DirectoryUnit(u.code, u.name, u.group_code, label, u.email, u.contact_person, u.phone)
                for u, label in self.session.execute(query)]
