"""Round use cases. Each runs one command in one transaction: load, decide, persist."""
from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from config.os_words import os_reason
from models import limits
from models.db.round_repository import RoundDetails
from models.db.unit_of_work import UnitOfWork
from models.errors import InvalidInput
from models.offices import known_office
from models.rounds import RecipientRole, RecipientState, RoundState
from models.text import nfc, nfc_or_none
from workflows.definition import Workflow, parse_timespec
from workflows.definition.schema import fill_terms
from workflows.engine.decide import decide, needs_for
from workflows.engine.decision import Decision
from workflows.engine.events import Close, Command, Event, Extend, Launch, Respond, event_unit, event_units
from workflows.engine.needs import Needs
from workflows.engine.timers import DISABLED
from workflows.service.answer_input import field_limit
from workflows.service.app import App
from workflows.service.apply import apply_decision
from workflows.service.deadlines import DATE_HORIZON_YEARS, beyond_horizon, check_working_day_ahead
from workflows.service.draft_upload import check_draft_file
from workflows.service.files import file_in_place
from workflows.service.registry import get_workflow, shipped_workflows
from workflows.service.round_contact import CONTACT_FIELDS, check_round_contact


@dataclass(frozen=True)
class Addressee:
    """Who a round addresses: unit codes and/or whole groups, each with a role."""

    units: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    role: RecipientRole = RecipientRole.COMMENT


@dataclass(frozen=True)
class NewRound:
    """A round to create. A blank subject takes the kind's default (`default_subject`); silence_is_agreement
    None takes the kind's default (its `silence.agreement`)."""

    title: str
    subject: str
    workflow: str
    office: str
    deadline: date
    addressees: tuple[Addressee, ...]
    contact_name: str
    contact_phone: str
    signer_name: str
    signer_title: str = "GIÁM ĐỐC"
    contact_title: str | None = None
    silence_is_agreement: bool | None = None
    draft_path: Path | None = None
    timer_overrides: dict[str, str] = field(default_factory=dict)
    deadline_working_days: int | None = None  # when given as "N working days": recomputed at launch
    legal_bases: tuple[str, ...] = ()
    dates: dict[str, date] = field(default_factory=dict)  # the named dates the kind declares (`dates:`)


def default_workflow_name() -> str:
    """The kind a new round gets when none is named: the first shipped one."""
    return next(iter(shipped_workflows()))


def default_subject(workflow: Workflow, title: str) -> str:
    """The subject (V/v) a round of this kind gets when none is typed: the definition's terms.subject."""
    return " ".join(fill_terms(workflow.terms.subject, title=title.strip()).split())


def silence_rule(workflow: Workflow, asked: bool | None) -> bool:
    """Whether a new round counts silence as agreement; InvalidInput when the kind can never do so."""
    if asked is None:
        return workflow.silence.agreement
    if asked and not workflow.silence.possible:
        raise InvalidInput(f"silence_is_agreement: quy trình \"{workflow.title}\" không coi việc không trả lời là "
                           "đồng ý; bỏ tùy chọn này.", "silence_not_possible")
    return asked


def _check_deadline(app: App, deadline: date) -> None:
    check_working_day_ahead(app.calendar, app.clock.now().astimezone(app.tz).date(), deadline, "deadline")


def check_round_dates(workflow: Workflow, dates: dict[str, date], deadline: date) -> None:
    """Every date the kind declares given, none it does not, none before the deadline when the kind says so, and
    none years away from it (deadlines.DATE_HORIZON: timers and tasks count working days from these dates)."""
    for key in dates:
        if key not in workflow.dates:
            known = f"có: {', '.join(workflow.dates)}" if workflow.dates else "quy trình không khai báo ngày riêng nào"
            raise InvalidInput(f"date: quy trình \"{workflow.title}\" không có ngày \"{key}\" ({known}).",
                               "date_unknown")
    for key, declared in workflow.dates.items():
        if key not in dates:
            raise InvalidInput(f"date {key}: chưa ghi {declared.title.lower()}.",
                               "date_missing")
        if beyond_horizon(dates[key], deadline):
            raise InvalidInput(f"date {key}: {declared.title.lower()} {dates[key]:%d/%m/%Y} cách "
                               f"{workflow.terms.deadline_label.lower()} ({deadline:%d/%m/%Y}) quá xa; chỉ nhận "
                               f"trong vòng {DATE_HORIZON_YEARS} năm.", "date_out_of_range")
        if declared.not_before == "deadline" and dates[key] < deadline:
            raise InvalidInput(f"date {key}: {declared.title.lower()} {dates[key]:%d/%m/%Y} trước "
                               f"{workflow.terms.deadline_label.lower()} ({deadline:%d/%m/%Y}).",
                               "date_before_deadline")


def _check_overrides(overrides: dict[str, str], timer_names: set[str], dates: Iterable[str] = ()) -> None:
    for name, spec in overrides.items():
        if name not in timer_names:
            raise InvalidInput(f"timer \"{name}\" không có trong quy trình (có: {', '.join(sorted(timer_names))}).",
                               "timer_unknown")
        if spec != DISABLED:
            try:
                parse_timespec(spec, list(dates))
            except ValueError as error:
                raise InvalidInput(f"timer {name}: {error}", "bad_timespec") from error


# The round's texts and their limits (models.limits), by the name the command line, the API and the messages use.
ROUND_TEXTS: tuple[tuple[str, int], ...] = (
    ("title", limits.TITLE), ("subject", limits.SUBJECT), ("office", limits.OFFICE),
    ("contact_name", limits.PERSON_NAME), ("contact_title", limits.JOB_TITLE), ("contact_phone", limits.PHONE),
    ("signer_name", limits.PERSON_NAME), ("signer_title", limits.JOB_TITLE))


def check_round_texts(new: NewRound, subject: str) -> None:
    """Every text of a new round within its limit and writable in a document (the subject as it will be kept);
    InvalidInput names the first that is not."""
    for name, limit in ROUND_TEXTS:
        limits.check_text(name, subject if name == "subject" else getattr(new, name), limit)
    bases = [basis for basis in new.legal_bases if basis.strip()]
    limits.check_count("legal_bases", len(bases), limits.LEGAL_BASES, "căn cứ")
    for number, basis in enumerate(bases, start=1):
        limits.check_text(f"legal_bases {number}", basis, limits.LEGAL_BASIS)


def check_event_texts(event: Event, workflow: Workflow) -> None:
    """The texts an event carries within their limits, whichever entry point built it (the command line, a
    form, the API, a unit's own page): InvalidInput names the first that is not. The entry points check the
    same limits first, with their own words for each field."""
    if isinstance(event, Launch):
        limits.check_text("no_draft_reason", event.no_draft_reason, limits.NO_DRAFT_REASON)
    elif isinstance(event, Respond):
        limits.check_text("note", event.note, limits.ANSWER_NOTE)
        for number, comment in enumerate(event.comments, start=1):
            limits.check_text(f"Ý kiến {number} (mục/phần)", comment.section, limits.SECTION)
            limits.check_text(f"Ý kiến {number} (nội dung {workflow.terms.verb})", comment.text, limits.COMMENT)
            limits.check_text(f"Ý kiến {number} (đề xuất sửa đổi)", comment.proposed_wording, limits.COMMENT)
        fields = {item.key: item for item in workflow.response.fields}
        for number, proposal in enumerate(event.proposals, start=1):
            for key, value in proposal.items():
                item = fields.get(key)
                limit = field_limit(item) if item is not None else limits.FIELD
                limits.check_text(f"Phiếu {number}: {item.label if item else key}", value, limit)
    elif isinstance(event, Extend | Close):
        limits.check_text("reason", event.reason, limits.REASON)
    elif isinstance(event, Command):
        for key, limit in (("number", limits.DOCUMENT_NUMBER), ("reason", limits.REASON)):
            given = event.data.get(key)
            limits.check_text(key, given if isinstance(given, str) else None, limit)


def draft_location(app: App, round_id: int, version: int, filename: str) -> Path:
    return app.settings.home / "drafts" / str(round_id) / f"v{version}" / filename


def store_draft(app: App, round_id: int, version: int, source: Path) -> Path:
    """Keep a copy of the draft under the home; versions never overwrite each other."""
    target = draft_location(app, round_id, version, source.name)
    with file_in_place(target) as partial:
        shutil.copyfile(source, partial)
    return target


@dataclass(frozen=True)
class CheckedRound:
    """A NewRound that passed the checks every entry point shares (create and a draft's edit): its kind, its texts
    in NFC, the silence rule and subject it will keep, and the SHA-256 of its draft file when it has one."""

    workflow: Workflow
    new: NewRound
    silence: bool
    subject: str
    draft_sha: str | None


def check_new_round(app: App, new: NewRound, kept: Mapping[str, str | None] | None = None) -> CheckedRound:
    """Every check of a round's settings that needs no transaction; InvalidInput names the first problem. `kept`:
    the contact and signer the round has already (a draft's edit) or carries over (a follow-up), which are not
    checked again (round_contact.check_round_contact)."""
    workflow = get_workflow(new.workflow)
    _check_deadline(app, new.deadline)
    _check_overrides(new.timer_overrides, {t.name for s in workflow.states.values() for t in s.timers},
                     workflow.dates)
    check_round_dates(workflow, new.dates, new.deadline)
    if not new.title.strip():
        raise InvalidInput("title: không được để trống.", "missing_field")
    new = replace(new, title=nfc(new.title), subject=nfc(new.subject), office=nfc(new.office),
                  contact_name=nfc(new.contact_name).strip(), contact_title=nfc_or_none(new.contact_title),
                  contact_phone=nfc(new.contact_phone).strip(), signer_name=nfc(new.signer_name).strip(),
                  signer_title=nfc(new.signer_title), legal_bases=tuple(nfc(b) for b in new.legal_bases))
    check_round_contact({name: getattr(new, name) for name in CONTACT_FIELDS}, kept)
    silence = silence_rule(workflow, new.silence_is_agreement)
    subject = new.subject or default_subject(workflow, new.title)
    check_round_texts(new, subject)
    draft_sha = None
    if new.draft_path is not None:
        try:
            folder, found = new.draft_path.is_dir(), new.draft_path.is_file()
        except OSError as error:  # a name the system cannot look up (too long, say)
            raise InvalidInput(f"draft: \"{new.draft_path}\": không dùng được tệp này ({os_reason(error)}).",
                               "draft_missing") from None
        if folder:
            raise InvalidInput(f"draft: \"{new.draft_path}\" là một thư mục, không phải tệp.", "draft_missing")
        if not found:
            raise InvalidInput(f"draft: không tìm thấy tệp \"{new.draft_path}\".", "draft_missing")
        content = new.draft_path.read_bytes()
        check_draft_file(new.draft_path.name, content, app.settings.max_upload_mb * 1024 * 1024)
        draft_sha = hashlib.sha256(content).hexdigest()
    return CheckedRound(workflow, new, silence, subject, draft_sha)


def addressee_rows(addressees: tuple[Addressee, ...]) -> tuple[dict[str, Any], ...]:
    """How a round keeps whom it addresses (rounds.addressees): groups and units by role."""
    return tuple({"units": list(a.units), "groups": list(a.groups), "role": a.role.value} for a in addressees)


def create_round(app: App, new: NewRound, actor: str, carried: Mapping[str, str | None] | None = None) -> int:
    """Create a round in its initial state with its recipients resolved from the directory; its office must be
    one of the list (workflows/service/offices.py). `carried`: the contact and signer of the round this one follows,
    taken with it unchecked (check_new_round's `kept`)."""
    checked = check_new_round(app, new, carried)
    workflow, new, silence, subject, draft_sha = (checked.workflow, checked.new, checked.silence, checked.subject,
                                                  checked.draft_sha)
    now = app.clock.now()
    with app.uow() as uow:
        office = known_office(new.office, uow.offices.codes())
        recipients = resolve_recipients(uow, new.addressees, workflow.recipient_roles)
        state = RoundState(id=0, workflow=workflow.name, status=workflow.initial, title=new.title.strip(),
                           subject=subject, office=office, deadline=new.deadline,
                           silence_is_agreement=silence,
                           deadline_working_days=new.deadline_working_days,
                           timer_overrides=dict(new.timer_overrides), recipients=recipients,
                           dates=dict(new.dates))
        details = RoundDetails(new.contact_name, new.contact_title, new.contact_phone, new.signer_name,
                               new.signer_title, new.draft_path.name if new.draft_path else None, draft_sha,
                               now, actor, addressee_rows(new.addressees),
                               tuple(b.strip() for b in new.legal_bases if b.strip()))
        round_id = uow.rounds.add(state, details)
        if new.draft_path is not None and draft_sha is not None:
            store_draft(app, round_id, state.draft_version, new.draft_path)
            uow.drafts.add(round_id, state.draft_version, new.draft_path.name, draft_sha, [], None, now, actor)
        uow.audit.append(round_id, now, actor, [("create", {
            "title": state.title, "workflow": workflow.name, "deadline": new.deadline.isoformat(),
            "recipients": len(recipients), "draft_sha256": draft_sha,
            "silence_is_agreement": silence})])
        uow.commit()
    return round_id


def resolve_recipients(uow: UnitOfWork, addressees: tuple[Addressee, ...],
                       allowed_roles: list[Any]) -> dict[str, RecipientState]:
    """The units the addressees name (groups expanded), each with the first role given; InvalidInput for an
    unknown group, unit or role, or none at all."""
    known_groups = uow.directory.groups()
    recipients: dict[str, RecipientState] = {}
    for addressee in addressees:
        if addressee.role.value not in [str(r) for r in allowed_roles]:
            raise InvalidInput(f"role: quy trình không có vai trò \"{addressee.role.value}\".", "role_unknown")
        for group in addressee.groups:
            if group not in known_groups:
                raise InvalidInput(f"Không có nhóm \"{group}\" trong danh bạ (có: {', '.join(sorted(known_groups))}).",
                                   "unit_unknown")
        units = list(uow.directory.units(groups=addressee.groups)) if addressee.groups else []
        if addressee.units:
            found = uow.directory.units(codes=addressee.units)
            missing = sorted(set(addressee.units) - {u.code for u in found})
            if missing:
                named = ", ".join(f'"{code}"' for code in missing)
                raise InvalidInput(f"Không có đơn vị {named} trong danh bạ.",
                                   "unit_unknown")
            units.extend(found)
        for unit in units:
            # The first role given to a unit wins: a unit asked to comment is not also "for information".
            recipients.setdefault(unit.code, RecipientState(
                unit_code=unit.code, unit_name=unit.name, email=unit.email, group=unit.group_code,
                role=addressee.role, contact_person=unit.contact_person))
    if not recipients:
        named_groups = sorted({group for addressee in addressees for group in addressee.groups})
        if named_groups:  # named, but the directory has no unit in them yet (nothing imported, say)
            raise InvalidInput(f"recipients: nhóm {', '.join(named_groups)} chưa có cơ quan, đơn vị nào trong danh bạ.",
                               "no_recipients")
        raise InvalidInput("recipients: chưa chọn cơ quan, đơn vị nào.", "no_recipients")
    return recipients


def load_for(uow: UnitOfWork, round_id: int, needs: Needs, units: tuple[str, ...] | None,
             shared: bool = False) -> RoundState:
    """The round's state (its row already locked by the caller) with what an event needs: every unit, or the
    units the event names and the aggregates its guards read. `shared` (one unit): the round's row is held
    shared, the unit's row for update (RoundRepository.get)."""
    if Needs.ROUND in needs:
        return uow.rounds.get(round_id, lock=True)
    if units is not None and len(units) > 1:
        return uow.rounds.get(round_id, lock=True, some_units=units, counts=Needs.COUNTS in needs,
                              comments=Needs.COMMENTS in needs, deadlines=Needs.DEADLINES in needs)
    unit = units[0] if units else None
    return uow.rounds.get(round_id, lock=True, only_unit=unit, no_units=unit is None,
                          counts=Needs.COUNTS in needs, comments=Needs.COMMENTS in needs,
                          deadlines=Needs.DEADLINES in needs, shared=shared)


def one_unit_only(needs: Needs, unit: str | None) -> bool:
    """Whether an event reads no more than its own unit and the round's header: then it may run beside others
    of the same round (each on its own unit), the round's row held shared. Counts or deadlines of the other
    units would be read while they change, so an event needing them takes the row for itself."""
    return unit is not None and (needs | Needs.UNIT) == Needs.UNIT


def execute(app: App, round_id: int, event: Event, actor: str,
            also: Callable[[UnitOfWork, Decision], None] | None = None,
            on_progress: Callable[[int, int], None] | None = None) -> Decision:
    """Apply one event to a round in one transaction; refusals change nothing. Nothing is sent here:
    callers go through `commands.run_command`, which runs this and then hands the queued mail to delivery.

    `also` writes rows that belong with the event (a submission package) in the same transaction; `on_progress`
    hears how many of the messages it queues are written (apply_decision).

    The round's row is locked first; then only what the event's transition reads is loaded
    (engine.decide.needs_for): an event about one unit whose guards and effects read that unit, e.g. an answer,
    loads and writes that unit alone, at the same cost in a round of fifty units as in one of five thousand.
    Such an event holds the round's row shared and its unit's row for update (one_unit_only), so answers of
    different units do not wait for each other, only for the round's audit chain at the very end
    (AuditRepository.append); an event that changes the round's state takes the row for itself and waits for
    them. An event about one unit that turns out to need more (other units' deadlines, the round's state to
    change, its timers replanned) starts again with the row for itself.
    """
    now = app.clock.now()
    unit = event_unit(event)
    shared = unit is not None
    while True:
        with app.uow() as uow:
            head = uow.rounds.lock_for_unit(round_id, unit) if shared and unit else uow.rounds.row(round_id, lock=True)
            workflow = get_workflow(head.workflow)
            check_event_texts(event, workflow)
            needs = needs_for(head.status, event, workflow)
            if shared and not one_unit_only(needs, unit):
                shared = False
                continue
            state = load_for(uow, round_id, needs, event_units(event), shared)
            decision = decide(state, event, now, workflow, app.calendar, app.tz)
            if shared and (decision.replace_timers or uow.rounds.header_changed(decision.state)):
                shared = False
                continue
            apply_decision(app, uow, workflow, decision, actor, now, on_progress, also)
            uow.commit()
        return decision
