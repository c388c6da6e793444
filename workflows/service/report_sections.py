"""A round whose form is declared as headings (seed 003: a programme report): how many headings each unit reported
(the grid's column), the consolidation heading by heading (every unit's passage with its source, the staff's text,
the figures summed with the units that gave them, last year's beside), and next year's round started from this one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models import limits
from models.db.report_repository import ConsolidatedText, UnitForm
from models.errors import DomainError, InvalidInput
from models.rounds import RecipientRole
from models.text import grouped, stored_text
from notifications.documents.data import Issuer, LetterHead, LetterRef, Signer
from notifications.documents.programme_report import (
    FigureColumn,
    FiguresWorkbookData,
    ProgrammeReportData,
    ReportFigure,
    ReportHeading,
    UnitFigures,
)
from workflows.definition import ResponseSpec, Workflow
from workflows.definition.schema import Capability, ResponseField, ResponseSection
from workflows.service.app import App
from workflows.service.attachments import parse_ref, shown_value
from workflows.service.grid_columns import COLUMN_VALUES, grid_column_values
from workflows.service.registry import get_workflow
from workflows.service.round_contact import CONTACT_FIELDS
from workflows.service.rounds import Addressee, NewRound, create_round

CONSOLIDATED_TEXT_LIMIT = 50_000


# --- the grid's own columns: workflows/service/grid_columns.py (re-exported here for its callers) ---------------


# --- the consolidation --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Passage:
    """What one unit wrote under a heading (its text fields, in form order)."""

    unit_code: str
    unit_name: str
    text: str
    late: bool


@dataclass(frozen=True)
class FigureTotal:
    """One figure of a heading summed over the units that gave it; `previous` is the same sum in the round this one
    was started from (None when there is none, or it had no such figure)."""

    field: ResponseField
    total: int
    by_unit: tuple[tuple[str, int], ...]  # (unit name, value), in unit order
    previous: int | None = None

    @property
    def shown(self) -> str:
        return grouped(self.total)


@dataclass(frozen=True)
class Attachment:
    unit_name: str
    label: str
    name: str  # the file's name and size (service/attachments), or the name a unit typed before uploads
    attachment_id: int | None = None  # the stored file, for a download link


@dataclass(frozen=True)
class HeadingConsolidation:
    section: ResponseSection
    depth: int
    passages: tuple[Passage, ...]
    figures: tuple[FigureTotal, ...]
    attachments: tuple[Attachment, ...]
    consolidated: ConsolidatedText | None

    @property
    def suggested(self) -> str:
        """The text to start from before staff edit it: each unit's passage after its name."""
        return "\n\n".join(f"{p.unit_name}: {p.text}" for p in self.passages)

    @property
    def text(self) -> str:
        """The consolidated text: as staff wrote it, else the units' passages one after the other."""
        return self.consolidated.text if self.consolidated is not None else self.suggested


@dataclass(frozen=True)
class ReportConsolidation:
    round_id: int
    title: str
    workflow: Workflow
    headings: tuple[HeadingConsolidation, ...]
    reported: tuple[str, ...]  # names of the units that reported, in unit order
    not_reported: tuple[str, ...]  # names of the units asked that did not
    previous_round_id: int | None
    can_edit: bool

    def heading(self, key: str) -> HeadingConsolidation:
        return next(h for h in self.headings if h.section.key == key)


def _depths(spec: ResponseSpec) -> dict[str, int]:
    depths: dict[str, int] = {}
    for section in spec.sections:
        depths[section.key] = depths.get(section.parent, -1) + 1 if section.parent else 0
    return depths


def _figure_sums(spec: ResponseSpec, forms: list[UnitForm]) -> dict[str, int]:
    sums: dict[str, int] = {}
    for item in spec.fields:
        if item.figure:
            values = [int(f.values[item.key]) for f in forms if f.values.get(item.key, "").lstrip("-").isdigit()]
            if values:
                sums[item.key] = sum(values)
    return sums


def _attachment(unit_name: str, item: ResponseField, value: str) -> Attachment:
    ref = parse_ref(value)
    return Attachment(unit_name, item.label, ref.shown, ref.attachment_id) if ref is not None \
        else Attachment(unit_name, item.label, value)


def consolidate_by_heading(spec: ResponseSpec, forms: list[UnitForm], consolidated: dict[str, ConsolidatedText],
                           previous: dict[str, int] | None = None) -> list[HeadingConsolidation]:
    """Pure: every heading with each unit's passage, the figures summed (with last year's sums beside when given)
    and the files named, in form order."""
    depths = _depths(spec)
    headings = []
    for section in spec.sections:
        passages, attachments = [], []
        for form in forms:
            texts = [form.values[f.key] for f in section.fields
                     if f.kind in ("text", "long_text") and form.values.get(f.key)]
            if texts:
                passages.append(Passage(form.unit_code, form.unit_name, "\n".join(texts), form.late))
            attachments += [_attachment(form.unit_name, f, form.values[f.key]) for f in section.fields
                            if f.kind == "file" and form.values.get(f.key)]
        figures = []
        for item in section.figures:
            given = tuple((f.unit_name, int(f.values[item.key])) for f in forms
                          if f.values.get(item.key, "").lstrip("-").isdigit())
            figures.append(FigureTotal(item, sum(v for _, v in given), given,
                                       previous.get(item.key) if previous is not None else None))
        headings.append(HeadingConsolidation(section, depths[section.key], tuple(passages), tuple(figures),
                                             tuple(attachments), consolidated.get(section.key)))
    return headings


def report_consolidation(app: App, round_id: int) -> ReportConsolidation:
    """The round's report heading by heading; three queries (four with last year's round), whatever the headings."""
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
        forms = uow.reports.latest_forms(round_id, state.draft_version)
        consolidated = uow.reports.consolidated(round_id)
        previous_id = uow.reports.previous_round(round_id)
        previous_forms = None
        if previous_id is not None:
            previous_version = uow.rounds.row(previous_id).draft_version
            previous_forms = uow.reports.latest_forms(previous_id, previous_version)
    workflow = get_workflow(state.workflow)
    spec = workflow.response
    if not spec.sections:
        raise DomainError(f"Đợt {round_id} ({workflow.title}) không có đề cương báo cáo theo mục.", "no_headings")
    previous = _figure_sums(spec, previous_forms) if previous_forms is not None else None
    answered = {f.unit_code for f in forms}
    asked = [r for r in state.recipients.values() if r.role == RecipientRole.COMMENT]
    return ReportConsolidation(
        round_id, state.title, workflow, tuple(consolidate_by_heading(spec, forms, consolidated, previous)),
        tuple(f.unit_name for f in forms), tuple(r.unit_name for r in asked if r.unit_code not in answered),
        previous_id, workflow.allows(state.status, Capability.TRIAGE))


def save_heading_text(app: App, round_id: int, heading: str, text: str, actor: str) -> None:
    """Staff's consolidated text of one heading; the round's state must allow triage (the consolidation)."""
    cleaned = stored_text(text or "")
    limits.check_text("Nội dung tổng hợp", cleaned, CONSOLIDATED_TEXT_LIMIT)
    now = app.clock.now()
    with app.uow() as uow:
        row = uow.rounds.row(round_id, lock=True)
        workflow = get_workflow(row.workflow)
        known = {s.key: s for s in workflow.response.sections}
        if heading not in known:
            raise InvalidInput(f"Mục \"{heading[:60]}\" không có trong đề cương báo cáo của đợt.", "heading_unknown")
        if not workflow.allows(row.status, Capability.TRIAGE):
            raise DomainError(f"Không thể sửa nội dung tổng hợp khi đợt đang ở trạng thái "
                              f"\"{workflow.state_title(row.status)}\".", "triage_not_allowed")
        uow.reports.save_consolidated(round_id, heading, cleaned, actor, now)
        uow.audit.append(round_id, now, actor, [("heading_consolidated", {
            "heading": heading, "title": known[heading].heading, "characters": len(cleaned)})])
        uow.commit()


# --- the documents -----------------------------------------------------------------------------------------

NOTHING_TO_REPORT = "Không phát sinh nội dung này."
MINISTRY = "Bộ Khoa học và Công nghệ"


@dataclass(frozen=True)
class ReportExtras:
    """What a report's documents read beyond the units' forms: staff's texts and the previous round's sums."""

    consolidated: dict[str, ConsolidatedText]
    previous_sums: dict[str, int] | None = None  # None when the round was not started from another


def report_extras(app: App, round_id: int) -> ReportExtras:
    with app.uow(read_only=True) as uow:
        consolidated = uow.reports.consolidated(round_id)
        previous_id = uow.reports.previous_round(round_id)
        previous_forms = None
        if previous_id is not None:
            previous_forms = uow.reports.latest_forms(previous_id, uow.rounds.row(previous_id).draft_version)
        workflow = get_workflow(uow.rounds.row(round_id).workflow)
    return ReportExtras(consolidated, _figure_sums(workflow.response, previous_forms)
                        if previous_forms is not None else None)


@dataclass(frozen=True)
class ReportSource:
    """A round's report as its documents read it: the kind, the round's title and legal bases, the units' forms,
    the units asked that did not report, and the extras."""

    workflow: Workflow
    title: str
    legal_bases: tuple[str, ...]
    forms: list[UnitForm]
    not_reported: list[str]
    extras: ReportExtras


def report_recipients(place: str) -> list[str]:
    """Whom the consolidated report goes to: UBND tỉnh and the Ministry."""
    return [f"UBND tỉnh {place}", MINISTRY]


def programme_report_data(source: ReportSource, issuer: Issuer, head: LetterHead, request: LetterRef,
                          asked: list[str], signer: Signer, place: str) -> ProgrammeReportData:
    """Pure. The consolidated BÁO CÁO (seed 003): the legal bases the round cites, each heading with its consolidated
    text (the units' passages until staff edit it) and a table of its figures; to UBND tỉnh and the Ministry."""
    headings = []
    for h in consolidate_by_heading(source.workflow.response, source.forms, source.extras.consolidated,
                                    source.extras.previous_sums):
        text = h.text.strip()
        # A heading with fields where no unit wrote, counted or sent anything says so, never stands bare: its
        # figures are there whether or not a unit gave one.
        reported = any(f.by_unit for f in h.figures) or h.attachments
        paragraphs = (text,) if text else ((NOTHING_TO_REPORT,) if h.section.fields and not reported else ())
        figures = tuple(ReportFigure(f.field.label, f.total if f.by_unit else None, f.by_unit, f.previous,
                                     "đồng" if f.field.kind == "money" else "") for f in h.figures)
        headings.append(ReportHeading(h.section.number, h.section.title, h.depth, paragraphs, figures,
                                      tuple(f"{a.unit_name} — {a.name}" for a in h.attachments)))
    title = source.title.strip()
    return ProgrammeReportData(
        issuer=issuer, head=head, title=title if title.lower().startswith("kết quả") else f"Kết quả thực hiện {title}",
        references=list(source.legal_bases), request=request,
        asked="; ".join(asked) or "các cơ quan, đơn vị liên quan", headings=headings,
        recipients=report_recipients(place), cc=["Lãnh đạo Sở"], signer=signer,
        not_reported=source.not_reported, has_previous=source.extras.previous_sums is not None)


def report_figures_data(source: ReportSource) -> FiguresWorkbookData:
    """Pure. The figures of every unit that reported, by heading, and what each wrote (the workbook's two sheets)."""
    spec = source.workflow.response
    figures = [FigureColumn(s.heading, f.label, f.key, s.number or "") for s in spec.sections for f in s.fields
               if f.figure]
    texts = [FigureColumn(s.heading, f.label, f.key) for s in spec.sections for f in s.fields if not f.figure]
    fields = {f.key: f for f in spec.fields}
    return FiguresWorkbookData(source.title, figures, texts,
                               [UnitFigures(f.unit_name, f.late, {key: shown_value(fields[key], value) if key in fields
                                                                  else value for key, value in f.values.items()})
                                for f in source.forms],
                               source.not_reported)


# --- next year's round --------------------------------------------------------------------------------------

def next_round_refusal(workflow: Workflow, round_id: int, status: str) -> DomainError:
    """Why no next round is started from a round in `status`: the states of its kind that allow one, if any, and the
    steps its state offers instead."""
    allowing = workflow.states_allowing(Capability.NEXT_ROUND)
    state_title = workflow.state_title(status)
    if allowing:
        where = ", ".join(f"\"{workflow.state_title(name)}\"" for name in allowing)
        why = (f"quy trình \"{workflow.title}\" chỉ cho tạo đợt tiếp theo khi đợt ở trạng thái {where}, đợt này "
               f"đang ở trạng thái \"{state_title}\"")
    else:
        why = f"quy trình \"{workflow.title}\" không có bước tạo đợt tiếp theo"
    steps = workflow.staff_steps(status)
    offered = (f"Các bước làm được ở trạng thái \"{state_title}\": {', '.join(steps)}." if steps
               else f"Ở trạng thái \"{state_title}\" đợt không còn bước nào.")
    return DomainError(f"Không tạo được đợt tiếp theo từ đợt {round_id}: {why}. {offered}", "next_round_not_allowed")


def start_next_round(app: App, round_id: int, title: str, deadline: date, actor: str,
                     legal_bases: tuple[str, ...] | None = None) -> int:
    """A new round of the same kind (same headings) to the same units in the same roles, with a new title and
    deadline; it remembers this round, so its consolidation shows this round's figures beside its own."""
    if not (title or "").strip():
        raise InvalidInput("Tên đợt mới: chưa có (bắt buộc).", "title_missing")
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
        details = uow.rounds.details(round_id)
    if state.launched_at is None:
        raise DomainError("Đợt này chưa phát hành: sửa đợt này thay vì tạo đợt tiếp theo.", "round_not_launched")
    workflow = get_workflow(state.workflow)
    if not workflow.allows(state.status, Capability.NEXT_ROUND):
        raise next_round_refusal(workflow, round_id, state.status)
    by_role: dict[RecipientRole, list[str]] = {}
    for recipient in state.recipients.values():
        by_role.setdefault(RecipientRole(recipient.role), []).append(recipient.unit_code)
    new = NewRound(title=title, subject="", workflow=state.workflow, office=state.office, deadline=deadline,
                   addressees=tuple(Addressee(units=tuple(codes), role=role) for role, codes in by_role.items()),
                   contact_name=details.contact_name, contact_phone=details.contact_phone,
                   contact_title=details.contact_title, signer_name=details.signer_name,
                   signer_title=details.signer_title,
                   legal_bases=details.legal_bases if legal_bases is None else legal_bases)
    new_id = create_round(app, new, actor, carried={name: getattr(details, name) for name in CONTACT_FIELDS})
    with app.uow() as uow:
        uow.rounds.row(round_id, lock=True)  # this round's audit chain is appended under its lock
        uow.reports.set_previous_round(new_id, round_id)
        uow.audit.append(round_id, app.clock.now(), actor, [("follow_up_round", {
            "round": new_id, "units": len(state.recipients)})])
        uow.commit()
    return new_id


__all__ = ["COLUMN_VALUES", "HeadingConsolidation", "ReportConsolidation", "ReportExtras", "ReportSource", "UnitForm",
           "consolidate_by_heading", "grid_column_values", "programme_report_data", "report_consolidation",
           "report_extras", "report_figures_data", "save_heading_text", "start_next_round"]
