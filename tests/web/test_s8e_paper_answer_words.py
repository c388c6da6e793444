"""Recording a paper answer of a call says what is recorded: the call's forms or its answer without them ("Không có
đề xuất"), before the choice both, after it the one chosen, and the message after it too; the answers tab counts
the units by what they answered, so units that proposed nothing are not counted as units that sent forms. A
consultation reads as before. Real web app, real SQLite database."""
from __future__ import annotations

import re

from fastapi.testclient import TestClient
from test_round_kinds import PROPOSAL, department, launch, staff, template_home, ykien_app  # noqa: F401

from workflows.service.app import App

FORMS_OR_NONE = "Ghi nhận phiếu đề xuất hoặc trả lời &#34;Không có đề xuất&#34; nhận bằng văn bản giấy"
NONE = "Ghi nhận trả lời &#34;Không có đề xuất&#34; nhận bằng văn bản giấy"
FORMS = "Ghi nhận phiếu đề xuất nhận bằng văn bản giấy"


def headings(page: str) -> list[str]:
    return re.findall(r"<h[12][^>]*>([^<]+)</h[12]>", page)


def test_the_paper_answer_of_a_call_is_titled_by_the_answer_recorded(ykien_app: App, staff: TestClient) -> None:
    round_id = launch(ykien_app, "proposal_call")
    assert FORMS_OR_NONE in headings(staff.get(f"/rounds/{round_id}").text)
    assert FORMS_OR_NONE in headings(staff.get(f"/rounds/{round_id}/respond").text)

    paper = {"unit": "STP", "kind": "agree", "channel": "paper"}
    confirm = staff.post(f"/rounds/{round_id}/respond", data=paper)
    assert confirm.status_code == 200, confirm.text
    assert f"Xác nhận: {NONE}" in headings(confirm.text) and FORMS not in confirm.text
    done = staff.post(f"/rounds/{round_id}/respond", data={**paper, "confirmed": "yes"}, follow_redirects=False)
    assert "ok=respond_without_forms" in done.headers["location"]
    assert "Đã ghi nhận trả lời &#34;Không có đề xuất&#34;;" in staff.get(done.headers["location"]).text

    forms = {"unit": "SCT", "kind": "proposals", "channel": "paper", **{f"p1_{k}": v for k, v in PROPOSAL.items()}}
    confirm = staff.post(f"/rounds/{round_id}/respond", data=forms)
    assert confirm.status_code == 200, confirm.text
    assert f"Xác nhận: {FORMS}" in headings(confirm.text)
    done = staff.post(f"/rounds/{round_id}/respond", data={**forms, "confirmed": "yes"}, follow_redirects=False)
    assert "Đã ghi nhận phiếu đề xuất;" in staff.get(done.headers["location"]).text

    tab = staff.get(f"/rounds/{round_id}/responses").text
    assert "Phiếu đề xuất đã nhận (2 đơn vị)" not in tab
    assert "Đã nhận trả lời của 2 đơn vị: Có đề xuất 1, Không có đề xuất 1." in tab


def test_a_consultations_paper_answer_and_answers_tab_read_in_its_words(ykien_app: App, staff: TestClient) -> None:
    round_id = launch(ykien_app, "consultation")
    assert "Ghi nhận ý kiến góp ý nhận bằng văn bản giấy" in headings(staff.get(f"/rounds/{round_id}").text)
    paper = {"unit": "STP", "kind": "agree", "channel": "paper", "confirmed": "yes"}
    done = staff.post(f"/rounds/{round_id}/respond", data=paper, follow_redirects=False)
    assert "ok=respond&" in done.headers["location"]
    tab = staff.get(f"/rounds/{round_id}/responses").text
    assert "Đã nhận trả lời của 1 đơn vị: Đồng ý / không có ý kiến 1." in tab


def test_a_bad_answer_kind_on_paper_is_refused_naming_it_and_the_title_offers_both(
        ykien_app: App, staff: TestClient) -> None:
    round_id = launch(ykien_app, "proposal_call")
    refused = staff.post(f"/rounds/{round_id}/respond", data={"unit": "STP", "kind": "khac", "channel": "paper"})
    assert 400 <= refused.status_code < 500
    assert FORMS_OR_NONE in headings(refused.text)
