"""Staff manage what they make: a round never launched (in its kind's initial state, with no launch recorded) can be
edited with the checks of create, or deleted with every row and file it owns; launching a kind that needs a draft
without one takes a reason, kept in the launch's audit entry. A launched round is never edited nor deleted.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from typing import Any

from models import limits
from models.db.round_repository import RoundDetails
from models.db.tables import RoundRow
from models.db.unit_of_work import UnitOfWork
from models.errors import DomainError, InvalidInput
from models.offices import known_office
from models.rounds import RecipientRole
from models.text import stored_text
from workflows.definition import Workflow
from workflows.service.app import App
from workflows.service.registry import get_workflow
from workflows.service.round_contact import CONTACT_FIELDS
from workflows.service.rounds import (
    Addressee,
    NewRound,
    addressee_rows,
    check_new_round,
    draft_location,
    resolve_recipients,
    store_draft,
)

# The folders under the home that hold a round's files, each as <folder>/<round id>.
ROUND_FOLDERS = ("drafts", "replies", "signed", "submissions")


class RoundLaunched(DomainError):
    """The round has gone out: what units received stays as it was."""

    code = "round_launched"


class RoundNumbered(DomainError):
    """The register gave numbers to the round's documents: numbers are never freed, so the round stays."""

    code = "round_numbered"


class DraftRequired(DomainError):
    code = "draft_required"


@dataclass(frozen=True)
class DeletedRound:
    id: int
    title: str
    office: str
    recipients: int


def is_draft(row: RoundRow, workflow: Workflow) -> bool:
    """Never launched: in the kind's initial state, with no launch recorded."""
    return row.status == workflow.initial and row.launched_at is None


def _draft_row(uow: UnitOfWork, round_id: int, doing: str) -> tuple[RoundRow, Workflow]:
    row = uow.rounds.row(round_id, lock=True)
    workflow = get_workflow(row.workflow)
    if not is_draft(row, workflow):
        raise RoundLaunched(f"Đợt số {round_id} đã phát hành (trạng thái \"{workflow.state_title(row.status)}\"): "
                            f"không {doing} được; các đơn vị đã nhận văn bản.")
    return row, workflow


def draft_round(app: App, round_id: int) -> tuple[NewRound, RoundDetails]:
    """The round's settings as a NewRound (its draft file left out), for the edit form and `round edit`; refused
    with RoundLaunched once the round has gone out."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        workflow = get_workflow(row.workflow)
        if not is_draft(row, workflow):
            raise RoundLaunched(f"Đợt số {round_id} đã phát hành: không sửa được.")
        details = uow.rounds.details(round_id)
    addressees = tuple(Addressee(units=tuple(a.get("units") or ()), groups=tuple(a.get("groups") or ()),
                                 role=RecipientRole(a.get("role", RecipientRole.COMMENT.value)))
                       for a in details.addressees)
    new = NewRound(
        title=row.title, subject=row.subject, workflow=row.workflow, office=row.office,
        deadline=row.deadline or date.min, addressees=addressees, contact_name=row.contact_name,
        contact_phone=row.contact_phone, signer_name=row.signer_name, signer_title=row.signer_title,
        contact_title=row.contact_title, silence_is_agreement=row.silence_is_agreement,
        timer_overrides=dict(row.timer_overrides or {}), deadline_working_days=row.deadline_working_days,
        legal_bases=tuple(details.legal_bases),
        dates={key: date.fromisoformat(day) for key, day in (row.dates or {}).items()})
    return new, details


def edit_round(app: App, round_id: int, new: NewRound, actor: str) -> list[str]:
    """Rewrite a draft round's settings and recipients (and its draft file when `new.draft_path` is given; kept
    otherwise) with the checks of create; audited in the round's chain with the fields changed. The kind stays.
    Returns the names of the fields that changed. The contact and signer are checked where they change: a draft
    kept with a phone the rules now refuse stays editable."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        kept = {name: getattr(row, name) for name in CONTACT_FIELDS}
    checked = check_new_round(app, new, kept)
    new = checked.new
    now = app.clock.now()
    with app.uow() as uow:
        row, workflow = _draft_row(uow, round_id, "sửa")
        version = row.draft_version
        if new.workflow != row.workflow:
            raise InvalidInput(f"workflow: đợt đã tạo theo quy trình \"{workflow.title}\"; không đổi được quy trình "
                               "(hãy xóa bản nháp và tạo đợt mới).", "workflow_fixed")
        office = known_office(new.office, uow.offices.codes())
        recipients = resolve_recipients(uow, new.addressees, workflow.recipient_roles)
        values: dict[str, Any] = {
            "title": new.title.strip(), "subject": checked.subject, "office": office, "deadline": new.deadline,
            "deadline_working_days": new.deadline_working_days, "silence_is_agreement": checked.silence,
            "contact_name": new.contact_name, "contact_title": new.contact_title,
            "contact_phone": new.contact_phone, "signer_name": new.signer_name, "signer_title": new.signer_title,
            "timer_overrides": dict(new.timer_overrides), "addressees": list(addressee_rows(new.addressees)),
            "legal_bases": [b.strip() for b in new.legal_bases if b.strip()],
            "dates": {key: day.isoformat() for key, day in new.dates.items()}}
        if new.draft_path is not None and checked.draft_sha is not None:
            values.update(draft_filename=new.draft_path.name, draft_sha256=checked.draft_sha)
        before = uow.draft_rounds.values(round_id)
        changed = sorted(name for name, value in values.items() if before.get(name) != value)
        old_units = {r.unit_code: r.role.value for r in uow.rounds.get(round_id).recipients.values()}
        if old_units != {code: r.role.value for code, r in recipients.items()}:
            changed.append("recipients")
        if not changed:
            return []
        uow.draft_rounds.update(round_id, values)
        if "recipients" in changed:
            uow.draft_rounds.replace_recipients(round_id, recipients.values())
        if "draft_sha256" in changed and new.draft_path is not None:
            uow.draft_rounds.drop_drafts(round_id)
            store_draft(app, round_id, version, new.draft_path)
            uow.drafts.add(round_id, version, new.draft_path.name, checked.draft_sha or "", [], None, now, actor)
        details: dict[str, Any] = {"changed": changed, "recipients": len(recipients)}
        if "deadline" in changed:
            details["deadline"] = new.deadline.isoformat()
        if "draft_sha256" in changed:
            details["draft_sha256"] = checked.draft_sha
        uow.audit.append(round_id, now, actor, [("round_edited", details)])
        uow.commit()
    if "draft_sha256" in changed and new.draft_path is not None:  # the replaced file goes once the edit is kept
        keep = draft_location(app, round_id, version, new.draft_path.name)
        for old in keep.parent.iterdir():
            if old != keep:
                old.unlink(missing_ok=True)
    return changed


def delete_round(app: App, round_id: int, actor: str) -> DeletedRound:
    """Remove a draft round with its recipients, links, timers, unsent messages, drafts and its audit chain, and
    its files under the home; the system's audit chain records what was removed, with the last hash of the round's
    chain. Refused for a launched round, and for one the register gave numbers to (numbers are never freed)."""
    now = app.clock.now()
    with app.uow() as uow:
        row, _ = _draft_row(uow, round_id, "xóa")
        numbers = uow.draft_rounds.register_numbers(round_id)
        if numbers:
            raise RoundNumbered(f"Đợt số {round_id} đã được cấp số văn bản {', '.join(numbers)} trong sổ văn bản "
                                "đi: số đã cấp không bao giờ được dùng lại, nên không xóa được đợt này.")
        if uow.draft_rounds.sent_messages(round_id):
            raise RoundLaunched(f"Đợt số {round_id} đã có thư gửi đi: không xóa được.")
        events = uow.audit.events(round_id)
        deleted = DeletedRound(row.id, row.title, row.office, len(uow.rounds.answering_units(round_id)))
        details = {"round": row.id, "title": row.title, "workflow": row.workflow, "office": row.office,
                   "draft_sha256": row.draft_sha256, "created_by": row.created_by,
                   "chain_hash": events[-1].hash if events else None}
        removed = uow.draft_rounds.delete(round_id)
        details.update(recipients=removed.recipients, audit_events=removed.audit_events)
        uow.audit.append(None, now, actor, [("round_deleted", details)])
        uow.commit()
    for folder in ROUND_FOLDERS:  # after the commit: a failed delete keeps the files its rows name
        shutil.rmtree(app.settings.home / folder / str(round_id), ignore_errors=True)
    return deleted


def check_no_draft_reason(reason: str | None) -> str | None:
    """The reason as kept (NFC, trimmed; None when blank); InvalidInput when too long."""
    if reason is None or not stored_text(reason):
        return None
    limits.check_text("no_draft_reason", reason, limits.NO_DRAFT_REASON)
    return stored_text(reason)


def launch_needs_reason(app: App, round_id: int) -> bool:
    """Whether launching the round now needs a reason: its kind needs a draft and it has none."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        return get_workflow(row.workflow).needs_draft and row.draft_sha256 is None


def is_draft_round(app: App, round_id: int) -> bool:
    """Whether the round was never launched (so it may be edited or deleted)."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        return is_draft(row, get_workflow(row.workflow))
