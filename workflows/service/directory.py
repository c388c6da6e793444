"""Import the directory of recipient units from CSV: all lines valid, or nothing changes."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.os_words import os_reason
from models import limits
from models.directory import ADD_GROUP_BY_COMMAND, DEFAULT_GROUPS, DirectoryImportError, UnitRecord, parse_units_csv
from models.errors import InvalidInput
from workflows.service.app import App


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    total: int
    groups_created: tuple[str, ...] = ()


# A unit's texts and their limits (models.limits), by the column of the CSV file.
UNIT_TEXTS: tuple[tuple[str, int], ...] = (
    ("name", limits.UNIT_NAME), ("email", limits.EMAIL), ("contact_person", limits.CONTACT_PERSON),
    ("phone", limits.PHONE))


def check_unit_texts(records: list[UnitRecord], filename: str) -> None:
    """Every text of every unit within its limit; DirectoryImportError names each line and column that is not."""
    problems = [f"{filename}:{record.line}: {problem}" for record in records for column, limit in UNIT_TEXTS
                if (problem := limits.too_long(column, getattr(record, column), limit))]
    if problems:
        raise DirectoryImportError(problems)


def import_units(app: App, path: Path, actor: str, create_groups: bool = False,
                 add_group_hint: str = ADD_GROUP_BY_COMMAND) -> ImportReport:
    """Import every unit of the CSV or none; with `create_groups`, a group the file names that does not exist
    yet is created (its label is its code until renamed)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: không đọc được tệp ({os_reason(error)}).", "file_unreadable") from error
    now = app.clock.now()
    with app.uow() as uow:
        known = uow.directory.groups()
        if not known:  # a database `ykien init` did not seed (built directly, as in tests)
            uow.directory.ensure_groups(DEFAULT_GROUPS)
            known = uow.directory.groups()
        records = parse_units_csv(data, path.name, known, create_groups, add_group_hint)
        check_unit_texts(records, path.name)
        created = tuple(sorted({r.group for r in records} - set(known)))
        uow.directory.ensure_groups({code: code for code in created})
        added, updated = uow.directory.upsert_units(records, now)
        entry: dict[str, Any] = {"file": path.name, "units": len(records), "added": added, "updated": updated}
        if created:
            entry["groups_created"] = list(created)
        uow.audit.append(None, now, actor, [("directory_import", entry)])
        uow.commit()
    return ImportReport(added, updated, len(records), created)
