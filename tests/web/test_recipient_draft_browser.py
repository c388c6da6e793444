"""A unit on its phone (375 x 812, Debian's chromium through Playwright) comments on the draft where it belongs, picks
a reply PDF over the limit, keeps everything it typed, saves unsent, comes back and sends; against a real uvicorn
server. Screenshots of the page at 1366 and 375 px go to artifacts/screenshots/issue12-items1-2/."""
from __future__ import annotations

import io
import re
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

STAFF = "Phạm Phi Long (TĐC)"
TITLE = ("Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng dựa trên nền tảng khoa học, công nghệ và đổi "
         "mới sáng tạo trên địa bàn tỉnh Cao Bằng, giai đoạn 2026 – 2030")
PURPOSE = "Nâng cao năng suất và chất lượng sản phẩm, hàng hóa của doanh nghiệp trên địa bàn tỉnh."
TASKS = "Tổ chức 05 lớp đào tạo, tập huấn về năng suất chất lượng mỗi năm."


def plan_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH " + TITLE)
    document.add_heading("I. MỤC ĐÍCH, YÊU CẦU", 1)
    document.add_heading("1. Mục đích", 2)
    document.add_paragraph(PURPOSE)
    document.add_heading("2. Yêu cầu", 2)
    document.add_paragraph("Bám sát mục tiêu của Chương trình quốc gia.", style="List Bullet")
    document.add_paragraph("Bảo đảm tính khả thi, phù hợp điều kiện của tỉnh.", style="List Bullet")
    document.add_heading("II. NỘI DUNG", 1)
    document.add_heading("1. Chỉ tiêu", 2)
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, (("Chỉ tiêu", "Năm 2026", "Năm 2030"),
                                        ("Doanh nghiệp được hỗ trợ", "20", "100"),
                                        ("Doanh nghiệp áp dụng công cụ năng suất", "10", "60")), strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    document.add_heading("2. Nhiệm vụ", 2)
    document.add_paragraph(TASKS)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def launch_with_docx(site: LiveSite, folder: Path) -> str:
    """A consultation round with the plan as a DOCX, launched; the personal link of Sở Công Thương."""
    from models.rounds import RecipientRole
    from workflows.engine.events import Launch
    from workflows.service.rounds import Addressee, NewRound, create_round, execute
    from workflows.service.steps import run_step

    source = folder / "Dự thảo Kế hoạch năng suất.docx"
    source.write_bytes(plan_docx())
    new = NewRound(
        title=TITLE, subject="", workflow="consultation", office="TĐC", deadline=date(2026, 1, 8),
        addressees=(Addressee(groups=("so-ban-nganh",)), Addressee(units=("TTTT-VP",), role=RecipientRole.PUBLISH)),
        contact_name="Ông Phạm Phi Long", contact_title="Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng",
        contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền", draft_path=source)
    def send() -> None:  # in a thread of its own: Playwright's loop runs in this one, and sending mail needs one
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


def choose(page: Any, text: str) -> None:
    """Press the draft's button beside the part that says `text`."""
    page.locator("#draft-html [data-section]", has_text=text).get_by_role("button").click()


def test_a_unit_comments_on_the_draft_from_its_phone_keeps_its_text_saves_and_sends(
        live_site: LiveSite, chromium: Any, screenshots: Path, tmp_path: Path) -> None:
    folder = screenshots / "issue12-items1-2"
    folder.mkdir(parents=True, exist_ok=True)
    link = launch_with_docx(live_site, tmp_path)
    limit = live_site.app.settings.max_upload_mb * 1024 * 1024
    too_large = tmp_path / "cong-van-tra-loi.pdf"
    with too_large.open("wb") as handle:  # sparse: the browser sees its size, the disk holds a few bytes
        handle.write(b"%PDF-1.7\n")
        handle.truncate(limit + 1024 * 1024)

    phone = chromium.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN", is_mobile=True,
                                 has_touch=True)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.goto(link)
    draft = page.locator("#draft-html")
    assert draft.locator("h3", has_text="I. MỤC ĐÍCH, YÊU CẦU").is_visible()
    box = draft.bounding_box()
    assert box is not None and box["width"] <= 375 and box["height"] < 812  # a box of its own that scrolls
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    for button in draft.get_by_role("button").all()[:6]:
        size = button.bounding_box()
        assert size is not None and size["height"] >= 44 and size["width"] >= 44, size

    # Two paragraphs chosen, a comment typed for each.
    choose(page, PURPOSE)
    assert page.locator("#section-1").input_value() == "Mục I.1"
    assert page.evaluate("document.activeElement.id") == "comment-1"
    page.fill("#comment-1", "Đề nghị nêu rõ mục tiêu tăng năng suất lao động bình quân mỗi năm.")
    choose(page, TASKS)
    assert page.locator("#section-2").input_value() == "Mục II.2"
    page.fill("#comment-2", "Đề nghị tăng lên 10 lớp mỗi năm.")
    page.fill("#proposed-2", "Tổ chức 10 lớp đào tạo, tập huấn về năng suất chất lượng mỗi năm.")
    assert page.locator("#quoted-2").inner_text().endswith(TASKS)

    # A reply PDF over the limit: stopped in the browser, the error beside the field, nothing typed lost.
    page.set_input_files("#reply_pdf", str(too_large))
    page.click("#send")
    error = page.locator("#reply_pdf-error")
    assert error.is_visible() and f"vượt giới hạn {live_site.app.settings.max_upload_mb} MB" in error.inner_text()
    assert page.get_attribute("#reply_pdf", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "reply_pdf-pick"  # the Vietnamese button standing for it
    assert page.url == link  # nothing was sent
    assert page.locator("#comment-1").input_value().startswith("Đề nghị nêu rõ mục tiêu")
    assert page.locator("#section-2").input_value() == "Mục II.2" and page.locator("#quote-2").input_value() == TASKS
    page.screenshot(path=str(folder / "recipient-375-file-too-large.png"), full_page=True)

    # Saved unsent, then the page opened again from the link: everything is there.
    page.set_input_files("#reply_pdf", [])
    page.click("#save-unsent")
    page.wait_for_url(re.compile(r".*\?saved=1$"))
    page.goto(link)
    assert page.locator("#saved-notice").is_visible()
    assert page.locator("#section-1").input_value() == "Mục I.1"
    assert page.locator("#comment-2").input_value() == "Đề nghị tăng lên 10 lớp mỗi năm."
    assert page.locator("#quote-1").input_value() == PURPOSE
    page.screenshot(path=str(folder / "recipient-375.png"), full_page=True)
    page.screenshot(path=str(folder / "recipient-375-viewport.png"))

    desktop = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    wide = desktop.new_page()
    wide.goto(link)
    wide.screenshot(path=str(folder / "recipient-1366.png"), full_page=True)
    wide.screenshot(path=str(folder / "recipient-1366-viewport.png"))
    desktop.close()

    page.click("#send")
    page.wait_for_url(re.compile(r".*/sent$"))
    assert "Đã gửi ý kiến" in page.locator("h1").inner_text()
    page.goto(link)
    assert page.locator("#saved-notice").count() == 0 and page.locator("#save-unsent").count() == 0
    assert page.locator("#revision-1").inner_text().count("Mục I.1") == 1
    phone.close()
    assert errors == [], errors
