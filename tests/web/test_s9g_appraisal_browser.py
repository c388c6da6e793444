"""A round of the department's own kind "Thẩm định hồ sơ" (tests/fixtures/s9g_appraisal) in a real browser against a
real uvicorn server: an expert unit opens its personal link on a 375 px phone, reads the dossier under the kind's
word, sends its appraisal opinion with a signed file, and staff read its conclusion in the grid's own column.
Full-page screenshots at 1366 and 375 px go to artifacts/screenshots/s9g_appraisal/.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from department_kinds import APPRAISAL, heading_docx, kinds_in_home, new_round
from minimal_pdf import minimal_pdf
from staff_site import launched_round
from test_browser import horizontal_overflow, invitation_link, sweep

from workflows.service.rounds import Addressee

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

TITLE = "Hồ sơ đề nghị công nhận kết quả nhiệm vụ KH&CN cấp tỉnh năm 2025"
UNITS = {"SCT": "Sở Công Thương", "STC": "Sở Tài chính", "SYT": "Sở Y tế"}
CONCLUSION = "Đạt, cần chỉnh sửa, bổ sung"
DESKTOP = {"width": 1366, "height": 900}
MOBILE = {"width": 375, "height": 812}


@pytest.fixture
def appraisal_site(live_site: LiveSite, monkeypatch: pytest.MonkeyPatch) -> LiveSite:
    """The live site with the kind in its home's workflows folder, as `ykien serve` with YKIEN_HOME reads it."""
    return kinds_in_home(live_site, monkeypatch, APPRAISAL)


def shots_of(page: Any, folder: Path, name: str) -> None:
    size = page.viewport_size
    for viewport in (DESKTOP, MOBILE):
        page.set_viewport_size(viewport)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(folder / f"{name}_{viewport['width']}.png"), full_page=True)
        assert horizontal_overflow(page) <= 0, f"{name} is wider than {viewport['width']} px"
    page.set_viewport_size(size)


def launched(site: LiveSite, tmp_path: Path) -> int:
    dossier = heading_docx(tmp_path / "ho-so.docx", "Thuyết minh nhiệm vụ", "Mục tiêu, nội dung và kết quả của nhiệm vụ.")
    return launched_round(site.app, new_round("appraisal", TITLE, site.clock.now().date() + timedelta(days=14),
                                              Addressee(units=tuple(UNITS)), draft_path=dossier), "canbo")


def test_an_expert_unit_sends_its_appraisal_from_a_phone_and_staff_read_its_conclusion(
        appraisal_site: LiveSite, chromium: Any, screenshots: Path, tmp_path: Path) -> None:
    site = appraisal_site
    folder = screenshots / "s9g_appraisal"
    folder.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(1) as pool:  # sending mail runs its own event loop; Playwright's holds this thread's
        round_id = pool.submit(launched, site, tmp_path).result(timeout=60)
    link = invitation_link(site.capture.wait_for(3, timeout=20), "SCT")
    signed = tmp_path / "van-ban-tham-dinh.pdf"
    signed.write_bytes(minimal_pdf(b"tham dinh"))
    errors: list[str] = []

    site.clock.advance(timedelta(hours=2))
    phone = chromium.new_context(viewport=MOBILE, is_mobile=True, has_touch=True, locale="vi-VN").new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(link)
    dossier = phone.locator("section.d-draft").inner_text()
    assert "Toàn văn hồ sơ thẩm định" in dossier and "Tải hồ sơ thẩm định: ho-so.docx" in dossier
    assert "dự thảo" not in phone.locator("main").inner_text().lower()
    shots_of(phone, folder, "unit_form")
    phone.get_by_label(CONCLUSION, exact=True).check()
    phone.fill("#p_findings", "Hồ sơ đủ thành phần; dự toán mục 3 chưa khớp bảng tổng hợp.")
    phone.set_input_files("#p_signed_opinion", str(signed))
    with phone.expect_navigation():
        phone.click("#send")
    assert phone.locator("h1").inner_text() == "Đã gửi ý kiến thẩm định"
    shots_of(phone, folder, "unit_sent")

    sweep(site)  # the receipt
    staff = site.login(chromium.new_context(viewport=DESKTOP, locale="vi-VN"))
    staff.on("pageerror", lambda error: errors.append(str(error)))
    staff.goto(site.url(f"/rounds/{round_id}"))
    row = staff.locator("tr#u-SCT").inner_text()
    assert "Đã gửi ý kiến thẩm định" in row and CONCLUSION in row, row
    assert "Kết luận" in staff.locator("table.grid thead").first.inner_text()
    shots_of(staff, folder, "round")
    staff.goto(site.url(f"/rounds/{round_id}/responses"))
    answers = staff.locator("main").inner_text()
    assert "cho hồ sơ thẩm định phiên bản 1" in answers and "van-ban-tham-dinh.pdf" in answers
    shots_of(staff, folder, "responses")
    assert not errors, errors
