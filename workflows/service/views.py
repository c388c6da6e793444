"""Read models: what `round show`, `round list` and the pages display (a round's header, its units, the latest
answers with their notes, its draft file, its audit trail). Constant queries per page."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from models.audit import AuditEvent, ChainBreak, verify_chain
from models.db.response_repository import CommentView, UnitAnswer
from models.db.round_repository import GridFilter, RoundDetails
from models.db.tables import OutboxRow
from models.db.unit_of_work import UnitOfWork
from models.rounds import RoundState
from models.signatures import SignatureReport
from models.text import capfirst, search_key
from models.unit_status import AnswerStatus, DeclineMatch, EmailStatus, UnitStatus, answer_labels, unit_status
from workflows.definition import Workflow
from workflows.service.app import App
from workflows.service.empty_groups import EmptyGroup, groups_left_out
from workflows.service.offices import known
from workflows.service.registry import catalogue, get_workflow
from workflows.service.rounds import draft_location
from workflows.service.state_filter import checked_state_filter


@dataclass(frozen=True)
class RoundSummary:
    id: int
    title: str
    workflow: str
    office: str
    status: str
    status_title: str
    deadline: date | None
    answered: int
    asked: int
    next_timer: str | None
    next_timer_at: datetime | None
    late: int = 0
    launched_at: datetime | None = None
    workflow_title: str = ""
    next_timer_title: str | None = None
    # The round counts silence as agreement: its `late` units are taken to agree, not overdue (the kind's label).
    silence_label: str | None = None


@dataclass(frozen=True)
class RoundView:
    """A round with every unit's status, in the words of its kind (its definition's terms)."""

    state: RoundState
    status_title: str
    units: list[UnitStatus]
    counts: dict[str, int]
    pending_timers: list[tuple[str, datetime]]  # the planned timer rows (name, due): what will really come
    today: date
    answer_labels: dict[str, str] = field(default_factory=dict)  # AnswerStatus value -> label
    silence_label: str | None = None  # the mark of a silent unit taken to agree; None when silence counts nothing
    timer_titles: dict[str, str] = field(default_factory=dict)
    workflow_title: str = ""
    signatures: dict[str, SignatureReport] = field(default_factory=dict)  # unit code -> ký số of its reply PDF
    empty_groups: tuple[EmptyGroup, ...] = ()  # groups a draft names that its letter will miss; () once launched

    def flags(self, unit: UnitStatus) -> list[str]:
        return unit.flags_with(self.silence_label or "")

    def answer_label(self, unit: UnitStatus) -> str:
        return self.answer_labels.get(unit.answer.value, unit.answer.value)

    def upcoming(self) -> list[tuple[str, datetime]]:
        """The planned timers as (title, due)."""
        return [(self.timer_titles.get(name, name), due) for name, due in self.pending_timers]


def kind_answer_labels(workflow: Workflow) -> dict[str, str]:
    """AnswerStatus value -> the label of this kind ("Có ý kiến góp ý", "Có đề xuất", ...); a kind whose answers
    can decline names those that do and those that do not in its own words ("Không tham dự", "Tham dự")."""
    labels = {k.value: v for k, v in answer_labels(workflow.terms.answered, workflow.terms.agreed).items()}
    decline = workflow.response.decline
    if decline is not None:
        labels[AnswerStatus.PROPOSALS.value] = decline.accepted_label
        labels[AnswerStatus.DECLINED.value] = decline.label
    return labels


def answer_status_of(workflow: Workflow, answer: UnitAnswer) -> str:
    """An answer's status as the grid reads it (an AnswerStatus value): its kind, or "declined" when its form
    declines (the kind's response.decline)."""
    decline = workflow.response.decline
    if decline is not None and answer.proposals and decline.declines(answer.proposals[0]):
        return AnswerStatus.DECLINED.value
    return answer.kind


def decline_match(workflow: Workflow) -> DeclineMatch | None:
    """What makes an answer of this kind a refusal, for the queries that classify units; None when none can."""
    decline = workflow.response.decline
    return DeclineMatch(decline.field, tuple(decline.values)) if decline is not None else None


def counts_silence(workflow: Workflow, state: RoundState) -> bool:
    """Whether a silent unit of this round is taken to agree (never for a kind whose silence cannot count)."""
    return state.silence_is_agreement and workflow.silence.possible


def role_labels(workflow: Workflow) -> dict[str, str]:
    """What each recipient role is called on the pages of this kind: answering units "Góp ý" or "Đề xuất"."""
    verb = workflow.terms.verb
    return {"comment": workflow.terms.role or capfirst(verb), "publish": "Đăng tải", "inform": "Để biết"}


TASK_REMINDER = "task-reminder:"  # a task's reminder among the timers: not a timer row, planned on its assignments


def timer_titles(workflow: Workflow) -> dict[str, str]:
    titles = {t.name: workflow.timer_title(t.name) for s in workflow.states.values() for t in s.timers}
    return titles | {f"{TASK_REMINDER}{key}": f"Nhắc nhiệm vụ: {task.title}"
                     for key, task in workflow.assignments.items()}


def _planned(uow: UnitOfWork, round_id: int) -> list[tuple[str, datetime]]:
    """What will come, soonest first: the timer rows, and each task's next reminders (on its own due dates)."""
    timers = [(t.name, t.due_at) for t in uow.timers.pending_for_round(round_id)]
    reminders = [(f"{TASK_REMINDER}{task}", moment) for task, moment in uow.assignments.upcoming_reminders(round_id)]
    return sorted(timers + reminders, key=lambda planned: planned[1])


def _email_status(counts: tuple[int, int, int] | None) -> EmailStatus:
    if counts is None:
        return EmailStatus.NONE
    queued, sent, failed = counts
    if failed:
        return EmailStatus.FAILED
    if queued:
        return EmailStatus.QUEUED
    return EmailStatus.SENT if sent else EmailStatus.NONE


def round_view(app: App, round_id: int) -> RoundView:
    today = app.clock.now().astimezone(app.tz).date()
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
        mail = uow.outbox.status_by_unit(round_id)
        opened = uow.rounds.opened(round_id)
        timers = _planned(uow, round_id)
        signatures = uow.reply_signatures.latest_by_unit(round_id, state.draft_version)
        decline = decline_match(get_workflow(state.workflow))
        declined = uow.rounds.declined_units(round_id, decline) if decline is not None else set()
        left_out = groups_left_out(uow, round_id)  # the round's row is read: one query for a draft, none after
    workflow = get_workflow(state.workflow)
    silence = counts_silence(workflow, state)
    units = [unit_status(r, state.deadline, today, _email_status(mail.get(r.unit_code)), silence,
                         opened.get(r.unit_code, (None, None)), r.unit_code in declined)
             for r in state.recipients.values()]
    counts: dict[str, int] = {}
    for unit in units:
        counts[unit.answer.value] = counts.get(unit.answer.value, 0) + 1
        counts[f"email_{unit.email.value}"] = counts.get(f"email_{unit.email.value}", 0) + 1
        counts["late"] = counts.get("late", 0) + int(unit.late)
        counts["extended"] = counts.get("extended", 0) + int(unit.extended)
        counts["opened"] = counts.get("opened", 0) + int(unit.first_opened_at is not None)
    return RoundView(state, workflow.state_title(state.status), units, counts, timers, today,
                     kind_answer_labels(workflow), workflow.silence.label if silence else None,
                     timer_titles(workflow), workflow.title, signatures, left_out)


@dataclass(frozen=True)
class RoundGrid(RoundView):
    """A round with one page of its unit grid: `units` holds the page, `counts` every unit (SQL aggregates)."""

    total: int = 0  # units of the round
    matched: int = 0  # units that pass the filter
    page: int = 1
    pages: int = 1
    page_size: int = 200

    @property
    def first_shown(self) -> int:
        """The number of the first unit shown (0 when none is)."""
        return (self.page - 1) * self.page_size + 1 if self.units else 0


def round_grid(app: App, round_id: int, grid_filter: GridFilter | None = None, search: str = "", page: int = 1,
               page_size: int = 200) -> RoundGrid:
    """A round's header, the counts of its units by status and one page of its grid (a page past the last shows
    the last). The counts, the filters and the paging are SQL: the cost is that of a page, not of the round;
    a search by code or name (folded as every search is, models.text.search_key) reads the ids of the units it fits."""
    today = app.clock.now().astimezone(app.tz).date()
    grid_filter = grid_filter or GridFilter()
    needle = search_key(search)
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False, no_units=True)
        workflow = get_workflow(state.workflow)
        decline = decline_match(workflow)
        counts = uow.rounds.grid_counts(round_id, today, decline)
        total = sum(n for key, n in counts.items() if key.startswith("email_"))
        found: list[int] | None = None
        if needle:
            found = uow.rounds.grid_units(round_id, today, grid_filter, needle, decline)
            matched = len(found)
        else:
            matched = (total if grid_filter == GridFilter()
                       else uow.rounds.grid_matched(round_id, today, grid_filter, decline))
        pages = max(1, -(-matched // page_size))
        page = min(max(page, 1), pages)
        offset = (page - 1) * page_size
        rows = uow.rounds.grid_page(round_id, today, grid_filter, page_size, offset,
                                    ids=found[offset:offset + page_size] if found is not None else None,
                                    decline=decline)
        timers = _planned(uow, round_id)
        signatures = uow.reply_signatures.latest_by_unit(round_id, state.draft_version)
        left_out = groups_left_out(uow, round_id)  # the round's row is read: one query for a draft, none after
    silence = counts_silence(workflow, state)
    units = [unit_status(row.recipient, state.deadline, today, EmailStatus(row.email), silence,
                         (row.first_opened_at, row.last_opened_at), row.declined) for row in rows]
    return RoundGrid(state, workflow.state_title(state.status), units, counts, timers, today,
                     kind_answer_labels(workflow), workflow.silence.label if silence else None,
                     timer_titles(workflow), workflow.title, signatures, left_out, total=total, matched=matched,
                     page=page, pages=pages, page_size=page_size)


def checked_list_filter(app: App, status: str | None,
                        office: str | None) -> tuple[str | None, str | None, str | None]:
    """The filter of a list of rounds as typed (NFC), as `list_rounds` takes it: (state, office, kind). `status` is
    one state of one kind ("appraisal:preparing") or a state's name in every kind ("preparing"); refused
    (InvalidInput naming the field) when no round could match it: a kind or a state the catalogue does not have,
    an office the Sở does not have. A typo would list nothing, as if there were no such rounds."""
    state = kind = None
    if status is not None:
        chosen = checked_state_filter(status, catalogue().workflows)
        state, kind = chosen.state, chosen.kind
    if office is not None:
        with app.uow(read_only=True) as uow:
            office = known(uow, office)
    return state, office, kind


def list_rounds(app: App, status: str | None = None, office: str | None = None,
                kind: str | None = None) -> list[RoundSummary]:
    """The rounds, filtered by state's name, office and kind (a state's name alone matches it in every kind)."""
    with app.uow(read_only=True) as uow:
        rows = uow.rounds.list(status=status, office=office, workflow=kind)
        ids = [r.id for r in rows]
        answers = uow.rounds.answer_counts(ids)
        timers = uow.timers.next_due_by_round(ids)
        late = uow.rounds.late_counts(ids, app.clock.now().astimezone(app.tz).date())
    out = []
    for row in rows:
        answered, asked = answers.get(row.id, (0, 0))
        name, due = timers.get(row.id, (None, None))
        workflow = get_workflow(row.workflow)
        silence = row.silence_is_agreement and workflow.silence.possible  # as counts_silence decides
        out.append(RoundSummary(row.id, row.title, row.workflow, row.office, row.status,
                                workflow.state(row.status).title, row.deadline, answered, asked, name, due,
                                late.get(row.id, 0), row.launched_at, workflow.title,
                                workflow.timer_title(name) if name else None,
                                workflow.silence.label if silence else None))
    return out


def latest_responses(app: App, round_id: int) -> list[CommentView]:
    """The comments of each unit's latest revision for the current draft version."""
    with app.uow(read_only=True) as uow:
        # The round's row is all this needs (its draft version), not its units.
        return uow.responses.latest_comments(round_id, uow.rounds.row(round_id).draft_version)


def outbox(app: App, round_id: int) -> list[OutboxRow]:
    with app.uow(read_only=True) as uow:
        return uow.outbox.for_round(round_id)


def unit_names(app: App, round_id: int) -> dict[str, str]:
    """code -> name of the round's units, for the timeline and the audit: two columns, no unit's state."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        return uow.rounds.unit_names(round_id)


def unit_count(app: App, round_id: int) -> int:
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        return uow.rounds.unit_count(round_id)


def upcoming(app: App, round_id: int) -> list[tuple[str, datetime]]:
    """The round's planned timers and task reminders as (title, due), soonest first, as RoundView.upcoming gives
    them, without loading the units."""
    with app.uow(read_only=True) as uow:
        workflow = get_workflow(uow.rounds.row(round_id).workflow)
        planned = _planned(uow, round_id)
    titles = timer_titles(workflow)
    return [(titles.get(name, name), due) for name, due in planned]


def audit_trail(app: App, round_id: int) -> tuple[list[AuditEvent], ChainBreak | None]:
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        events = uow.audit.events(round_id)
    return events, verify_chain(events)


@dataclass(frozen=True)
class RoundBrief:
    """Enough of a round to check permissions and choose the forms to show."""

    id: int
    title: str
    workflow: str
    office: str
    status: str
    draft_version: int


def round_brief(app: App, round_id: int) -> RoundBrief:
    """One small query; raises RoundNotFound."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        return RoundBrief(row.id, row.title, row.workflow, row.office, row.status, row.draft_version)


def round_details(app: App, round_id: int) -> RoundDetails:
    with app.uow(read_only=True) as uow:
        return uow.rounds.details(round_id)


def latest_answers(app: App, round_id: int) -> list[UnitAnswer]:
    """Three queries whatever the number of units (answers, their comments, the checks of their reply PDFs)."""
    with app.uow(read_only=True) as uow:
        version = uow.rounds.row(round_id).draft_version
        answers = uow.responses.latest_answers(round_id, version)
        signatures = uow.reply_signatures.latest_by_unit(round_id, version) if answers else {}
    return [replace(a, signature=signatures.get(a.unit_code)) if a.attachment_name else a for a in answers]


def staff_draft_file(app: App, round_id: int) -> Path | None:
    """The current draft of a round as stored under the home, for staff to download."""
    with app.uow(read_only=True) as uow:
        row = uow.rounds.row(round_id)
        filename, version = row.draft_filename, row.draft_version
    if not filename:
        return None
    path = draft_location(app, round_id, version, filename)
    return path if path.is_file() else None


def answering_units(app: App, round_id: int) -> dict[str, str]:
    """code -> name of the units a round asks to answer, in one query."""
    with app.uow(read_only=True) as uow:
        uow.rounds.row(round_id)
        return uow.rounds.answering_units(round_id)
