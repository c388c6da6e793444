"""Every page a user of the fifth kind, "Thẩm định hồ sơ" (tests/fixtures/s9g_appraisal), opens speaks of its
dossier (hồ sơ thẩm định) and its appraisal, never of a "dự thảo" or "góp ý": the staff's pages in each state of a
round (the round, its tabs, the forms and confirmations of launch, answer, extend, remind and close, the drafts
page), the dashboard, the mail pages, and the unit's page before and after it answers and after the round closes.
"""
from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from department_kinds import APPRAISAL, kinds_folder, visible
from fastapi.testclient import TestClient
from staff_site import log_in, staff, template_home, ykien_app  # noqa: F401
from test_recipient_page import links
from test_s9g_appraisal_pages import OPINION, create

from config.clock import FrozenClock
from notifications.testing import SmtpCapture
from workflows.service.app import App
from workflows.service.sweep import run_due
from workflows.web.app import create_web_app
from workflows.web.security import link_csrf

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CONSULTATION_WORDS = re.compile(r"dự thảo|góp ý", re.IGNORECASE)


@pytest.fixture(autouse=True)
def department(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    return kinds_folder(tmp_path_factory, monkeypatch, APPRAISAL)


class Pages:
    """What each page said, by the page's name (the choices of a list left out: the kinds and states of a
    department's other kinds are rightly offered there); `offending` lists the lines in a consultation's words."""

    def __init__(self) -> None:
        self.said: dict[str, str] = {}

    def read(self, where: str, response: object) -> str:
        status, text = response.status_code, response.text  # type: ignore[attr-defined]
        assert status < 500, (where, status, text[:2000])
        seen = html.unescape(visible(re.sub(r"<select\b.*?</select>", "", text, flags=re.S)))  # see the class
        self.said[where] = seen
        return seen

    def offending(self) -> list[str]:
        return [f"{where}: {' '.join(line.split())}" for where, text in self.said.items()
                for line in text.splitlines() if CONSULTATION_WORDS.search(line)]


def test_every_page_of_an_appraisal_round_is_in_the_kinds_words(
        ykien_app: App, staff: TestClient, capture: SmtpCapture, clock: FrozenClock, tmp_path: Path) -> None:
    pages = Pages()
    log_in(staff)
    round_id = create(ykien_app, tmp_path)
    at = f"/rounds/{round_id}"
    pages.read("new", staff.get("/rounds/new?workflow=appraisal"))
    pages.read("edit", staff.get(f"{at}/edit"))
    pages.read("round (preparing)", staff.get(at))
    pages.read("launch form", staff.get(f"{at}/launch"))
    pages.read("launch confirm", staff.post(f"{at}/launch"))
    assert staff.post(f"{at}/launch", data={"confirmed": "yes"}, follow_redirects=False).status_code == 303
    run_due(ykien_app)
    pages.read("round (under appraisal)", staff.get(at))
    token = links(capture)["SCT"]
    unit = TestClient(create_web_app(ykien_app))
    pages.read("unit's page", unit.get(f"/r/{token}"))
    refused = {"csrf_token": link_csrf(ykien_app, token), "action": "send", "answer": "proposals"}
    pages.read("unit's page, answer refused", unit.post(f"/r/{token}", data=refused))
    sent = unit.post(f"/r/{token}", data={**refused, **{f"p_{k}": v for k, v in OPINION.items()}})
    pages.read("unit's page, sent", sent)
    pages.read("unit's page, answered", unit.get(f"/r/{token}"))
    pages.read("respond form", staff.get(f"{at}/respond?unit=STC"))
    pages.read("respond refused", staff.post(f"{at}/respond", data={"unit": "STC", "channel": "paper",
                                                                      "kind": "proposals"}))
    pages.read("respond confirm", staff.post(f"{at}/respond", data={
        "unit": "STC", "channel": "paper", "kind": "proposals", **{f"p_{k}": v for k, v in OPINION.items()}}))
    pages.read("extend form", staff.get(f"{at}/extend?unit=SYT"))
    pages.read("extend confirm", staff.post(f"{at}/extend", data={"scope": "all", "deadline_mode": "date",
                                                                    "deadline_date": "10/12/2025", "reason": "Xin thêm"}))
    pages.read("remind confirm", staff.post(f"{at}/remind", data={"all": "yes"}))
    pages.read("close form", staff.get(f"{at}/close"))
    pages.read("close confirm", staff.post(f"{at}/close", data={}))
    for tab in ("responses", "timeline", "documents", "audit", "outbox", "drafts", "consolidation"):
        pages.read(f"{tab} (under appraisal)", staff.get(f"{at}/{tab}"))
    no_file = pages.read("new version without a file", staff.post(f"{at}/drafts", data={"note": "Bản 2"}))
    assert "Chọn tệp hồ sơ thẩm định (DOCX hoặc PDF)." in no_file
    pages.read("a version that is not there", staff.get(f"{at}/drafts/9"))
    pages.read("dashboard", staff.get("/"))
    pages.read("mail", staff.get("/mail"))
    clock.set(datetime(2025, 12, 6, 8, 0, tzinfo=TZ))
    run_due(ykien_app)
    log_in(staff)
    pages.read("unit's page, closed", TestClient(create_web_app(ykien_app)).get(f"/r/{links(capture)['SYT']}"))
    pages.read("round (appraised)", staff.get(at))
    for tab in ("responses", "documents", "consolidation"):
        pages.read(f"{tab} (appraised)", staff.get(f"{at}/{tab}"))
    pages.read("late answer form", staff.get(f"{at}/respond?unit=SYT"))
    pages.read("result confirm", staff.post(f"{at}/submission", data={}))
    assert staff.post(f"{at}/submission", data={"confirmed": "yes"}, follow_redirects=False).status_code == 303
    for tab in ("", "/documents", "/timeline", "/audit"):
        pages.read(f"round{tab} (result sent)", staff.get(f"{at}{tab}"))
    assert "Đã gửi kết quả thẩm định" in pages.said["round (result sent)"]
    revise = pages.read("a new version asked of a kind without that step", staff.post(f"{at}/revise", data={}))
    assert 'Quy trình "Thẩm định hồ sơ" không có bước soạn hồ sơ thẩm định mới.' in revise
    assert pages.said["consolidation (appraised)"].count(  # no tab leads there; a typed address is told why
        'Quy trình "Thẩm định hồ sơ" không có bước tiếp thu, giải trình từng ý kiến: ý kiến thẩm định của các đơn '
        'vị xem ở mục "Ý kiến thẩm định đã nhận".') == 1
    assert pages.offending() == []
