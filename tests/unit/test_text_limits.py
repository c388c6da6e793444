"""The one rule for text lengths (models.limits), and every document of every shipped kind built from a round whose
every text is as long as the rule accepts, in Vietnamese, part of it typed in NFD: each DOCX opens in python-docx
with a title property Word takes and the full texts in its body, each XLSX in openpyxl within Excel's limits.

No database: the round is handed to the builders as RoundFacts filled here (the service's own builders and
readiness checks run unchanged); the values are checked against the service's checks first, so they are exactly
the longest the service accepts.
"""
from __future__ import annotations

import io
import re
import sys
import unicodedata
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from openpyxl import load_workbook

from config.clock import FrozenClock
from config.settings import load_settings
from models import limits
from models.assignments import Assignment
from models.consolidation import Handling
from models.db.report_repository import UnitForm
from models.db.response_repository import TriageItem
from models.db.round_repository import RoundDetails
from models.errors import InvalidInput
from models.register import MAX_NUMBER, RegisterEntry, Source, symbol
from models.rounds import RecipientRole, RecipientState, ResponseKind, RoundState
from models.unit_status import AnswerStatus, EmailStatus, UnitStatus
from notifications.documents.data import Proposal, ProposalField
from workflows.definition import Workflow
from workflows.engine.events import Close, Command, CommentInput, Extend, Respond
from workflows.service.answer_input import clean_comments, clean_proposals, field_limit, proposal_input
from workflows.service.app import App
from workflows.service.attachments import NAME_LIMIT, AttachmentRef, parse_ref
from workflows.service.documents import (
    BUILDERS,
    INTERNAL_GROUP,
    Listed,
    RenderedDocument,
    RoundFacts,
    build_document,
    check_document_inputs,
)
from workflows.service.drafts import DraftVersion, check_version_texts
from workflows.service.registry import DOCUMENT_BUILDERS, shipped_workflows
from workflows.service.report_sections import ReportExtras
from workflows.service.rounds import NewRound, check_event_texts, check_round_texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from long_text import one_line, padded, vietnamese

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 12, 8, 9, 0, tzinfo=TZ)
UNITS = 240  # enough long unit names that the list of those silent outgrows one spreadsheet cell
EXCEL_CELL_MAX = 32_767
WORD_TITLE_MAX = 255


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- the longest round the service accepts -------------------------------------------------------------------

TITLE = vietnamese(limits.TITLE, "Kế hoạch [tên]", nfd=True)
SUBJECT = vietnamese(limits.SUBJECT, "xin ý kiến [trích yếu]")
OFFICE = padded("QLKH&TĐC.", limits.OFFICE)
CONTACT_NAME = vietnamese(limits.PERSON_NAME, "Ông Phạm Phi Long", nfd=True)
CONTACT_TITLE = vietnamese(limits.JOB_TITLE, "Trưởng phòng")
PHONE = padded("(+84) 912.130-290 ", limits.PHONE - 1) + "9"
SIGNER_NAME = vietnamese(limits.PERSON_NAME, "Nông Thị Thanh Huyền")
SIGNER_TITLE = "KT. GIÁM ĐỐC/" + vietnamese(limits.JOB_TITLE - len("KT. GIÁM ĐỐC/"), "PHÓ GIÁM ĐỐC")
MINISTRY_LETTER = vietnamese(limits.LEGAL_BASIS, "Công văn số 949/BKHCN-TĐC ngày 04/5/2026 của Bộ Khoa học và "
                                                 "Công nghệ về việc")
BASES = (MINISTRY_LETTER, *(vietnamese(limits.LEGAL_BASIS, f"Căn cứ {n}", nfd=n % 2 == 0)
                            for n in range(2, limits.LEGAL_BASES + 1)))
REPORT_SUBJECT = vietnamese(limits.REPORT_SUBJECT, "báo cáo [V/v riêng]")
INPUTS = {
    "report_subject": REPORT_SUBJECT,
    "considerations": [vietnamese(limits.CONSIDERATION, f"Lý do {n}", nfd=n == 1)
                       for n in range(1, limits.CONSIDERATIONS + 1)],
    "ministry_letter_index": 0,
    "call_letter_number": "123456/" + padded("SKHCN-QLKH/", limits.CALL_LETTER_NUMBER - len("123456/") - 1) + "Đ",
    "department_address": vietnamese(limits.DOCUMENT_TEXT, "Tầng 6 tòa nhà C"),
    "department_email": padded("vanthu.", limits.EMAIL - len("@skhcn.caobang.gov.vn")) + "@skhcn.caobang.gov.vn",
    "internal_office": vietnamese(limits.DOCUMENT_TEXT, "Phòng Quản lý Khoa học"),
    **{key: [vietnamese(limits.SUBMISSION_PARAGRAPH, f"{words} {n}", nfd=n == 1)
             for n in range(1, limits.SUBMISSION_PARAGRAPHS + 1)]
       for key, words in (("necessity", "Sự cần thiết"), ("purpose", "Mục đích"), ("main_contents", "Nội dung"))},
}

# What the workshop's documents read (workflows/service/workshop_documents.py), at their longest.
WORKSHOP_INPUTS = {
    **{key: vietnamese(limits.DOCUMENT_TEXT, words) for key, words in (
        ("event_time", "01 buổi"), ("venue", "Trung tâm Hội nghị"), ("funding", "Nguồn kinh phí"),
        ("plan_reference", "Kế hoạch số 120/KH-UBND"))},
    **{key: [vietnamese(limits.SUBMISSION_PARAGRAPH, f"{words} {n}", nfd=n == 1)
             for n in range(1, limits.SUBMISSION_PARAGRAPHS + 1)]
       for key, words in (("event_purpose", "Mục đích"), ("event_requirements", "Yêu cầu"),
                          ("event_contents", "Nội dung"), ("organiser_duties", "Nhiệm vụ của Sở"),
                          ("event_results", "Kết quả"), ("recommendations", "Kiến nghị"))},
}


def new_round(kind: str) -> NewRound:
    return NewRound(title=TITLE, subject=SUBJECT, workflow=kind, office=OFFICE, deadline=date(2025, 12, 5),
                    addressees=(), contact_name=CONTACT_NAME, contact_title=CONTACT_TITLE, contact_phone=PHONE,
                    signer_name=SIGNER_NAME, signer_title=SIGNER_TITLE, legal_bases=BASES)


def unit_code(number: int) -> str:
    return padded(f"U{number:03d}-SO.BAN_NGANH-", limits.UNIT_CODE)


def unit_name(number: int) -> str:
    return vietnamese(limits.UNIT_NAME, f"Đơn vị số {number}", nfd=number % 3 == 0)


def comment_rows() -> list[tuple[str, str, str]]:
    return [(vietnamese(limits.SECTION, f"Mục {n}", nfd=n == 2),
             vietnamese(limits.COMMENT, f"Ý kiến {n}", lines=True, nfd=n == 1),
             vietnamese(limits.COMMENT, f"Đề xuất sửa {n}", lines=True)) for n in (1, 2, 3)]


def longest_value(workflow: Workflow, key: str, number: int) -> str:
    """The longest value the form's field `key` accepts."""
    item = next(f for f in workflow.response.fields if f.key == key)
    limit = field_limit(item)
    if item.kind == "email":
        return padded("lienhe.", limit - len("@caobang.gov.vn")) + "@caobang.gov.vn"
    if item.kind == "phone":
        return padded("0206 3852 202 ", 39) + "2"
    if item.kind == "money":
        return "999999999999999999"
    if item.kind in ("months", "number", "count"):
        return str(item.maximum or 999_999_999)
    if item.kind == "date":
        return "31/12/2030"
    if item.kind == "choice":
        return max(item.options, key=len)
    if item.kind == "file":  # never typed: the file stored for it is named by longest_files
        return ""
    return vietnamese(limit, f"{item.label} {number}", lines=item.kind == "long_text", nfd=number == 1)


def longest_files(workflow: Workflow) -> dict[str, str]:
    """Each file field of each form holding a stored file with the longest name a file keeps
    (service/attachments), by input name, as the unit's page gives them to clean_proposals."""
    spec = workflow.response
    return {proposal_input(spec, number, f.key): AttachmentRef(
        10 ** 18 - 1, vietnamese(NAME_LIMIT - 5, f"{f.label} {number}") + ".xlsx", "999 KB").value
        for number in range(1, spec.items_allowed + 1) for f in spec.fields if f.kind == "file"}


def proposal_forms(workflow: Workflow) -> list[dict[str, str]]:
    return [{f.key: longest_value(workflow, f.key, number) for f in workflow.response.fields}
            for number in range(1, workflow.response.items_allowed + 1)]


# --- the round as the builders read it -------------------------------------------------------------------------

class LongRound(RoundFacts):
    """RoundFacts filled by hand instead of read from a database."""

    def __init__(self, app: App, workflow: Workflow, key: str, draft: Path) -> None:
        self.app, self.round_id, self.workflow, self.today = app, 1, workflow, NOW.date()
        builder = workflow.documents[key].builder
        proposals_kind = workflow.response.kind == "proposals"
        nobody = builder in ("zero_response_report", "ministry_reply")
        # A reminder goes to units whose deadline has not passed (after it, silence may count as agreement).
        deadline = date(2025, 12, 12) if builder == "reminder_letter" else date(2025, 12, 5)
        answered = AnswerStatus.PROPOSALS if proposals_kind else AnswerStatus.COMMENTS
        cycle = [AnswerStatus.PENDING if nobody else answered, AnswerStatus.SILENT, AnswerStatus.PENDING,
                 AnswerStatus.PENDING if proposals_kind else AnswerStatus.AGREE]
        roles = {1: RecipientRole.PUBLISH, 2: RecipientRole.INFORM}
        recipients, self.units = {}, []
        for number in range(1, UNITS + 1):
            code, role = unit_code(number), roles.get(number, RecipientRole.COMMENT)
            answer = cycle[number % 4] if role is RecipientRole.COMMENT else AnswerStatus.NOT_ASKED
            group = INTERNAL_GROUP if number == 3 else "so-ban-nganh"
            recipients[code] = RecipientState(code, nfc(unit_name(number)), "vanthu@caobang.gov.vn", group, role)
            self.units.append(UnitStatus(code, nfc(unit_name(number)), role.value, EmailStatus.SENT, answer,
                                         deadline, number % 5 == 0, number % 7 == 0,
                                         answer is AnswerStatus.SILENT, 1))
        self.state = RoundState(
            id=1, workflow=workflow.name, status=next(iter(workflow.documents[key].states)), title=TITLE,
            subject=SUBJECT, office=OFFICE, deadline=date(2025, 12, 5), silence_is_agreement=workflow.silence.possible,
            launched_at=datetime(2025, 11, 20, 9, 0, tzinfo=TZ), draft_version=2, recipients=recipients,
            dates={name: date(2025, 12, 20) for name in workflow.dates})
        self.details = RoundDetails(CONTACT_NAME, CONTACT_TITLE, PHONE, SIGNER_NAME, SIGNER_TITLE, draft.name,
                                    "0" * 64, NOW, "test", legal_bases=BASES,
                                    document_inputs=dict(INPUTS) | WORKSHOP_INPUTS)
        self.groups = {"so-ban-nganh": vietnamese(limits.GROUP_LABEL, "Các sở, ban, ngành"),
                       INTERNAL_GROUP: vietnamese(limits.GROUP_LABEL, "Các phòng, đơn vị trực thuộc Sở")}
        self.listed = [Listed(vietnamese(limits.GROUP_LABEL, "Các sở, ban, ngành"), RecipientRole.COMMENT, False),
                       *(Listed(u.unit_name, RecipientRole(u.role), recipients[u.unit_code].group == INTERNAL_GROUP)
                         for u in self.units)]
        handled = [Handling.ACCEPTED, Handling.PARTLY_ACCEPTED, Handling.NOT_ACCEPTED]
        self.triage = [] if proposals_kind else [
            TriageItem(n, unit_code(4 * n), nfc(unit_name(4 * n)), nfc(section), nfc(text), nfc(wording), n == 2, n,
                       handled[n - 1], nfc(vietnamese(limits.EXPLANATION, f"Giải trình {n}", lines=True)), "test", NOW)
            for n, (section, text, wording) in enumerate(comment_rows(), start=1)]
        fields = {f.key: f for f in workflow.response.fields}
        self.proposals = [] if nobody or not proposals_kind else [
            Proposal(nfc(unit_name(4 * n)), [ProposalField(fields[k].label, v, k, fields[k].kind)
                                                  for k, v in form.items()])
            for n, form in enumerate(clean_proposals(workflow.response, proposal_forms(workflow),
                                                     longest_files(workflow)), start=1)]
        self.latest_forms = [] if nobody or not proposals_kind else [
            UnitForm(unit_code(4 * n), nfc(unit_name(4 * n)), n % 2 == 0, dict(form))
            for n, form in enumerate(clean_proposals(workflow.response, proposal_forms(workflow),
                                                     longest_files(workflow))[:1], start=1)]
        # Each kind of task given to two units: one handed in late with its longest texts, one not handed in.
        self.assignments = [
            Assignment(2 * n + done, 1, task, unit_code(4 + done), nfc(unit_name(4 + done)), date(2025, 12, 1),
                       done_at=NOW if done else None, late=bool(done),
                       values={f.key: nfc(vietnamese(field_limit(f), f.label)) for f in spec.fields
                               if done and f.kind in ("text", "long_text")})
            for n, (task, spec) in enumerate(workflow.assignments.items()) for done in (0, 1)]
        self.draft = DraftVersion(3, draft.name, "0" * 64, [], None, NOW, "test", draft)  # revised after v2 went out
        self.report_extras = ReportExtras({})  # a report round's staff texts: none written yet
        # Every numbered document but the one built carries the longest number the register gives, so citations of
        # earlier documents are as long as they get; the one built keeps its blanks (before the văn thư numbers it).
        self.numbers = {other: RegisterEntry(
            n, "SKHCN", 2025, MAX_NUMBER, symbol("SKHCN", OFFICE, "TTr" if n % 2 else ""), OFFICE, date(2025, 11, 20),
            "TTr" if n % 2 else "", document.title, SUBJECT, 1, other, SIGNER_NAME, "", Source.ASSIGNED, NOW, "test")
            for n, (other, document) in enumerate(workflow.documents.items(), start=1)
            if document.numbered and other != key}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    home = tmp_path_factory.mktemp("home")
    settings = load_settings(home=home, database_url=None, now=None, calendar_file=None, smtp_url=None,
                             workflows_dir=None)
    return App(settings=settings, engine=None, clock=FrozenClock(NOW))  # type: ignore[arg-type]  # no database


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("draft") / ("d" * limits.FILE_NAME + ".docx")
    document = docx.Document()
    document.add_paragraph(nfc(TITLE))
    document.save(path)
    return path


def every_document() -> list[tuple[str, str]]:
    return [(kind, key) for kind, workflow in shipped_workflows().items() for key in workflow.documents]


def test_the_shipped_kinds_together_use_every_builder() -> None:
    used = {document.builder for workflow in shipped_workflows().values() for document in workflow.documents.values()}
    assert used == DOCUMENT_BUILDERS == set(BUILDERS)


# --- the values are the longest the service accepts, and one more character is refused ---------------------------

def test_the_longest_round_texts_are_accepted_and_one_more_character_is_refused() -> None:
    for kind in shipped_workflows():
        check_round_texts(new_round(kind), SUBJECT)
    too_long = {"title": TITLE + "x", "office": OFFICE + "X", "contact_name": CONTACT_NAME + "x",
                "contact_title": CONTACT_TITLE + "x", "contact_phone": PHONE + "0", "signer_name": SIGNER_NAME + "x",
                "signer_title": SIGNER_TITLE + "x"}
    for name, value in too_long.items():
        with pytest.raises(InvalidInput) as refused:
            check_round_texts(replace(new_round("consultation"), **{name: value}), SUBJECT)
        assert refused.value.message.startswith(f"{name}: dài ") and "tối đa" in refused.value.message, name
    with pytest.raises(InvalidInput, match="^" + re.escape("subject: dài 601 ký tự, tối đa 600.") + "$"):
        check_round_texts(new_round("consultation"), SUBJECT + "x")
    with pytest.raises(InvalidInput, match="^" + re.escape("legal_bases 2: dài 1.001 ký tự, tối đa 1.000.") + "$"):
        check_round_texts(replace(new_round("consultation"), legal_bases=(BASES[0], BASES[1] + "x")), SUBJECT)
    with pytest.raises(InvalidInput, match="^" + re.escape("legal_bases: 21 căn cứ, tối đa 20.") + "$"):
        check_round_texts(replace(new_round("consultation"), legal_bases=(*BASES, "Căn cứ 21")), SUBJECT)


def test_lengths_count_characters_in_nfc_so_nfd_input_is_not_counted_double() -> None:
    assert len(TITLE) > limits.TITLE  # NFD: more code points than characters
    assert limits.length_of(TITLE) == limits.TITLE
    assert limits.too_long("title", TITLE, limits.TITLE) is None
    assert limits.too_long("title", TITLE + "e\u0301", limits.TITLE) == "title: dài 501 ký tự, tối đa 500."
    assert limits.length_of("dòng 1\r\ndòng 2\r\n") == len("dòng 1\ndòng 2")


def test_the_longest_answers_are_accepted_and_one_more_character_is_refused() -> None:
    workflows = shipped_workflows()
    rows = comment_rows()
    comments = clean_comments(rows)
    note = vietnamese(limits.ANSWER_NOTE, "Công văn số 812/STP")
    check_event_texts(Respond("SCT", ResponseKind.COMMENTS, "test", comments=comments, note=note),
                      workflows["consultation"])
    forms = clean_proposals(workflows["proposal_call"].response, proposal_forms(workflows["proposal_call"]))
    check_event_texts(Respond("SCT", ResponseKind.PROPOSALS, "test", proposals=forms), workflows["proposal_call"])
    reason = vietnamese(limits.REASON, "Lý do")
    for event in (Extend(date(2025, 12, 12), None, reason), Close(reason),
                  Command("decide_issued", {"number": padded("123/KH-UBND ", limits.DOCUMENT_NUMBER)}),
                  Command("decide_returned", {"reason": reason})):
        check_event_texts(event, workflows["consultation"])
        longer = (replace(event, data={k: v + "x" for k, v in event.data.items()}) if isinstance(event, Command)
                  else replace(event, reason=reason + "x"))
        with pytest.raises(InvalidInput, match=r"(reason|number): dài"):
            check_event_texts(longer, workflows["consultation"])
    with pytest.raises(InvalidInput, match=r"^Ý kiến 2 \(mục/phần\): dài 201 ký tự, tối đa 200.$"):
        clean_comments([rows[0], (rows[1][0] + "x", rows[1][1], rows[1][2])])
    with pytest.raises(InvalidInput, match=r"^Ý kiến 1 \(nội dung góp ý\): dài 20.001 ký tự, tối đa 20.000.$"):
        check_event_texts(Respond("SCT", ResponseKind.COMMENTS, "test",
                                  comments=(CommentInput(nfc(rows[0][1]) + "x"),)), workflows["consultation"])
    with pytest.raises(InvalidInput, match=r"^note: dài 501 ký tự, tối đa 500.$"):
        check_event_texts(Respond("SCT", ResponseKind.AGREE, "test", note=note + "x"), workflows["consultation"])
    longer = {**forms[0], "task_name": forms[0]["task_name"] + "x"}
    with pytest.raises(InvalidInput, match=r"^Phiếu 1: Tên nhiệm vụ: dài 501 ký tự, tối đa 500.$"):
        check_event_texts(Respond("SCT", ResponseKind.PROPOSALS, "test", proposals=(longer,)),
                          workflows["proposal_call"])


def test_the_longest_document_inputs_and_draft_texts_are_accepted_and_one_more_character_is_refused() -> None:
    workflow = shipped_workflows()["proposal_call"]
    submission = ("necessity", "purpose", "main_contents")  # the consultation's tờ trình reads these
    checked = check_document_inputs({k: v for k, v in INPUTS.items() if k not in submission}, workflow, BASES, SUBJECT)
    assert checked["report_subject"] == nfc(REPORT_SUBJECT) and len(checked["considerations"]) == limits.CONSIDERATIONS
    for key in ("report_subject", "call_letter_number", "department_address", "department_email", "internal_office"):
        with pytest.raises(ValueError, match=r"dài|không phải"):
            check_document_inputs({key: INPUTS[key] + "x"}, workflow, BASES, SUBJECT)
    consultation = shipped_workflows()["consultation"]
    checked = check_document_inputs({k: INPUTS[k] for k in submission}, consultation, BASES, SUBJECT)
    assert all(len(checked[key]) == limits.SUBMISSION_PARAGRAPHS for key in submission)
    for key in submission:
        with pytest.raises(ValueError, match=r"đoạn 1: dài"):
            check_document_inputs({key: [INPUTS[key][0] + "x"]}, consultation, BASES, SUBJECT)
        with pytest.raises(ValueError, match=r"31 đoạn, tối đa 30"):
            check_document_inputs({key: [*INPUTS[key], "thêm"]}, consultation, BASES, SUBJECT)
    sections = [vietnamese(limits.DRAFT_SECTION, f"Mục {n}") for n in range(1, limits.DRAFT_SECTIONS + 1)]
    check_version_texts(sections, vietnamese(limits.DRAFT_NOTE, "Ghi chú"))
    with pytest.raises(InvalidInput, match=r"^sections 1: dài"):
        check_version_texts([sections[0] + "x"], None)
    with pytest.raises(InvalidInput, match=r"^sections: 201 mục"):
        check_version_texts([*sections, "Mục thêm"], None)


# --- every document survives them -------------------------------------------------------------------------------

def docx_text(document: DocxDocument) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def check_docx(rendered: RenderedDocument, facts: LongRound, builder: str) -> None:
    document = docx.Document(io.BytesIO(rendered.content))
    title = document.core_properties.title
    assert 0 < len(title) <= WORD_TITLE_MAX, title
    text = " ".join(docx_text(document).split())
    shown = {"request_letter": TITLE, "reminder_letter": TITLE, "synthesis_docx": TITLE, "submission": TITLE,
             "call_letter": SUBJECT, "proposal_list_docx": REPORT_SUBJECT, "zero_response_report": REPORT_SUBJECT,
             "ministry_reply": REPORT_SUBJECT, "programme_report": TITLE, "workshop_plan": TITLE,
             "invitation_letter": TITLE, "workshop_report": TITLE}[builder]
    if builder == "reminder_letter" and facts.workflow.terms.reminder_subject is not None:
        shown = SUBJECT  # "đôn đốc {subject}": the round's V/v, the whole of it, rather than its title
        assert f"V/v đôn đốc {one_line(SUBJECT)[:40]}" in text, "reminder_letter: its V/v is not the kind's"
    assert one_line(shown) in text, f"{builder}: the full text is not in the body"
    if len(title) == WORD_TITLE_MAX:
        assert title.endswith("…")
    for item in facts.triage if builder == "synthesis_docx" else []:
        assert one_line(item.text) in text and one_line(item.explanation or "") in text
    for proposal in facts.proposals if builder == "proposal_list_docx" else []:  # the appendix's text columns
        for field in proposal.fields:
            assert one_line(field.value) in text or field.key not in ("task_name", "objectives", "expected_results")
    for table in document.tables:  # a row taller than a page must be allowed to break, or Word cuts it off
        for row in table.rows:
            whole = sum(len(cell.text) for cell in row.cells)
            if whole > 6_000:
                assert row._tr.trPr is None or row._tr.trPr.find(qn("w:cantSplit")) is None, builder


def check_xlsx(rendered: RenderedDocument, facts: LongRound, builder: str) -> None:
    book = load_workbook(io.BytesIO(rendered.content))
    values: list[str] = []
    columns: list[str] = []  # each column's texts top to bottom: a long text goes on in the rows below its own
    for sheet in book.worksheets:
        assert 0 < len(sheet.title) <= 31
        for row in sheet.iter_rows(values_only=True):
            values += [value for value in row if isinstance(value, str)]
        for column in sheet.iter_cols(values_only=True):
            columns.append(" ".join(" ".join(value.split()) for value in column if isinstance(value, str)))
        for dimension in sheet.row_dimensions.values():
            assert dimension.height is None or dimension.height <= 409
    assert values and all(len(value) <= EXCEL_CELL_MAX for value in values), builder
    if builder == "synthesis_xlsx":  # the list of the units that stayed silent is cut, not refused by Excel
        assert any(len(value) == EXCEL_CELL_MAX and value.endswith("…") for value in values)
    cells = "\n".join(values)
    for item in facts.triage:
        assert nfc(item.text) in cells, builder
    for proposal in facts.proposals:
        for field in proposal.fields:
            ref = parse_ref(field.value) if field.kind == "file" else None
            shown = ref.shown if ref is not None else field.value  # a file by its name and size
            assert (nfc(shown) in cells or " ".join(nfc(shown).split()) in "\n".join(columns)
                    or field.kind in ("money", "months", "date", "number", "count")), builder


@pytest.mark.parametrize(("kind", "key"), every_document(), ids=[f"{k}-{d}" for k, d in every_document()])
def test_every_document_of_every_kind_holds_the_longest_accepted_texts(app: App, draft: Path, kind: str,
                                                                        key: str) -> None:
    workflow = shipped_workflows()[kind]
    facts = LongRound(app, workflow, key, draft)
    builder = workflow.documents[key].builder
    rendered = build_document(facts, key)
    suffix = Path(rendered.filename).suffix
    assert len(rendered.filename) <= limits.FILE_NAME + 20
    if builder == "revised_draft":
        assert rendered.content == draft.read_bytes()
    elif suffix == ".docx":
        check_docx(rendered, facts, builder)
    else:
        assert suffix == ".xlsx"
        check_xlsx(rendered, facts, builder)


def test_a_title_too_long_for_word_is_cut_in_the_file_properties_only(app: App, draft: Path) -> None:
    facts = LongRound(app, shipped_workflows()["consultation"], "request_letter", draft)
    document = docx.Document(io.BytesIO(build_document(facts, "request_letter").content))
    title = document.core_properties.title
    assert len(title) == WORD_TITLE_MAX and title.endswith("…")
    assert title.startswith("V/v " + one_line(SUBJECT)[:200])
    header = document.tables[0].rows[1].cells[0].text
    assert one_line(header).endswith(one_line(SUBJECT))  # the V/v line under the number carries it whole
