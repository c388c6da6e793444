"""A workshop round (seed 004) on the web, in-process: the new-round form asks for the kind's own dates, units hand in
their assigned tasks on their personal page (files included), staff assign, remove and record tasks on the round's
assignments page, and the dashboard shows the kind's own counts. Every bad input is refused with the field named in
Vietnamese, the form refilled and nothing saved."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from minimal_pdf import minimal_pdf
from office_files import bomb_docx, bomb_zip, crowded_zip, ctype_docx, cut_xlsx, plain_zip
from sqlite_template import copy_home_database
from test_recipient_page import links
from test_round_kinds import PASSWORD, log_in, settings_for

from config.clock import FrozenClock
from models.assignments import AssignmentStatus
from models.rounds import ResponseChannel, ResponseKind
from notifications.testing import SmtpCapture, smtp_capture
from workflows.engine.events import Close, Launch, Respond
from workflows.service.app import App, build_app
from workflows.service.assignments import assign, for_round, for_unit, round_dates
from workflows.service.directory import import_units
from workflows.service.documents import set_document_inputs
from workflows.service.kind_summaries import kind_summaries
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.service.submission import submit_round
from workflows.service.sweep import run_due
from workflows.service.views import round_brief
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = Path(__file__).parents[1] / "fixtures" / "workshop_web" / "units_20.csv"
STAFF = "Phạm Phi Long (TĐC)"
TITLE = "Giải pháp cải thiện, nâng cao Chỉ số đổi mới sáng tạo địa phương tỉnh Cao Bằng"
START = datetime(2025, 8, 4, 8, 30, tzinfo=TZ)  # Monday; registration until 13/08, the workshop on 20/08
EVERY_GROUP = ("trung-uong", "ubnd-tinh", "so-ban-nganh", "mttq-doan-the", "xa-phuong", "ngan-hang", "hiep-hoi",
               "doanh-nghiep", "bao-chi")
PDF = minimal_pdf()


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("workshop-template")
    with smtp_capture() as capture:
        app = build_app(settings_for(home, capture), FrozenClock(START), create_schema=True)
        import_units(app, UNITS, STAFF, create_groups=True)
        add_user(app, "long", "Phạm Phi Long", "staff", PASSWORD, "TĐC", "test")
        add_user(app, "lanhdao", "Lãnh đạo Sở", "leader", PASSWORD, None, "test")
        app.close()
    return home


@pytest.fixture
def workshop_clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def ykien_app(template_home: Path, tmp_path: Path, capture: SmtpCapture,
              workshop_clock: FrozenClock) -> Iterator[App]:
    copy_home_database(template_home, tmp_path)
    app = build_app(settings_for(tmp_path, capture), workshop_clock)
    yield app
    app.close()


@pytest.fixture
def unit_client(ykien_app: App) -> TestClient:
    return TestClient(create_web_app(ykien_app))


@pytest.fixture
def staff(ykien_app: App) -> TestClient:
    return log_in(TestClient(create_web_app(ykien_app)))


def launch_workshop(app: App) -> int:
    new = NewRound(title=TITLE, subject="", workflow="workshop", office="TĐC", deadline=date(2025, 8, 13),
                   dates={"event": date(2025, 8, 20)}, addressees=(Addressee(groups=EVERY_GROUP),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Trịnh Trường Huy")
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def paper_form(app: App, token: str, title: str) -> dict[str, str]:
    return {"csrf_token": link_csrf(app, token), "t_paper__paper_title": title}


def paper_file(name: str = "tham-luan.pdf", content: bytes = PDF) -> dict[str, tuple[str, bytes, str]]:
    return {"t_paper__paper_file": (name, content, "application/pdf")}


# --- the new-round form: the kind's dates ------------------------------------------------------------------------

def new_round_values(event: str | None) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        "action": "create", "workflow": "workshop", "title": TITLE, "subject": "", "office": "TĐC",
        "deadline_mode": "date", "deadline_date": "2025-08-13", "contact_name": "Ông Phạm Phi Long",
        "contact_phone": "0912 130 290", "signer_name": "Trịnh Trường Huy", "signer_title": "GIÁM ĐỐC",
        "g_comment": list(EVERY_GROUP)}
    if event is not None:
        values["date_event"] = event
    return values


def test_the_new_round_form_shows_one_field_per_date_of_the_kind(staff: TestClient) -> None:
    page = staff.get("/rounds/new?workflow=workshop").text
    assert re.search(r"<label>Ngày tổ chức hội thảo .*\n\s*<input type=\"text\" placeholder=\"ngày/tháng/năm\" autocomplete=\"off\" name=\"date_event\"", page)
    assert 'name="date_event"' not in staff.get("/rounds/new?workflow=consultation").text


@pytest.mark.parametrize(("typed", "message"), [
    (None, "Nhập ngày tổ chức hội thảo."),
    ("", "Nhập ngày tổ chức hội thảo."),
    ("32/13/2025", "Ngày tổ chức hội thảo: &#34;32/13/2025&#34; không phải ngày; viết ngày/tháng/năm, ví dụ 08/12/2026."),
    ("hai mươi tháng tám", "Ngày tổ chức hội thảo: &#34;hai mươi tháng tám&#34; không phải ngày; viết ngày/tháng/năm, ví dụ 08/12/2026."),
    ("2025-08-12", "Ngày tổ chức hội thảo 12/08/2025 trước hạn đăng ký tham dự (13/08/2025)."),
])
def test_a_missing_malformed_or_early_date_is_refused_beside_its_field_and_nothing_is_created(
        staff: TestClient, ykien_app: App, typed: str | None, message: str) -> None:
    values = new_round_values(typed)
    values["csrf_token"] = csrf_of(staff.get("/rounds/new?workflow=workshop").text)
    answer = staff.post("/rounds", data=values)
    assert answer.status_code == 422
    assert f'<span class="field-error" id="err-date_event" role="alert">{message}</span>' in answer.text
    assert f'value="{TITLE}"' in answer.text  # the form comes back filled
    assert 'name="date_event"' in answer.text and 'aria-invalid="true" aria-describedby="err-date_event"' in answer.text
    assert staff.get("/api/rounds").json() == []


def test_the_date_typed_is_stored_with_the_round_and_an_nfd_title_is_kept_as_nfc(
        staff: TestClient, ykien_app: App) -> None:
    values = new_round_values("20/08/2025")
    values["title"] = unicodedata.normalize("NFD", "Hội thảo đổi mới sáng tạo")
    values["csrf_token"] = csrf_of(staff.get("/rounds/new?workflow=workshop").text)
    answer = staff.post("/rounds", data=values, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:2000]
    round_id = int(answer.headers["location"].split("/")[2])
    assert round_dates(ykien_app, round_id) == {"event": date(2025, 8, 20)}
    assert round_brief(ykien_app, round_id).title == "Hội thảo đổi mới sáng tạo"
    edit = staff.get(f"/rounds/{round_id}/edit").text  # the draft's edit form shows the date it has
    assert 'name="date_event" id="date_event" value="20/08/2025"' in edit
    moved = {**values, "action": "save", "date_event": "2025-08-21", "csrf_token": csrf_of(edit)}
    assert staff.post(f"/rounds/{round_id}/edit", data=moved, follow_redirects=False).status_code == 303
    assert round_dates(ykien_app, round_id) == {"event": date(2025, 8, 21)}
    bad = staff.post(f"/rounds/{round_id}/edit", data={**moved, "date_event": "21/08"})
    assert bad.status_code == 422 and 'id="err-date_event"' in bad.text
    assert round_dates(ykien_app, round_id) == {"event": date(2025, 8, 21)}


def test_the_api_creates_a_round_with_its_dates_and_refuses_one_without(staff: TestClient, ykien_app: App) -> None:
    body = {"title": TITLE, "workflow": "workshop", "office": "TĐC", "deadline": "2025-08-13",
            "addressees": [{"groups": ["so-ban-nganh"]}], "contact_name": "Ông Phạm Phi Long",
            "contact_phone": "0912 130 290", "signer_name": "Trịnh Trường Huy"}
    missing = staff.post("/api/rounds", json=body)
    assert missing.status_code == 422
    assert missing.json()["error"]["message"] == "date event: chưa ghi ngày tổ chức hội thảo."
    malformed = staff.post("/api/rounds", json={**body, "dates": {"event": "20/8/2025 sáng"}})
    assert malformed.status_code == 422
    assert "dates.event" in malformed.json()["error"]["message"]
    assert staff.get("/api/rounds").json() == []
    created = staff.post("/api/rounds", json={**body, "dates": {"event": "2025-08-20"}})
    assert created.status_code == 201, created.text
    assert round_dates(ykien_app, created.json()["id"]) == {"event": date(2025, 8, 20)}


# --- the unit's page: its tasks ----------------------------------------------------------------------------------

def test_a_unit_sees_only_its_own_tasks_with_due_date_status_and_a_form(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, "Trình bày 10 phút", STAFF)
    tokens = links(capture)
    page = unit_client.get(f"/r/{tokens['SCT']}").text
    assert '<h2 id="tasks-heading">Nhiệm vụ được giao</h2>' in page
    assert '<h3 id="task-paper-title">Chuẩn bị tham luận trình bày tại Hội thảo</h3>' in page
    assert "Hạn nộp: <strong>15/08/2025</strong>" in page  # "event - 3 working days" from 20/08
    assert '<span class="tag warn" id="task-paper-status">Chưa nộp</span>' in page
    assert "Ghi chú của Sở: Trình bày 10 phút" in page
    assert f'action="/r/{tokens["SCT"]}/tasks/paper" enctype="multipart/form-data"' in page
    assert 'type="file"' in page and 'name="t_paper__paper_file"' in page
    assert "Nhiệm vụ được giao" not in unit_client.get(f"/r/{tokens['STC']}").text  # not given one


def test_the_rsvp_form_leaves_the_conditional_fields_to_the_server_and_names_them_when_missing(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    launch_workshop(ykien_app)
    token = links(capture)["SNV"]
    page = unit_client.get(f"/r/{token}").text
    assert re.search(r'<input type="radio" name="p_attendance" value="Cử người dự thay" required>', page)
    name_input = re.search(r'<input id="p_attendee_name"[^>]*>', page)
    assert name_input and " required" not in name_input.group(0)  # not asked of a unit that declines
    answer = unit_client.post(f"/r/{token}", data={"csrf_token": link_csrf(ykien_app, token), "action": "send",
                                                   "answer": "proposals", "p_attendance": "Cử người dự thay"})
    assert answer.status_code == 422
    assert re.search(r'<span class="field-error" id="p_attendee_name-error">[^<]*Họ và tên người dự', answer.text)
    declined = unit_client.post(f"/r/{token}", data={"csrf_token": link_csrf(ykien_app, token), "action": "send",
                                                     "answer": "proposals", "p_attendance": "Không tham dự"},
                                follow_redirects=False)
    assert declined.status_code == 303


def test_a_unit_hands_in_its_task_with_its_file_and_reads_what_was_received(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    token = links(capture)["SCT"]
    typed = unicodedata.normalize("NFD", "Đổi mới sáng tạo trong công nghiệp chế biến")  # as some keyboards send it
    sent = unit_client.post(f"/r/{token}/tasks/paper", data=paper_form(ykien_app, token, typed),
                            files=paper_file(), follow_redirects=False)
    assert sent.status_code == 303, sent.text[:3000]
    assert sent.headers["location"] == f"/r/{token}?task=paper#task-paper"
    done = for_unit(ykien_app, round_id, "SCT")[0]
    assert done.done and not done.late
    assert done.values["paper_title"] == unicodedata.normalize("NFC", typed)
    assert done.values["paper_file"].startswith("tham-luan.pdf (")
    page = unit_client.get(sent.headers["location"]).text
    assert 'id="task-paper-sent"' in page and "Sở đã nhận được nội dung dưới đây." in page
    assert '<span class="tag ok" id="task-paper-status">Đã nộp</span>' in page
    assert re.search(rf'<a href="/r/{token}/attachments/\d+" class="r-attachment" download>tham-luan.pdf', page)
    assert "Nộp lại" in page


@pytest.mark.parametrize(("values", "files", "field", "message"), [
    ({"t_paper__paper_title": ""}, True, "t_paper__paper_title", "Tên tham luận: chưa điền (bắt buộc)."),
    ({"t_paper__paper_title": "x" * 501}, True, "t_paper__paper_title", "Tên tham luận: dài 501 ký tự, tối đa 500."),
    ({"t_paper__paper_title": "Tham luận"}, False, "t_paper__paper_file", "Tệp tham luận: chưa chọn tệp (bắt buộc)."),
])
def test_a_task_missing_a_field_or_too_long_is_refused_beside_the_field_with_the_text_kept(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, values: dict[str, str], files: bool,
        field: str, message: str) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    token = links(capture)["SCT"]
    answer = unit_client.post(f"/r/{token}/tasks/paper", data={"csrf_token": link_csrf(ykien_app, token), **values},
                              files=paper_file() if files else None)
    assert answer.status_code == 422
    assert f'<span class="field-error" id="{field}-error">{message}</span>' in answer.text
    assert 'id="task-paper-problems"' in answer.text
    typed = values["t_paper__paper_title"]
    if typed:
        assert f'value="{typed}"' in answer.text
    assert not for_unit(ykien_app, round_id, "SCT")[0].done


def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_kept(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    token = links(capture)["SCT"]
    answer = unit_client.post(f"/r/{token}/tasks/paper", data=paper_form(ykien_app, token, "Tham luận"),
                              files=paper_file("tham-luan.pdf", b"MZ\x90\x00 not a pdf"))
    assert answer.status_code == 422
    assert "có đuôi .pdf nhưng nội dung không phải PDF" in answer.text
    assert 'value="Tham luận"' in answer.text
    assert not for_unit(ykien_app, round_id, "SCT")[0].done


@pytest.mark.parametrize(("name", "content", "said"), [
    ("tham-luan.docx", bomb_docx(300), "thành phần \"word/document.xml\" giải nén lớn gấp hơn 200 lần (tệp nén bất "
                                       "thường)"),
    ("tham-luan.docx", ctype_docx(), "Word không mở được tệp: phần chính của tệp khai báo là bảng tính Excel"),
    ("tham-luan.xlsx", cut_xlsx(), "Excel không mở được tệp: cấu trúc bên trong bị hỏng"),
    ("tai-lieu.zip", bomb_zip(50), "thành phần \"so-lieu.csv\" giải nén lớn gấp hơn 200 lần (tệp nén bất thường)"),
    ("tai-lieu.zip", crowded_zip(), "tệp có 2001 thành phần, nhiều hơn 2000 một tệp nén gửi kèm có thể có"),
], ids=["zip-bomb", "word-cannot-open", "excel-cannot-open", "plain-zip-bomb", "plain-zip-crowded"])
def test_an_office_file_that_is_a_bomb_or_will_not_open_is_refused_and_nothing_is_stored(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, name: str, content: bytes, said: str) -> None:
    """Reviewer B item 7: a 306 KB DOCX inflating to 300 MB was taken (303) and stored as the task's file."""
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    token = links(capture)["SCT"]
    answer = unit_client.post(f"/r/{token}/tasks/paper", data=paper_form(ykien_app, token, "Tham luận"),
                              files={"t_paper__paper_file": (name, content, "application/octet-stream")},
                              follow_redirects=False)
    assert answer.status_code == 422
    shown = answer.text.replace("&#34;", '"').replace("&quot;", '"')
    assert f'không nhận tệp "{name}": {said}' in shown
    assert not for_unit(ykien_app, round_id, "SCT")[0].done
    with ykien_app.uow(read_only=True) as uow:
        assert uow.attachments.get(1) is None  # nothing was stored


def test_a_plain_zip_within_the_bounds_is_taken_as_the_tasks_file(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    token = links(capture)["SCT"]
    sent = unit_client.post(f"/r/{token}/tasks/paper", data=paper_form(ykien_app, token, "Tham luận"),
                            files={"t_paper__paper_file": ("tai-lieu.zip", plain_zip(), "application/zip")},
                            follow_redirects=False)
    assert sent.status_code == 303, sent.text[:3000]
    assert for_unit(ykien_app, round_id, "SCT")[0].values["paper_file"].startswith("tai-lieu.zip (")


def test_a_unit_not_given_the_task_a_forged_form_and_an_unknown_task_are_refused(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    tokens = links(capture)
    other = unit_client.post(f"/r/{tokens['STC']}/tasks/paper", data=paper_form(ykien_app, tokens["STC"], "Tham luận"),
                             files=paper_file())
    assert other.status_code == 422
    assert "Sở Tài chính không được giao nhiệm vụ" in other.text
    forged = unit_client.post(f"/r/{tokens['SCT']}/tasks/paper",
                              data={"csrf_token": "sai", "t_paper__paper_title": "Tham luận"}, files=paper_file())
    assert forged.status_code == 403
    unknown = unit_client.post(f"/r/{tokens['SCT']}/tasks/khong_co", data=paper_form(ykien_app, tokens["SCT"], "x"))
    assert unknown.status_code == 404
    assert [a.done for a in for_round(ykien_app, round_id)] == [False]


def test_a_late_task_is_taken_marked_late_and_after_the_round_ended_a_task_is_refused_naming_it(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, workshop_clock: FrozenClock) -> None:
    round_id = launch_workshop(ykien_app)
    assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)
    assign(ykien_app, round_id, "speech", ["VPUB"], None, None, STAFF)
    tokens = links(capture)
    execute(ykien_app, round_id, Close("Đủ thành phần"), STAFF)  # registration closed: tasks still taken
    workshop_clock.set(datetime(2025, 8, 21, 9, 0, tzinfo=TZ))  # the day after the workshop
    run_due(ykien_app)  # its timer: the workshop is held
    late = unit_client.post(f"/r/{tokens['SCT']}/tasks/paper",
                            data=paper_form(ykien_app, tokens["SCT"], "Tham luận"), files=paper_file(),
                            follow_redirects=False)
    assert late.status_code == 303
    handed = for_unit(ykien_app, round_id, "SCT")[0]
    assert handed.late and handed.status(date(2025, 8, 21)) is AssignmentStatus.DONE_LATE
    page = unit_client.get(f"/r/{tokens['SCT']}").text
    assert '<span class="tag bad" id="task-paper-status">Nộp trễ hạn</span>' in page
    assert '<article class="r-task late" id="task-paper"' in page

    set_document_inputs(ykien_app, round_id, {"event_results": "Hội thảo thống nhất 05 nhóm giải pháp."}, STAFF)
    submit_round(ykien_app, round_id, STAFF)  # the report sent: the round has ended
    token = tokens["VPUB"]
    page = unit_client.get(f"/r/{token}").text
    assert 'id="task-speech-form"' not in page
    assert "Đợt không còn nhận kết quả nhiệm vụ qua đường dẫn này" in page
    refused = unit_client.post(f"/r/{token}/tasks/speech",
                               data={"csrf_token": link_csrf(ykien_app, token), "t_speech__speech_title": "Bài phát biểu"},
                               files={"t_speech__speech_file": ("phat-bieu.pdf", PDF, "application/pdf")})
    assert refused.status_code == 422
    print(refused.text[refused.text.find("tasks-heading")-100:refused.text.find("tasks-heading")+900])
    assert re.search(r'id="task-refused"[^>]*>Đợt \d+ đã kết thúc, không nhận kết quả nhiệm vụ &#34;Dự thảo bài phát biểu',
                     refused.text)
    assert not for_unit(ykien_app, round_id, "VPUB")[0].done


# --- staff: the assignments page ---------------------------------------------------------------------------------

def test_the_round_page_links_to_the_assignments_page_which_offers_the_tasks_eligible_units(
        ykien_app: App, staff: TestClient) -> None:
    round_id = launch_workshop(ykien_app)
    round_page = staff.get(f"/rounds/{round_id}").text
    assert f'href="/rounds/{round_id}/assignments" id="assignments-link"' in round_page
    assert '<dt>Ngày tổ chức hội thảo</dt><dd id="date-event">20/08/2025</dd>' in round_page
    page = staff.get(f"/rounds/{round_id}/assignments").text
    assert '<h3 id="task-paper-title">Chuẩn bị tham luận trình bày tại Hội thảo</h3>' in page
    assert "Thành phần: Đại biểu các cơ quan thuộc tỉnh" in page
    offered = re.search(r'<select multiple name="unit" id="units-paper"[^>]*>(.*?)</select>', page, re.S)
    assert offered is not None
    codes = re.findall(r'<option value="([A-Z0-9]+)"', offered.group(1))
    assert "SCT" in codes and "VPUB" in codes and "XHQ" in codes
    assert not {"BKHCN", "NHNN5", "MANGGAN", "BAOCB"} & set(codes)  # not in the task's participants
    assert staff.get("/rounds/new").status_code == 200
    consultation = staff.post("/api/rounds", json={
        "title": "Dự thảo", "workflow": "consultation", "office": "TĐC", "deadline": "2025-08-13",
        "addressees": [{"groups": ["so-ban-nganh"]}], "contact_name": "Ông Phạm Phi Long",
        "contact_phone": "0912 130 290", "signer_name": "Trịnh Trường Huy"}).json()["id"]
    assert staff.get(f"/rounds/{consultation}/assignments").status_code == 404
    assert "assignments-link" not in staff.get(f"/rounds/{consultation}").text


def test_staff_assign_a_task_with_the_default_due_date_and_remove_it(ykien_app: App, staff: TestClient) -> None:
    round_id = launch_workshop(ykien_app)
    answer = staff.post(f"/rounds/{round_id}/assignments", data={"task": "paper", "unit": ["SCT", "STC"], "due": "",
                                                                 "note": "Trình bày 10 phút"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:2000]
    made = for_round(ykien_app, round_id)
    assert [(a.unit_code, a.due, a.note) for a in made] == [("SCT", date(2025, 8, 15), "Trình bày 10 phút"),
                                                            ("STC", date(2025, 8, 15), "Trình bày 10 phút")]
    page = staff.get(answer.headers["location"]).text
    assert "Đã giao nhiệm vụ cho 2 đơn vị." in page
    assert '<span class="tag" id="task-paper-count">Đã nộp 0/2</span>' in page
    removed = staff.post(f"/rounds/{round_id}/assignments/{made[0].id}/remove", follow_redirects=False)
    assert removed.status_code == 303
    assert [a.unit_code for a in for_round(ykien_app, round_id)] == ["STC"]


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"unit": []}, "paper-unit", "Chưa chọn đơn vị nào để giao nhiệm vụ."),
    ({"unit": ["BKHCN"]}, "paper-unit", "Đơn vị BKHCN không thuộc thành phần được giao nhiệm vụ"),
    ({"due": "15/13/2025"}, "paper-due", "Hạn nộp: &#34;15/13/2025&#34; không phải ngày"),
    ({"due": "2025-08-01"}, "paper-due", "Hạn 01/08/2025 đã qua (hôm nay là 04/08/2025)."),
    ({"due": "2025-08-16"}, "paper-due", "không phải ngày làm việc"),
    ({"note": "x" * 501}, "paper-note", "Ghi chú nhiệm vụ: dài 501 ký tự, tối đa 500."),
    ({"task": "khong_co"}, "form", "Chọn một nhiệm vụ trong danh sách."),
])
def test_a_bad_assignment_is_refused_beside_its_field_and_nothing_is_assigned(
        ykien_app: App, staff: TestClient, values: dict[str, object], field: str, message: str) -> None:
    round_id = launch_workshop(ykien_app)
    answer = staff.post(f"/rounds/{round_id}/assignments",
                        data={"task": "paper", "unit": ["SCT"], "due": "", "note": "", **values})
    assert answer.status_code == 422
    error = re.search(rf'<span class="field-error" id="err-{field}" role="alert">([^<]*)</span>', answer.text) \
        or re.search(r'<p class="flash error" role="alert" id="form-error"[^>]*>([^<]*)</p>', answer.text)
    assert error is not None and message in error.group(1), answer.text[answer.text.find("field-error") - 200:][:600]
    assert for_round(ykien_app, round_id) == []
    if values.get("note"):
        assert "x" * 501 in answer.text  # the form comes back filled


def test_staff_record_a_task_received_on_paper_with_its_file_and_bad_input_is_refused(
        ykien_app: App, staff: TestClient) -> None:
    round_id = launch_workshop(ykien_app)
    made = assign(ykien_app, round_id, "paper", ["SCT"], None, None, STAFF)[0]
    url = f"/rounds/{round_id}/assignments/{made.id}/hand-in"
    prefix = f"a{made.id}_paper__"
    other_unit = staff.post(url, data={"unit": "STC", "channel": "paper", f"{prefix}paper_title": "Tham luận"})
    assert other_unit.status_code == 404  # the assignment is not that unit's
    wrong_channel = staff.post(url, data={"unit": "SCT", "channel": "pigeon", f"{prefix}paper_title": "Tham luận"})
    assert wrong_channel.status_code == 422 and "Chọn cách nhận" in wrong_channel.text
    missing = staff.post(url, data={"unit": "SCT", "channel": "paper", f"{prefix}paper_title": ""},
                         files={f"{prefix}paper_file": ("tham-luan.pdf", PDF, "application/pdf")})
    assert missing.status_code == 422
    assert f'<span class="field-error" id="{prefix}paper_title-error">Tên tham luận: chưa điền (bắt buộc).</span>' \
        in missing.text
    assert not for_round(ykien_app, round_id)[0].done
    recorded = staff.post(url, data={"unit": "SCT", "channel": "paper",
                                     f"{prefix}paper_title": "Tham luận của Sở Công Thương"},
                          files={f"{prefix}paper_file": ("tham-luan.pdf", PDF, "application/pdf")},
                          follow_redirects=False)
    assert recorded.status_code == 303, recorded.text[:2000]
    done = for_round(ykien_app, round_id)[0]
    assert done.done and done.values["paper_title"] == "Tham luận của Sở Công Thương"
    page = staff.get(f"/rounds/{round_id}/assignments").text
    assert re.search(rf'<a href="/rounds/{round_id}/attachments/\d+" class="r-attachment" download>tham-luan.pdf',
                     page)
    assert '<span class="tag ok" id="task-paper-count">Đã nộp 1/1</span>' in page


def test_a_leader_reads_the_assignments_page_but_cannot_assign(ykien_app: App) -> None:
    round_id = launch_workshop(ykien_app)
    leader = TestClient(create_web_app(ykien_app))
    token = leader.post("/api/session", json={"username": "lanhdao", "password": PASSWORD}).json()["csrf_token"]
    leader.headers["X-CSRF-Token"] = token
    page = leader.get(f"/rounds/{round_id}/assignments")
    assert page.status_code == 200 and 'id="assign-paper"' not in page.text
    refused = leader.post(f"/rounds/{round_id}/assignments", data={"task": "paper", "unit": ["SCT"]})
    assert refused.status_code == 403
    assert for_round(ykien_app, round_id) == []


# --- the dashboard ----------------------------------------------------------------------------------------------

def rsvp(app: App, client: TestClient, token: str, attendance: str, name: str = "") -> None:
    sent = client.post(f"/r/{token}", data={
        "csrf_token": link_csrf(app, token), "action": "send", "answer": "proposals", "p_attendance": attendance,
        "p_attendee_name": name, "p_attendee_position": "Phó Giám đốc" if name else ""}, follow_redirects=False)
    assert sent.status_code == 303, sent.text[:1000]


def test_the_dashboard_counts_each_rsvp_option_and_the_tasks_of_a_workshop(
        ykien_app: App, staff: TestClient, unit_client: TestClient, capture: SmtpCapture,
        workshop_clock: FrozenClock) -> None:
    round_id = launch_workshop(ykien_app)
    tokens = links(capture)
    rsvp(ykien_app, unit_client, tokens["SCT"], "Cử người dự thay", "Nguyễn Văn A")
    rsvp(ykien_app, unit_client, tokens["STC"], "Tham dự", "Trần Thị B")
    rsvp(ykien_app, unit_client, tokens["SNV"], "Tham dự", "Hoàng Văn C")
    rsvp(ykien_app, unit_client, tokens["SNV"], "Không tham dự")  # changed its mind: the latest counts
    rsvp(ykien_app, unit_client, tokens["HND"], "Tham dự", "Lê Văn D")
    assign(ykien_app, round_id, "paper", ["SCT", "STC"], None, None, STAFF)
    unit_client.post(f"/r/{tokens['SCT']}/tasks/paper", data=paper_form(ykien_app, tokens["SCT"], "Tham luận"),
                     files=paper_file())
    workshop_clock.set(datetime(2025, 8, 18, 9, 0, tzinfo=TZ))  # the papers were due on 15/08
    dashboard = log_in(staff).get("/").text  # days later: a new session
    assert ('<span class="kind-summary">Tham dự 3 (Tham dự 2, Cử người dự thay 1) · Không tham dự 1</span>'
            in dashboard)
    assert '<span class="kind-summary">Nhiệm vụ: 1/2 đã nộp, 1 quá hạn</span>' in dashboard
    # SNV declined: the grid counts it apart from those who come (the kind's response.decline); "Đã đăng ký" would
    # say it comes
    grid = staff.get(f"/rounds/{round_id}").text
    assert '<span class="tag a-declined">Không tham dự</span>' in grid and "Đã đăng ký" not in grid


def test_the_kind_counts_are_sql_aggregates_on_sqlite_and_postgresql(app: App) -> None:
    """The same query shape (a JSON path into the latest answer's first form) on both databases."""
    import_units(app, UNITS, STAFF, create_groups=True)  # `app` starts on 20/11/2025
    new = NewRound(title=TITLE, subject="", workflow="workshop", office="TĐC", deadline=date(2025, 11, 27),
                   dates={"event": date(2025, 12, 4)}, addressees=(Addressee(groups=("so-ban-nganh",)),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Trịnh Trường Huy")
    round_id = create_round(app, new, STAFF)
    other = create_round(app, new, STAFF)  # never launched: no counts
    execute(app, round_id, Launch(), STAFF)
    for code, attendance in (("SCT", "Tham dự"), ("STC", "Tham dự"), ("SNV", "Cử người dự thay"),
                             ("SNV", "Không tham dự"), ("STP", "Không tham dự")):
        form = {"attendance": attendance}
        if attendance != "Không tham dự":
            form.update(attendee_name="Nguyễn Văn A", attendee_position="Giám đốc")
        execute(app, round_id, Respond(code, ResponseKind.PROPOSALS, STAFF, ResponseChannel.PAPER,
                                       proposals=(form,)), STAFF)
    assign(app, round_id, "paper", ["SCT", "STC", "SNV"], None, None, STAFF)
    assert kind_summaries(app, [(round_id, "workshop"), (other, "workshop"), (round_id + 99, "consultation")]) == {
        round_id: ["Tham dự 2 · Không tham dự 2", "Nhiệm vụ: 0/3 đã nộp"]}


def test_the_headings_a_report_filled_are_counted_by_sql_as_the_grid_reads_them(app: App) -> None:
    """A kind whose form has headings: the dashboard sums the headings each unit's latest answer filled, with the same
    rule as the grid's "Mục đã báo cáo" (a heading is filled when one of its fields is not empty or zero)."""
    import_units(app, UNITS, STAFF, create_groups=True)
    report = get_workflow("report_collection")
    sections = report.response.answering_sections()
    new = NewRound(title=TITLE, subject="", workflow="report_collection", office="TĐC", deadline=date(2025, 11, 27),
                   addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
                   contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền")
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    required = [s for s in sections if s.required]
    first = {s.fields[0].key: "Nội dung" if s.fields[0].kind == "long_text" else "5" for s in sections[:4] + required}
    forms = {"SCT": first,
             "STC": {**{s.fields[0].key: "1" for s in required}, sections[-1].fields[0].key: "  "},  # blank: not filled
             "SNV": {**{s.fields[0].key: "2" for s in required}}}
    for code, form in forms.items():
        execute(app, round_id, Respond(code, ResponseKind.PROPOSALS, STAFF, ResponseChannel.PAPER,
                                       proposals=(form,)), STAFF)
    filled = sum(len(report.response.sections_filled(form)) for form in forms.values())
    assert kind_summaries(app, [(round_id, "report_collection")]) == {
        round_id: [f"Mục đã báo cáo: {filled}/{3 * len(sections)} (3 đơn vị đã báo cáo)"]}


def test_the_invitation_says_the_day_of_the_workshop(ykien_app: App, capture: SmtpCapture) -> None:
    """A workshop's invitation named its registration deadline but not the day it is held; the kind's named dates
    (their titles from the definition) now come after the request, in every role's mail."""
    launch_workshop(ykien_app)
    invitations = [m for m in capture.messages if m["X-Ykien-Kind"] == "invitation"]
    assert invitations
    for message in invitations:
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
        assert "Ngày tổ chức hội thảo: 20/08/2025." in text, text  # not "…: ngày 20/08/2025"
        assert "Ngày tổ chức hội thảo: <strong>20/08/2025</strong>." in html
