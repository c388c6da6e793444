"""The round pages, forms, grid, API and recipient page of every kind ask its definition, through the real web
app on a real SQLite database and a loopback SMTP server.

A call for proposals never says "góp ý" nor "coi như đồng ý", and its create form offers no silence switch;
a department's own kind (tests/fixtures/kinds/survey_grace.yaml, read from a department folder) has a grace
period: its recipient page takes answers after the deadline within it, marked late, and refuses them after, and
its form's fields are drawn and checked by kind. An answer through the personal link is the unit's act in the
audit and the timeline; an answer on paper is recorded by staff on the unit's behalf. No page shows a CLI flag.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from staff_site import PASSWORD, STAFF, log_in, make_home, settings_for, ykien_app  # noqa: F401 (others import them from here)
from test_recipient_page import links

from config.clock import FrozenClock
from models.rounds import RecipientRole
from notifications.testing import SmtpCapture
from workflows.cli.common import console
from workflows.cli.render import render_round
from workflows.engine.events import Close, Launch
from workflows.service.app import App
from workflows.service.recipients import recipient_page
from workflows.service.registry import get_workflow
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step
from workflows.service.sweep import run_due
from workflows.service.views import audit_trail, latest_responses, list_rounds, round_view
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIXTURES = Path(__file__).parents[1] / "fixtures"
SURVEY = FIXTURES / "kinds" / "survey_grace.yaml"
TITLE = "Nhiệm vụ khoa học và công nghệ cấp quốc gia năm 2027"
PROPOSAL = {"task_name": "Ứng dụng IoT trong nông nghiệp", "urgency": "Cần thiết", "objectives": "Tăng năng suất",
            "main_contents": "Khảo sát; thử nghiệm", "expected_results": "Mô hình", "expected_impact": "Hiệu quả",
            "application_sites": "Hợp tác xã", "duration_months": "24", "budget_state": "1.500.000.000",
            "organisation": "Sở Công Thương", "address": "Cao Bằng", "contact_person": "Ông A, Trưởng phòng",
            "phone": "0206 3852 202", "email": "sct@caobang.example.vn"}
SURVEY_ANSWER = {"need": "Truy xuất nguồn gốc", "details": "Chè, hồi, quế", "budget": "200.000.000",
                 "email": "sct@caobang.example.vn", "field": "Nông nghiệp", "level": "Cấp tỉnh"}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(autouse=True)
def department(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The department's own kinds: a folder with survey_grace.yaml, as YKIEN_WORKFLOWS_DIR names it."""
    folder = tmp_path_factory.mktemp("kinds")
    shutil.copy(SURVEY, folder / SURVEY.name)
    monkeypatch.setenv("YKIEN_WORKFLOWS_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the directory and a staff member of TĐC, made once."""
    return make_home(tmp_path_factory.mktemp("template"))


@pytest.fixture
def staff(ykien_app: App) -> TestClient:
    """A staff member's client; every unsafe request carries the session's CSRF token in its header."""
    return log_in(TestClient(create_web_app(ykien_app)))


@pytest.fixture
def unit_client(ykien_app: App) -> TestClient:
    return TestClient(create_web_app(ykien_app))


def launch(app: App, workflow: str, deadline: date = date(2025, 12, 5), **changes: object) -> int:
    new = NewRound(title=TITLE, subject="", workflow=workflow, office="TĐC", deadline=deadline,
                   addressees=(Addressee(groups=("so-ban-nganh",)),
                               Addressee(units=("TTTT-VP",), role=RecipientRole.PUBLISH)),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290",
                   signer_name="Nông Thị Thanh Huyền", **changes)  # type: ignore[arg-type]
    round_id = create_round(app, new, STAFF)
    execute(app, round_id, Launch(), STAFF)
    run_step(app, "circulate", round_id=round_id)
    return round_id


def answer_form(app: App, token: str, values: dict[str, str], prefix: str = "p_") -> dict[str, str]:
    """One filled form as the unit's page posts it (a repeatable form's first group: prefix "p1_")."""
    return {"csrf_token": link_csrf(app, token), "action": "send", "answer": "proposals",
            **{f"{prefix}{key}": value for key, value in values.items()}}


def never_says_comments_or_silence(text: str, where: str) -> None:
    lowered = text.lower()
    for words in ("góp ý", "coi như đồng ý"):
        assert words not in lowered, f"{where} says \"{words}\": …{text[max(0, lowered.find(words) - 80):][:200]}…"


# --- a call for proposals speaks its own words -----------------------------------------------------------

def test_a_proposal_calls_grid_round_show_and_api_never_speak_of_comments_or_silence_as_agreement(
        ykien_app: App, staff: TestClient, unit_client: TestClient, capture: SmtpCapture,
        clock: FrozenClock) -> None:
    round_id = launch(ykien_app, "proposal_call")
    token = links(capture)["SCT"]
    sent = unit_client.post(f"/r/{token}", data=answer_form(ykien_app, token, PROPOSAL, "p1_"), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    clock.set(local("2025-12-06T00:30"))
    run_due(ykien_app)  # the close: silent units now, and the round goes on to review the proposals
    view = round_view(ykien_app, round_id)
    assert view.state.status != "circulating" and view.counts["silent"] == 6
    terms = get_workflow("proposal_call").terms
    log_in(staff)

    grid = staff.get(f"/rounds/{round_id}").text
    row = dict(re.findall(r'<tr id="u-([^"]+)">(.*?)</tr>', grid, re.S))
    assert terms.answered in row["SCT"] and "Không trả lời" in row["STC"] and "Đề xuất" in row["STC"]
    assert f"{terms.answered}: 1" in grid
    never_says_comments_or_silence(grid, "the grid")
    for tab in ("timeline", "responses"):
        never_says_comments_or_silence(staff.get(f"/rounds/{round_id}/{tab}").text, tab)

    api = staff.get(f"/api/rounds/{round_id}").json()
    units = {u["unit_code"]: u for u in api["units"]}
    assert units["SCT"]["answer_label"] == terms.answered and units["STC"]["answer_label"] == "Không trả lời"
    assert units["STC"]["flags"] == [] and not units["STC"]["counted_as_agreement"]
    assert api["silence_is_agreement"] is False and api["silence_label"] is None
    never_says_comments_or_silence(json.dumps(api, ensure_ascii=False), "the API")

    with console.capture() as shown:
        render_round(round_view(ykien_app, round_id), latest_responses(ykien_app, round_id), TZ)
    text = shown.get()
    assert terms.answered in text and "đề xuất" in text and "Không trả lời" in text
    never_says_comments_or_silence(text, "round show")


def test_a_proposal_calls_create_form_has_no_silence_switch_and_only_its_reminders_by_title(
        ykien_app: App, staff: TestClient) -> None:
    call = get_workflow("proposal_call")
    page = staff.get("/rounds/new", params={"workflow": "proposal_call"}).text
    reminders = page[page.index('id="reminders"'):page.index("</fieldset>", page.index('id="reminders"'))]
    assert 'name="silence"' not in page and "coi như đồng ý" not in page
    assert re.findall(r'name="(timer_[a-z_]+)" value="on"', reminders) == ["timer_remind_before"]
    assert call.timer_title("remind_before") in reminders and "Nhắc quá hạn" not in reminders
    assert 'value="đề xuất nhiệm vụ khoa học và công nghệ ..."' in page
    assert re.search(r'data-role="comment" aria-label="Đề xuất — [^"]+" *> Đề xuất</label>', page)  # the role of the units asked to answer

    consultation = staff.get("/rounds/new").text  # the first kind: its silence switch and its sentence
    assert 'name="silence" value="yes" checked' in consultation
    assert get_workflow("consultation").silence.label in consultation

    survey = staff.get("/rounds/new", params={"workflow": "survey_grace"}).text
    assert 'name="silence"' not in survey
    assert re.findall(r'name="(timer_[a-z_]+)" value="on"', survey) == ["timer_remind_before",
                                                                       "timer_remind_overdue"]
    assert "Nhắc quá hạn:" in survey and "ngày làm việc sau hạn trả lời" in survey

    before = len(list_rounds(ykien_app))
    refused = staff.post("/rounds", data={
        "title": TITLE, "workflow": "proposal_call", "office": "TĐC", "deadline_mode": "days", "deadline_days": "10",
        "g_comment": "so-ban-nganh", "silence": "yes", "contact_name": "Ông A", "contact_phone": "0912 130 290",
        "signer_name": "Bà B", "signer_title": "GIÁM ĐỐC", "action": "create"})
    assert refused.status_code == 422
    assert f"Quy trình &#34;{call.title}&#34; không coi việc không trả lời là đồng ý" in refused.text
    assert len(list_rounds(ykien_app)) == before


def test_the_api_refuses_silence_as_agreement_for_a_kind_without_it_and_fills_the_kinds_subject(
        ykien_app: App, staff: TestClient) -> None:
    body = {"title": TITLE, "workflow": "proposal_call", "office": "TĐC", "deadline": "2025-12-05",
            "addressees": [{"groups": ["so-ban-nganh"]}], "contact_name": "Ông A", "contact_phone": "0912130290",
            "signer_name": "Bà B"}
    refused = staff.post("/api/rounds", json={**body, "silence_is_agreement": True})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "silence_not_possible"
    assert "silence_is_agreement" in refused.json()["error"]["message"]
    created = staff.post("/api/rounds", json=body)
    assert created.status_code == 201, created.text
    shown = staff.get(f"/api/rounds/{created.json()['id']}").json()
    assert shown["silence_is_agreement"] is False
    # the kind's subject, the title's words it repeats said once: "… khoa học và công nghệ Nhiệm vụ khoa học và …"
    assert shown["subject"] == "đề xuất nhiệm vụ khoa học và công nghệ cấp quốc gia năm 2027"
    default = staff.post("/api/rounds", json={k: v for k, v in body.items() if k != "workflow"})
    assert staff.get(f"/api/rounds/{default.json()['id']}").json()["workflow"] == next(iter(
        staff.get("/api/workflows").json()))["name"]


# --- a grace period ----------------------------------------------------------------------------------------

def test_within_the_grace_period_the_link_takes_answers_marked_late_and_refuses_after_it(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture, clock: FrozenClock) -> None:
    round_id = launch(ykien_app, "survey_grace")  # deadline Friday 05/12; grace 3 working days: until 10/12
    tokens = links(capture)
    assert "Sau hạn, phiếu khảo sát gửi đến hết ngày 10/12/2025" in unit_client.get(f"/r/{tokens['SCT']}").text

    # Monday 08/12 08:00: the overdue reminder comes, and its link still takes answers (marked late).
    clock.set(local("2025-12-08T08:00"))
    run_due(ykien_app)
    reminded = links(capture, "reminder_overdue")
    assert set(reminded) == {"SCT", "STC", "SYT", "STP", "SXD", "SNV", "SGDDT"}
    page = unit_client.get(f"/r/{reminded['SCT']}").text
    assert 'id="answer-form"' in page and 'id="late-notice"' in page and "ghi là trễ hạn" in page
    sent = unit_client.post(f"/r/{tokens['SCT']}", data=answer_form(ykien_app, tokens["SCT"], SURVEY_ANSWER),
                            follow_redirects=False)
    assert sent.status_code == 303, sent.text
    assert recipient_page(ykien_app, tokens["SCT"]).current.late  # type: ignore[union-attr]
    sct = next(u for u in round_view(ykien_app, round_id).units if u.unit_code == "SCT")
    assert sct.late and sct.answer.value == "proposals"
    assert "ghi là trễ hạn" in unit_client.get(f"/r/{tokens['SCT']}/sent").text

    # Thursday 11/12, the grace period over (even before the sweep closes the round): read-only.
    clock.set(local("2025-12-11T09:00"))
    closed = unit_client.get(f"/r/{tokens['STC']}").text
    assert "Đã hết hạn gửi phiếu khảo sát (hạn cuối là ngày 10/12/2025)." in closed
    assert 'id="answer-form"' not in closed
    refused = unit_client.post(f"/r/{tokens['STC']}", data=answer_form(ykien_app, tokens["STC"], SURVEY_ANSWER))
    assert refused.status_code == 409 and "Đã hết hạn gửi phiếu khảo sát" in refused.text
    assert recipient_page(ykien_app, tokens["STC"]).revisions == []


def test_the_answer_form_draws_each_field_by_its_kind_and_names_the_field_of_every_mistake(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    launch(ykien_app, "survey_grace")
    token = links(capture)["SCT"]
    page = unit_client.get(f"/r/{token}").text
    for drawn in ('<label for="p_need">Tên nhu cầu <span class="req"',
                  'name="p_need" type="text" value="" maxlength="20"',
                  '<textarea id="p_details" name="p_details" rows="4"',
                  'name="p_staff" type="text" inputmode="numeric"', 'name="p_budget" type="text" inputmode="numeric"',
                  '<span class="muted">(đồng)</span>', 'name="p_start" type="text" placeholder="ngày/tháng/năm"', 'name="p_email" type="email"',
                  'name="p_phone" type="tel"', '<legend>Lĩnh vực <span class="req"',
                  '<input type="radio" name="p_field" value="Y tế" required>', '<select id="p_level" name="p_level"',
                  '<option value="Hợp tác xã">', 'aria-describedby="p_staff-hint"', "từ 1 đến 500"):
        assert drawn in page, drawn
    bad = {**SURVEY_ANSWER, "staff": "nhiều", "budget": "-5", "email": "sct@", "field": "Giáo dục",
           "start": "31/02/2026"}
    refused = unit_client.post(f"/r/{token}", data=answer_form(ykien_app, token, bad))
    assert refused.status_code == 422
    for message in ("Số cán bộ tham gia: &#34;nhiều&#34; phải là số nguyên",
                    "Kinh phí dự kiến: -5 đồng nhỏ hơn mức tối thiểu 0 đồng.",
                    "Thư điện tử liên hệ: &#34;sct@&#34; không phải địa chỉ thư điện tử hợp lệ",
                    "Lĩnh vực: &#34;Giáo dục&#34; không có trong các lựa chọn",
                    "Ngày bắt đầu dự kiến: &#34;31/02/2026&#34; không phải ngày"):
        assert message in refused.text, message
    assert 'name="p_staff" type="text" inputmode="numeric" value="nhiều"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert recipient_page(ykien_app, token).revisions == []
    done = unit_client.post(f"/r/{token}", data=answer_form(ykien_app, token, {**SURVEY_ANSWER, "start": "2026-03-02"}))
    assert done.status_code == 200
    assert recipient_page(ykien_app, token).current.proposals[0]["start"] == "02/03/2026"  # type: ignore[union-attr]
    assert 'value="02/03/2026"' in unit_client.get(f"/r/{token}").text  # the date field shows it again


# --- who answered ----------------------------------------------------------------------------------------

def test_an_answer_through_the_link_is_credited_to_the_unit_and_a_paper_one_to_staff_on_its_behalf(
        ykien_app: App, staff: TestClient, unit_client: TestClient, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app, "consultation")
    token = links(capture)["SCT"]
    answered = unit_client.post(f"/r/{token}", data={"csrf_token": link_csrf(ykien_app, token), "action": "send",
                                                     "answer": "agree"}, follow_redirects=False)
    assert answered.status_code == 303
    paper = staff.post(f"/rounds/{round_id}/respond", data={"unit": "STP", "kind": "agree", "channel": "paper",
                                                             "note": "CV 812/STP", "confirmed": "yes"},
                       follow_redirects=False)
    assert paper.status_code == 303, paper.text

    by_link, on_paper = [e for e in audit_trail(ykien_app, round_id)[0] if e.action == "respond"]
    assert by_link.actor == "Sở Công Thương (SCT)" and by_link.details["channel"] == "web"
    assert by_link.details["entered_by"].startswith("Sở Công Thương")
    assert on_paper.actor == "Phạm Phi Long (long)" and on_paper.details["entered_by"] == "Phạm Phi Long (long)"

    timeline = staff.get(f"/rounds/{round_id}/timeline").text
    entries = re.findall(r'<span class="what">(.*?)</span> <span class="muted who">(.*?)</span>', timeline)
    assert ("Sở Công Thương trả lời: đồng ý / không có ý kiến, qua đường dẫn trả lời",
            "Sở Công Thương (SCT)") in entries
    assert ("Sở Tư pháp trả lời: đồng ý / không có ý kiến, bằng văn bản giấy; "
            "Phạm Phi Long (long) ghi nhận thay mặt đơn vị", "Phạm Phi Long (long)") in entries


def test_a_refusal_worded_for_the_command_line_shows_no_flag_on_the_page_or_in_the_api(
        ykien_app: App, staff: TestClient) -> None:
    round_id = launch(ykien_app, "consultation")
    execute(ykien_app, round_id, Close("Đủ ý kiến"), STAFF)  # answers now only as late, when staff accept them
    page = staff.post(f"/rounds/{round_id}/respond", data={"unit": "SNV", "kind": "agree", "channel": "paper",
                                                            "confirmed": "yes"})
    assert page.status_code == 409 and '<p class="flash error" role="status">' in page.text
    assert "--late" not in page.text
    api = staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "SNV", "kind": "agree"})
    assert api.status_code == 409 and api.json()["error"]["code"] == "round_closed"
    assert "--late" not in api.text and "late_accept: true" in api.json()["error"]["message"]
    accepted = staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "SNV", "kind": "agree", "late_accept": True})
    assert accepted.status_code == 200, accepted.text


def test_staff_record_several_proposals_on_paper_and_the_api_lists_them(ykien_app: App, staff: TestClient) -> None:
    round_id = launch(ykien_app, "proposal_call")
    first = {f"p1_{k}": v for k, v in PROPOSAL.items()}
    typed = {"unit": "STP", "kind": "proposals", "channel": "paper", **first}
    more = staff.post(f"/rounds/{round_id}/respond", data={**typed, "add_item": "1"})
    assert more.status_code == 200 and "Phiếu đề xuất 2" in more.text
    assert 'name="p1_task_name" type="text" value="Ứng dụng IoT trong nông nghiệp"' in more.text
    second = {f"p2_{k}": v for k, v in {**PROPOSAL, "task_name": "Năng suất xanh"}.items()}
    refused = staff.post(f"/rounds/{round_id}/respond", data={**typed, **second, "p2_phone": "gọi tôi"})
    assert refused.status_code == 422 and "Phiếu 2: Điện thoại: " in refused.text
    assert 'value="Năng suất xanh"' in refused.text  # the refused form comes back filled
    confirm = staff.post(f"/rounds/{round_id}/respond", data={**typed, **second})
    assert confirm.status_code == 200 and "2 phiếu đề xuất" in confirm.text
    done = staff.post(f"/rounds/{round_id}/respond", data={**typed, **second, "confirmed": "yes"},
                      follow_redirects=False)
    assert done.status_code == 303, done.text

    api = staff.get(f"/api/rounds/{round_id}/responses").json()
    [answer] = [a for a in api if a["unit_code"] == "STP"]
    assert [p["task_name"] for p in answer["proposals"]] == ["Ứng dụng IoT trong nông nghiệp", "Năng suất xanh"]
    assert "proposal" not in answer
    posted = staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "SCT", "kind": "proposals",
                                                                 "proposals": [PROPOSAL] * 11})
    assert posted.status_code == 422 and "Nhiều nhất 10 phiếu" in posted.json()["error"]["message"]
