"""The official documents of a round: the definition's `documents:` say which ones a state offers, with their
titles and file names; the builder each names turns the round's data, and the inputs staff give for it
(`document_inputs`), into a file rendered by notifications.documents."""
from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from config.settings import Settings
from models import limits
from models.assignments import Assignment
from models.consolidation import Handling
from models.db.round_repository import RoundDetails
from models.db.tables import UnitRow
from models.directory import DEFAULT_GROUPS
from models.errors import DomainError, InvalidInput
from models.moments import due_day
from models.register import RegisterEntry, check_number_type, symbol, type_name
from models.rounds import RecipientRole, RecipientState, RoundState
from models.text import DRAFT_KINDS, capfirst, draft_kind, grouped, lowfirst, nfc
from models.unit_status import EMAIL_LABELS, AnswerStatus, UnitStatus
from notifications.documents.data import (
    Addressee,
    CallLetterData,
    DocumentDataError,
    Issuer,
    LetterHead,
    LetterRef,
    MinistryReplyDraft,
    Proposal,
    ProposalField,
    ProposalListData,
    ReminderLetterData,
    RequestLetterData,
    Signer,
    SubmissionData,
    SynthesisData,
    SynthesisRow,
    UnitDeadline,
    UnitGroup,
    ZeroResponseReportData,
)
from notifications.documents.exports import CommentRow, FormSheet, round_workbook
from notifications.documents.exports import UnitRow as WorkbookUnit
from notifications.documents.letters import (
    render_call_letter,
    render_ministry_reply_draft,
    render_reminder_letter,
    render_request_letter,
    render_submission,
    render_zero_response_report,
)
from notifications.documents.programme_report import render_figures_xlsx, render_programme_report
from notifications.documents.proposals import render_proposal_list_docx, render_proposal_list_xlsx
from notifications.documents.specs import SPECS
from notifications.documents.synthesis import render_synthesis_docx, render_synthesis_xlsx
from notifications.documents.vietnamese import spelled_out
from notifications.documents.wording import WordingError, load_wording
from workflows.definition import Workflow
from workflows.definition.schema import AskedRole, DocumentDef, ResponseSpec, Terms, fill_terms
from workflows.engine.timers import closing_date
from workflows.service import workshop_documents as workshop
from workflows.service.app import App
from workflows.service.attachments import shown_value
from workflows.service.consolidation import TriageItem, numbered, triage_items, unhandled_numbers
from workflows.service.drafts import DraftVersion, latest_version
from workflows.service.errors import FormErrors
from workflows.service.files import file_in_place
from workflows.service.registry import DOCUMENT_BUILDERS, get_workflow
from workflows.service.report_sections import (
    ReportExtras,
    ReportSource,
    UnitForm,
    programme_report_data,
    report_extras,
    report_figures_data,
    report_recipients,
)
from workflows.service.views import counts_silence, kind_answer_labels, role_labels, round_view

ROLE_NOTES = {RecipientRole.PUBLISH: "để đăng tải", RecipientRole.INFORM: "để biết"}
COLLECTIVE_GROUP_SIZE = 4  # a group addressed whole is named by its label from this many units on
DEFAULT_CC = ["UBND tỉnh (báo cáo)", "Lãnh đạo Sở"]

INTERNAL_GROUP = "don-vi-thuoc-so"  # the directory group of the Sở's own offices and units (seed 001, item 2)
MINISTRY = "Bộ Khoa học và Công nghệ"
EXTERNAL_NAMED_AT_MOST = 3  # more addressee lines than this are called "các cơ quan, đơn vị" in a letter's body
# More "Kính gửi:" lines than seed 000's ten push a letter's body to page 2: a reminder to more units is addressed to
# "các cơ quan, đơn vị có tên tại danh sách kèm theo" with the list attached.
ADDRESSEE_LINES_AT_MOST = 10
RELATED_UNITS = "các đơn vị liên quan"  # closes the list of units a request letter asks (seed 000, item 1)
UNIT_LIST_TITLE = "Danh sách cơ quan, đơn vị"  # the units sheet's title when the kind names no unit list of its own

assert INTERNAL_GROUP in DEFAULT_GROUPS


@dataclass(frozen=True)
class RenderedDocument:
    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class NotReady:
    """Why a document cannot be built now, in words for staff, with a code for machines."""

    message: str
    code: str = "document_not_ready"
    inputs: tuple[str, ...] = ()  # the document inputs (INPUTS) whose absence it is: where staff fill it in


# --- what the builders read --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Listed:
    """One line of "Kính gửi:" and what it stands for."""

    label: str
    role: RecipientRole
    internal: bool  # the Sở's own offices and units

    @property
    def addressee(self) -> Addressee:
        return Addressee(self.label, ROLE_NOTES.get(self.role))


@dataclass(frozen=True)
class Reminded:
    """A unit a reminder goes to, and the last day the round takes its answer as the round records it."""

    unit: UnitStatus
    until: date


class RoundFacts:
    """The round as the builders and their readiness checks read it; each part is fetched once, when first
    asked for, so listing the documents renders nothing and building a package reads the round once."""

    def __init__(self, app: App, round_id: int) -> None:
        self.app = app
        self.round_id = round_id
        view = round_view(app, round_id)
        self.state: RoundState = view.state
        self.units: list[UnitStatus] = view.units
        self.today: date = view.today
        with app.uow(read_only=True) as uow:
            self.details: RoundDetails = uow.rounds.details(round_id)
        self.workflow: Workflow = get_workflow(self.state.workflow)

    @property
    def inputs(self) -> Mapping[str, Any]:
        """The round's document inputs, with the installation's own where the round gives none: the Sở's address
        (YKIEN_ISSUER_ADDRESS) and mailbox (YKIEN_REPLY_TO) for what units send back."""
        return installation_inputs(self.app.settings) | dict(self.details.document_inputs)

    @cached_property
    def numbers(self) -> dict[str, RegisterEntry]:
        """The number each document of the round carries in the register (its latest entry not cancelled)."""
        with self.app.uow(read_only=True) as uow:
            entries = uow.register.of_round(self.round_id)
        return {entry.document_key: entry for entry in entries
                if entry.document_key is not None and not entry.cancelled}

    @cached_property
    def triage(self) -> list[TriageItem]:
        return triage_items(self.app, self.round_id)

    @cached_property
    def draft(self) -> DraftVersion | None:
        return latest_version(self.app, self.round_id)

    @cached_property
    def listed(self) -> list[Listed]:
        return _listed(self.app, self.state, self.details)

    @cached_property
    def groups(self) -> dict[str, str]:
        """The directory's groups: code -> label (data in the database, renamed by staff)."""
        with self.app.uow(read_only=True) as uow:
            return dict(uow.directory.groups())

    @cached_property
    def proposals(self) -> list[Proposal]:
        return _proposals(self.app, self.round_id, self.workflow)

    @cached_property
    def assignments(self) -> list[Assignment]:
        """The preparatory tasks given to the round's units (the kind's `assignments:`), in one query."""
        with self.app.uow(read_only=True) as uow:
            return uow.assignments.of_round(self.round_id)

    @cached_property
    def latest_forms(self) -> list[UnitForm]:
        """Each unit's latest answer on the round's form (its first form), in the round's unit order."""
        with self.app.uow(read_only=True) as uow:
            return uow.reports.latest_forms(self.round_id, self.state.draft_version)

    @cached_property
    def report_extras(self) -> ReportExtras:
        """A report's consolidated texts and the previous round's sums (report_sections)."""
        return report_extras(self.app, self.round_id)

    @property
    def report(self) -> ReportSource:
        """The round's report form as its documents read it: the units' forms come from `proposals`."""
        late = {u.unit_name: u.late for u in self.units}
        forms = [UnitForm("", p.unit, late.get(p.unit, False), {f.key: f.value for f in p.fields if f.key})
                 for p in self.proposals]
        reported = {p.unit for p in self.proposals}
        asked = [u.unit_name for u in self.units if u.role == RecipientRole.COMMENT.value]
        return ReportSource(self.workflow, self.state.title, self.details.legal_bases, forms,
                            [name for name in asked if name not in reported], self.report_extras)

    @property
    def pending(self) -> list[UnitStatus]:
        return [u for u in self.units if u.answer in (AnswerStatus.PENDING, AnswerStatus.SILENT)]

    @cached_property
    def reminded(self) -> list[Reminded]:
        """The units a reminder may still ask: asked to answer, silent so far, and the round still takes their
        answer. Before its deadline a unit is asked for that deadline. After it, a unit is taken to agree when the
        round counts silence as agreement (the kind's `silence:`), so it is not reminded; otherwise it is asked for
        the end of the kind's grace period while that lasts."""
        silence_counts = counts_silence(self.workflow, self.state)
        grace = self.workflow.grace_days()
        out: list[Reminded] = []
        for unit in self.pending:
            if unit.deadline is None:
                continue
            if self.today <= unit.deadline:
                out.append(Reminded(unit, unit.deadline))
            elif not silence_counts:
                closing = closing_date(self.app.calendar, unit.deadline, grace)
                if self.today <= closing:
                    out.append(Reminded(unit, closing))
        return out

    @property
    def sent_on(self) -> date:
        """The day the round went out (today for a round not launched yet)."""
        launched = self.state.launched_at
        return launched.astimezone(self.app.tz).date() if launched else self.today

    @property
    def letter_deadline(self) -> date | None:
        """The deadline the round's letter asks for: the one it asked for when it went out, which an extension of the
        whole round does not rewrite (the round's deadline before its launch, or for a round launched before ykien
        kept it)."""
        return self.state.launch_deadline or self.state.deadline

    @property
    def answers_ended_on(self) -> date | None:
        """The last day the round took answers: the day staff closed it, early; or, closed by its timer at the end of
        its last closing day (fired at midnight, or later when the sweep ran late), that day. None while open."""
        closed = self.state.closed_at
        if closed is None:
            return None
        day = due_day(closed, self.app.tz)
        latest = self.state.latest_deadline()
        if latest is None:
            return day
        return min(day, closing_date(self.app.calendar, latest, self.workflow.grace_days()))

    @property
    def purpose(self) -> str:
        """What the round's letter was about, without its "V/v"."""
        return re.sub(r"^\s*V/v\s*", "", self.state.subject)

    @property
    def asked_act(self) -> str:
        """What the units are asked to do, as the letter's sentences name it: the subject from the kind's verb on.
        Seed 001's V/v "tuyên truyền, phổ biến và phối hợp đề xuất nhiệm vụ KH&CN ..." asks businesses to "chủ động
        đề xuất nhiệm vụ KH&CN ...", never to "chủ động tuyên truyền, phổ biến ..."; a subject without the verb is
        taken whole."""
        purpose = self.purpose
        found = re.search(rf"(?<!\w){re.escape(self.workflow.terms.verb)}(?!\w)", purpose, flags=re.IGNORECASE)
        return purpose[found.start():] if found else purpose


def _listed(app: App, state: RoundState, details: RoundDetails) -> list[Listed]:
    """The Kính gửi list: a group addressed whole by its label (abbreviations spelled out) when large, otherwise its
    units by name."""
    with app.uow(read_only=True) as uow:
        groups = uow.directory.groups()
        members: dict[str, list[UnitRow]] = {}
        for unit in uow.directory.units():
            members.setdefault(unit.group_code, []).append(unit)
    out: list[Listed] = []
    seen: set[str] = set()
    for entry in details.addressees:
        role = RecipientRole(entry.get("role", "comment"))
        for group in entry.get("groups", []):
            units = [u for u in members.get(group, []) if u.code in state.recipients]
            if len(units) >= COLLECTIVE_GROUP_SIZE:
                out.append(Listed(spelled_out(groups.get(group, group)), role, group == INTERNAL_GROUP))
                seen.update(u.code for u in units)
                continue
            for unit in units:
                if unit.code not in seen:
                    out.append(Listed(unit.name, role, group == INTERNAL_GROUP))
                    seen.add(unit.code)
        for code in entry.get("units", []):
            if code in state.recipients and code not in seen:
                recipient = state.recipients[code]
                out.append(Listed(recipient.unit_name, role, recipient.group == INTERNAL_GROUP))
                seen.add(code)
    return out


def addressees(app: App, round_id: int) -> list[Addressee]:
    """The Kính gửi list of the round's letters."""
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
        details = uow.rounds.details(round_id)
    return [item.addressee for item in _listed(app, state, details)]


def _proposals(app: App, round_id: int, workflow: Workflow) -> list[Proposal]:
    """Every form of each unit's latest answer, its fields in the form's order, units in the round's order
    (a unit that proposed three tasks gives three rows)."""
    with app.uow(read_only=True) as uow:
        answers = uow.responses.latest_proposals(round_id, uow.rounds.row(round_id).draft_version)
    fields = workflow.response.fields
    out: list[Proposal] = []
    for answer in answers:
        values = {str(k): str(v) for k, v in answer.proposal.items() if v is not None and str(v).strip()}
        out.append(Proposal(answer.unit_name, [ProposalField(f.label, values[f.key], f.key, f.kind)
                                                    for f in fields if f.key in values]))
    return out


# --- shared pieces of the letters ----------------------------------------------------------------------------

def _department_wording(app: App) -> Path | None:
    path = app.settings.home / "templates" / "documents"
    return path if path.is_dir() else None


def issuer(app: App) -> Issuer:
    settings = app.settings
    return Issuer(governing_body=settings.governing_body.upper(), issuer=settings.issuer_name.upper(),
                       issuer_short=settings.issuer_code, place=settings.place_name, name=settings.issuer_name)


def province(app: App) -> Issuer:
    """UBND tỉnh as the issuer of a draft it will sign (the reply to the Ministry)."""
    place = app.settings.place_name
    return Issuer(governing_body="", issuer=f"ỦY BAN NHÂN DÂN\nTỈNH {place.upper()}", issuer_short="UBND",
                       place=place, name=f"Ủy ban nhân dân tỉnh {place}")


def _signer(facts: RoundFacts) -> Signer:
    return Signer.typed(facts.details.signer_title, facts.details.signer_name)


def _lower_first(text: str) -> str:
    """A group's label inside a sentence ("các xã, phường"); a body's own name keeps its capital."""
    return "c" + text[1:] if text.startswith("Các ") else text


_MINISTRY_LETTER = re.compile(r"^\s*(Công văn|Văn bản)\b.*(/B[A-ZĐ]+\b|\bcủa Bộ )")


def ministry_letter(facts: RoundFacts) -> str | None:
    """The Ministry's letter the round answers: the legal basis staff chose (ministry_letter_index), else the one
    basis that is a letter of a Ministry; None when neither tells."""
    bases = list(facts.details.legal_bases)
    index = facts.inputs.get("ministry_letter_index")
    if isinstance(index, int) and 0 <= index < len(bases):
        return bases[index]
    letters = [basis for basis in bases if _MINISTRY_LETTER.search(basis)]
    return letters[0] if len(letters) == 1 else None


def _ministry_letter_or_generic(facts: RoundFacts) -> str:
    """The Ministry's letter, or a mention of it without number when staff have not said which it is."""
    return ministry_letter(facts) or f"Công văn của {MINISTRY}"


def _head(job: Job, subject: str, drafted_on: date) -> LetterHead:
    """The number line and date of the document being built: the register's number and date once the document
    has one, else blanks for the văn thư (the day blank, month and year of `drafted_on`)."""
    state = job.facts.state
    entry = job.facts.numbers.get(job.key) if job.document.numbered else None
    if entry is None:
        return LetterHead(state.office, subject, drafted_on=drafted_on)
    return LetterHead(state.office, subject, issued_on=entry.issued_on, drafted_on=drafted_on,
                           number=entry.full_number)


def _cited(job: Job) -> LetterRef | None:
    """The earlier document this one cites (the definition's `cites:`): by the number and date the register holds
    for it; without one, by the number staff typed for it (document input `<key>_number`, e.g. a call sent before
    ykien) and the day the round went out, or, for a document not sent yet (the tờ trình a synthesis table goes
    with), with its ký hiệu and the number and day blank."""
    key = job.document.cites
    return _letter_ref(job, key) if key is not None else None


def _round_letter(job: Job) -> LetterRef:
    """The round's own letter (the kind's `letter:`, the công văn that went out at the launch) as a document that
    does not say what it cites names it: by its number and date, or with the number blank before its ký hiệu; by
    its date alone for a kind without a letter."""
    key = job.facts.workflow.letter
    return _letter_ref(job, key) if key is not None else LetterRef(job.facts.sent_on, subject=job.facts.state.subject)


def _letter_ref(job: Job, key: str) -> LetterRef:
    """The round's document `key` as another one cites it (see `_cited`)."""
    facts = job.facts
    state = facts.state
    entry = facts.numbers.get(key)
    if entry is not None:
        return LetterRef(sent_on=entry.issued_on, number=entry.full_number, subject=state.subject,
                              kind=entry.type_name)
    kind = number_type(job.app, facts.workflow, key, state.office, state.subject)
    sent = facts.workflow.letter == key and state.launched_at is not None
    return LetterRef(sent_on=facts.sent_on if sent else facts.today, number=facts.inputs.get(f"{key}_number"),
                          subject=state.subject, kind=type_name(kind),
                          symbol=symbol(job.app.settings.issuer_code, state.office, kind))


def _call_letter(job: Job) -> LetterRef:
    """The round's own letter (the call), cited by its number and date (see `_cited`)."""
    return _cited(job) or _round_letter(job)


def _report_subject(facts: RoundFacts) -> str:
    return facts.inputs.get("report_subject") or f"báo cáo kết quả {facts.asked_act}"


# --- the builders --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One document to build: the definition's entry, the round, and where its wording comes from."""

    key: str
    document: DocumentDef
    facts: RoundFacts
    wording_dir: Path | None

    @property
    def app(self) -> App:
        return self.facts.app

    def addressee(self, default: str) -> str:
        """The body a letter to one body goes to: the kind's own (`addressee:` of its entry) or the builder's."""
        return self.document.addressee or default

    @property
    def to_province(self) -> str:
        """A report's or submission's addressee: UBND tỉnh, unless the kind names another body."""
        return self.addressee(f"Ủy ban nhân dân tỉnh {self.app.settings.place_name}")

    # The shared pieces of a letter, for the builders that live in their own modules (workshop_documents).
    def head(self, subject: str, drafted_on: date) -> LetterHead:
        return _head(self, subject, drafted_on)

    @property
    def signer(self) -> Signer:
        return _signer(self.facts)

    @property
    def issuer(self) -> Issuer:
        return issuer(self.app)

    @property
    def province(self) -> Issuer:
        return province(self.app)

def receivers(job: Job, default: list[str]) -> list[str]:
    """The "Nơi nhận:" of the document: the kind's own (`receivers:` of its entry in `documents:`) or the builder's."""
    return list(job.document.receivers) if job.document.receivers is not None else default


def request_letter_data(job: Job) -> RequestLetterData:
    facts = job.facts
    state, details = facts.state, facts.details
    deadline = facts.letter_deadline
    assert deadline is not None
    listed = facts.listed
    commenters = [item.label for item in listed if item.role is RecipientRole.COMMENT]
    publishers = [item.label for item in listed if item.role is RecipientRole.PUBLISH]
    kind = draft_kind(state.title)
    terms = facts.workflow.terms
    silence = facts.workflow.silence.sentence if counts_silence(facts.workflow, state) else None

    def asked(role: AskedRole) -> str:  # the kind's words for what the units of a role are asked to do
        settings = job.app.settings
        return fill_terms(terms.ask(role), title=state.title, issuer_name=settings.issuer_name,
                          governing_body=settings.governing_body, draft_kind=kind)

    asks = [f"{_asked_phrase(commenters)} {asked('comment')}."] if commenters else []
    if publishers:
        asks.append(f"{_in_sentence(publishers)} {asked('publish')}.")
    return RequestLetterData(
        issuer=issuer(job.app), head=_head(job, state.subject, facts.sent_on),
        addressees=_round_addressees(facts), legal_bases=list(details.legal_bases),
        draft_title=state.title, asks=asks or [f"{capfirst(asked('comment'))}."],
        response=_term(job.app, terms.response, state),
        attachment_note=f"{_attached(state.title, terms)} gửi kèm theo Công văn này", deadline=deadline,
        contact_name=details.contact_name, contact_title=details.contact_title, contact_phone=details.contact_phone,
        silence_is_agreement=state.silence_is_agreement, cc=receivers(job, DEFAULT_CC), signer=_signer(facts),
        draft_kind=kind, silence_sentence=_term(job.app, silence, state) if silence else None)


def _round_addressees(facts: RoundFacts) -> list[Addressee]:
    """The Kính gửi of a letter to the round's units (request, call): a large group by its label."""
    return [item.addressee for item in facts.listed]


def _attached(title: str, terms: Terms) -> str:
    """What the letter says it sends with it: the type its title opens with ("Kế hoạch"), else the kind's word for the
    file ("Hồ sơ thẩm định"), never a bare "văn bản" opening the note in lower case."""
    known = next((kind for kind in DRAFT_KINDS if title.lower().startswith(kind.lower())), None)
    return known or capfirst(terms.document)


def _in_sentence(labels: list[str]) -> str:
    """Addressees named in a sentence, as seed 000 does: "Ủy ban ...; các sở, ban, ngành, đoàn thể tỉnh; ..." (a
    group's label keeps its capital only where it opens the sentence)."""
    return "; ".join([labels[0], *(_lower_first(label) for label in labels[1:])])


def _asked_phrase(labels: list[str]) -> str:
    """The units asked to comment, closed by "và các đơn vị liên quan" when there are several (seed 000, item 1)."""
    return f"{_in_sentence(labels)} và {RELATED_UNITS}" if len(labels) > 1 else _in_sentence(labels)


def build_request_letter(job: Job) -> bytes:
    """A công văn đề nghị (the consultation's: seed 000) with the round's addressees, legal bases, the kind's asks,
    deadline, contact and signer; the shared wording asks neutrally, a kind's own file says what that kind does."""
    return render_request_letter(request_letter_data(job), wording_dir=job.wording_dir)


def _form_name(workflow: Workflow) -> str:
    """"Mẫu A1-ĐXNV" when the kind's word for an answer names its form, else that word."""
    match = re.search(r"\((Mẫu [^)]+)\)", workflow.terms.response)
    return match.group(1) if match else workflow.terms.response


def build_call_letter(job: Job) -> bytes:
    """The công văn đề nghị đề xuất (seed 001). Reads the document inputs `department_address` and
    `department_email` (where proposals are sent: not in the settings), `ministry_letter_index` (the
    Ministry's guiding letter among the legal bases; the one Ministry letter among them when not chosen) and
    `internal_office` (where the Sở's own units send theirs; "Phòng <office>" when not given)."""
    facts = job.facts
    state, details, inputs = facts.state, facts.details, facts.inputs
    deadline = facts.letter_deadline
    assert deadline is not None
    listed = facts.listed
    guidance = _ministry_letter_or_generic(facts)
    references = [basis for basis in details.legal_bases if basis != guidance] or [guidance]
    external = [item.label for item in listed if item.role is RecipientRole.COMMENT and not item.internal]
    internal = [item.label for item in listed if item.role is RecipientRole.COMMENT and item.internal]
    publishers = [item for item in listed if item.role is RecipientRole.PUBLISH]
    data = CallLetterData(
        issuer=issuer(job.app), head=_head(job, state.subject, facts.sent_on),
        addressees=_round_addressees(facts), references=references, ministry_letter=guidance,
        call_purpose=facts.asked_act,
        external_units=_units_phrase(external) if external else "Các cơ quan, đơn vị",
        department_address=str(inputs.get("department_address", "")),
        department_email=str(inputs.get("department_email", "")), deadline=deadline,
        form=_form_name(facts.workflow), contact_name=details.contact_name, contact_title=details.contact_title,
        contact_phone=details.contact_phone, cc=receivers(job, DEFAULT_CC), signer=_signer(facts),
        internal_units=(internal[0] if len(internal) == 1 else DEFAULT_GROUPS[INTERNAL_GROUP]) if internal else None,
        internal_office=(inputs.get("internal_office") or f"Phòng {state.office}") if internal else None,
        publishers=[item.label for item in publishers], legal_bases=list(details.legal_bases) or references,
        portal=("Cổng thông tin điện tử của Sở" if all(item.internal for item in publishers)
                else "Cổng thông tin điện tử tỉnh"))
    return render_call_letter(data, wording_dir=job.wording_dir)


def _units_phrase(labels: list[str]) -> str:
    """The addressees as the body names them: each by its label, or all at once when there are many."""
    if len(labels) > EXTERNAL_NAMED_AT_MOST:
        return "Các cơ quan, đơn vị, địa phương"
    return _in_sentence(labels)


def build_reminder_letter(job: Job) -> bytes:
    """The công văn đôn đốc to the units the round still waits for (`RoundFacts.reminded`), asking for their answer
    by the day the round records for them: their deadline, never an earlier day. Addressed as the request letter is
    (a group whole when all its units are reminded); more lines than seed 000's ten become "the units named in the
    attached list", listed under their groups after the letter."""
    facts = job.facts
    state, details, terms = facts.state, facts.details, facts.workflow.terms
    first_deadline = facts.letter_deadline
    assert first_deadline is not None
    reminded = facts.reminded
    days = Counter(item.until for item in reminded)
    asked = max(days, key=lambda day: (days[day], -day.toordinal()))  # the most common; the earliest of equals
    listed, attached = _reminder_addressees(facts)
    silence = facts.workflow.silence.sentence if counts_silence(facts.workflow, state) else None
    first = _cited(job) or _round_letter(job)
    data = ReminderLetterData(
        issuer=issuer(job.app),
        head=_head(job, _reminder_subject(job.app, terms, state), facts.today),
        addressees=[] if attached else [item.addressee for item in listed], attached_units=attached,
        first_letter_subject=state.subject, first_letter_sent_on=first.sent_on,
        first_letter_number=first.number_or_blank, first_deadline=first_deadline,
        draft_title=state.title, new_deadline=asked,
        other_deadlines=[UnitDeadline(item.unit.unit_name, item.until) for item in reminded
                         if item.until != asked],
        silence_is_agreement=silence is not None,
        silence_sentence=_term(job.app, silence, state) if silence else None,
        response=_term(job.app, terms.response, state), awaited=_term(job.app, terms.awaited["comment"], state),
        purpose=_term(job.app, terms.purpose, state),
        contact_name=details.contact_name, contact_title=details.contact_title, contact_phone=details.contact_phone,
        cc=receivers(job, ["Lãnh đạo Sở"]), signer=_signer(facts))
    return render_reminder_letter(data, wording_dir=job.wording_dir)


def _reminder_addressees(facts: RoundFacts) -> tuple[list[Listed], list[UnitGroup]]:
    """Whom the reminder goes to: the Kính gửi lines of the units reminded, or, when they are more than a letter
    names, the same units under their groups in the list attached to it (then the lines are not written)."""
    reminded = facts.reminded
    listed = _listed_units(facts, [item.unit.unit_code for item in reminded])
    attached = _unit_groups(facts, [item.unit for item in reminded]) if len(listed) > ADDRESSEE_LINES_AT_MOST else []
    return listed, attached


def _reminder_subject(app: App, terms: Terms, state: RoundState) -> str:
    """The reminder letter's V/v: the kind's reminder_subject, else "đôn đốc {verb} đối với {topic}"."""
    if terms.reminder_subject is None:
        return f"đôn đốc {terms.verb} đối với {_term(app, terms.topic, state)}"
    return " ".join(fill_terms(_term(app, terms.reminder_subject, state), subject=state.subject).split())


def _term(app: App, text: str, state: RoundState) -> str:
    """A term of the kind with {title}, {issuer_name}, {governing_body} and {draft_kind} filled for the round."""
    settings = app.settings
    return fill_terms(text, title=state.title, issuer_name=settings.issuer_name,
                      governing_body=settings.governing_body, draft_kind=draft_kind(state.title))


def _listed_units(facts: RoundFacts, codes: list[str]) -> list[Listed]:
    """The Kính gửi lines for some of the round's units, in the order and the grouping of the request letter: a
    group by its label when all its units in the round are among them and they are many, the others by name."""
    state, wanted = facts.state, set(codes)
    out: list[Listed] = []
    seen: set[str] = set()

    def by_name(code: str, role: RecipientRole) -> None:
        if code in wanted and code not in seen:
            recipient = state.recipients[code]
            out.append(Listed(recipient.unit_name, role, recipient.group == INTERNAL_GROUP))
            seen.add(code)

    for entry in facts.details.addressees:
        role = RecipientRole(entry.get("role", "comment"))
        for group in entry.get("groups", []):
            members = [code for code, recipient in state.recipients.items() if recipient.group == group]
            if len(members) >= COLLECTIVE_GROUP_SIZE and wanted.issuperset(members):
                out.append(Listed(spelled_out(facts.groups.get(group, group)), role, group == INTERNAL_GROUP))
                seen.update(members)
            for code in members:
                by_name(code, role)
        for code in entry.get("units", []):
            by_name(code, role)
    for code in codes:  # a unit no addressee entry names (a round made before entries were kept)
        by_name(code, state.recipients[code].role)
    return out


def _unit_groups(facts: RoundFacts, units: list[UnitStatus]) -> list[UnitGroup]:
    """Units under the labels of their directory groups, the groups in the order the round addressed them."""
    order = [group for entry in facts.details.addressees for group in entry.get("groups", [])]
    by_group: dict[str, list[str]] = {}
    for unit in units:
        by_group.setdefault(facts.state.recipients[unit.unit_code].group, []).append(unit.unit_name)
    codes = sorted(by_group, key=lambda code: order.index(code) if code in order else len(order))
    return [UnitGroup(spelled_out(facts.groups.get(code, code)), by_group[code]) for code in codes]


def _pending(unit: UnitStatus) -> str:
    """"Sở Y tế (gia hạn đến ngày 15/01/2027)": a unit whose own deadline had not passed, with that deadline."""
    if unit.deadline is None:
        return unit.unit_name
    until = "gia hạn đến" if unit.extended else "hạn trả lời đến"
    return f"{unit.unit_name} ({until} ngày {unit.deadline:%d/%m/%Y})"


def synthesis_data(facts: RoundFacts, attached_to: LetterRef | None = None) -> SynthesisData:
    """One row per handled comment, with the wording the unit proposed; the units that agreed, stayed silent or were
    not asked, in the order the round addressed them; `attached_to` the tờ trình it goes with; the heads in the kind's
    words (its verb and the name of its text)."""
    rows = [SynthesisRow(no, item.unit_name, item.section, item.text, item.decision, item.explanation,
                              item.proposed_wording, item.quote)
            for no, item in numbered(facts.triage) if item.decision is not None]
    units = _in_addressing_order(facts, facts.units)
    return SynthesisData(
        issuer=issuer(facts.app), draft_title=facts.state.title, draft_version=facts.state.draft_version, rows=rows,
        agreed_units=[u.unit_name for u in units if u.answer is AnswerStatus.AGREE],
        silent_units=[u.unit_name for u in units if u.answer is AnswerStatus.SILENT],
        pending_units=[_pending(u) for u in units if u.answer is AnswerStatus.PENDING],
        silence_is_agreement=counts_silence(facts.workflow, facts.state),
        not_asked_units=[u.unit_name for u in units if u.answer is AnswerStatus.NOT_ASKED],
        prepared_on=facts.today, signer=_signer(facts), attached_to=attached_to,
        verb=facts.workflow.terms.verb, document=lowfirst(facts.workflow.terms.document))


def build_synthesis_docx(job: Job) -> bytes:
    """The bảng tổng hợp, tiếp thu, giải trình of the current draft version (every comment handled)."""
    return render_synthesis_docx(synthesis_data(job.facts, _cited(job)), wording_dir=job.wording_dir)


def build_synthesis_xlsx(job: Job) -> bytes:
    """The same table as a spreadsheet."""
    return render_synthesis_xlsx(synthesis_data(job.facts, _cited(job)), wording_dir=job.wording_dir)


def _attachment_title(facts: RoundFacts, key: str) -> str:
    """A document of the package as a clerk lists it in "Hồ sơ trình kèm theo gồm:": its title without the file
    type, and the revised draft named by what it is ("Dự thảo Kế hoạch (đã chỉnh lý)"), not by its version."""
    document = facts.workflow.documents[key]
    if document.builder == "revised_draft":
        return f"Dự thảo {draft_kind(facts.state.title)} (đã chỉnh lý)"
    return re.sub(r"\s*\((DOCX|XLSX|PDF|ZIP|CSV)\)\s*$", "", document.title)


def _package_attachments(facts: RoundFacts, key: str) -> list[str]:
    """What goes with a document in the package that holds it: the others' titles, once each."""
    package = next((s.package for s in facts.workflow.states.values()
                    if s.package is not None and key in s.package.documents), None)
    titles: list[str] = []
    for other in package.documents if package is not None else []:
        title = _attachment_title(facts, other)
        if other != key and title not in titles:
            titles.append(title)
    return titles


def _citation(job: Job) -> str:
    """"Công văn số 12/SKHCN-TĐC ngày 10/11/2025" (or without its number while it has none)."""
    cited = _cited(job) or _round_letter(job)
    return cited.citation()


def build_submission(job: Job) -> bytes:
    """The tờ trình to UBND tỉnh, in the kind's words (its own wording file, or the shared one that speaks in its
    terms): what staff wrote of the need, the purpose and the main contents (document inputs
    `necessity`, `purpose`, `main_contents`), the consultation in figures, the comments by handling (as many as the
    synthesis table has rows), and as attachments the other documents of the package that holds it."""
    facts = job.facts
    state, details, inputs = facts.state, facts.details, facts.inputs
    items = [item for item in facts.triage if item.decision is not None]  # the rows of the synthesis table
    answered = [u for u in facts.units if u.answer in (AnswerStatus.COMMENTS, AnswerStatus.AGREE,
                                                       AnswerStatus.PROPOSALS, AnswerStatus.DECLINED)]
    asked = [u for u in facts.units if u.answer is not AnswerStatus.NOT_ASKED]
    count = {h: sum(1 for i in items if i.decision is h) for h in Handling}
    issued = issued_title(state.title)
    workflow, settings = facts.workflow, job.app.settings

    def term(text: str) -> str:  # a term of the kind, its placeholders filled for this round
        return fill_terms(text, title=state.title, issuer_name=settings.issuer_name,
                          governing_body=settings.governing_body, draft_kind=draft_kind(state.title))

    terms = workflow.terms
    data = SubmissionData(
        issuer=issuer(job.app), head=_head(job, f"ban hành {issued}", facts.today),
        recipient=job.to_province, legal_bases=list(details.legal_bases),
        draft_title=state.title, necessity=list(inputs.get("necessity") or []),
        purpose=list(inputs.get("purpose") or []), main_contents=list(inputs.get("main_contents") or []),
        consulted=len(asked), answered=len(answered),
        answered_with_comments=sum(1 for u in answered if u.answer in (AnswerStatus.COMMENTS, AnswerStatus.PROPOSALS)),
        silent=sum(1 for u in asked if u.answer is AnswerStatus.SILENT),
        pending=sum(1 for u in asked if u.answer is AnswerStatus.PENDING),
        silence_is_agreement=counts_silence(facts.workflow, state),
        comments_accepted=count[Handling.ACCEPTED], comments_partly_accepted=count[Handling.PARTLY_ACCEPTED],
        comments_not_accepted=count[Handling.NOT_ACCEPTED], comments_noted=count[Handling.NOTED],
        attachments=_package_attachments(facts, job.key), cc=receivers(job, ["Lãnh đạo Sở"]), signer=_signer(facts),
        request_letter=_citation(job) if state.launched_at else None,
        published_on_portal=any(u.role == RecipientRole.PUBLISH.value for u in facts.units),
        draft_kind=draft_kind(state.title), issued_title=issued,
        asked=term(terms.ask("comment")), publish_asked=term(terms.ask("publish")), response=term(terms.response),
        answer=term(terms.answer), answered_label=lowfirst(term(terms.answered)),
        agreed_label=lowfirst(term(terms.agreed)) if workflow.response.allow_agree else "",
        silence_label=workflow.silence.label, document=term(terms.document))
    return render_submission(data, wording_dir=job.wording_dir)


_ISSUING_KIND = re.compile(rf"^(?:{'|'.join(DRAFT_KINDS)})\s+ban hành\s+", re.IGNORECASE)


def issued_title(title: str) -> str:
    """What UBND tỉnh is asked to issue: the title, without a leading "Quyết định ban hành" so that "ban hành" is
    never said twice ("ban hành Quy chế ...", not "ban hành Quyết định ban hành Quy chế ...")."""
    text = " ".join(nfc(title).split())
    stripped = _ISSUING_KIND.sub("", text, count=1)
    return stripped if stripped else text


def build_revised_draft(job: Job) -> bytes:
    """The latest uploaded draft file, as stored."""
    draft = job.facts.draft
    assert draft is not None
    return draft.path.read_bytes()


def _in_addressing_order(facts: RoundFacts, units: list[UnitStatus]) -> list[UnitStatus]:
    """Units in the order the round addressed their groups (seed 000's Kính gửi), by name within a group."""
    order = [group for entry in facts.details.addressees for group in entry.get("groups", [])]
    recipients = facts.state.recipients

    def rank(unit: UnitStatus) -> int:
        group = recipients[unit.unit_code].group
        return order.index(group) if group in order else len(order)

    return sorted(units, key=rank)


def _answered_at(recipient: RecipientState, app: App) -> datetime | None:
    """When the unit's latest answer was received, in the app's time zone; None before it answers."""
    return recipient.responded_at.astimezone(app.tz) if recipient.responded_at else None


def _form_columns(response: ResponseSpec) -> list[tuple[str, str]]:
    """The forms sheet's columns (key, header): a report's fields under their heading's number ("2.1. Nội dung báo
    cáo"), as every heading asks for the same "Nội dung báo cáo"; another form's by their labels."""
    if not response.sections:
        return [(f.key, f.label) for f in response.fields]
    return [(f.key, f"{s.number or s.title} {f.label}") for s in response.answering_sections() for f in s.fields]


def _unit_list(facts: RoundFacts) -> bytes:
    """The units sheet in words: the group's label from the directory, the role, email status and answer as the
    round's pages say them (the kind's terms), a silent unit taken to agree marked so."""
    recipients = facts.state.recipients
    roles = role_labels(facts.workflow)
    answers = kind_answer_labels(facts.workflow)
    silence = facts.workflow.silence.label if counts_silence(facts.workflow, facts.state) else None

    def answer(unit: UnitStatus) -> str:
        label = answers.get(unit.answer.value, unit.answer.value)
        return f"{label} ({silence})" if silence and unit.answer is AnswerStatus.SILENT else label

    units = [WorkbookUnit(u.unit_code, u.unit_name, facts.groups.get(recipients[u.unit_code].group,
                                                                     recipients[u.unit_code].group),
                          roles.get(u.role, u.role), EMAIL_LABELS[u.email], answer(u), u.deadline, u.late,
                          u.extended, _answered_at(recipients[u.unit_code], facts.app))
             for u in _in_addressing_order(facts, facts.units)]
    response = facts.workflow.response
    title, subtitle = _unit_list_titles(facts)
    if response.kind == "proposals":  # the kind's answers are forms: their sheet, not an empty one of comments
        forms = FormSheet(capfirst(facts.workflow.terms.answer), _form_columns(response), facts.proposals)
        return round_workbook(units, [], wording_dir=_department_wording(facts.app), forms=forms, title=title,
                              subtitle=subtitle)
    comments = [CommentRow(i.unit_name, i.section, i.text, i.proposed_wording, i.decision, i.explanation)
                for i in facts.triage]
    return round_workbook(units, comments, wording_dir=_department_wording(facts.app),
                          verb=facts.workflow.terms.verb, title=title, subtitle=subtitle)


def _unit_list_titles(facts: RoundFacts) -> tuple[str, str]:
    """The units sheet's title as the kind's documents name the list ("Danh sách cơ quan, đơn vị được lấy ý kiến",
    attachment 3 of the tờ trình), and under it what the round is about ("Dự thảo Kế hoạch ...")."""
    named = next((key for key, document in facts.workflow.documents.items() if document.builder == "unit_list"), None)
    title = _attachment_title(facts, named) if named is not None else UNIT_LIST_TITLE
    return title, capfirst(_term(facts.app, facts.workflow.terms.topic, facts.state))


def unit_list_workbook(app: App, round_id: int) -> bytes:
    """The units consulted with their status, and every comment with its handling (package and exports)."""
    return _unit_list(RoundFacts(app, round_id))


def build_unit_list(job: Job) -> bytes:
    """The units of the round with what each answered (XLSX)."""
    return _unit_list(job.facts)


def proposal_list_data(job: Job) -> ProposalListData:
    """Reads `report_subject` (the letter's own V/v; what the call asked, "đề xuất nhiệm vụ ...", when not given),
    `ministry_letter_index` and `call_letter_number` (the call cited by number and date). Its deadline is the last
    day proposals were taken: a unit's later extension, or the day staff closed the call early."""
    facts = job.facts
    state = facts.state
    return ProposalListData(
        issuer=issuer(job.app),
        head=_head(job, facts.inputs.get("report_subject") or facts.asked_act, facts.today),
        call_subject=facts.asked_act, ministry_letter=_ministry_letter_or_generic(facts),
        proposals=[_files_by_name(p, facts.workflow) for p in facts.proposals],
        cc=receivers(job, DEFAULT_CC), signer=_signer(facts), ministry=_to_ministry(job),
        call_letter=_call_letter(job) if state.launched_at else None,
        deadline=facts.answers_ended_on or state.deadline,
        form=_form_name(facts.workflow), declined_units=_declined(facts), proposer_key=facts.workflow.response.proposer,
        declined_answer=facts.workflow.terms.received.get("agree", ""))


def _to_ministry(job: Job) -> str:
    """The list of proposals goes to the Ministry, unless the kind names another body."""
    return job.addressee(MINISTRY)


def _files_by_name(proposal: Proposal, workflow: Workflow) -> Proposal:
    """The form with each file field as a list of forms shows it, by name and size ("tham-dinh.pdf (321 B)"), not the
    stored reference ("… [tệp đính kèm số 1]") a report's heading-by-heading consolidation reads."""
    kinds = {f.key: f for f in workflow.response.fields}
    return replace(proposal, fields=[
        replace(item, value=shown_value(kinds[item.key], item.value)) if item.key in kinds else item
        for item in proposal.fields])


def _declined(facts: RoundFacts) -> list[str]:
    """The units that answered without content ("Không có đề xuất"), in the order the round addressed them."""
    return [u.unit_name for u in _in_addressing_order(facts, facts.units) if u.answer is AnswerStatus.AGREE]


def build_proposal_list_docx(job: Job) -> bytes:
    """The công văn forwarding the proposals with their list as an appendix (seed 001, after the deadline).
    Inputs: those of proposal_list_data."""
    return render_proposal_list_docx(proposal_list_data(job), wording_dir=job.wording_dir)


def build_proposal_list_xlsx(job: Job) -> bytes:
    """One row per unit's latest answer on the form, one column per field, units in the round's order."""
    return render_proposal_list_xlsx(proposal_list_data(job), wording_dir=job.wording_dir)


def zero_response_data(job: Job) -> ZeroResponseReportData:
    """Seed 002. Reads the document inputs `report_subject` (the report's own V/v, never the call's;
    "báo cáo kết quả <call>" when not given), `considerations` (the reasons, one paragraph each),
    `ministry_letter_index` (the Ministry's letter the draft reply answers, among the legal bases; the one
    Ministry letter among them when not chosen, a general mention when none) and `call_letter_number` (the
    number of the call; its date is the day the round went out)."""
    facts = job.facts
    state, details, inputs = facts.state, facts.details, facts.inputs
    assert state.deadline is not None
    subject = _report_subject(facts)
    call = _call_letter(job)
    references = list(details.legal_bases) or [_ministry_letter_or_generic(facts)]
    reply = MinistryReplyDraft(
        issuer=province(job.app), head=LetterHead("KGVX", subject, drafted_on=facts.today), ministry=MINISTRY,
        ministry_letter=_ministry_letter_or_generic(facts),
        cc=receivers(job, [job.app.settings.issuer_name, "Lưu: VT, KGVX"]),
        signer=Signer(title="PHÓ CHỦ TỊCH", name="", on_behalf="CHỦ TỊCH", collective="ỦY BAN NHÂN DÂN"))
    return ZeroResponseReportData(
        issuer=issuer(job.app), head=_head(job, subject, facts.today),
        recipient=job.to_province, references=references, call_purpose=facts.asked_act,
        call_letter=call, deadline=state.deadline, closed_on=facts.answers_ended_on,
        recommendation=_recommendation(facts),
        cc=receivers(job, ["Lãnh đạo Sở"]), signer=_signer(facts), reply=reply,
        units_asked=sum(1 for u in facts.units if u.answer is not AnswerStatus.NOT_ASKED),
        considerations=list(inputs.get("considerations") or []),
        declined_units=_declined(facts), declined_answer=facts.workflow.terms.received.get("agree", ""))


def _recommendation(facts: RoundFacts) -> str:
    """Not to propose what was called for, named as seed 002 names it ("không đề xuất nhiệm vụ khoa học và công nghệ
    cấp quốc gia thuộc Chương trình ..."): by the report's own V/v or the call's subject when it says so, else in
    general words (the report has already said that nobody proposed)."""
    for text in (facts.inputs.get("report_subject"), facts.asked_act):
        if text and nfc(text).casefold().startswith("đề xuất "):
            return f"không {nfc(text)}"
    return "không đề xuất nhiệm vụ trong đợt này"


def build_zero_response_report(job: Job) -> bytes:
    """The report to UBND tỉnh recommending not to propose, when nobody answered. Inputs: those of
    zero_response_data."""
    return render_zero_response_report(zero_response_data(job), wording_dir=job.wording_dir)


def build_ministry_reply(job: Job) -> bytes:
    """The draft reply of UBND tỉnh to the Ministry attached to that report. Inputs: those of
    zero_response_data."""
    return render_ministry_reply_draft(zero_response_data(job), wording_dir=job.wording_dir)


def build_programme_report(job: Job) -> bytes:
    """The consolidated BÁO CÁO of a round whose form has headings (seed 003), to UBND tỉnh and the Ministry."""
    facts = job.facts
    return render_programme_report(programme_report_data(
        facts.report, issuer(job.app), _head(job, facts.state.subject, facts.today),
        _cited(job) or _round_letter(job),
        [_lower_first(item.label) for item in facts.listed if item.role is RecipientRole.COMMENT], _signer(facts),
        job.app.settings.place_name))


# --- whom a document goes to, as the register writes it ------------------------------------------------------
# Each reads the source its builder addresses the document from: the register's "Nơi nhận văn bản" is the
# document's own Kính gửi, a group by its label, never a second list.

def _addressed_to_units(job: Job) -> list[str]:
    return [addressee.text() for addressee in _round_addressees(job.facts)]


def _addressed_reminded(job: Job) -> list[str]:
    listed, attached = _reminder_addressees(job.facts)
    if attached:
        return [group.label for group in attached if group.units]
    return [item.addressee.text() for item in listed]


def _addressed_province(job: Job) -> list[str]:
    return [job.to_province]


def _addressed_ministry(job: Job) -> list[str]:
    return [_to_ministry(job)]


def _addressed_report(job: Job) -> list[str]:
    return report_recipients(job.app.settings.place_name)


def build_report_figures_xlsx(job: Job) -> bytes:
    """The figures of a round whose form has headings, by unit, with what each unit wrote (XLSX)."""
    return render_figures_xlsx(report_figures_data(job.facts.report))


def _report_ready(facts: RoundFacts) -> NotReady | None:
    if not any(u.answer is AnswerStatus.PROPOSALS for u in facts.units):
        return NotReady(f"Chưa có {facts.workflow.terms.answer} nào để tổng hợp.", "nothing_reported")
    return None


# --- readiness: cheap checks, so the list never offers a document that would fail --------------------------

def _needs_deadline(facts: RoundFacts) -> NotReady | None:
    return None if facts.state.deadline is not None else NotReady("Đợt chưa có hạn trả lời.", "deadline_missing")


def _call_ready(facts: RoundFacts) -> NotReady | None:
    missing = {key: label for key, label in (("department_address", "địa chỉ"), ("department_email", "thư điện tử"))
               if not facts.inputs.get(key)}
    if missing:
        settings = " và ".join(INSTALLATION_SETTINGS[key] for key in missing)
        return NotReady(f"Cần {' và '.join(missing.values())} của {facts.app.settings.issuer_name} để ghi nơi nhận "
                        f"{facts.workflow.terms.answer} (mục \"Thông tin cho văn bản\" của đợt, hoặc {settings} "
                        "cho mọi đợt).", "document_inputs_missing", tuple(missing))
    return _needs_deadline(facts)


def _reminder_ready(facts: RoundFacts) -> NotReady | None:
    if facts.state.launched_at is None or facts.state.deadline is None:
        return NotReady("Đợt chưa phát hành nên chưa thể đôn đốc.", "not_launched")
    if not facts.pending:
        return NotReady("Tất cả cơ quan, đơn vị đã trả lời; không cần công văn đôn đốc.", "nothing_pending")
    if not facts.reminded:
        answer = facts.workflow.terms.answer
        if counts_silence(facts.workflow, facts.state):
            return NotReady(f"Đã hết thời hạn gửi {answer}: cơ quan, đơn vị chưa trả lời được tính là "
                            f"{facts.workflow.silence.label}, không cần công văn đôn đốc.", "deadline_passed")
        return NotReady(f"Đã hết thời hạn nhận {answer} của các cơ quan, đơn vị chưa trả lời.", "deadline_passed")
    return None


def _synthesis_ready(facts: RoundFacts) -> NotReady | None:
    unhandled = unhandled_numbers(facts.triage)  # the table's numbers (STT), as the triage page and the CLI show them
    if unhandled:
        return NotReady(f"Còn {len(unhandled)} ý kiến chưa xử lý (số {', '.join(map(str, unhandled[:10]))}); "
                        "hãy xử lý trước khi lập bảng tổng hợp.", "comments_unhandled")
    return None


def _draft_ready(facts: RoundFacts) -> NotReady | None:
    """The draft as revised: a file newer than the version the units saw, once a comment was taken in (the tờ trình
    says the draft was completed with them); the circulated one stands when none was."""
    draft = facts.draft
    if draft is None or not draft.path.is_file():
        return NotReady("Chưa có tệp dự thảo đã chỉnh lý: hãy tải lên phiên bản dự thảo mới trước khi trình.",
                        "revised_draft_missing")
    taken_in = [item for item in facts.triage if item.decision in (Handling.ACCEPTED, Handling.PARTLY_ACCEPTED)]
    if taken_in and facts.state.launched_at is not None and draft.version <= facts.state.draft_version:
        return NotReady(f"Đã tiếp thu {len(taken_in)} ý kiến nhưng dự thảo mới nhất vẫn là bản đã gửi lấy ý kiến "
                        f"(lần {draft.version}): hãy tải lên dự thảo đã chỉnh lý (ykien round draft) trước khi "
                        "trình.", "revised_draft_missing")
    return None


def _proposals_ready(facts: RoundFacts) -> NotReady | None:
    if not facts.proposals:
        return NotReady("Chưa có phiếu đề xuất nào.", "no_proposals_received")
    return None


def _zero_ready(facts: RoundFacts) -> NotReady | None:
    # Units that answered "Không có đề xuất" proposed nothing: the report applies to them (seed 002).
    if any(u.answer in (AnswerStatus.PROPOSALS, AnswerStatus.COMMENTS) for u in facts.units):
        return NotReady("Đã có đơn vị gửi đề xuất; báo cáo \"không có đề xuất\" không áp dụng.", "has_responses")
    return _needs_deadline(facts)


@dataclass(frozen=True)
class Builder:
    """A document builder the definitions name: how it renders, which wording file is its own, which document
    inputs it reads, and its readiness check."""

    build: Callable[[Job], bytes]
    wording: str | None = None
    inputs: tuple[str, ...] = ()
    ready: Callable[[RoundFacts], NotReady | None] | None = None
    stored_file: bool = False  # passes a stored file through: named after its version, with its own suffix
    addressed: Callable[[Job], list[str]] | None = None  # whom the document goes to (its Kính gửi), for the register


def _reasoned(check: Callable[[RoundFacts], workshop.Unready | None]) -> Callable[[RoundFacts], NotReady | None]:
    """A readiness check of a builder module that cannot import this one (it reads RoundFacts), as a NotReady."""
    def ready(facts: RoundFacts) -> NotReady | None:
        found = check(facts)
        return NotReady(found.message, found.code, found.inputs) if found is not None else None
    return ready


ZERO_RESPONSE_INPUTS = ("report_subject", "considerations", "ministry_letter_index", "call_letter_number")
WORKSHOP_PLAN_INPUTS = ("event_purpose", "event_requirements", "event_contents", "event_time", "venue", "funding",
                        "organiser_duties")
WORKSHOP_REPORT_INPUTS = ("plan_reference", "event_results", "recommendations")
BUILDERS: dict[str, Builder] = {
    "request_letter": Builder(build_request_letter, "request_letter", ready=_needs_deadline,
                              addressed=_addressed_to_units),
    "call_letter": Builder(build_call_letter, "call_letter",
                           ("department_address", "department_email", "ministry_letter_index", "internal_office"),
                           _call_ready, addressed=_addressed_to_units),
    "reminder_letter": Builder(build_reminder_letter, "reminder_letter", ready=_reminder_ready,
                               addressed=_addressed_reminded),
    "synthesis_docx": Builder(build_synthesis_docx, "synthesis", ready=_synthesis_ready),
    "synthesis_xlsx": Builder(build_synthesis_xlsx, "synthesis", ready=_synthesis_ready),
    "submission": Builder(build_submission, "submission", ("necessity", "purpose", "main_contents"),
                          addressed=_addressed_province),
    "revised_draft": Builder(build_revised_draft, ready=_draft_ready, stored_file=True),
    "unit_list": Builder(build_unit_list),
    "proposal_list_docx": Builder(build_proposal_list_docx, "proposal_list",
                                  ("report_subject", "ministry_letter_index", "call_letter_number"),
                                  _proposals_ready, addressed=_addressed_ministry),
    "proposal_list_xlsx": Builder(build_proposal_list_xlsx, "proposal_list", ready=_proposals_ready),
    "zero_response_report": Builder(build_zero_response_report, "zero_response_report", ZERO_RESPONSE_INPUTS,
                                    _zero_ready, addressed=_addressed_province),
    "ministry_reply": Builder(build_ministry_reply, "ministry_reply", ZERO_RESPONSE_INPUTS, _zero_ready),
    "programme_report": Builder(build_programme_report, ready=_report_ready, addressed=_addressed_report),
    "report_figures_xlsx": Builder(build_report_figures_xlsx, ready=_report_ready),
    "workshop_plan": Builder(workshop.build_workshop_plan, "workshop_plan", WORKSHOP_PLAN_INPUTS,
                             _reasoned(workshop.plan_ready)),
    "invitation_letter": Builder(workshop.build_invitation_letter, "invitation_letter",
                                 ("event_contents", "event_time", "venue", "plan_reference"),
                                 _reasoned(workshop.invitation_ready), addressed=workshop.invited_addressees),
    "attendee_list_xlsx": Builder(workshop.build_attendee_list, ready=_reasoned(workshop.attendee_list_ready)),
    "workshop_report": Builder(workshop.build_workshop_report, "workshop_report", WORKSHOP_REPORT_INPUTS,
                               _reasoned(workshop.report_ready), addressed=_addressed_province),
}
if set(BUILDERS) != DOCUMENT_BUILDERS:  # the validator accepts exactly the builders that exist
    raise RuntimeError(f"document builders differ from the registry: {sorted(set(BUILDERS) ^ DOCUMENT_BUILDERS)}")


# --- a kind's own wording -------------------------------------------------------------------------------------

def kind_wording_file(workflow: Workflow, document: DocumentDef) -> Path | None:
    """The wording file a document of this kind names (`wording:`), beside the kind's definition file."""
    if document.wording is None:
        return None
    from workflows.service.registry import workflow_folder

    return workflow_folder(workflow.name) / workflow.name / "documents" / f"{document.wording}.yaml"


def _wording_dir(app: App, workflow: Workflow, document: DocumentDef, builder: Builder) -> Path | None:
    """Where the renderer finds its wording: the department's overrides, or, for a document that names its own
    wording file, a folder where that file stands under the builder's wording name (the renderers load a
    wording by the builder's name; its variables are the builder's). A department's copy named as the kind's file
    (templates/documents/request_letter.yaml for the consultation's letter) comes before the kind's own."""
    source = kind_wording_file(workflow, document)
    if source is None or builder.wording is None:
        return _department_wording(app)
    department = _department_wording(app)
    if department is not None and (department / f"{document.wording}.yaml").is_file():
        source = department / f"{document.wording}.yaml"
    if not source.is_file():
        raise DomainError(f"Không tìm thấy tệp lời văn \"{document.wording}\" của văn bản \"{document.title}\" "
                          f"({source}).", "wording_missing")
    folder = app.settings.home / "cache" / "wording" / workflow.name / str(document.wording)
    target = folder / f"{builder.wording}.yaml"
    content = source.read_bytes()
    if not target.is_file() or target.read_bytes() != content:
        with file_in_place(target, unique=str(os.getpid())) as partial:
            partial.write_bytes(content)
    return folder


def number_type(app: App, workflow: Workflow, key: str, office: str, subject: str) -> str:
    """The type of a numbered document ("TTr", "BC"), from the `number_type` of its wording file (the kind's own,
    the department's copy, or ykien's); "" for a công văn, whose wording has none."""
    document = workflow.documents[key]
    builder = BUILDERS[document.builder]
    if builder.wording is None or "number_type" not in SPECS[builder.wording].texts:
        return ""
    folder = _wording_dir(app, workflow, document, builder)
    settings = app.settings
    context = {"issuer_name": settings.issuer_name, "governing_body": settings.governing_body,
               "place": settings.place_name, "subject": subject, "office_code": office}
    try:
        wording = load_wording(builder.wording, folder)
        text = wording.text("number_type", context)
    except WordingError as error:
        raise DomainError(f"Không đọc được loại văn bản (number_type) của \"{document.title}\": {error}",
                          "document_invalid") from None
    try:
        return check_number_type(text, wording.path)
    except InvalidInput as error:  # the department's wording file, not what the person typed
        raise DomainError(error.message, "document_invalid") from None


# --- the documents of a state ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentChoice:
    """A document of the round's state, named without rendering it; `not_ready` says why it cannot be built."""

    key: str
    filename: str
    title: str
    builder: str
    not_ready: NotReady | None = None
    detail: str | None = None  # e.g. which draft version a stored file is

    @property
    def ready(self) -> bool:
        return self.not_ready is None

    def build(self, app: App, round_id: int) -> RenderedDocument:
        return build_document(RoundFacts(app, round_id), self.key)


def _choice(facts: RoundFacts, key: str) -> DocumentChoice:
    document = facts.workflow.documents[key]
    builder = BUILDERS[document.builder]
    not_ready = builder.ready(facts) if builder.ready is not None else None
    wording = kind_wording_file(facts.workflow, document)
    if not_ready is None and wording is not None and not wording.is_file():
        not_ready = NotReady(f"Không tìm thấy tệp lời văn {wording}.", "wording_missing")
    filename, detail = document.filename, None
    if builder.stored_file and facts.draft is not None:
        filename = f"{Path(document.filename).stem}-v{facts.draft.version}{facts.draft.path.suffix.lower()}"
        detail = f"phiên bản {facts.draft.version} ({facts.draft.filename})"
    return DocumentChoice(key, filename, document.title, document.builder, not_ready, detail)


def launch_letter(app: App, round_id: int) -> DocumentChoice | None:
    """The document the round's emails go with (its kind's `letter`: the invitation cites it, the unit downloads it
    once signed), saying why it cannot be written yet; None for a kind without one."""
    facts = RoundFacts(app, round_id)
    return _choice(facts, facts.workflow.letter) if facts.workflow.letter is not None else None


def build_document(facts: RoundFacts, key: str) -> RenderedDocument:
    """Build the document `key` of the round's kind; refused with the readiness check's words when not ready."""
    choice = _choice(facts, key)
    if choice.not_ready is not None:
        raise DomainError(choice.not_ready.message, choice.not_ready.code)
    document = facts.workflow.documents[key]
    builder = BUILDERS[document.builder]
    job = Job(key, document, facts, _wording_dir(facts.app, facts.workflow, document, builder))
    try:
        content = builder.build(job)
    except (DocumentDataError, WordingError) as error:
        raise DomainError(f"Chưa lập được văn bản \"{document.title}\": {error}", "document_invalid") from None
    return RenderedDocument(choice.filename, choice.title, content)


def state_documents(app: App, round_id: int, facts: RoundFacts | None = None) -> list[DocumentChoice]:
    """Every document the definition offers in the round's state, in definition order, ready or not."""
    facts = facts or RoundFacts(app, round_id)
    return [_choice(facts, key) for key in facts.workflow.documents_in(facts.state.status)]


def kind_documents(facts: RoundFacts) -> list[DocumentChoice]:
    """Every document of the round's kind, whatever the state (a package may hold one its state does not list)."""
    return [_choice(facts, key) for key in facts.workflow.documents]


def available_documents(app: App, round_id: int) -> list[DocumentChoice]:
    """The documents that can be built now; cheap (nothing is rendered)."""
    return [choice for choice in state_documents(app, round_id) if choice.ready]


def render_document(app: App, round_id: int, filename: str) -> RenderedDocument | None:
    """The document of the round's state called `filename` (None when the state offers none by that name)."""
    facts = RoundFacts(app, round_id)
    choice = next((c for c in state_documents(app, round_id, facts) if c.ready and c.filename == filename), None)
    return build_document(facts, choice.key) if choice is not None else None


def round_documents(app: App, round_id: int, on_progress: Callable[[int, int], None] | None = None,
                    left_out: list[DocumentChoice] | None = None) -> list[RenderedDocument]:
    """Every document that can be built in the round's current state, rendered; `on_progress(done, total)` hears
    of each one built; `left_out` receives the state's documents that cannot be built yet, each saying why."""
    facts = RoundFacts(app, round_id)
    choices = state_documents(app, round_id, facts)
    if left_out is not None:
        left_out.extend(c for c in choices if not c.ready)
    keys = [c.key for c in choices if c.ready]
    rendered = []
    for key in keys:
        rendered.append(build_document(facts, key))
        if on_progress is not None:
            on_progress(len(rendered), len(keys))
    return rendered


def addressed_to(app: App, round_id: int, key: str) -> list[str]:
    """Whom the round's document `key` goes to as its Kính gửi says it now ("Bộ Khoa học và Công nghệ", "Các sở,
    ban, ngành tỉnh"); empty for a document whose builder tells none. Nothing is rendered."""
    facts = RoundFacts(app, round_id)
    document = facts.workflow.documents[key]
    builder = BUILDERS[document.builder]
    if builder.addressed is None:
        return []
    try:
        return builder.addressed(Job(key, document, facts, None))
    except (DomainError, DocumentDataError):  # the round cannot tell yet (no unit awaited): the văn thư writes it
        return []


def _by_builder(app: App, round_id: int, builder: str) -> RenderedDocument:
    facts = RoundFacts(app, round_id)
    key = next((k for k, d in facts.workflow.documents.items() if d.builder == builder), None)
    if key is None:
        raise DomainError(f"Quy trình \"{facts.workflow.title}\" không có văn bản này.", "document_unknown")
    return build_document(facts, key)


def request_letter(app: App, round_id: int) -> RenderedDocument:
    """The round's request letter, whatever its state."""
    return _by_builder(app, round_id, "request_letter")


def synthesis_documents(app: App, round_id: int) -> list[RenderedDocument]:
    """The synthesis table as DOCX and XLSX; refused while a comment is unhandled."""
    return [_by_builder(app, round_id, "synthesis_docx"), _by_builder(app, round_id, "synthesis_xlsx")]


# --- inputs staff give to the documents -----------------------------------------------------------------------

# The document inputs the settings give every round, by the variable that sets each
INSTALLATION_SETTINGS = {"department_address": "YKIEN_ISSUER_ADDRESS", "department_email": "YKIEN_REPLY_TO"}


def installation_inputs(settings: Settings) -> dict[str, str]:
    """The document inputs the settings give every round (a round's own take their place)."""
    given = {"department_address": settings.issuer_address, "department_email": settings.reply_to}
    return {key: value for key, value in given.items() if value}


@dataclass(frozen=True)
class InputSpec:
    """One input a builder reads: its label in forms and messages, its command-line option, and its shape, so a
    form can draw any input without naming it: a list of paragraphs (one a line in a text area, the option
    repeated) of at most `count` items of `length` characters each, or one text of `length` characters."""

    key: str
    label: str
    option: str
    hint: str
    paragraphs: bool = False
    length: int = limits.DOCUMENT_TEXT
    count: int = 1


def _paragraphs_spec(key: str, label: str, option: str, example: str, length: int, count: int) -> InputSpec:
    return InputSpec(key, label, option, f"Mỗi dòng một đoạn, ví dụ \"{example}\"; mỗi đoạn tối đa {grouped(length)} "
                     f"ký tự, tối đa {count} đoạn.", paragraphs=True, length=length, count=count)


INPUTS: dict[str, InputSpec] = {spec.key: spec for spec in (
    InputSpec("report_subject", "Trích yếu (V/v) của văn bản", "--report-subject",
              "V/v riêng của báo cáo, khác trích yếu của công văn thông báo; tối đa "
              f"{grouped(limits.REPORT_SUBJECT)} ký tự.", length=limits.REPORT_SUBJECT),
    _paragraphs_spec("considerations", "Các lý do, căn cứ thêm", "--consideration",
                     "Kế hoạch số 79/KH-UBND ... đã có 06 nhiệm vụ ...", limits.CONSIDERATION, limits.CONSIDERATIONS),
    _paragraphs_spec("necessity", "Sự cần thiết ban hành (tờ trình)", "--necessity",
                     "Việc ban hành Kế hoạch nhằm cụ thể hóa Quyết định số 36/QĐ-TTg ...",
                     limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
    _paragraphs_spec("purpose", "Mục đích, yêu cầu (tờ trình)", "--purpose",
                     "Nâng cao nhận thức của doanh nghiệp về năng suất, chất lượng ...",
                     limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
    _paragraphs_spec("main_contents", "Nội dung chính của dự thảo (tờ trình)", "--main-content",
                     "Dự thảo Kế hoạch gồm 05 phần: I. Mục đích, yêu cầu; II. ...",
                     limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
    InputSpec("ministry_letter_index", "Công văn của Bộ được trả lời", "--ministry-letter",
              "Số thứ tự (từ 1) của căn cứ là công văn của Bộ."),
    InputSpec("call_letter_number", "Số công văn thông báo của Sở", "--call-letter-number",
              "Số do văn thư cấp, ví dụ 123/SKHCN-QLKH.", length=limits.CALL_LETTER_NUMBER),
    InputSpec("department_address", "Địa chỉ của Sở nhận văn bản trả lời", "--department-address",
              "Ví dụ: tầng 6 tòa nhà C, trụ sở làm việc các sở, ban, ngành tỉnh."),
    InputSpec("department_email", "Thư điện tử của Sở nhận văn bản trả lời", "--department-email",
              "Ví dụ: skhcn@caobang.gov.vn.", length=limits.EMAIL),
    InputSpec("internal_office", "Phòng nhận đề xuất của các đơn vị trực thuộc Sở", "--internal-office",
              "Ví dụ: Phòng Quản lý Khoa học và Sở hữu trí tuệ."),
    _paragraphs_spec("event_purpose", "Mục đích (kế hoạch hội thảo)", "--event-purpose",
                     "Đánh giá thực trạng, thảo luận, thống nhất và đề xuất các giải pháp ...",
                     limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
    _paragraphs_spec("event_requirements", "Yêu cầu (kế hoạch hội thảo)", "--event-requirement",
                     "Chuẩn bị chu đáo các nội dung, đảm bảo Hội thảo được tổ chức thiết thực ...",
                     limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
    _paragraphs_spec("event_contents", "Nội dung, tài liệu hội thảo", "--event-content",
                     "Nội dung: Phân tích, đánh giá thực trạng ...",
                     limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
    InputSpec("event_time", "Thời gian hội thảo (giờ, số buổi)", "--event-time",
              "Ví dụ: 01 buổi, từ 08 giờ 00; ngày lấy theo ngày tổ chức của đợt."),
    InputSpec("venue", "Địa điểm hội thảo", "--venue",
              "Ví dụ: Trung tâm Hội nghị tỉnh Cao Bằng (phường Thục Phán, tỉnh Cao Bằng)."),
    InputSpec("funding", "Kinh phí thực hiện", "--funding",
              "Ví dụ: Nguồn kinh phí sự nghiệp khoa học và công nghệ đã giao cho Sở năm 2025."),
    _paragraphs_spec("organiser_duties", "Nhiệm vụ của Sở (tổ chức thực hiện)", "--organiser-duty",
                     "Chủ trì, tham mưu chuẩn bị các nội dung, kinh phí tổ chức Hội thảo ...",
                     limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
    InputSpec("plan_reference", "Kế hoạch tổ chức hội thảo đã ban hành", "--plan-reference",
              "Số và ngày Kế hoạch của UBND tỉnh, ví dụ: Kế hoạch số 120/KH-UBND ngày 05/8/2025."),
    _paragraphs_spec("event_results", "Kết quả hội thảo (báo cáo)", "--event-result",
                     "Hội thảo đã nghe 03 tham luận ...", limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
    _paragraphs_spec("recommendations", "Kiến nghị (báo cáo)", "--recommendation",
                     "Đề nghị UBND tỉnh giao Sở Khoa học và Công nghệ chủ trì ...",
                     limits.SUBMISSION_PARAGRAPH, limits.SUBMISSION_PARAGRAPHS),
)}
_CALL_NUMBER = re.compile(r"\d{1,6}[a-z]?/[0-9A-ZĐ][0-9A-ZĐ&.\-]*(/[0-9A-ZĐ&.\-]+)*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
for _builder in BUILDERS.values():
    assert set(_builder.inputs) <= set(INPUTS)


def inputs_of(workflow: Workflow, keys: Iterable[str] | None = None) -> list[InputSpec]:
    """The inputs read by the builders of the documents `keys` (all the kind's documents when None)."""
    chosen = workflow.documents if keys is None else {k: workflow.documents[k] for k in keys}
    wanted = {name for document in chosen.values() for name in BUILDERS[document.builder].inputs}
    return [spec for key, spec in INPUTS.items() if key in wanted]


def _same_subject(first: str, second: str) -> bool:
    def key(text: str) -> str:
        return " ".join(re.sub(r"^\s*V/v\s*", "", nfc(text), flags=re.IGNORECASE).casefold().split())

    return key(first) == key(second)


def check_document_inputs(values: Mapping[str, Any], workflow: Workflow, legal_bases: tuple[str, ...],
                          round_subject: str) -> dict[str, Any]:
    """The inputs as they will be stored: text in NFC, a number chosen among the legal bases; None, "" or []
    remove an input. FormErrors names every field that is wrong."""
    allowed = {spec.key for spec in inputs_of(workflow)}
    errors: dict[str, str] = {}
    checked: dict[str, Any] = {}
    for key, raw in values.items():
        spec = INPUTS.get(key)
        if spec is None or key not in allowed:
            known = ", ".join(sorted(allowed)) or "không có"
            errors[key] = (f"\"{key}\" không dùng cho văn bản nào của quy trình \"{workflow.title}\" "
                           f"(dùng được: {known}).")
            continue
        if raw is None or raw == "" or raw == [] or raw == ():
            checked[key] = None
            continue
        try:
            checked[key] = _check_input(spec, raw, legal_bases, round_subject)
        except ValueError as problem:
            errors[key] = f"{spec.label}: {problem}"
    if errors:
        raise FormErrors(errors)
    return checked


def _check_input(spec: InputSpec, raw: Any, legal_bases: tuple[str, ...], round_subject: str) -> Any:
    if spec.paragraphs:
        items = [raw] if isinstance(raw, str) else list(raw)
        paragraphs = [text for text in (nfc(str(item)).strip() for item in items) if text]
        if len(paragraphs) > spec.count:
            raise ValueError(f"{len(paragraphs)} đoạn, tối đa {spec.count}.")
        for number, text in enumerate(paragraphs, start=1):
            _refuse(limits.text_problem(f"đoạn {number}", text, spec.length))
        return paragraphs or None
    if spec.key == "ministry_letter_index":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"\"{raw}\" không phải số thứ tự của một căn cứ.")
        if not legal_bases:
            raise ValueError("đợt chưa có căn cứ nào; hãy thêm căn cứ (công văn của Bộ) khi tạo đợt.")
        if not 0 <= raw < len(legal_bases):
            raise ValueError(f"đợt có {len(legal_bases)} căn cứ; chọn số từ 1 đến {len(legal_bases)}.")
        return raw
    text = nfc(str(raw))
    if spec.key == "report_subject":
        text = re.sub(r"^V/v\s*", "", text, flags=re.IGNORECASE)
        _refuse(limits.text_note(text, limits.REPORT_SUBJECT))
        if _same_subject(text, round_subject):
            raise ValueError("trùng với trích yếu của công văn thông báo; văn bản này cần trích yếu riêng.")
    elif spec.key == "call_letter_number":
        text = re.sub(r"^số\s*:?\s*", "", text, flags=re.IGNORECASE)
        _refuse(limits.length_note(text, limits.CALL_LETTER_NUMBER))
        if not _CALL_NUMBER.fullmatch(text):
            raise ValueError(f"\"{text}\" không phải số văn bản (ví dụ 123/SKHCN-QLKH).")
    elif spec.key == "department_email":
        _refuse(limits.length_note(text, limits.EMAIL))
        if not _EMAIL.fullmatch(text):
            raise ValueError(f"\"{text}\" không phải địa chỉ thư điện tử.")
    else:
        _refuse(limits.text_note(text, spec.length))
    return text or None


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise ValueError(problem)


def set_document_inputs(app: App, round_id: int, values: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """Set (or, with None/""/[], remove) inputs the round's documents read; checked first, written in one
    transaction with its audit entry. Only the round's own row is read. Returns the inputs now stored."""
    now = app.clock.now()
    with app.uow() as uow:
        row = uow.rounds.row(round_id, lock=True)
        workflow = get_workflow(row.workflow)
        checked = check_document_inputs(values, workflow, tuple(row.legal_bases or ()), row.subject)
        current = dict(row.document_inputs or {})
        updated = {k: v for k, v in (current | checked).items() if v is not None}
        if updated == current:
            return current
        uow.rounds.set_document_inputs(round_id, updated)
        changed = {k: updated.get(k) for k in checked if updated.get(k) != current.get(k)}
        uow.audit.append(round_id, now, actor, [("document_inputs_set", {"changed": changed})])
        uow.commit()
    return updated


def document_inputs(app: App, round_id: int) -> dict[str, Any]:
    with app.uow(read_only=True) as uow:
        return dict(uow.rounds.details(round_id).document_inputs)
