"""The workshop kind's documents built from a real round on SQLite and PostgreSQL: the plan with the tasks given to
units and their due dates, the giấy mời, the attendee list from the units' registrations, and the report after the
event with what was handed in. Readiness and the inputs staff give are checked on the way.

No state, field or date key is named here: the tests ask the definition (its dates, form fields and tasks).
"""
from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from debian_tools import require_tools
from docx import Document
from minimal_pdf import minimal_pdf
from openpyxl import load_workbook

from config.clock import FrozenClock
from models.rounds import RecipientRole, ResponseChannel, ResponseKind
from notifications.documents.data import Issuer, LetterHead, Signer
from notifications.documents.vietnamese import short_date
from notifications.documents.workshop import (
    InvitedSet,
    ParticipantGroup,
    TaskLine,
    WorkshopPlanData,
    render_workshop_plan,
)
from workflows.definition import Workflow
from workflows.engine.events import Launch, Respond
from workflows.service.app import App
from workflows.service.assignment_files import hand_in_storing_files
from workflows.service.assignments import assign, for_round
from workflows.service.directory import import_units
from workflows.service.documents import (
    RoundFacts,
    addressed_to,
    build_document,
    document_inputs,
    kind_documents,
    number_type,
    set_document_inputs,
)
from workflows.service.errors import FormErrors
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute

KIND = "workshop"
STAFF = "Phạm Phi Long (QLKH)"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
TITLE = "Hội thảo Giải pháp cải thiện, nâng cao Chỉ số đổi mới sáng tạo địa phương tỉnh Cao Bằng năm 2025"
NAME = TITLE.removeprefix("Hội thảo ")
EVENT_ON = date(2025, 8, 20)
DEADLINE = date(2025, 8, 14)
BASIS = ("Quyết định số 62/QĐ-UBND ngày 20/01/2025 của Ủy ban nhân dân tỉnh Cao Bằng về ban hành Kế hoạch hành "
         "động thực hiện Nghị quyết số 02/NQ-CP")
PDF = minimal_pdf()
VENUE = "Trung tâm Hội nghị tỉnh Cao Bằng (phường Thục Phán, tỉnh Cao Bằng)"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def _texts(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


def _workshop(app: App, workflow: Workflow) -> int:
    import_units(app, UNITS_CSV, STAFF)
    event_key = next(iter(workflow.dates))
    return create_round(app, NewRound(
        title=TITLE, subject="", workflow=KIND, office="QLKH", deadline=DEADLINE,
        addressees=(Addressee(groups=("so-ban-nganh", "xa-phuong", "ubnd-tinh")),
                    Addressee(units=("LMHTX",), role=RecipientRole.INFORM)),
        contact_name="Ông Phạm Phi Long", contact_title="Phó Trưởng phòng Quản lý Khoa học",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền", legal_bases=(BASIS,),
        dates={event_key: EVENT_ON}), STAFF)


def _registration(workflow: Workflow, option: int) -> dict[str, str]:
    """A filled registration form: the choice's `option`-th option, a name, a title, a phone; nothing named."""
    values: dict[str, str] = {}
    for field in workflow.response.fields:
        if field.kind == "choice":
            values[field.key] = field.options[option]
        elif field.kind == "phone":
            values[field.key] = "0912345678"
        elif field.kind == "text":
            values[field.key] = "Nguyễn Văn An"
    return values


def _hand_in(app: App, round_id: int, workflow: Workflow, unit: str, task: str, title: str) -> None:
    """The unit's task handed in on paper: its text fields say `title`, its file fields carry a small PDF."""
    fields = workflow.assignments[task].fields
    hand_in_storing_files(app, round_id, unit, task, {f.key: title for f in fields if f.kind in ("text", "long_text")},
                          {f.key: ("tham-luan.pdf", PDF) for f in fields if f.kind == "file"}, {},
                          ResponseChannel.PAPER, STAFF)


def _choice(app: App, round_id: int, builder: str) -> str:
    return next(c.key for c in kind_documents(RoundFacts(app, round_id)) if c.builder == builder)


def test_a_workshop_round_gives_its_plan_invitation_attendee_list_and_report(app: App, clock: FrozenClock) -> None:
    workflow = get_workflow(KIND)
    clock.set(local("2025-08-04T09:00"))
    round_id = _workshop(app, workflow)
    plan_key = _choice(app, round_id, "workshop_plan")

    # Without the venue the plan is not offered, and building it is refused with the reason.
    waiting = {c.builder: c for c in kind_documents(RoundFacts(app, round_id))}
    assert waiting["workshop_plan"].not_ready is not None
    assert "địa điểm hội thảo" in waiting["workshop_plan"].not_ready.message
    assert waiting["workshop_report"].not_ready is not None and "kết quả hội thảo" in \
        waiting["workshop_report"].not_ready.message

    set_document_inputs(app, round_id, {
        "venue": unicodedata.normalize("NFD", VENUE), "event_time": "01 buổi, từ 08 giờ 00",
        "event_purpose": ["Đánh giá thực trạng, đề xuất các giải pháp cải thiện Chỉ số PII."],
        "event_requirements": ["Tăng cường sự phối hợp giữa các sở, ngành.", "Chuẩn bị chu đáo các nội dung."],
        "funding": "Nguồn kinh phí sự nghiệp khoa học và công nghệ năm 2025"}, STAFF)
    assert document_inputs(app, round_id)["venue"] == VENUE

    execute(app, round_id, Launch(), STAFF)
    papers = next(iter(workflow.assignments))
    given = assign(app, round_id, papers, ["SCT", "STC"], None, None, STAFF)
    due = given[0].due
    clock.set(local("2025-08-06T10:00"))
    execute(app, round_id, Respond("SCT", ResponseKind.PROPOSALS, STAFF, proposals=(_registration(workflow, 0),)),
            STAFF)
    execute(app, round_id, Respond("STC", ResponseKind.PROPOSALS, STAFF, proposals=(_registration(workflow, 1),)),
            STAFF)
    _hand_in(app, round_id, workflow, "SCT", papers, "Doanh nghiệp đổi mới sáng tạo")

    facts = RoundFacts(app, round_id)
    plan = _texts(build_document(facts, plan_key).content)
    task_title = workflow.assignments[papers].title
    assert "KẾ HOẠCH" in plan and f"Tổ chức Hội thảo {NAME}" in plan
    assert any(t.startswith(f"Thực hiện {BASIS}") for t in plan)
    assert "- Địa điểm: " + VENUE + "." in plan
    assert f"- Thời gian: 01 buổi, từ 08 giờ 00, ngày {short_date(EVENT_ON)}." in plan
    groups = [g.title for g in workflow.participants]
    shown = [t[3:].removesuffix(":") for t in plan if re.match(r"[a-z]\) ", t)]
    assert shown and shown == [g for g in groups if g in shown]  # the definition's groups that have units, in order
    lowered = task_title[0].lower() + task_title[1:]
    assert (f"- Giao Sở Công Thương, Sở Tài chính: {lowered}, gửi Sở Khoa học và Công nghệ chậm nhất ngày "
            f"{short_date(due)}.") in plan

    # The giấy mời and the plan take their type in the register from their wording ("GM", "KH").
    invitation_key = _choice(app, round_id, "invitation_letter")
    assert (number_type(app, workflow, invitation_key, "QLKH", "x"), number_type(app, workflow, plan_key, "QLKH",
                                                                                "x")) == ("GM", "KH")
    invitation = _texts(build_document(facts, invitation_key).content)
    assert "GIẤY MỜI" in invitation
    assert (f"Đề nghị quý cơ quan, đơn vị đăng ký thành phần tham dự chậm nhất ngày {short_date(DEADLINE)} qua đường "
            "dẫn gửi kèm thư điện tử.") in invitation
    assert any("Sở Công Thương" in t and t.startswith("- Đại diện Lãnh đạo") for t in invitation)

    # The register's "Nơi nhận văn bản" of the giấy mời: its lines, a directory group it joins by its label.
    assert addressed_to(app, round_id, invitation_key) == [
        "Trung tâm Thông tin - Văn phòng UBND tỉnh", "Các sở, ban, ngành tỉnh", "Ủy ban nhân dân các xã, phường",
        "Liên minh Hợp tác xã tỉnh"]

    book = load_workbook(io.BytesIO(build_document(facts, _choice(app, round_id, "attendee_list_xlsx")).content))
    sheet = book.active
    assert sheet is not None
    labels = [f.label for f in workflow.response.fields]
    assert [c.value for c in sheet[3]][3:3 + len(labels)] == labels
    rows = {r[2]: r for r in ([c.value for c in row] for row in sheet.iter_rows(min_row=4)) if r[2]}
    assert rows["Sở Công Thương"][3] == _registration(workflow, 0)[workflow.response.fields[0].key]
    assert rows["Sở Y tế"][3] == "Chưa đăng ký"
    recipients = RoundFacts(app, round_id).state.recipients
    assert sum(1 for name in rows if name in {r.unit_name for r in recipients.values()}) == len(recipients)

    # After the event: the report, once staff wrote what the workshop concluded.
    clock.set(local("2025-08-22T09:00"))
    set_document_inputs(app, round_id, {"event_results": ["Hội thảo đã nghe 02 tham luận."],
                                         "plan_reference": "Kế hoạch số 120/KH-UBND ngày 05/8/2025"}, STAFF)
    content = build_document(RoundFacts(app, round_id), _choice(app, round_id, "workshop_report")).content
    report = _texts(content)
    assert any(t.startswith("Thực hiện Kế hoạch số 120/KH-UBND ngày 05/8/2025 của UBND tỉnh") for t in report)
    table = [[c.text for c in row.cells] for row in Document(io.BytesIO(content)).tables[1].rows]
    by_unit = {row[1]: row for row in table[1:]}
    assert by_unit["Sở Công Thương"][2:] == [task_title, short_date(due), "06/8/2025", "Doanh nghiệp đổi mới sáng tạo"]
    assert by_unit["Sở Tài chính"][4:] == ["—", "chưa nộp"]
    attendance = [[c.text for c in row.cells] for row in Document(io.BytesIO(content)).tables[2].rows]
    choice = next(f for f in workflow.response.fields if f.kind == "choice")
    assert attendance[0][2:-1] == choice.options
    assert attendance[-1][0] == "Tổng cộng" and attendance[-1][2:4] == ["1", "1"]
    assert "Hội thảo đã nghe 02 tham luận." in report
    assert len(for_round(app, round_id)) == 2


def test_the_invitation_waits_for_the_hour_of_the_workshop_the_plan_does_not(app: App, clock: FrozenClock) -> None:
    """A giấy mời numbered and sent without an hour ("Thời gian: ngày 20/8/2026.") tells no guest when to come."""
    clock.set(local("2025-08-04T09:00"))
    round_id = _workshop(app, get_workflow(KIND))
    set_document_inputs(app, round_id, {"venue": VENUE}, STAFF)
    choices = {c.builder: c for c in kind_documents(RoundFacts(app, round_id))}
    assert choices["workshop_plan"].not_ready is None
    waiting = choices["invitation_letter"].not_ready
    assert waiting is not None and waiting.code == "document_inputs_missing" and "giờ hội thảo" in waiting.message
    set_document_inputs(app, round_id, {"venue": VENUE, "event_time": "01 buổi, từ 08 giờ 00"}, STAFF)
    assert {c.builder: c for c in kind_documents(RoundFacts(app, round_id))}["invitation_letter"].not_ready is None


def test_workshop_inputs_over_their_limit_are_refused_and_nothing_is_saved(app: App, clock: FrozenClock) -> None:
    clock.set(local("2025-08-04T09:00"))
    round_id = _workshop(app, get_workflow(KIND))
    with pytest.raises(FormErrors) as refused:
        set_document_inputs(app, round_id, {"venue": "x" * 400, "event_results": ["Kết quả"] * 31}, STAFF)
    assert set(refused.value.errors) == {"venue", "event_results"}
    assert refused.value.errors["venue"].startswith("Địa điểm hội thảo:")
    assert document_inputs(app, round_id) == {}


def test_a_workshop_without_its_event_date_offers_no_plan(app: App, clock: FrozenClock) -> None:
    clock.set(local("2025-08-04T09:00"))
    workflow = get_workflow(KIND)
    round_id = _workshop(app, workflow)
    set_document_inputs(app, round_id, {"venue": VENUE, "event_results": ["Xong."]}, STAFF)
    facts = RoundFacts(app, round_id)
    facts.state.dates.clear()  # a round made before its kind declared the date
    choices = {c.builder: c for c in kind_documents(facts)}
    for builder in ("workshop_plan", "invitation_letter", "workshop_report"):
        reason = choices[builder].not_ready
        assert reason is not None and reason.code == "event_date_missing"
        assert workflow.dates[next(iter(workflow.dates))].title.lower() in reason.message
    assert choices["attendee_list_xlsx"].not_ready is None


def test_the_plan_converts_to_pdf_in_times_with_its_signature_beside_the_end_of_the_body(tmp_path: Path) -> None:
    require_tools("soffice", "pdftotext", "pdffonts", hint="apt-get install -y --no-install-recommends "
                  "libreoffice-writer poppler-utils fonts-liberation2")
    sectors = tuple(f"Sở số {n}" for n in range(1, 16))
    plan = WorkshopPlanData(
        issuer=Issuer("", "ỦY BAN NHÂN DÂN\nTỈNH CAO BẰNG", "UBND", "Cao Bằng", "Ủy ban nhân dân tỉnh Cao Bằng"),
        head=LetterHead("QLKH", "Kế hoạch", drafted_on=date(2025, 8, 1)), title=TITLE,
        organiser="Sở Khoa học và Công nghệ", event_on=EVENT_ON, venue=VENUE,
        participants=[ParticipantGroup("Đại biểu các cơ quan thuộc tỉnh", (InvitedSet(sectors, "Các sở, ngành"),))],
        signer=Signer(title="PHÓ CHỦ TỊCH", name="", on_behalf="CHỦ TỊCH"), references=[BASIS],
        purpose=["Đánh giá thực trạng, đề xuất các giải pháp. " * 8] * 3, requirements=["Phối hợp chặt chẽ."] * 4,
        tasks=[TaskLine("Chuẩn bị tham luận", sectors[:3], date(2025, 8, 15))])
    source = tmp_path / "ke-hoach.docx"
    source.write_bytes(render_workshop_plan(plan))
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=240, check=False)
    pdf = tmp_path / "ke-hoach.pdf"
    assert completed.returncode == 0 and pdf.is_file(), completed.stderr
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    assert re.search(r"Số: +/KH-UBND", pages[0]) and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0]
    signed = next(page for page in pages if "PHÓ CHỦ TỊCH" in page)
    assert "./." in signed and "Nơi nhận:" in signed and "KT. CHỦ TỊCH" in signed
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split()[0].split("+")[-1] for line in listing.splitlines()[2:] if line.strip()]
    assert fonts and all(font.startswith(("LiberationSerif", "TimesNewRoman")) for font in fonts), fonts


def test_the_report_counts_only_units_asked_to_register_and_names_the_informed_apart(app: App,
                                                                                     clock: FrozenClock) -> None:
    """LMHTX is invited with a role that only informs it (as the press is): it is not counted as not registered, in
    the sentence or the table, but named in a sentence of its own."""
    workflow = get_workflow(KIND)
    clock.set(local("2025-08-04T09:00"))
    round_id = _workshop(app, workflow)
    set_document_inputs(app, round_id, {"venue": VENUE}, STAFF)
    execute(app, round_id, Launch(), STAFF)
    clock.set(local("2025-08-06T10:00"))
    execute(app, round_id, Respond("SCT", ResponseKind.PROPOSALS, STAFF, proposals=(_registration(workflow, 0),)),
            STAFF)
    clock.set(local("2025-08-22T09:00"))
    set_document_inputs(app, round_id, {"event_results": ["Hội thảo đã nghe 02 tham luận."]}, STAFF)
    recipients = RoundFacts(app, round_id).state.recipients
    asked = [r for r in recipients.values() if r.answers]
    informed = [r.unit_name for r in recipients.values() if not r.answers]
    assert informed == ["Liên minh Hợp tác xã tỉnh"] and len(asked) == 11

    content = build_document(RoundFacts(app, round_id), _choice(app, round_id, "workshop_report")).content
    report = _texts(content)
    attendance = next(t for t in report if t.startswith("Hội thảo mời"))
    assert attendance.startswith("Hội thảo mời 11 cơ quan, đơn vị;") and attendance.endswith(
        ", 10 đơn vị chưa đăng ký."), attendance
    assert ("Ngoài ra, 01 cơ quan, đơn vị được mời để biết, không phải đăng ký tham dự: Liên minh Hợp tác xã tỉnh."
            in report)
    table = next(rows for rows in ([[c.text for c in row.cells] for row in t.rows]
                                   for t in Document(io.BytesIO(content)).tables) if rows[0][0] == "Thành phần")
    business = next(g.title for g in workflow.participants if "hiep-hoi" in g.groups)
    assert business not in [row[0] for row in table]  # a group with no unit asked to register has no row
    assert table[-1][0] == "Tổng cộng" and table[-1][1] == "11" and table[-1][-1] == "10", table[-1]

    # The attendee list says the same: the informed unit is not "Chưa đăng ký", nor counted so under the list.
    book = load_workbook(io.BytesIO(build_document(RoundFacts(app, round_id),
                                                   _choice(app, round_id, "attendee_list_xlsx")).content))
    sheet = book.active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert next(r for r in rows if r[2] == "Liên minh Hợp tác xã tỉnh")[3] == "Để biết, không phải đăng ký"
    counted = {r[1]: r[2] for r in rows if r[0] is None and r[1]}
    assert counted["Chưa đăng ký"] == 10 and counted["Để biết, không phải đăng ký"] == 1, counted
