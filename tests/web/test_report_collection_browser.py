"""A unit fills its programme report heading by heading in Debian's chromium (Playwright, real uvicorn): a figure
typed in words is refused beside its field with everything typed kept, then the report goes out. Screenshots at
1366 and 375 px go to /tmp/ykien-report-shots/ (looked at, not compared)."""
from __future__ import annotations

import re
import threading
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from tests.web.conftest import SCREENSHOTS

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

STAFF = "Phạm Phi Long (TĐC)"
SHOTS = SCREENSHOTS / "issue9-report"
TITLE = "Chương trình quốc gia hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng sản phẩm, hàng hóa năm 2025"


def launch_report(site: LiveSite) -> str:
    """A report collection round to the departments, launched; the personal link of Sở Công Thương."""
    from workflows.engine.events import Launch
    from workflows.service.rounds import Addressee, NewRound, create_round, execute
    from workflows.service.steps import run_step

    new = NewRound(title=TITLE, subject="", workflow="report_collection", office="TĐC", deadline=date(2026, 1, 8),
                   addressees=(Addressee(groups=("so-ban-nganh",)),), contact_name="Ông Phạm Phi Long",
                   contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền")

    def send() -> None:  # a thread of its own: Playwright's loop runs in this one, and sending mail needs one
        round_id = create_round(site.app, new, STAFF)
        execute(site.app, round_id, Launch(), STAFF)
        run_step(site.app, "circulate", round_id=round_id)

    worker = threading.Thread(target=send)
    worker.start()
    worker.join(60)
    for message in site.capture.messages:
        if message["X-Ykien-Kind"] == "invitation" and message["X-Ykien-Unit"] == "SCT":
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+", text)
            assert found, text
            return found.group(0)
    raise AssertionError("no invitation for SCT")


def test_a_unit_fills_its_report_by_heading_a_figure_in_words_is_refused_and_nothing_typed_is_lost(
        live_site: LiveSite, chromium: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    link = launch_report(live_site)
    phone = chromium.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN", is_mobile=True,
                                 has_touch=True)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link)
    training = page.locator("#heading-training")
    assert training.get_by_role("heading").inner_text().startswith("2.4. Đào tạo nguồn nhân lực")
    assert page.get_attribute("#p_people_trained", "inputmode") == "numeric"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.screenshot(path=str(SHOTS / "report-form-375.png"), full_page=True)

    page.fill("#p_leadership_text", "Ban hành Kế hoạch số 41/KH-UBND ngày 06/3/2025.")
    page.fill("#p_training_text", "Cử 03 công chức tham gia khóa đào tạo chuyên gia đánh giá TCVN ISO 9001:2015.")
    page.fill("#p_trainings_held", "hai lớp")
    page.fill("#p_budget_state", "120.000.000")
    page.click("#send")
    error = page.locator("#p_trainings_held-error")
    assert error.is_visible()
    assert error.inner_text() == ("2.4. Đào tạo nguồn nhân lực cho hoạt động nâng cao năng suất chất lượng — Số lớp "
                                  "đào tạo, tập huấn: \"hai lớp\" phải là số nguyên, ví dụ 12.")
    assert page.get_attribute("#p_trainings_held", "aria-invalid") == "true"
    assert page.locator("#p_training_text").input_value().startswith("Cử 03 công chức")
    page.screenshot(path=str(SHOTS / "report-refused-375.png"), full_page=True)

    page.fill("#p_trainings_held", "2")
    page.click("#send")
    page.wait_for_url(re.compile(r".*/sent$"))
    page.goto(link)
    assert page.locator(".r-fact-heading", has_text="2.4. Đào tạo nguồn nhân lực").count() == 1

    desktop = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    wide = desktop.new_page()
    wide.goto(link)
    wide.screenshot(path=str(SHOTS / "report-form-1366.png"), full_page=True)

    # Staff close the round and read the consolidation heading by heading.
    close_round(live_site)
    staff = live_site.login(desktop)
    staff.goto(live_site.url("/rounds/1"))
    assert staff.get_by_role("columnheader", name="Mục đã báo cáo").is_visible()
    staff.screenshot(path=str(SHOTS / "round-grid-1366.png"), full_page=True)
    staff.get_by_role("link", name="Tổng hợp báo cáo").click()
    staff.wait_for_url(re.compile(r".*/consolidation/headings$"))
    training = staff.locator("#heading-training")
    assert "Sở Công Thương" in training.inner_text()
    staff.fill("#text-training", "Sở Công Thương cử 03 công chức tham gia khóa đào tạo.")
    training.get_by_role("button").click()
    staff.wait_for_url(re.compile(r".*ok=saved.*"))
    assert staff.locator("#text-training").input_value() == "Sở Công Thương cử 03 công chức tham gia khóa đào tạo."
    staff.screenshot(path=str(SHOTS / "consolidation-1366.png"), full_page=True)
    assert serious_violations(staff) == []
    staff.goto(link)
    assert serious_violations(staff) == []  # the unit's page with its headings, as sent
    narrow = chromium.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN", is_mobile=True)
    small = live_site.login(narrow)
    small.goto(live_site.url("/rounds/1/consolidation/headings"))
    assert small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    small.screenshot(path=str(SHOTS / "consolidation-375.png"), full_page=True)
    narrow.close()
    desktop.close()
    phone.close()
    assert errors == [], errors


def close_round(site: LiveSite) -> None:
    from workflows.engine.events import Close
    from workflows.service.rounds import execute

    worker = threading.Thread(target=lambda: execute(site.app, 1, Close("Đủ báo cáo để tổng hợp"), STAFF))
    worker.start()
    worker.join(60)


def serious_violations(page: Any) -> list[str]:
    """axe-core (shipped inside axe-playwright-python) over the page: its serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in results["violations"]
            if v["impact"] in ("serious", "critical")]
