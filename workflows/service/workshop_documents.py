"""The round as a workshop's documents read it (seed 004): the invited units under the definition's `participants:`
groups, the preparatory tasks (`assignments:`) with their owners, due dates and what was handed in, the registrations
on the round's response form, and the event's date.

Nothing here names a kind, a state, a date key or a field key: the event's date is the first date the kind declares
(`dates:`), the registration is the form's first choice field, a task's result is the text its form was given.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from models.assignments import Assignment
from models.db.report_repository import UnitForm
from models.rounds import RecipientState
from models.text import nfc
from notifications.documents.data import LetterRef, Signer
from notifications.documents.vietnamese import spelled_out
from notifications.documents.wording import load_wording
from notifications.documents.workshop import (
    INVITATION_JOINED_FROM,
    REGISTERED,
    Attendance,
    InvitationData,
    InvitedSet,
    ParticipantGroup,
    TaskLine,
    TaskResult,
    Titled,
    WorkshopPlanData,
    WorkshopReportData,
    event_name,
    render_invitation,
    render_workshop_plan,
    render_workshop_report,
)
from notifications.documents.workshop_sheets import AttendeeListData, AttendeeRow, FormColumn, render_attendee_list
from workflows.definition.schema import ResponseField

if TYPE_CHECKING:  # service.documents registers these builders: it imports this module, never the reverse
    from workflows.service.documents import Job, RoundFacts

OTHERS = "Cơ quan, đơn vị khác"  # invited units whose directory group no participants group gathers
RESULT_KINDS = ("text", "long_text")  # the fields of a task's form whose text is its result
RESULT_LENGTH = 300  # a result longer than this is cut in the report's table
PROVINCE_SIGNER = Signer(title="PHÓ CHỦ TỊCH", name="", on_behalf="CHỦ TỊCH")


@dataclass(frozen=True)
class Unready:
    """Why a workshop document cannot be built now (service.documents shows it as its NotReady)."""

    message: str
    code: str
    inputs: tuple[str, ...] = ()  # the document inputs whose absence it is


@dataclass(frozen=True)
class Invited:
    """An invited unit and the participants group it sits under."""

    group: str
    recipient: RecipientState


class WorkshopFacts:
    """What the workshop documents read of a round, each part fetched once when first asked for."""

    def __init__(self, facts: RoundFacts) -> None:
        self.facts = facts
        self.workflow = facts.workflow

    @property
    def event_on(self) -> date | None:
        """The first date the kind declares (the day of the workshop), as the round was given it."""
        first = next(iter(self.workflow.dates), None)
        return self.facts.state.dates.get(first) if first is not None else None

    @property
    def event_date_title(self) -> str:
        first = next(iter(self.workflow.dates.values()), None)
        return first.title if first is not None else "Ngày tổ chức"

    @cached_property
    def invited(self) -> list[Invited]:
        """Every unit of the round, under its participants group in the definition's order; units of groups no
        participants group gathers come last, under OTHERS."""
        recipients = list(self.facts.state.recipients.values())
        placed: set[str] = set()
        out: list[Invited] = []
        for group in self.workflow.participants:
            for code in group.groups:
                for recipient in recipients:
                    if recipient.group == code and recipient.unit_code not in placed:
                        out.append(Invited(group.title, recipient))
                        placed.add(recipient.unit_code)
        out.extend(Invited(OTHERS, r) for r in recipients if r.unit_code not in placed)
        return out

    def group_titles(self) -> list[str]:
        titles = [group.title for group in self.workflow.participants]
        return [*titles, OTHERS] if any(item.group == OTHERS for item in self.invited) else titles

    def participant_groups(self) -> list[ParticipantGroup]:
        """The plan's "Thành phần": per participants group, its units by directory group (a group's label names a long
        list, as seed 004 does)."""
        out: list[ParticipantGroup] = []
        for title in self.group_titles():
            members = [item.recipient for item in self.invited if item.group == title]
            codes = list(dict.fromkeys(r.group for r in members))
            invited = tuple(InvitedSet(tuple(r.unit_name for r in members if r.group == code),
                                       spelled_out(self.facts.groups.get(code, code))) for code in codes)
            out.append(ParticipantGroup(title, invited))
        return out

    @property
    def assignments(self) -> list[Assignment]:
        return self.facts.assignments

    def task_title(self, key: str) -> str:
        task = self.workflow.assignments.get(key)
        return task.title if task is not None else key

    def task_lines(self) -> list[TaskLine]:
        """The "Giao ..." sentences: units given the same task with the same due date together, tasks in the
        definition's order, earlier due dates first."""
        order = list(self.workflow.assignments)
        grouped: dict[tuple[str, date], list[str]] = {}
        for item in sorted(self.assignments, key=lambda a: (order.index(a.task) if a.task in order else len(order),
                                                            a.due)):
            grouped.setdefault((item.task, item.due), []).append(item.unit_name)
        return [TaskLine(self.task_title(task), tuple(units), due) for (task, due), units in grouped.items()]

    def task_results(self) -> list[TaskResult]:
        out = []
        for item in sorted(self.assignments, key=lambda a: (a.due, a.task)):
            task = self.workflow.assignments.get(item.task)
            fields = [f for f in task.fields if f.kind in RESULT_KINDS] if task is not None else []
            texts = [" ".join(nfc(str(item.values[f.key])).split()) for f in fields if item.values.get(f.key)]
            result = "; ".join(texts)
            if len(result) > RESULT_LENGTH:
                result = result[:RESULT_LENGTH - 1].rstrip() + "…"
            done = item.done_at.astimezone(self.facts.app.tz).date() if item.done_at is not None else None
            out.append(TaskResult(item.unit_name, self.task_title(item.task), item.due, done, item.late, result))
        return out

    @cached_property
    def forms(self) -> dict[str, UnitForm]:
        """Each unit's latest registration, by unit code."""
        return {form.unit_code: form for form in self.facts.latest_forms}

    @property
    def fields(self) -> list[ResponseField]:
        return list(self.workflow.response.fields)

    @property
    def choice(self) -> ResponseField | None:
        """The registration's answer: the field that tells a refusal (response.decline), else the form's first choice
        field ("Đăng ký tham dự")."""
        decline = self.workflow.response.decline
        return next((f for f in self.fields if f.key == decline.field), None) if decline is not None else next(
            (f for f in self.fields if f.kind == "choice"), None)

    def attendance(self) -> list[Attendance]:
        choice = self.choice
        out: list[Attendance] = []
        for title in self.group_titles():
            members = [item.recipient for item in self.invited if item.group == title]
            if not members:
                continue
            # A unit whose role does not ask it to answer (the press, told "để biết") is neither registered nor not.
            codes = [r.unit_code for r in members if r.answers]
            informed = tuple(r.unit_name for r in members if not r.answers)
            answered = [self.forms[code] for code in codes if code in self.forms]
            if choice is None:
                counts: tuple[tuple[str, int], ...] = ((REGISTERED, len(answered)),)
            else:
                values = [form.values.get(choice.key) for form in answered]
                counts = tuple((option, values.count(option)) for option in choice.options)
            out.append(Attendance(title, len(codes), counts, informed))
        return out


def _titled(job: Job, subject: str) -> Titled:
    """The title, about line and register type the document's wording file gives (the department's copy first)."""
    wording = load_wording(job.document.builder, job.wording_dir)  # each DOCX builder's wording has its name
    settings = job.app.settings
    context = {"issuer_name": settings.issuer_name, "governing_body": settings.governing_body,
               "place": settings.place_name, "subject": subject, "office_code": job.facts.state.office,
               "event_name": event_name(job.facts.state.title)}
    return Titled(wording.text("title", context), wording.text("about", context),
                  wording.text("number_type", context))


def _list(facts: RoundFacts, key: str) -> list[str]:
    return [str(item) for item in facts.inputs.get(key) or []]


def _text(facts: RoundFacts, key: str) -> str | None:
    value = facts.inputs.get(key)
    return str(value) if value else None


def _venue(facts: RoundFacts) -> str:
    return _text(facts, "venue") or ""


def _plan_citation(job: Job) -> str | None:
    """The Kế hoạch the report carries out: as staff wrote it (plan_reference), else by the number the register holds
    for the document this one cites (`cites:`); None when neither is known."""
    typed = _text(job.facts, "plan_reference")
    if typed:
        return typed
    cited = job.document.cites
    entry = job.facts.numbers.get(cited) if cited is not None else None
    if entry is None:
        return None
    return LetterRef(sent_on=entry.issued_on, number=entry.full_number, kind=entry.type_name).citation()


def plan_data(job: Job) -> WorkshopPlanData:
    # The plan and the giấy mời go out with the round, so their date line is the month it went out (as the request
    # letter's), not the month someone renders them again after the workshop.
    facts = job.facts
    workshop = WorkshopFacts(facts)
    assert workshop.event_on is not None
    subject = f"tổ chức Hội thảo {event_name(facts.state.title)}"
    return WorkshopPlanData(
        issuer=job.province, head=job.head(subject, facts.sent_on), titled=_titled(job, subject),
        title=facts.state.title, organiser=job.app.settings.issuer_name, event_on=workshop.event_on,
        venue=_venue(facts), participants=workshop.participant_groups(), signer=PROVINCE_SIGNER,
        references=list(facts.details.legal_bases), event_time=_text(facts, "event_time"),
        purpose=_list(facts, "event_purpose"), requirements=_list(facts, "event_requirements"),
        contents=_list(facts, "event_contents"), funding=_text(facts, "funding"),
        organiser_duties=_list(facts, "organiser_duties"), tasks=workshop.task_lines(),
        registration_deadline=facts.state.deadline)


def build_workshop_plan(job: Job) -> bytes:
    """The Kế hoạch tổ chức Hội thảo (seed 004) for UBND tỉnh to sign. Inputs: event_purpose, event_requirements,
    event_contents, event_time, venue, funding, organiser_duties."""
    return render_workshop_plan(plan_data(job))


def invitation_data(job: Job) -> InvitationData:
    facts = job.facts
    workshop = WorkshopFacts(facts)
    details = facts.details
    assert workshop.event_on is not None and facts.letter_deadline is not None
    subject = f"mời dự Hội thảo {event_name(facts.state.title)}"
    return InvitationData(
        issuer=job.issuer, head=job.head(subject, facts.sent_on), titled=_titled(job, subject),
        title=facts.state.title, event_on=workshop.event_on, venue=_venue(facts),
        participants=workshop.participant_groups(), registration_deadline=facts.letter_deadline,
        signer=job.signer, event_time=_text(facts, "event_time"), contents=_list(facts, "event_contents"),
        contact_name=details.contact_name, contact_title=details.contact_title, contact_phone=details.contact_phone,
        plan=_plan_citation(job))


def build_invitation_letter(job: Job) -> bytes:
    """The giấy mời from the Sở to every invited unit ("Như thành phần mời"), asking them to register by the round's
    deadline through their link."""
    return render_invitation(invitation_data(job))


def invited_addressees(job: Job) -> list[str]:
    """Whom the giấy mời invites, short, as the register writes it: the directory groups its lines join (from
    INVITATION_JOINED_FROM units) by their labels, the other units by name."""
    out: list[str] = []
    for group in WorkshopFacts(job.facts).participant_groups():
        for invited in group.invited:
            joined = invited.label is not None and len(invited.units) >= INVITATION_JOINED_FROM
            out.extend([invited.label] if joined and invited.label else list(invited.units))
    return out


def attendee_data(facts: RoundFacts) -> AttendeeListData:
    workshop = WorkshopFacts(facts)
    fields = workshop.fields
    decline = facts.workflow.response.decline
    columns = tuple(FormColumn(f.label, tuple(f.options), tuple(decline.values), decline.accepted_label)
                    if decline is not None and f.key == decline.field else FormColumn(f.label, tuple(f.options))
                    for f in fields)
    rows: list[AttendeeRow] = []
    for item in workshop.invited:
        recipient = item.recipient
        form = workshop.forms.get(recipient.unit_code)
        if form is None:
            rows.append(AttendeeRow(item.group, recipient.unit_name, asked=recipient.answers))
            continue
        answered: datetime | None = recipient.responded_at.astimezone(facts.app.tz) if recipient.responded_at else None
        values = tuple(str(form.values.get(f.key) or "") for f in fields)
        rows.append(AttendeeRow(item.group, recipient.unit_name, values, answered, form.late))
    return AttendeeListData(facts.state.title, columns, rows)


def build_attendee_list(job: Job) -> bytes:
    """Every invited unit with its registration (the round's form, field by field), and the count of each option."""
    return render_attendee_list(attendee_data(job.facts))


def report_data(job: Job) -> WorkshopReportData:
    facts = job.facts
    workshop = WorkshopFacts(facts)
    assert workshop.event_on is not None
    choice = workshop.choice
    subject = f"kết quả tổ chức Hội thảo {event_name(facts.state.title)}"
    return WorkshopReportData(
        issuer=job.issuer, head=job.head(subject, facts.today), titled=_titled(job, subject),
        title=facts.state.title, recipient=job.to_province,
        event_on=workshop.event_on, signer=job.signer, venue=_text(facts, "venue"),
        plan=_plan_citation(job), references=list(facts.details.legal_bases),
        tasks=workshop.task_results(), attendance=workshop.attendance(),
        choice_label=choice.label if choice is not None else REGISTERED,
        **_declining(facts),
        results=_list(facts, "event_results"), recommendations=_list(facts, "recommendations"),
        cc=["Lãnh đạo Sở"], governing_body=job.app.settings.governing_body)


def _declining(facts: RoundFacts) -> dict[str, Any]:
    """The report's words for a form that tells a refusal: the options that decline, what the others are called."""
    decline = facts.workflow.response.decline
    return {} if decline is None else {"declining": tuple(decline.values), "attending_label": decline.accepted_label}


def build_workshop_report(job: Job) -> bytes:
    """The BÁO CÁO kết quả tổ chức Hội thảo to UBND tỉnh: the tasks as handed in, who registered, the results and
    recommendations staff wrote (inputs plan_reference, event_results, recommendations)."""
    return render_workshop_report(report_data(job), wording_dir=job.wording_dir)


# --- readiness ------------------------------------------------------------------------------------------------

def _event_ready(facts: RoundFacts) -> Unready | None:
    workshop = WorkshopFacts(facts)
    if not facts.workflow.dates:
        return Unready(f"Quy trình \"{facts.workflow.title}\" không khai báo ngày tổ chức (dates:).",
                        "event_date_missing")
    if workshop.event_on is None:
        return Unready(f"Đợt chưa có {workshop.event_date_title.lower()}.", "event_date_missing")
    return None


def _missing(facts: RoundFacts, wanted: tuple[tuple[str, str], ...]) -> Unready | None:
    missing = {key: label for key, label in wanted if not facts.inputs.get(key)}
    if missing:
        return Unready(f"Cần {' và '.join(missing.values())} (mục \"Thông tin cho văn bản\").",
                       "document_inputs_missing", tuple(missing))
    return None


def _invited_ready(facts: RoundFacts) -> Unready | None:
    if not facts.state.recipients:
        return Unready("Đợt chưa có cơ quan, đơn vị nào được mời.", "no_recipients")
    return None


def plan_ready(facts: RoundFacts) -> Unready | None:
    return _event_ready(facts) or _missing(facts, (("venue", "địa điểm hội thảo"),)) or _invited_ready(facts)


def invitation_ready(facts: RoundFacts) -> Unready | None:
    """The plan may say a workshop lasts "01 buổi" in some week; the giấy mời, once numbered and sent, tells each
    guest when to come: its hour is needed too."""
    if facts.state.deadline is None:
        return Unready("Đợt chưa có hạn đăng ký tham dự.", "deadline_missing")
    return _event_ready(facts) or _missing(facts, (("venue", "địa điểm hội thảo"),
                                                   ("event_time", "giờ hội thảo (Thời gian hội thảo)"))) \
        or _invited_ready(facts)


def attendee_list_ready(facts: RoundFacts) -> Unready | None:
    return _invited_ready(facts)


def report_ready(facts: RoundFacts) -> Unready | None:
    return _event_ready(facts) or _missing(facts, (("event_results", "kết quả hội thảo"),))
