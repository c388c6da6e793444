"""A round of a department's own kind, "Thẩm định hồ sơ" (tests/fixtures/s9g_appraisal, read from the folder
YKIEN_WORKFLOWS_DIR names), through the real web app, a real SQLite database and a loopback SMTP server.

Its states are its own (preparing, under_appraisal, appraised, result_sent) and the file it sends is a dossier, not
a draft: the unit's page calls that file by the kind's word ("Toàn văn hồ sơ thẩm định", "Tải hồ sơ thẩm định"), the
receipt's subject names the answer ("Đã nhận ý kiến thẩm định", not "Đã nhận thẩm định"), the documents tab lists
what was sent out without a consultation's "Hồ sơ trình" and "Dự thảo đã lấy ý kiến", the outbox filter offers no
workshop's task mail, and no page shows a state's, a timer's or the kind's code.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from department_kinds import APPRAISAL, heading_docx, kinds_folder, new_round, visible
from fastapi.testclient import TestClient
from staff_site import STAFF, launched_round, log_in, staff, template_home, ykien_app  # noqa: F401
from test_recipient_page import links

from config.clock import FrozenClock
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture
from workflows.service.app import App
from workflows.service.draft_rounds import DraftRequired
from workflows.service.launch import launch_round
from workflows.service.rounds import Addressee, NewRound, create_round
from workflows.service.submission import submit_round
from workflows.service.sweep import run_due
from workflows.service.views import round_view
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "Hồ sơ đề nghị công nhận kết quả nhiệm vụ KH&CN cấp tỉnh năm 2025"
OPINION = {"conclusion": "Đạt, cần chỉnh sửa, bổ sung", "findings": "Hồ sơ đủ thành phần; dự toán mục 3 chưa khớp.",
           "requests": "Bổ sung bảng đối chiếu kinh phí."}
CODES = ("preparing", "under_appraisal", "appraised", "result_sent", "remind_experts", "appraisal_due",
         "appraisal_opinions", "appraisal_result", "send_result", "deadline_passed")


@pytest.fixture(autouse=True)
def department(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    return kinds_folder(tmp_path_factory, monkeypatch, APPRAISAL)


def dossier(tmp_path: Path) -> Path:
    return heading_docx(tmp_path / "ho-so.docx", "Thuyết minh nhiệm vụ", "Nội dung hồ sơ đề nghị thẩm định.")


def new(tmp_path: Path, with_dossier: bool = True) -> NewRound:
    return new_round("appraisal", TITLE, date(2025, 12, 5), Addressee(units=("SCT", "STC", "SYT")),
                     Addressee(units=("LMHTX",), role=RecipientRole.INFORM),
                     draft_path=dossier(tmp_path) if with_dossier else None)


def create(app: App, tmp_path: Path, with_dossier: bool = True) -> int:
    return create_round(app, new(tmp_path, with_dossier), STAFF)


def launch(app: App, tmp_path: Path) -> int:
    return launched_round(app, new(tmp_path))


def speaks_no_code(html: str, where: str) -> None:
    text = visible(html)
    for code in CODES:
        assert not re.search(rf"\b{code}\b", text), f"{where} shows {code!r}"


def test_the_units_page_calls_the_dossier_by_the_kinds_word(ykien_app: App, capture: SmtpCapture,
                                                            tmp_path: Path) -> None:
    launch(ykien_app, tmp_path)
    token = links(capture)["SCT"]
    page = TestClient(create_web_app(ykien_app)).get(f"/r/{token}").text
    assert '<h2 id="draft-heading">Hồ sơ thẩm định</h2>' in page
    assert "Toàn văn hồ sơ thẩm định" in page and "Tải hồ sơ thẩm định: ho-so.docx" in page
    assert "dự thảo" not in visible(page).lower()


def test_a_round_of_the_kind_runs_to_its_result_with_pages_in_its_words(
        ykien_app: App, staff: TestClient, capture: SmtpCapture, clock: FrozenClock, tmp_path: Path) -> None:
    round_id = launch(ykien_app, tmp_path)
    token = links(capture)["SCT"]
    unit = TestClient(create_web_app(ykien_app))
    form = {"csrf_token": link_csrf(ykien_app, token), "action": "send", "answer": "proposals",
            **{f"p_{key}": value for key, value in OPINION.items()}}
    sent = unit.post(f"/r/{token}", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    run_due(ykien_app)
    [receipt] = [m for m in capture.messages if m["X-Ykien-Kind"] == "receipt"]
    assert str(receipt["Subject"]).startswith("Đã nhận ý kiến thẩm định: V/v đề nghị thẩm định hồ sơ")

    clock.set(datetime(2025, 12, 3, 9, 0, tzinfo=TZ))  # two working days before Friday 05/12: the reminder
    run_due(ykien_app)
    reminded = sorted(str(m["X-Ykien-Unit"]) for m in capture.messages if m["X-Ykien-Kind"] == "reminder_before")
    assert reminded == ["STC", "SYT"]
    clock.set(datetime(2025, 12, 6, 8, 0, tzinfo=TZ))
    run_due(ykien_app)
    assert round_view(ykien_app, round_id).state.status == "appraised"
    submit_round(ykien_app, round_id, STAFF)
    assert round_view(ykien_app, round_id).state.status == "result_sent"

    log_in(staff)
    documents = staff.get(f"/rounds/{round_id}/documents").text
    assert "<h2>Hồ sơ gửi đi</h2>" in documents and "Hồ sơ trình" not in documents
    assert '<th scope="col">Hồ sơ thẩm định gửi kèm</th>' in documents and "Dự thảo" not in documents
    outbox = staff.get(f"/rounds/{round_id}/outbox").text
    assert "Nhắc trước hạn" in outbox and "Đôn đốc nhiệm vụ được giao" not in outbox
    for tab in ("", "/timeline", "/documents", "/audit", "/responses", "/outbox"):
        page = staff.get(f"/rounds/{round_id}{tab}")
        assert page.status_code == 200, tab
        speaks_no_code(page.text, tab or "the round's page")
    timeline = visible(staff.get(f"/rounds/{round_id}/timeline").text)
    assert "Nhắc trước hạn thẩm định" in timeline and "Hết hạn thẩm định" in timeline
    assert "SHA-256 hồ sơ thẩm định" in visible(staff.get(f"/rounds/{round_id}/audit").text)
    assert "cho hồ sơ thẩm định phiên bản 1." in visible(staff.get(f"/rounds/{round_id}/responses").text)
    dashboard = staff.get("/").text
    assert "Đã gửi kết quả thẩm định" in dashboard and "Thẩm định hồ sơ" in dashboard
    speaks_no_code(dashboard, "the dashboard")


def test_launching_without_the_dossier_asks_for_a_reason_in_the_kinds_words(ykien_app: App, staff: TestClient,
                                                                            tmp_path: Path) -> None:
    round_id = create(ykien_app, tmp_path, with_dossier=False)
    with pytest.raises(DraftRequired) as refused:
        launch_round(ykien_app, round_id, STAFF)
    assert refused.value.message == (
        f"Đợt số {round_id} chưa có tệp hồ sơ thẩm định: đợt thẩm định hồ sơ cần gửi kèm hồ sơ thẩm định để các đơn "
        "vị thẩm định. Hãy sửa bản nháp để đính kèm tệp, hoặc ghi lý do không kèm hồ sơ thẩm định.")
    url = f"/rounds/{round_id}/launch"
    asked = visible(staff.post(url).text)
    assert "Đợt chưa có tệp hồ sơ thẩm định." in asked and "Lý do không kèm hồ sơ thẩm định" in asked
    blank = staff.post(url, data={"no_draft_reason": "  ", "confirmed": "yes"})
    assert blank.status_code == 422 and "nhập lý do phát hành không kèm hồ sơ thẩm định" in blank.text
    confirm = visible(staff.post(url, data={"no_draft_reason": "Hồ sơ gửi bản giấy"}).text)
    assert "Không kèm tệp hồ sơ thẩm định. Lý do (ghi vào nhật ký): Hồ sơ gửi bản giấy" in confirm
    for page in (asked, visible(blank.text), confirm):
        assert "dự thảo" not in page.lower()


def test_the_create_form_asks_again_for_the_dossier_by_the_kinds_word(ykien_app: App, staff: TestClient,
                                                                      tmp_path: Path) -> None:
    form = {"action": "create", "title": "", "workflow": "appraisal", "office": "TĐC", "g_comment": "so-ban-nganh",
            "deadline_mode": "days", "deadline_days": "10", "contact_name": "Ông Phạm Phi Long",
            "contact_phone": "0912130290", "signer_name": "Nông Thị Thanh Huyền", "signer_title": "GIÁM ĐỐC"}
    upload = {"draft": ("ho-so.docx", dossier(tmp_path).read_bytes(), "application/octet-stream")}
    refused = staff.post("/rounds", data=form, files=upload, follow_redirects=False)
    assert refused.status_code == 422
    assert "Hãy chọn lại tệp hồ sơ thẩm định (trình duyệt không giữ tệp khi biểu mẫu còn lỗi)." in refused.text
    figures = staff.post("/rounds", data={**form, "action": "deadline"}, files=upload)
    assert "Tệp hồ sơ thẩm định chưa được lưu: hãy chọn lại tệp trước khi tạo." in figures.text
    assert "Nhập tên hồ sơ thẩm định." in refused.text
    for page in (visible(refused.text).lower(), visible(figures.text).lower()):  # the kinds' list says "dự thảo"
        assert "tệp dự thảo" not in page and "tên dự thảo" not in page
