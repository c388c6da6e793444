"""Draft versions: every upload is kept; comments point at the version that was circulated."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from models import limits
from models.db.unit_of_work import UnitOfWork
from models.text import nfc
from workflows.engine.decision import Decision
from workflows.engine.events import Command
from workflows.service.app import App
from workflows.service.commands import CommandResult, run_command
from workflows.service.draft_upload import check_draft_file
from workflows.service.rounds import draft_location, store_draft


@dataclass(frozen=True)
class DraftVersion:
    version: int
    filename: str
    sha256: str
    sections: list[str]
    note: str | None
    uploaded_at: datetime
    uploaded_by: str
    path: Path


def parse_sections(text: str | None) -> list[str]:
    """Headings given one per line (or separated by ';'), e.g. "Mục I", "Mục II.3"."""
    if not text:
        return []
    parts = [nfc(p) for chunk in text.splitlines() for p in chunk.split(";")]
    return [p for p in parts if p]


def check_version_texts(sections: list[str], note: str | None) -> None:
    """The headings and the note of a draft version within their limits (models.limits); InvalidInput names
    the first that is not."""
    limits.check_count("sections", len(sections), limits.DRAFT_SECTIONS, "mục")
    for number, section in enumerate(sections, start=1):
        limits.check_text(f"sections {number}", section, limits.DRAFT_SECTION)
    limits.check_text("note", note, limits.DRAFT_NOTE)


def add_version(app: App, round_id: int, source: Path, sections: list[str], note: str | None, actor: str) -> int:
    """Store a new version of the round's draft (the next number); old versions stay."""
    check_version_texts(sections, note)
    content = source.read_bytes()
    check_draft_file(source.name, content, app.settings.max_upload_mb * 1024 * 1024)
    now = app.clock.now()
    with app.uow() as uow:
        row = uow.rounds.row(round_id, lock=True)
        latest = uow.drafts.highest_version(round_id)
        if row.launched_at is None and latest < row.draft_version:
            version = row.draft_version  # the draft being prepared gets its first file
        else:
            version = max(latest, row.draft_version) + 1  # a revision: never overwrites what was circulated
        if version == row.draft_version:
            row.draft_filename, row.draft_sha256 = source.name, hashlib.sha256(content).hexdigest()
        store_draft(app, round_id, version, source)
        sha = hashlib.sha256(content).hexdigest()
        uow.drafts.add(round_id, version, source.name, sha, sections, note, now, actor)
        uow.audit.append(round_id, now, actor, [("draft_uploaded", {
            "version": version, "file": source.name, "sha256": sha, "sections": len(sections)})])
        uow.commit()
    return version


def revise_round(app: App, round_id: int, deadline: date | None, actor: str) -> CommandResult:
    """A returned draft goes back to drafting, adopting the newest uploaded version as the one to circulate
    (through the command path: whatever the kind sends on revising is handed to delivery)."""
    latest = latest_version(app, round_id)
    data: dict[str, object] = {}
    if latest is not None:
        data["version"] = latest.version
    if deadline is not None:
        data["deadline"] = deadline.isoformat()

    def adopt(uow: UnitOfWork, decision: Decision) -> None:
        row = uow.rounds.row(round_id)
        if latest is not None and decision.state.draft_version == latest.version:
            row.draft_filename, row.draft_sha256 = latest.filename, latest.sha256
        else:
            row.draft_filename = row.draft_sha256 = None  # the new version has no file yet

    return run_command(app, round_id, Command("revise", data), actor, also=adopt)


def versions(app: App, round_id: int) -> list[DraftVersion]:
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        stored = uow.drafts.for_round(round_id)
    return [DraftVersion(d.version, d.filename, d.sha256, list(d.sections), d.note, d.uploaded_at, d.uploaded_by,
                         draft_location(app, round_id, d.version, d.filename)) for d in stored]


def latest_version(app: App, round_id: int) -> DraftVersion | None:
    found = versions(app, round_id)
    return found[-1] if found else None
