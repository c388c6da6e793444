"""A unit attaches its budget table to its programme report in Debian's chromium (Playwright, real uvicorn): a file
whose content is not what its name says is refused beside the field with everything typed kept; the right file
goes out with the report, the page says it was sent, and staff download it from the consolidation. Screenshots at
1366 and 375 px go to /tmp/h6/ (looked at, not compared)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from minimal_xlsx import minimal_xlsx as xlsx
from test_report_collection_browser import close_round, launch_report, serious_violations

from tests.web.conftest import SCREENSHOTS
from workflows.service.attachments import shown_size

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

SHOTS = SCREENSHOTS / "issue9-attachments"


def test_a_unit_attaches_its_budget_table_and_staff_download_it(live_site: LiveSite, chromium: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    link = launch_report(live_site)
    phone = chromium.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN", is_mobile=True,
                                 has_touch=True)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link)
    field = page.locator("#p_budget_file")
    assert field.get_attribute("type") == "file"
    assert page.locator("label[for=p_budget_file]").inner_text() == "Bảng kê kinh phí"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.locator("#heading-budget").screenshot(path=str(SHOTS / "budget-field-375.png"))

    page.fill("#p_leadership_text", "Ban hành Kế hoạch số 41/KH-UBND ngày 06/3/2025.")
    page.fill("#p_budget_state", "120.000.000")
    field.set_input_files({"name": "Bảng kê kinh phí.xlsx", "mimeType": "application/vnd.ms-excel",
                           "buffer": b"this is not a workbook"})
    page.click("#send")
    error = page.locator("#p_budget_file-error")
    assert error.is_visible()
    assert error.inner_text() == ("3. Kinh phí thực hiện — Bảng kê kinh phí: tệp \"Bảng kê kinh phí.xlsx\" có đuôi "
                                  ".xlsx nhưng nội dung không phải Excel (XLSX). Hãy lưu lại đúng định dạng rồi chọn "
                                  "lại.")
    assert page.locator("#p_leadership_text").input_value().startswith("Ban hành Kế hoạch")
    page.screenshot(path=str(SHOTS / "budget-refused-375.png"), full_page=True)

    table = xlsx()
    page.locator("#p_budget_file").set_input_files({"name": "Bảng kê kinh phí.xlsx", "buffer": table,
                                                    "mimeType": "application/octet-stream"})
    page.click("#send")
    page.wait_for_url(re.compile(r".*/sent$"))
    page.goto(link)
    sent = page.locator("#p_budget_file-sent")
    assert sent.inner_text() == f"Đã gửi: Bảng kê kinh phí.xlsx ({shown_size(len(table))}) — chọn tệp khác để thay"
    page.screenshot(path=str(SHOTS / "budget-sent-375.png"), full_page=True)
    with page.expect_download() as unit_download:
        sent.get_by_role("link").click()
    assert Path(unit_download.value.path()).read_bytes() == table

    desktop = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN", accept_downloads=True)
    wide = desktop.new_page()
    wide.goto(link)
    wide.locator("#heading-budget").screenshot(path=str(SHOTS / "budget-field-1366.png"))
    wide.screenshot(path=str(SHOTS / "report-form-1366.png"), full_page=True)

    close_round(live_site)
    staff = live_site.login(desktop)
    staff.goto(live_site.url("/rounds/1/consolidation/headings"))
    budget = staff.locator("#heading-budget")
    link_to_file = budget.get_by_role("link", name=f"Bảng kê kinh phí.xlsx ({shown_size(len(table))})")
    with staff.expect_download() as staff_download:
        link_to_file.click()
    assert staff_download.value.suggested_filename == "Bảng kê kinh phí.xlsx"
    assert Path(staff_download.value.path()).read_bytes() == table
    staff.screenshot(path=str(SHOTS / "consolidation-1366.png"), full_page=True)
    assert serious_violations(staff) == []
    desktop.close()
    phone.close()
    assert errors == [], errors
