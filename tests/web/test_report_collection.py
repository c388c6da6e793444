"""A report collection round (seed 003) on the web: each unit's page draws the programme's headings with their
fields, refuses a figure that is not a number, a negative budget or a required heading left empty (422, the field
named in Vietnamese, the form refilled, nothing saved), and keeps a report saved unsent."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient
from staff_site import ykien_app  # noqa: F401 (the per-test copy of template_home)
from test_recipient_page import links
from test_round_kinds import FIXTURES, PASSWORD, STAFF, local, log_in, settings_for

from config.clock import FrozenClock
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture, smtp_capture
from workflows.engine.events import Close, Launch
from workflows.service.app import App, build_app
from workflows.service.directory import import_units
from workflows.service.recipients import recipient_page
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.staff import add_user
from workflows.service.steps import run_step
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

TITLE = "Chương trình quốc gia hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng sản phẩm, hàng hóa năm 2025"
REPORT = {"leadership_text": "Kế hoạch số 41/KH-UBND ngày 06/3/2025 về giáo dục nghề nghiệp.",
          "decisions_issued": "3", "training_text": "Cử 03 công chức tham gia khóa đào tạo TCVN ISO 9001:2015.",
          "trainings_held": "2", "people_trained": "45", "budget_state": "120.000.000"}


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("report-template")
    with smtp_capture() as capture:
        app = build_app(settings_for(home, capture), FrozenClock(local("2025-11-20T08:30")), create_schema=True)
        import_units(app, FIXTURES / "units_12.csv", STAFF)
        add_user(app, "long", "Phạm Phi Long", "staff", PASSWORD, "TĐC", "test")
        app.close()
    return home


@pytest.fixture
def unit_client(ykien_app: App) -> TestClient:
    return TestClient(create_web_app(ykien_app))


@pytest.fixture
def staff(ykien_app: App) -> TestClient:
    return log_in(TestClient(create_web_app(ykien_app)))


def launch_report_round(app: App, deadline: date = date(2025, 12, 5)) -> int:
    new = NewRound(title=TITLE, subject="", workflow="report_collection", office="TĐC", deadline=deadline,
                   addressees=(Addressee(groups=("so-ban-nganh",)),
                               Addressee(units=("TTTT-VP",), role=RecipientRole.INFORM)),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290",
                   signer_name="Nông Thị Thanh Huyền")
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def report_form(app: App, token: str, values: dict[str, str], action: str = "send") -> dict[str, str]:
    return {"csrf_token": link_csrf(app, token), "action": action, "answer": "proposals",
            **{f"p_{key}": value for key, value in values.items()}}


def test_the_units_page_draws_every_heading_with_its_fields_by_kind(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    launch_report_round(ykien_app)
    page = unit_client.get(f"/r/{links(capture)['SCT']}").text
    for drawn in ('<h3 id="heading-implementation-title">I. Tình hình triển khai và kết quả thực hiện Chương trình',
                  '<h4 id="heading-training-title">2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất '
                  'chất lượng</h4>',
                  '<h4 id="heading-leadership-title">1. Công tác lãnh đạo, chỉ đạo triển khai thực hiện '
                  '<span class="req" title="mục bắt buộc">*</span>',
                  '<textarea id="p_training_text" name="p_training_text" rows="4"',
                  'name="p_people_trained" type="text" inputmode="numeric"',
                  'name="p_budget_state" type="text" inputmode="numeric"', "không nhỏ hơn 0",
                  '<h3 id="heading-recommendations-title">IV. Đề xuất, kiến nghị</h3>'):
        assert drawn in page, drawn
    assert page.index("heading-leadership") < page.index("heading-training") < page.index("heading-budget")


def test_a_figure_that_is_not_a_number_a_negative_budget_and_an_empty_required_heading_are_refused(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    launch_report_round(ykien_app)
    token = links(capture)["SCT"]
    bad = {**REPORT, "trainings_held": "hai lớp", "budget_state": "-5.000.000", "leadership_text": "",
           "decisions_issued": ""}
    refused = unit_client.post(f"/r/{token}", data=report_form(ykien_app, token, bad))
    assert refused.status_code == 422
    for message in ("2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất chất lượng — "
                    "Số lớp đào tạo, tập huấn: &#34;hai lớp&#34; phải là số nguyên",
                    "3. Kinh phí thực hiện — Kinh phí ngân sách nhà nước: -5.000.000 đồng nhỏ hơn mức tối thiểu "
                    "0 đồng.",
                    "1. Công tác lãnh đạo, chỉ đạo triển khai thực hiện: chưa có nội dung (mục bắt buộc)."):
        assert message in refused.text, message
    assert 'name="p_trainings_held" type="text" inputmode="numeric" value="hai lớp"' in refused.text
    assert "Cử 03 công chức tham gia khóa đào tạo" in refused.text  # the form comes back filled
    assert recipient_page(ykien_app, token).revisions == []  # nothing saved

    sent = unit_client.post(f"/r/{token}", data=report_form(ykien_app, token, REPORT), follow_redirects=False)
    assert sent.status_code == 303
    stored = recipient_page(ykien_app, token).current
    assert stored is not None and stored.proposals[0]["budget_state"] == "120000000"
    shown = unit_client.get(f"/r/{token}").text
    assert '<h4 class="r-fact-heading">2.4. Đào tạo nguồn nhân lực' in shown


def test_a_bidi_control_in_a_report_is_refused_at_its_field_and_zero_width_spaces_are_dropped(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    """The unit's page took "x\u202ey" (shown mirrored, kept as typed) and kept a zero-width space pasted from
    Word; now the override is refused beside the field, the invisible space is dropped and line breaks stay."""
    launch_report_round(ykien_app)
    token = links(capture)["SCT"]
    refused = unit_client.post(f"/r/{token}", data=report_form(ykien_app, token, {
        **REPORT, "training_text": "Cử 03 công chức\u202e tham gia"}))
    assert refused.status_code == 422
    assert ("2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất chất lượng — Nội dung báo cáo: có ký tự "
            "đảo chiều chữ U+202E ở ký tự thứ 16") in refused.text, refused.text
    assert recipient_page(ykien_app, token).revisions == []
    sent = unit_client.post(f"/r/{token}", data=report_form(ykien_app, token, {
        **REPORT, "training_text": "\ufeffCử 03\u200b công chức\r\ntham gia khóa đào tạo."}), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    stored = recipient_page(ykien_app, token).current
    assert stored is not None and stored.proposals[0]["training_text"] == "Cử 03 công chức\ntham gia khóa đào tạo."


def test_a_report_saved_unsent_comes_back_under_its_headings(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    launch_report_round(ykien_app)
    token = links(capture)["STC"]
    saved = unit_client.post(f"/r/{token}", data=report_form(ykien_app, token, {"training_text": "Đang tổng hợp"},
                                                             action="save"), follow_redirects=False)
    assert saved.status_code in (200, 303), saved.text
    page = unit_client.get(f"/r/{token}").text
    assert 'id="saved-notice"' in page
    assert '<textarea id="p_training_text" name="p_training_text" rows="4" maxlength="5000">Đang tổng hợp' in page
    assert recipient_page(ykien_app, token).revisions == []


def test_the_round_page_shows_the_headings_each_unit_reported_as_the_kinds_own_column(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_report_round(ykien_app)
    token = links(capture)["SCT"]
    unit_client.post(f"/r/{token}", data=report_form(ykien_app, token, REPORT), follow_redirects=False)
    page = staff.get(f"/rounds/{round_id}").text
    total = len(get_workflow("report_collection").response.answering_sections())
    assert "<th scope=\"col\">Mục đã báo cáo</th>" in page
    assert f'<td data-label="Mục đã báo cáo" class="num">3/{total}</td>' in page
    # the six other departments, and the office informed only
    assert page.count('<td data-label="Mục đã báo cáo" class="num">—</td>') == 7
    consultation_id = launch_consultation(ykien_app)
    assert "Mục đã báo cáo" not in staff.get(f"/rounds/{consultation_id}").text  # no headings, no such column
    refused = staff.get(f"/rounds/{consultation_id}/consolidation/headings")
    assert refused.status_code == 409 and "không có đề cương báo cáo theo mục" in refused.text


def launch_consultation(app: App) -> int:
    new = NewRound(title="Kế hoạch thử", subject="", workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
                   addressees=(Addressee(units=("SCT",)),), contact_name="Ông Phạm Phi Long",
                   contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền")
    return create_round(app, new, STAFF)


def answer_and_close(app: App, client: TestClient, capture: SmtpCapture, round_id: int,
                     reports: dict[str, dict[str, str]]) -> None:
    tokens = links(capture)
    for code, values in reports.items():
        sent = client.post(f"/r/{tokens[code]}", data=report_form(app, tokens[code], values), follow_redirects=False)
        assert sent.status_code == 303, sent.text
    execute(app, round_id, Close("Đủ báo cáo để tổng hợp"), STAFF)


def test_staff_consolidate_heading_by_heading_with_passages_attributed_and_figures_summed(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_report_round(ykien_app)
    answer_and_close(ykien_app, unit_client, capture, round_id, {
        "SCT": REPORT, "STC": {**REPORT, "training_text": "Tập huấn ISO cho 40 doanh nghiệp.", "people_trained": "40"},
        "SYT": {**REPORT, "training_text": "", "trainings_held": "", "people_trained": ""}})
    page = staff.get(f"/rounds/{round_id}/consolidation/headings")
    assert page.status_code == 200
    text = page.text
    assert f'href="/rounds/{round_id}/consolidation/headings"' in text  # the tab leads here
    assert "<strong>Chưa báo cáo (4):</strong> Sở Giáo dục và Đào tạo; Sở Nội vụ; Sở Tư pháp; Sở Xây dựng." in text
    training = text[text.index('id="heading-training"'):text.index('id="heading-standards_capacity"')]
    assert "<strong>Sở Công Thương</strong>: <span class=\"text\">Cử 03 công chức" in training
    assert "<strong>Sở Tài chính</strong>: <span class=\"text\">Tập huấn ISO cho 40 doanh nghiệp." in training
    assert "Sở Y tế" not in training
    assert '<td data-label="Tổng" class="num">85</td>' in training  # 45 + 40 people trained
    assert "Sở Công Thương: 45; Sở Tài chính: 40" in training
    budget = text[text.index('id="heading-budget"'):text.index('id="heading-difficulties"')]
    assert '<td data-label="Tổng" class="num">360.000.000</td>' in budget

    saved = staff.post(f"/rounds/{round_id}/consolidation/headings",
                       data={"heading": "training", "text": "Các sở đã tổ chức 04 lớp tập huấn cho 85 lượt người."},
                       follow_redirects=False)
    assert saved.status_code == 303
    again = staff.get(f"/rounds/{round_id}/consolidation/headings").text
    assert ">Các sở đã tổ chức 04 lớp tập huấn cho 85 lượt người.</textarea>" in again
    assert "sửa lần cuối: Phạm Phi Long" in again

    unknown = staff.post(f"/rounds/{round_id}/consolidation/headings", data={"heading": "nope", "text": "x"})
    assert unknown.status_code == 422 and "Mục &#34;nope&#34; không có trong đề cương báo cáo của đợt." in unknown.text

    report = staff.get(f"/rounds/{round_id}/documents/bao-cao-tong-hop.docx")
    assert report.status_code == 200
    sent_to = next(p.text for p in docx.Document(io.BytesIO(report.content)).paragraphs if "ban hành Công văn" in p.text)
    assert " gửi các sở, ban, ngành tỉnh đề nghị" in sent_to, sent_to  # a group inside a sentence: no "Các"


def test_next_years_round_takes_the_same_units_and_shows_last_years_figures_beside(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_report_round(ykien_app)
    answer_and_close(ykien_app, unit_client, capture, round_id, {"SCT": REPORT, "STC": REPORT})
    bad = staff.post(f"/rounds/{round_id}/next-round", data={"title": "Năm 2026", "deadline": "31/02/2026"})
    assert bad.status_code == 422
    assert "Hạn gửi báo cáo: &#34;31/02/2026&#34; không phải ngày" in bad.text and 'value="Năm 2026"' in bad.text
    started = staff.post(f"/rounds/{round_id}/next-round", data={
        "title": TITLE.replace("năm 2025", "năm 2026"), "deadline": "04/12/2026"}, follow_redirects=False)
    assert started.status_code == 303
    new_id = int(started.headers["location"].split("/")[2].split("?")[0])
    with ykien_app.uow(read_only=True) as uow:
        old, new = uow.rounds.get(round_id, lock=False), uow.rounds.get(new_id, lock=False)
    assert new.workflow == "report_collection" and new.deadline == date(2026, 12, 4)
    assert {(r.unit_code, r.role) for r in new.recipients.values()} == {
        (r.unit_code, r.role) for r in old.recipients.values()}
    page = staff.get(f"/rounds/{new_id}/consolidation/headings").text
    training = page[page.index('id="heading-training"'):page.index('id="heading-standards_capacity"')]
    assert "<th scope=\"col\">Đợt trước</th>" in training
    assert '<td data-label="Đợt trước" class="num">90</td>' in training  # 45 + 45 last year


def test_the_answers_tab_shows_each_report_under_its_headings(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture) -> None:
    round_id = launch_report_round(ykien_app)
    token = links(capture)["SCT"]
    unit_client.post(f"/r/{token}", data=report_form(ykien_app, token, REPORT), follow_redirects=False)
    page = staff.get(f"/rounds/{round_id}/responses").text
    training = page[page.index('<h4 class="r-fact-heading">2.4. Đào tạo nguồn nhân lực'):]
    assert training.index("Cử 03 công chức") < training.index('<h4 class="r-fact-heading">3. Kinh phí thực hiện')
