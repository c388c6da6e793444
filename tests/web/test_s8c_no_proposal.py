"""A unit with nothing to propose answers a call for proposals "Không có đề xuất" (the kind's answer without forms,
declared in proposal_call.yaml), through its link, on paper by staff and through the API, on a real SQLite
database and a loopback SMTP server: it is recorded and acknowledged in the kind's words, counted and filtered on the
round's grid, not reminded, and a call every answering unit declined ends with the report to UBND tỉnh. Forms sent
with that answer are refused, naming it, and nothing is recorded. A consultation's "agree" reads as before."""
from __future__ import annotations

import io
import re

from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from test_recipient_page import links
from test_round_kinds import (  # noqa: F401
    PROPOSAL,
    answer_form,
    department,
    launch,
    local,
    log_in,
    staff,
    template_home,
    unit_client,
    ykien_app,
)

from config.clock import FrozenClock
from notifications.documents.exports import UNIT_HEADER_ROW
from notifications.testing import SmtpCapture
from workflows.service.app import App
from workflows.service.documents import available_documents, set_document_inputs, unit_list_workbook
from workflows.service.recipients import recipient_page
from workflows.service.registry import get_workflow
from workflows.service.sweep import run_due
from workflows.service.views import round_view
from workflows.web.security import link_csrf

STAFF = "Phạm Phi Long (TĐC)"
DECLINED = "văn bản trả lời không có nhiệm vụ đề xuất"  # proposal_call.yaml: terms.received.agree


def decline(app: App, token: str, **more: str) -> dict[str, str]:
    """The unit page's own form for the answer without forms."""
    return {"csrf_token": link_csrf(app, token), "action": "send", "answer": "agree", **more}


def answer_of(app: App, round_id: int, code: str) -> str:
    return next(u.answer.value for u in round_view(app, round_id).units if u.unit_code == code)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_unit_page_offers_the_answer_without_forms_and_records_it_in_the_kinds_words(
        ykien_app: App, unit_client: TestClient, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app, "proposal_call")
    token = links(capture)["SCT"]
    page = unit_client.get(f"/r/{token}").text
    assert 'id="decline-form"' in page and "Gửi trả lời &ldquo;Không có đề xuất&rdquo;" in page
    decline_form = page[page.index('id="decline-form"'):page.index("</form>", page.index('id="decline-form"'))]
    assert 'name="answer" value="agree"' in decline_form and "required" not in decline_form  # nothing to fill in

    sent = unit_client.post(f"/r/{token}", data=decline(ykien_app, token), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    assert answer_of(ykien_app, round_id, "SCT") == "agree"
    done = unit_client.get(sent.headers["location"]).text
    assert "<h1>Đã gửi trả lời</h1>" in done and f"đã nhận {DECLINED} của" in done
    assert "Nội dung: không có đề xuất" in done

    run_due(ykien_app)  # the receipt, queued with the answer
    [receipt] = [m for m in capture.messages if m["X-Ykien-Kind"] == "receipt"]
    assert f"đã nhận được {DECLINED} của quý cơ quan" in receipt.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert str(receipt["Subject"]).startswith(f"Đã nhận {DECLINED}: V/v đề xuất nhiệm vụ")  # not "Đã nhận phiếu đề xuất"

    again = unit_client.get(f"/r/{token}").text  # said, and the forms still there to propose after all
    assert 'id="declined"' in again and 'id="decline-form"' not in again and 'id="answer-form"' in again
    assert "Gửi phiếu đề xuất (lần gửi 2)" in again


def test_forms_sent_with_the_answer_without_forms_are_refused_naming_it_and_nothing_is_recorded(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture) -> None:
    round_id = launch(ykien_app, "proposal_call")
    token = links(capture)["SCT"]
    both = {**answer_form(ykien_app, token, PROPOSAL, "p1_"), "answer": "agree"}
    refused = unit_client.post(f"/r/{token}", data=both)
    assert refused.status_code == 422
    assert ("Đã chọn &#34;Không có đề xuất&#34; nhưng lại gửi kèm 1 phiếu đề xuất: hãy chọn &#34;Có đề xuất&#34;"
            in refused.text)
    assert 'value="Ứng dụng IoT trong nông nghiệp"' in refused.text  # what was typed comes back
    assert recipient_page(ykien_app, token).revisions == []

    api = staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "STC", "kind": "agree",
                                                              "proposals": [PROPOSAL]})
    assert api.status_code == 422, api.text
    assert api.json()["error"]["message"].startswith('proposals: Đã chọn "Không có đề xuất" nhưng lại gửi kèm 1 ')
    commented = staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "STC", "kind": "agree",
                                                                    "comments": [{"text": "Không có"}]})
    assert commented.status_code == 422  # a call takes no comments, whatever the answer: not "Có ý kiến góp ý"
    assert commented.json()["error"]["message"] == ("Đợt này nhận phiếu đề xuất theo mẫu của đợt, không nhận các ý kiến "
                                                    "viết tự do.")

    paper = {"unit": "STP", "kind": "agree", "channel": "paper", **{f"p1_{k}": v for k, v in PROPOSAL.items()}}
    page = staff.post(f"/rounds/{round_id}/respond", data=paper)
    assert page.status_code == 422
    assert "Đã chọn &#34;Không có đề xuất&#34; nhưng có điền 1 phiếu đề xuất" in page.text
    confirmed = staff.post(f"/rounds/{round_id}/respond", data={**paper, "confirmed": "yes"})
    assert confirmed.status_code == 422
    assert {answer_of(ykien_app, round_id, c) for c in ("SCT", "STC", "STP")} == {"pending"}


def test_staff_and_the_api_record_it_the_grid_counts_and_filters_it_and_reminders_pass_it_by(
        ykien_app: App, staff: TestClient, capture: SmtpCapture, clock: FrozenClock) -> None:
    round_id = launch(ykien_app, "proposal_call")
    paper = {"unit": "STP", "kind": "agree", "channel": "paper", "note": "CV 812/STP"}
    confirm = staff.post(f"/rounds/{round_id}/respond", data=paper)
    assert confirm.status_code == 200, confirm.text
    assert "Ghi nhận trả lời của Sở Tư pháp (STP), nhận bằng văn bản giấy: Không có đề xuất." in confirm.text
    assert 'formnovalidate' in staff.get(f"/rounds/{round_id}/respond").text  # the form's fields are not asked
    assert staff.post(f"/rounds/{round_id}/respond", data={**paper, "confirmed": "yes"},
                      follow_redirects=False).status_code == 303
    assert staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "STC", "kind": "agree"}).status_code == 200
    assert staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "SCT", "kind": "proposals",
                                                              "proposals": [PROPOSAL]}).status_code == 200
    run_due(ykien_app)
    subjects = {str(m["X-Ykien-Unit"]): str(m["Subject"]) for m in capture.messages if m["X-Ykien-Kind"] == "receipt"}
    assert subjects["SCT"].startswith("Đã nhận phiếu đề xuất: V/v") and subjects["STC"].startswith(f"Đã nhận {DECLINED}:")

    grid = staff.get(f"/rounds/{round_id}").text
    assert "Có đề xuất: 1" in grid and "Không có đề xuất: 2" in grid and "Chưa trả lời: 4" in grid
    options = re.findall(r'<option value="([a-z_]*)"',
                         re.search(r'<select name="answer">(.*?)</select>', grid, re.S).group(1))  # type: ignore[union-attr]
    assert options[:4] == ["", "proposals", "agree", "pending"]
    declined = staff.get(f"/rounds/{round_id}", params={"answer": "agree"}).text
    assert set(re.findall(r'<tr id="u-([^"]+)">', declined)) == {"STP", "STC"}
    api = staff.get(f"/api/rounds/{round_id}").json()
    assert api["counts"]["agree"] == 2
    assert {u["unit_code"]: u["answer_label"] for u in api["units"]}["STC"] == "Không có đề xuất"

    clock.set(local("2025-12-03T08:30"))  # two working days before the deadline (05/12): the reminder
    run_due(ykien_app)
    reminded = {str(m["X-Ykien-Unit"]) for m in capture.messages if m["X-Ykien-Kind"] == "reminder_before"}
    assert reminded and not reminded & {"STP", "STC", "SCT"}

    book = load_workbook(io.BytesIO(unit_list_workbook(ykien_app, round_id)))
    answers = {row[1]: row[6] for row in book["Đơn vị"].iter_rows(min_row=UNIT_HEADER_ROW + 1, values_only=True)}
    assert answers["STC"] == answers["STP"] == "Không có đề xuất" and answers["SCT"] == "Có đề xuất"


def test_a_call_every_answering_unit_declined_ends_with_the_report_naming_them(
        ykien_app: App, unit_client: TestClient, staff: TestClient, capture: SmtpCapture,
        clock: FrozenClock) -> None:
    round_id = launch(ykien_app, "proposal_call")
    token = links(capture)["SCT"]
    assert unit_client.post(f"/r/{token}", data=decline(ykien_app, token), follow_redirects=False).status_code == 303
    assert staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "STP", "kind": "agree"}).status_code == 200
    clock.set(local("2025-12-06T00:30"))
    run_due(ykien_app)
    kind = get_workflow("proposal_call")
    state = round_view(ykien_app, round_id).state
    assert kind.state_title(state.status) == "Không có đề xuất"
    assert [t.name for t in state.open_tasks()] == ["report_to_ubnd"]

    set_document_inputs(ykien_app, round_id, {"call_letter_number": "123/SKHCN-TĐC"}, STAFF)
    report = next(c for c in available_documents(ykien_app, round_id) if c.key == "zero_response_report")
    text = " ".join(docx_text(report.build(ykien_app, round_id).content).split())
    assert (f"không nhận được đề xuất của các cơ quan, đơn vị; 02 cơ quan, đơn vị có {DECLINED} "
            "(Sở Công Thương, Sở Tư pháp).") in text


def test_the_proposal_list_says_who_declined_beside_who_proposed(
        ykien_app: App, staff: TestClient, clock: FrozenClock) -> None:
    round_id = launch(ykien_app, "proposal_call")
    forwarded = {**PROPOSAL, "organisation": "Công ty TNHH Chè Phia Đén"}  # a business's, sent on by the unit
    assert staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "SCT", "kind": "proposals",
                                                              "proposals": [forwarded]}).status_code == 200
    assert staff.post(f"/api/rounds/{round_id}/respond", json={"unit": "STP", "kind": "agree"}).status_code == 200
    clock.set(local("2025-12-06T00:30"))
    run_due(ykien_app)
    kind = get_workflow("proposal_call")
    assert kind.state_title(round_view(ykien_app, round_id).state.status) == "Đang xem xét đề xuất"
    listing = next(c for c in available_documents(ykien_app, round_id) if c.key == "proposal_list_docx")
    text = " ".join(docx_text(listing.build(ykien_app, round_id).content).split())
    assert "01 phiếu đề xuất nhiệm vụ theo" in text and "của 01 cơ quan, đơn vị: Sở Công Thương." in text
    assert f"Ngoài ra, 01 cơ quan, đơn vị có {DECLINED} (Sở Tư pháp)." in text
    assert "Công ty TNHH Chè Phia Đén (qua Sở Công Thương)" in text  # the form's proposer, and who sent it
