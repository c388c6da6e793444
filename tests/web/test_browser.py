"""The whole story in a real browser (Playwright + Debian's chromium) against a real uvicorn server.

A staff member logs in, creates a round in the form (groups, "10 ngày làm việc" with the computed date and the
holiday in between, preview) and launches it; the invitation is read from the loopback SMTP server, the unit
opens its personal link on a 375 px wide phone and answers with two comments; staff see the grid and the
comments change. Full-page screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from minimal_pdf import minimal_pdf

from workflows.service.sweep import run_due


def sweep(site: LiveSite) -> None:
    """One sweep, in a thread of its own: Playwright's sync API holds this thread's event loop."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(run_due, site.app).result(timeout=60)

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

TITLE = "Kế hoạch chuyển đổi số ngành khoa học và công nghệ tỉnh Cao Bằng năm 2026"
DRAFT = minimal_pdf()
UNIT = "SCT"
UNIT_NAME = "Sở Công Thương"
COMMENTS = (
    ("Mục II, điểm 2", "Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001.",
     "Ít nhất 50 doanh nghiệp áp dụng ISO 9001 đến năm 2026."),
    ("Mục IV", "Kinh phí thực hiện chưa tách nguồn ngân sách tỉnh và nguồn xã hội hóa.",
     "Tách thành hai dòng: ngân sách tỉnh; nguồn xã hội hóa."),
)
MOBILE = {"width": 375, "height": 812}


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def invitation_link(messages: list[EmailMessage], unit: str) -> str:
    """The personal link in the plain-text part of the unit's invitation, as the unit would find it."""
    for message in messages:
        if message["X-Ykien-Kind"] == "invitation" and message["X-Ykien-Unit"] == unit:
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+", text)
            assert found, text
            return found.group(0)
    raise AssertionError(f"no invitation for {unit} among {len(messages)} messages")


def horizontal_overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def test_staff_launches_a_round_and_a_unit_answers_from_its_phone(
        live_site: LiveSite, chromium: Any, screenshots: Path, tmp_path: Path) -> None:
    site = live_site
    draft = tmp_path / "Dự thảo Kế hoạch chuyển đổi số.pdf"
    draft.write_bytes(DRAFT)
    desktop = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    staff = desktop.new_page()
    errors: list[str] = []
    staff.on("pageerror", lambda error: errors.append(str(error)))

    # Log in.
    staff.goto(site.url("/rounds/new"))
    assert staff.url.startswith(site.url("/login")), "an anonymous visitor is sent to the login page"
    shot(staff, screenshots, "login")
    staff.fill("input[name=username]", site.username)
    staff.fill("input[name=password]", site.password)
    staff.click("form[action='/login'] button[type=submit]")
    staff.wait_for_url(site.url("/rounds/new"))
    staff.goto(site.url("/"))
    assert staff.locator("h1").inner_text() == "Các đợt"
    shot(staff, screenshots, "dashboard")

    # Create: the form.
    staff.click("nav >> text=Tạo đợt mới")
    staff.wait_for_url(site.url("/rounds/new"))
    staff.fill("input[name=title]", TITLE)
    staff.set_input_files("input[name=draft]", str(draft))
    staff.check("input[name=g_comment][value=so-ban-nganh]")
    staff.check("input[name=g_comment][value=xa-phuong]")
    staff.locator("details", has=staff.locator("input[name=u_publish][value=TTTT-VP]")).locator("summary").click()
    staff.check("input[name=u_publish][value=TTTT-VP]")
    total = staff.locator("[data-total]")
    assert total.inner_text() == "11", "7 departments + 3 communes to comment, 1 to publish, counted as chosen"
    staff.check("input[name=deadline_mode][value=days]")
    staff.fill("input[name=deadline_days]", "10")
    result = staff.locator("fieldset.deadline output")
    result.filter(has_text="08/01/2026").wait_for()
    assert "Tết Dương lịch" in result.inner_text(), result.inner_text()
    staff.fill("input[name=contact_name]", "Ông Phạm Phi Long")
    staff.fill("input[name=contact_title]", "Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng")
    staff.fill("input[name=contact_phone]", "0912 130 290")
    staff.fill("input[name=signer_name]", "Nông Thị Thanh Huyền")
    shot(staff, screenshots, "create_form")

    # Create: the preview of the invitation.
    staff.click("button[name=action][value=create]")
    staff.wait_for_url(re.compile(r".*/rounds/\d+/preview\?ok=created$"))
    round_id = int(re.search(r"/rounds/(\d+)/", staff.url).group(1))  # type: ignore[union-attr]
    preview = staff.locator("main").inner_text()
    assert "Gửi tới 11 cơ quan, đơn vị" in preview
    assert "08/01/2026" in preview and TITLE in preview
    assert "Dự thảo Kế hoạch chuyển đổi số.pdf" in preview
    shot(staff, screenshots, "preview")

    # Launch, through the confirmation.
    site.clock.advance(timedelta(minutes=30))
    staff.click("form[action$='/launch'] button[type=submit]")
    staff.wait_for_url(site.url(f"/rounds/{round_id}/launch"))
    assert re.search(r'Gửi thư "V/v xin ý kiến góp ý [^"]+" tới 11 cơ quan, đơn vị\.', staff.locator("main").inner_text())
    staff.click("form[action$='/launch'] button[type=submit]")
    staff.wait_for_url(re.compile(rf".*/rounds/{round_id}\?ok=launch.*"))
    row = staff.locator(f"#u-{UNIT}")
    assert "Chưa mở" in row.inner_text() and "Chưa trả lời" in row.inner_text()
    assert "Đã gửi" in row.inner_text()
    shot(staff, screenshots, "round_before")

    # The unit finds its personal link in the invitation on the SMTP server.
    link = invitation_link(site.capture.wait_for(11, timeout=20), UNIT)
    assert link.startswith(site.base_url + "/r/")
    site.clock.advance(timedelta(hours=2))
    phone_context = chromium.new_context(viewport=MOBILE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                         locale="vi-VN")
    phone = phone_context.new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(link)
    assert UNIT_NAME in phone.locator("header.r-head").inner_text()
    assert "08/01/2026" in phone.locator("#deadline").inner_text()
    assert phone.locator("#draft-link").is_visible()
    shot(phone, screenshots, "recipient_mobile")
    assert horizontal_overflow(phone) <= 0, "the recipient page must fit a 375 px wide screen"

    # Answer with two comments.
    phone.check("input[name=answer][value=comments]")
    for index, (section, comment, proposed) in enumerate(COMMENTS):
        fieldset = phone.locator("fieldset.r-comment").nth(index)
        fieldset.locator("input[name=section]").fill(section)
        fieldset.locator("textarea[name=comment]").fill(comment)
        fieldset.locator("textarea[name=proposed]").fill(proposed)
    phone.click("#send")
    phone.wait_for_url(link + "/sent")
    confirmation = phone.locator("main").inner_text()
    assert "Đã gửi ý kiến" in confirmation and UNIT_NAME in confirmation
    assert "có ý kiến góp ý (2 ý kiến)" in confirmation
    shot(phone, screenshots, "recipient_confirmation")
    assert horizontal_overflow(phone) <= 0
    sweep(site)  # the answer queued its receipt; the sweep of `ykien serve` sends it
    receipt = site.capture.wait_for(12, timeout=20)[-1]
    assert receipt["X-Ykien-Kind"] == "receipt" and receipt["X-Ykien-Unit"] == UNIT

    # Staff come back to the round page and see the change.
    staff.goto(site.url(f"/rounds/{round_id}"))
    row = staff.locator(f"#u-{UNIT}")
    assert "Có ý kiến góp ý" in row.inner_text()
    assert "Chưa mở" not in row.inner_text() and "11:30 24/12/2025" in row.inner_text(), row.inner_text()
    counts = staff.locator("#counts").inner_text()
    assert "Có ý kiến góp ý: 1" in counts and "Đã mở đường dẫn: 1" in counts, counts
    shot(staff, screenshots, "round_after")

    staff.click("nav.tabs >> text=Ý kiến góp ý đã nhận")  # the tab in the kind's words (terms.answer)
    answer = staff.locator(f"#a-{UNIT}").inner_text()
    for section, comment, proposed in COMMENTS:
        assert section in answer and comment in answer and proposed in answer
    shot(staff, screenshots, "responses_tab")

    staff.click("nav.tabs >> text=Nhật ký")
    assert "Chuỗi băm toàn vẹn" in staff.locator("main").inner_text()
    assert "Ghi nhận trả lời" in staff.locator("#audit").inner_text()  # the event by its title, not its code
    shot(staff, screenshots, "audit_tab")

    staff.click("nav.tabs >> text=Thư đã gửi")
    outbox = staff.locator("#outbox").inner_text()
    assert outbox.count("Đã gửi") >= 12, outbox  # 11 invitations and the receipt, each as sent
    shot(staff, screenshots, "outbox_tab")

    staff.click("nav >> text=Các đợt")
    listed = staff.locator("#rounds tbody tr").first.inner_text()
    assert TITLE in listed and "1/10" in listed, listed
    shot(staff, screenshots, "dashboard_after")

    assert errors == [], f"JavaScript errors: {errors}"
    phone_context.close()
    desktop.close()


def test_dashboard_names_the_workflow_and_the_next_reminder_in_vietnamese(
        live_site: LiveSite, chromium: Any) -> None:
    from datetime import date

    from workflows.engine.events import Launch
    from workflows.service.rounds import Addressee, NewRound, create_round, execute

    site = live_site
    round_id = create_round(site.app, NewRound(
        title=TITLE, subject=f"xin ý kiến góp ý đối với dự thảo {TITLE}", workflow="consultation", office="TĐC",
        deadline=date(2026, 1, 8), addressees=(Addressee(groups=("so-ban-nganh",)),),
        contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), "test")
    execute(site.app, round_id, Launch(), "test")
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = site.login(context)
    listed = page.locator("#rounds tbody tr").first.inner_text()
    context.close()
    assert "Lấy ý kiến góp ý dự thảo" in listed and "Nhắc trước hạn" in listed, listed
    assert "consultation" not in listed and "remind_before" not in listed, listed
