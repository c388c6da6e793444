"""The documents of a call for proposals, asked of the definition, on SQLite and PostgreSQL: the list a state
offers, the package of the state, the inputs staff give the zero-response report through the CLI, and a kind
written in a temporary YAML file whose state does not allow triage.

No state is named here: the tests ask the definition (titles, packages, documents_in).
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from config.clock import FrozenClock
from models.errors import DomainError
from models.rounds import RecipientRole, ResponseKind
from workflows.cli.main import app as ykien_cli
from workflows.definition.schema import Capability
from workflows.engine.events import Close, CommentInput, Launch, Respond
from workflows.service.app import App
from workflows.service.consolidation import handle_comments, triage_items
from workflows.service.directory import import_units
from workflows.service.documents import (
    BUILDERS,
    available_documents,
    document_inputs,
    round_documents,
    set_document_inputs,
    state_documents,
    unit_list_workbook,
)
from workflows.service.registry import DOCUMENT_BUILDERS, get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.submission import submit_round
from workflows.service.views import audit_trail, round_view

STAFF = "Phạm Phi Long (QLKH)"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
TITLE = "Đề xuất nhiệm vụ KH&CN cấp quốc gia thuộc Chương trình 1322 bắt đầu thực hiện từ năm 2027"
CALL_SUBJECT = "tuyên truyền, phổ biến và phối hợp đề xuất nhiệm vụ KH&CN cấp quốc gia thuộc Chương trình 1322"
BASES = (
    "Công văn số 1891/VP-KGVX ngày 05/5/2026 của Văn phòng Ủy ban nhân dân tỉnh về việc tham mưu đề xuất nhiệm vụ",
    "Công văn số 949/BKHCN-TĐC ngày 04/5/2026 của Bộ Khoa học và Công nghệ về việc đề xuất nhiệm vụ khoa học "
    "và công nghệ cấp quốc gia bắt đầu thực hiện từ năm 2027",
    "Công văn số 1007/BKHCN-KHTC ngày 12/5/2026 của Bộ Khoa học và Công nghệ về việc xây dựng kế hoạch năm 2027",
)
REPORT_SUBJECT = "đề xuất nhiệm vụ KH&CN cấp quốc gia bắt đầu thực hiện từ năm 2027 thuộc Chương trình 1322"
REASONS = (
    "UBND tỉnh đã ban hành Kế hoạch số 79/KH-UBND ngày 05/4/2026, trong đó có thực hiện 06 nhiệm vụ khoa học và "
    "công nghệ hỗ trợ doanh nghiệp nâng cao năng suất, chất lượng.",
    "Các doanh nghiệp trên địa bàn tỉnh đang tham gia các nhiệm vụ của Kế hoạch nêu trên.",
)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _call(app: App, kind: str = "proposal_call") -> int:
    import_units(app, UNITS_CSV, STAFF)
    return create_round(app, NewRound(
        title=TITLE, subject=CALL_SUBJECT, workflow=kind, office="QLKH", deadline=date(2025, 12, 5),
        addressees=(Addressee(groups=("so-ban-nganh", "xa-phuong")),
                    Addressee(units=("TTTT-VP",), role=RecipientRole.PUBLISH)),
        contact_name="Ông Phạm Phi Long", contact_title="Phó Trưởng phòng Quản lý Khoa học",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền", signer_title="GIÁM ĐỐC",
        silence_is_agreement=False, legal_bases=BASES), STAFF)


def _proposal(task: str, organisation: str, budget: str) -> dict[str, str]:
    return {"task_name": task, "urgency": "Doanh nghiệp cần nâng cao năng suất.", "objectives": f"Mục tiêu: {task}.",
            "main_contents": "Khảo sát, xây dựng mô hình, nhân rộng.", "expected_results": "Mô hình ISO 9001.",
            "expected_impact": "Năng suất tăng 10%.", "application_sites": "Các doanh nghiệp trong tỉnh.",
            "duration_months": "24", "budget_state": budget, "organisation": organisation,
            "address": "Phường Thục Phán, tỉnh Cao Bằng", "contact_person": "Bà Nguyễn Thị A, Trưởng phòng",
            "phone": "0206 3852 202", "email": "sct@caobang.example.vn"}


def test_the_round_export_of_a_call_holds_the_units_forms_not_an_empty_sheet_of_comments(
        app: App, clock: FrozenClock) -> None:
    round_id = _call(app)
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-11-26T10:00"))
    execute(app, round_id, Respond("STC", ResponseKind.PROPOSALS, STAFF, proposals=(
        _proposal("Áp dụng ISO 9001 cho doanh nghiệp nhỏ", "Sở Tài chính", "1500000000"),
        _proposal("Năng suất xanh", "Sở Tài chính", "900000000"))), STAFF)
    book = load_workbook(io.BytesIO(unit_list_workbook(app, round_id)))
    assert book.sheetnames == ["Đơn vị", "Phiếu đề xuất"]
    rows = list(book["Phiếu đề xuất"].iter_rows(values_only=True))
    labels = [f.label for f in get_workflow("proposal_call").response.fields]
    assert list(rows[0]) == ["STT", "Cơ quan, đơn vị", *labels]
    named = labels.index(next(f.label for f in get_workflow("proposal_call").response.fields if f.key == "task_name"))
    assert [(r[0], r[1], r[2 + named]) for r in rows[1:]] == [
        (1, "Sở Tài chính", "Áp dụng ISO 9001 cho doanh nghiệp nhỏ"), (2, "Sở Tài chính", "Năng suất xanh")]


def _status_title(app: App, round_id: int) -> str:
    state = round_view(app, round_id).state
    return get_workflow(state.workflow).state_title(state.status)


def test_every_builder_a_definition_may_name_exists() -> None:
    assert set(BUILDERS) == DOCUMENT_BUILDERS


def test_a_call_with_proposals_offers_the_definitions_documents_and_packs_the_proposal_list(
        app: App, clock: FrozenClock) -> None:
    round_id = _call(app)
    workflow = get_workflow("proposal_call")
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-11-26T10:00"))
    execute(app, round_id, Respond("STC", ResponseKind.PROPOSALS, STAFF,
                                   proposals=(_proposal("Áp dụng ISO 9001 cho doanh nghiệp nhỏ", "Sở Tài chính",
                                                        "1500000000"),)), STAFF)
    execute(app, round_id, Respond("SCT", ResponseKind.PROPOSALS, STAFF,
                                   proposals=(_proposal("Năng suất xanh trong chế biến nông sản", "Sở Công Thương",
                                                        "2000000000"),)), STAFF)
    clock.set(local("2025-12-08T09:00"))
    execute(app, round_id, Close("Hết hạn"), STAFF)
    status = round_view(app, round_id).state.status
    assert workflow.state_title(status) == "Đang xem xét đề xuất"

    # The call letter waits for where proposals are sent (the settings have no address or email of the Sở).
    waiting = [c for c in state_documents(app, round_id) if not c.ready]
    assert [c.key for c in waiting] == ["call_letter"] and "địa chỉ" in waiting[0].not_ready.message  # type: ignore[union-attr]
    set_document_inputs(app, round_id, {"department_address": "Tầng 6 tòa nhà C, trụ sở các sở, ban, ngành tỉnh",
                                        "department_email": "skhcn@caobang.gov.vn"}, STAFF)
    offered = available_documents(app, round_id)
    expected = workflow.documents_in(status)
    assert [c.key for c in offered] == list(expected)
    assert [(c.title, c.filename) for c in offered] == [(d.title, d.filename) for d in expected.values()]
    letter = _text(next(d for d in round_documents(app, round_id) if d.filename == expected["call_letter"].filename)
                   .content)
    assert "skhcn@caobang.gov.vn" in letter and "949/BKHCN-TĐC" in letter  # the one Ministry letter it names

    package = submit_round(app, round_id, STAFF)
    definition = workflow.package(status)
    assert definition is not None and package.title == definition.title and package.done == definition.done
    archive = zipfile.ZipFile(package.path)
    assert archive.namelist() == [workflow.documents[key].filename for key in definition.documents]
    listing = _text(archive.read(workflow.documents["proposal_list_docx"].filename))
    assert "Áp dụng ISO 9001 cho doanh nghiệp nhỏ" in listing and "Năng suất xanh trong chế biến nông sản" in listing
    sheet = load_workbook(io.BytesIO(archive.read(workflow.documents["proposal_list_xlsx"].filename))).active
    rows = [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]
    tasks = [row for row in rows[1:] if row]
    # Units in the round's order (the directory's), whatever order they answered in.
    assert "Sở Công Thương" in tasks[0] and "Năng suất xanh trong chế biến nông sản" in tasks[0]
    assert "Sở Tài chính" in tasks[1] and "Áp dụng ISO 9001 cho doanh nghiệp nhỏ" in tasks[1]
    assert workflow.state_title(round_view(app, round_id).state.status) == "Đã gửi danh mục đề xuất"

    with pytest.raises(DomainError) as twice:
        submit_round(app, round_id, STAFF)
    assert twice.value.code == "already_submitted"


def _ykien(app: App, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    """`ykien ARGS --json` in this process, on the test's database and home, at the frozen clock's time."""
    env = {"YKIEN_HOME": str(app.settings.home), "YKIEN_DATABASE_URL": app.settings.database_url_resolved,
           "YKIEN_NOW": app.clock.now().isoformat(), "YKIEN_ACTOR": STAFF, "YKIEN_SMTP_URL": ""}
    result = CliRunner().invoke(ykien_cli, [*args, "--json"], env=env)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}


def test_a_call_with_no_proposals_reports_with_the_inputs_staff_gave_through_the_cli(
        app: App, clock: FrozenClock) -> None:
    round_id = _call(app)
    workflow = get_workflow("proposal_call")
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-12-08T09:00"))
    execute(app, round_id, Close("Hết hạn, không có đề xuất"), STAFF)
    status = round_view(app, round_id).state.status
    assert workflow.state_title(status) == "Không có đề xuất"
    assert [c.key for c in available_documents(app, round_id)] == \
        [k for k in workflow.documents_in(status) if k != "call_letter"]  # no address of the Sở yet

    before = (document_inputs(app, round_id), len(audit_trail(app, round_id)[0]))
    code, out = _ykien(app, "round", "document-inputs", str(round_id), "--report-subject", REPORT_SUBJECT,
                       "--ministry-letter", "9")
    assert code == 2 and "--ministry-letter" in out["error"]["message"] and "từ 1 đến 3" in out["error"]["message"]
    code, out = _ykien(app, "round", "document-inputs", str(round_id), "--call-letter-number", "số mười")
    assert code == 2 and "--call-letter-number" in out["error"]["message"]
    code, out = _ykien(app, "round", "document-inputs", str(round_id), "--report-subject", f"V/v {CALL_SUBJECT}")
    assert code == 2 and "--report-subject" in out["error"]["message"]
    assert (document_inputs(app, round_id), len(audit_trail(app, round_id)[0])) == before  # nothing changed

    code, out = _ykien(app, "round", "document-inputs", str(round_id), "--report-subject", REPORT_SUBJECT,
                       "--consideration", REASONS[0], "--consideration", REASONS[1], "--ministry-letter", "2",
                       "--call-letter-number", "123/SKHCN-QLKH")
    assert code == 0, out
    assert out == {"report_subject": REPORT_SUBJECT, "considerations": list(REASONS), "ministry_letter_index": 1,
                   "call_letter_number": "123/SKHCN-QLKH"}
    assert audit_trail(app, round_id)[0][-1].action == "document_inputs_set"

    package = submit_round(app, round_id, STAFF)
    archive = zipfile.ZipFile(package.path)
    report = _text(archive.read(workflow.documents["zero_response_report"].filename))
    reply = _text(archive.read(workflow.documents["ministry_reply"].filename))
    assert f"V/v {REPORT_SUBJECT}" in report and CALL_SUBJECT not in report.split("Kính gửi")[0]
    assert "Công văn số 123/SKHCN-QLKH ngày 20/11/2025" in report
    for reason in REASONS:
        assert reason in report and reason in reply
    assert "949/BKHCN-TĐC" in reply  # the letter chosen, not the last basis
    assert "1007/BKHCN-KHTC" not in reply and "1891/VP-KGVX" not in reply
    assert workflow.state_title(round_view(app, round_id).state.status) == "Đã báo cáo UBND tỉnh"


def test_inputs_a_kind_has_no_document_for_are_refused(app: App, clock: FrozenClock) -> None:
    round_id = _call(app, kind="consultation")
    code, out = _ykien(app, "round", "document-inputs", str(round_id), "--call-letter-number", "123/SKHCN-QLKH")
    assert code == 2 and "--call-letter-number" in out["error"]["message"]
    assert document_inputs(app, round_id) == {}


def test_any_input_is_set_by_name_on_the_command_line(app: App, clock: FrozenClock) -> None:
    round_id = _call(app)
    code, out = _ykien(app, "round", "document-inputs", str(round_id), "--input", "call-letter-number=123/SKHCN-QLKH",
                       "--input", f"consideration={REASONS[0]}", "--input", f"considerations={REASONS[1]}")
    assert code == 0, out
    assert out == {"call_letter_number": "123/SKHCN-QLKH", "considerations": list(REASONS)}
    before = (document_inputs(app, round_id), len(audit_trail(app, round_id)[0]))
    cases = (
        (["venue"], "--input \"venue\""),  # no value
        (["khong-co=1"], "--input \"khong-co=1\""),  # no such input
        (["venue=Trung tâm Hội nghị"], "venue"),  # an input of another kind's documents
        (["call-letter-number=1/A", "call-letter-number=2/B"], "--input call-letter-number"),  # one value only
        (["call-letter-number=số mười"], "--call-letter-number"),  # checked as the named option is
    )
    for pairs, named in cases:
        code, out = _ykien(app, "round", "document-inputs", str(round_id), *[a for p in pairs for a in ("--input", p)])
        assert code == 2 and named in out["error"]["message"], (pairs, out)
    assert (document_inputs(app, round_id), len(audit_trail(app, round_id)[0])) == before  # nothing changed


KIND = "noted_comments"
KIND_YAML = """\
name: "noted_comments"
title: "Lấy ý kiến để biết"
extends: "_round"
initial: "draft"
recipient_roles: ["comment", "publish", "inform"]
response: { kind: "comments", allow_agree: true }
terms:
  round: "đợt lấy ý kiến"
  subject: "xin ý kiến đối với {title}"
  answer: "ý kiến"
  answered: "Có ý kiến"
  verb: "cho ý kiến"
  topic: "{title}"
  response: "ý kiến bằng văn bản"
  purpose: "ghi nhận ý kiến"
  deadline_label: "Thời hạn"
  request:
    comment: ["{issuer_name} đề nghị quý cơ quan cho ý kiến đối với {title}."]
    publish: ["{issuer_name} đề nghị quý cơ quan đăng tải {title}."]
    inform: ["{issuer_name} gửi quý cơ quan {title} để biết."]
  link_hint: { comment: "Gửi ý kiến qua đường dẫn.", publish: "Xác nhận qua đường dẫn.", inform: "Xem qua đường dẫn." }
  awaited: { comment: "ý kiến", publish: "xác nhận đã đăng tải", inform: "ý kiến" }
  received: { comments: "{count} ý kiến", agree: "ý kiến đồng ý", proposals: "{count} phiếu" }
events:
  finish: "kết thúc đợt"
documents:
  letter:
    title: "Công văn xin ý kiến để biết"
    builder: "request_letter"
    wording: "noted_letter"
    filename: "cong-van-de-biet.docx"
    states: ["noted"]
states:
  circulating:
    transitions:
      close: { to: "noted", effects: ["mark_closed"] }
      deadline_passed: { to: "noted", effects: ["mark_closed"] }
  noted:
    title: "Đã ghi nhận ý kiến"
    allows: ["late_answer"]
    transitions:
      respond: { guard: "late_accept", effects: ["record_response", "send_receipt"] }
      finish: { to: "finished" }
  finished:
    title: "Đã kết thúc"
    final: true
"""
KIND_LETTER = """\
body:
  - "{{ issuer_name }} ghi nhận ý kiến về {{ draft_title }} trước ngày {{ deadline | date }}, chỉ để biết."
"""


def test_triage_is_refused_where_a_kind_from_a_yaml_file_does_not_allow_it(
        app: App, clock: FrozenClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "kinds"
    (folder / KIND / "documents").mkdir(parents=True)
    (folder / f"{KIND}.yaml").write_text(KIND_YAML, encoding="utf-8")
    (folder / KIND / "documents" / "noted_letter.yaml").write_text(KIND_LETTER, encoding="utf-8")
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    workflow = get_workflow(KIND)

    round_id = _call(app, kind=KIND)
    clock.set(local("2025-11-20T09:00"))
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-11-26T10:00"))
    execute(app, round_id, Respond("SCT", ResponseKind.COMMENTS, STAFF,
                                   comments=(CommentInput("Đề nghị bổ sung chỉ tiêu.", "Mục II"),)), STAFF)
    clock.set(local("2025-12-08T09:00"))
    execute(app, round_id, Close("Hết hạn"), STAFF)
    status = round_view(app, round_id).state.status
    assert workflow.state_title(status) == "Đã ghi nhận ý kiến"
    assert not workflow.allows(status, Capability.TRIAGE)

    items = triage_items(app, round_id)
    assert len(items) == 1
    with pytest.raises(DomainError) as refused:
        handle_comments(app, round_id, [items[0].comment_id], "accepted", None, STAFF)
    assert refused.value.code == "triage_not_allowed" and "Đã ghi nhận ý kiến" in refused.value.message
    assert triage_items(app, round_id)[0].decision is None
    assert audit_trail(app, round_id)[0][-1].action != "comments_handled"

    # The kind's own letter: the request letter's data in the words of its wording file.
    documents = round_documents(app, round_id)
    assert [d.filename for d in documents] == ["cong-van-de-biet.docx"]
    assert "ghi nhận ý kiến về" in _text(documents[0].content) and "chỉ để biết" in _text(documents[0].content)
