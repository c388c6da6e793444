"""Import the directory of recipient units from CSV: all lines valid, or nothing changes."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.directory import DEFAULT_GROUPS, parse_units_csv
from models.errors import InvalidInput
from workflows.service.app import App


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    total: int


def import_units(app: App, path: Path, actor: str) -> ImportReport:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: không đọc được tệp ({error.strerror}).", "file_unreadable") from error
    now = app.clock.now()
    with app.uow() as uow:
        uow.directory.ensure_groups(DEFAULT_GROUPS)
        records = parse_units_csv(data, path.name, uow.directory.groups())
        added, updated = uow.directory.upsert_units(records, now)
        uow.audit.append(None, now, actor, [("directory_import", {
            "file": path.name, "units": len(records), "added": added, "updated": updated})])
        uow.commit()
    return ImportReport(added, updated, len(records))
