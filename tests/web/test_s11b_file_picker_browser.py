"""Every file field speaks Vietnamese (filepick.js) in a chromium whose language is English, where the browser's own
input says "Choose File" and "No file chosen": the field shows "Chọn tệp" and "Chưa chọn tệp", then the chosen
file's name and size, or how many files; Space and Enter on the field still open the browser's picker; the form
posts the file; recipient.js still names a bad file beside its field; without JavaScript the browser's own input
shows and posts. Also the staff preview's unit search: a search that matches nothing leaves no gap."""
from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from minimal_pdf import minimal_pdf
from minimal_xlsx import minimal_xlsx as xlsx
from test_report_collection import REPORT
from test_report_collection_browser import launch_report

from workflows.demo import seed_round
from workflows.engine.events import Launch
from workflows.service.attachments import shown_size
from workflows.service.outbox_view import message_texts
from workflows.service.rounds import Addressee, create_round, execute

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(240)

STAFF = "Phạm Phi Long (TĐC)"
PHONE = {"width": 375, "height": 812}
# What a file field shows: its Vietnamese button, what was chosen, whether the browser's own input is drawn.
SHOWN = """input => { const pick = input.closest('.file-pick');
    return pick && {button: pick.querySelector('.file-pick-button').innerText,
                    chosen: pick.querySelector('.file-pick-name').innerText,
                    inputOpacity: getComputedStyle(input).opacity,
                    buttonOutline: getComputedStyle(pick.querySelector('.file-pick-button')).outlineStyle}; }"""


def launched(site: LiveSite, workflow: str) -> str:
    """A round of the kind launched to the departments (in a thread of its own: Playwright's loop runs in this
    one, and sending mail needs one); the personal link of SCT."""
    new = replace(seed_round(), workflow=workflow, deadline=date(2026, 1, 8), subject="",
                  addressees=(Addressee(groups=("so-ban-nganh",)),))
    ids: list[int] = []

    def send() -> None:
        ids.append(create_round(site.app, new, STAFF))
        execute(site.app, ids[0], Launch(), STAFF)

    worker = threading.Thread(target=send)
    worker.start()
    worker.join(60)
    body = next(text for code, text in message_texts(site.app, ids[0], "invitation") if code == "SCT")
    found = re.search(r"/r/([A-Za-z0-9_-]+)", body)
    assert found, body
    return site.url(f"/r/{found.group(1)}")


def test_a_units_file_fields_read_vietnamese_open_with_the_keyboard_and_post_the_file(live_site: LiveSite,
                                                                                      chromium: Any) -> None:
    link = launch_report(live_site)
    context = chromium.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    page = context.new_page()
    # Playwright intercepts the browser's picker while someone listens for it, and turns that on and off without
    # waiting: between two pickers a busy machine could open the real one, which never closes headless
    page.on("filechooser", lambda chooser: None)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(link)
    files = page.locator("input[type=file]")
    assert files.count() == 2  # the budget table and the signed reply
    for n in range(files.count()):
        assert files.nth(n).evaluate(SHOWN) == {"button": "Chọn tệp", "chosen": "Chưa chọn tệp", "inputOpacity": "0",
                                                "buttonOutline": "none"}, files.nth(n).get_attribute("id")
    assert "Choose" not in page.locator("main").inner_text()
    budget = page.locator("#p_budget_file")
    # its label and its hint are still its own, and the Vietnamese button a screen reader hears says them
    assert page.get_by_label("Bảng kê kinh phí").and_(page.locator("input")).get_attribute("id") == "p_budget_file"
    assert budget.get_attribute("aria-describedby") == "p_budget_file-hint"
    button = page.get_by_role("button", name="Bảng kê kinh phí: chưa chọn tệp", exact=True)
    assert button.get_attribute("id") == "p_budget_file-pick"
    assert button.get_attribute("aria-describedby") == "p_budget_file-hint"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0

    # Reached with Tab from the fields before it; the focus shows on the Vietnamese button; Space opens the picker.
    page.focus("#p_budget_state")
    stops = []
    while len(stops) < 6 and "p_budget_file-pick" not in stops:
        page.keyboard.press("Tab")
        stops.append(page.evaluate("document.activeElement.id"))
    assert stops[-1] == "p_budget_file-pick", stops
    assert budget.evaluate(SHOWN)["buttonOutline"] == "solid"
    assert budget.bounding_box()["height"] >= 24
    with page.expect_file_chooser() as opened:
        page.keyboard.press("Space")
    table = xlsx()
    opened.value.set_files({"name": "Bảng kê kinh phí.xlsx", "mimeType": "application/octet-stream",
                            "buffer": table})
    assert budget.evaluate(SHOWN)["chosen"] == f"Bảng kê kinh phí.xlsx · {shown_size(len(table))}"
    page.keyboard.press("Shift+Tab")  # back to the field, as a second choice would be made (the browser may
    page.keyboard.press("Tab")        # still be closing its picker for the field that kept the focus)
    assert page.evaluate("document.activeElement.id") == "p_budget_file-pick"
    with page.expect_file_chooser() as opened_again:
        page.keyboard.press("Enter")
    opened_again.value.set_files({"name": "bao-cao.pdf", "mimeType": "application/pdf",
                                  "buffer": b"%PDF-1.4 " + b"x" * 1_258_291})
    assert budget.evaluate(SHOWN)["chosen"] == "bao-cao.pdf · 1,2 MB"

    budget.set_input_files([])  # cleared
    assert budget.evaluate(SHOWN)["chosen"] == "Chưa chọn tệp"
    budget.evaluate("input => { input.multiple = true; }")
    budget.set_input_files([{"name": f"bang-ke-{n}.xlsx", "mimeType": "application/octet-stream", "buffer": table}
                            for n in range(3)])
    assert budget.evaluate(SHOWN)["chosen"] == "3 tệp"
    budget.evaluate("input => { input.multiple = false; }")

    # An empty file is still named beside its own field by recipient.js, after the hint, and described by both.
    budget.set_input_files({"name": "rong.xlsx", "mimeType": "application/octet-stream", "buffer": b""})
    error = page.locator("#p_budget_file-error")
    assert error.inner_text() == 'Bảng kê kinh phí: tệp "rong.xlsx" rỗng (0 byte). Hãy chọn đúng tệp.'
    assert page.evaluate("document.getElementById('p_budget_file-hint').nextElementSibling.id") == "p_budget_file-error"
    assert budget.get_attribute("aria-describedby") == "p_budget_file-hint p_budget_file-error"
    assert budget.evaluate("input => getComputedStyle(input.closest('.file-pick')).borderTopColor") == "rgb(179, 38, 30)"

    for key, value in REPORT.items():
        page.fill(f"#p_{key}", value)
    budget.set_input_files({"name": "Bảng kê kinh phí.xlsx", "mimeType": "application/octet-stream", "buffer": table})
    assert not error.is_visible()
    page.click("#send")
    page.wait_for_url(re.compile(r".*/sent$"))
    page.goto(link)
    assert page.locator("#p_budget_file-sent").inner_text().startswith("Đã gửi: Bảng kê kinh phí.xlsx")
    context.close()
    assert errors == [], errors


def test_the_decline_cards_pdf_reads_vietnamese_and_is_sent(live_site: LiveSite, chromium: Any) -> None:
    link = launched(live_site, "proposal_call")
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(link)
    reply = page.locator("#decline_pdf")
    assert reply.evaluate(SHOWN)["chosen"] == "Chưa chọn tệp"
    pdf = minimal_pdf()
    reply.set_input_files({"name": "cong-van-tra-loi.pdf", "mimeType": "application/pdf", "buffer": pdf})
    assert reply.evaluate(SHOWN)["chosen"] == f"cong-van-tra-loi.pdf · {len(pdf)} B"
    page.click("#send-decline")
    page.wait_for_url(re.compile(r".*/sent$"))
    assert "kèm văn bản trả lời (PDF)" in page.locator("main").inner_text()  # the file went with the answer
    context.close()


def test_staff_file_fields_read_vietnamese_and_the_directory_import_posts_its_file(live_site: LiveSite,
                                                                                    chromium: Any) -> None:
    context = chromium.new_context(viewport=PHONE, locale="en-US")
    page = live_site.login(context)
    page.goto(live_site.url("/rounds/new"))
    draft = page.locator("input[name=draft]")
    assert draft.evaluate(SHOWN)["button"] == "Chọn tệp"
    assert page.get_by_label(re.compile(r"^Tệp dự thảo")).and_(page.locator("input")).get_attribute("name") == "draft"
    draft.set_input_files({"name": "du-thao-ke-hoach.docx", "mimeType": "application/octet-stream",
                           "buffer": b"PK" + b"\0" * 3000})
    assert draft.evaluate(SHOWN)["chosen"] == "du-thao-ke-hoach.docx · 3 KB"

    page.goto(live_site.url("/directory"))
    page.get_by_text("Nhập danh bạ từ tệp CSV").click()
    # the CSV's heading line (code,name,group,…: no space to break at) wraps rather than widening the page
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    csv = page.locator("input[name=file]")
    assert csv.evaluate(SHOWN) == {"button": "Chọn tệp", "chosen": "Chưa chọn tệp", "inputOpacity": "0",
                                   "buttonOutline": "none"}
    # required: the browser's bubble, in Vietnamese, points at the field
    page.click("form[action='/directory/import'] button[type=submit]")
    assert csv.evaluate("e => e.validationMessage") == "Vui lòng chọn tệp."
    row = "PNV,Sở Nội vụ mới,so-ban-nganh,snv@caobang.example.vn,,\n"
    csv.set_input_files({"name": "don-vi.csv", "mimeType": "text/csv",
                         "buffer": ("code,name,group,email,contact_person,phone\n" + row).encode()})
    assert csv.evaluate(SHOWN)["chosen"].startswith("don-vi.csv · ")
    page.click("form[action='/directory/import'] button[type=submit]")
    page.wait_for_url(re.compile(r"/directory\?ok=imported"))
    assert "Sở Nội vụ mới" in page.locator("main").inner_text()
    context.close()


def test_without_javascript_the_browsers_own_input_shows_and_posts(live_site: LiveSite, chromium: Any) -> None:
    context = chromium.new_context(locale="en-US", java_script_enabled=False)
    page = live_site.login(context)
    page.goto(live_site.url("/directory"))
    page.get_by_text("Nhập danh bạ từ tệp CSV").click()
    csv = page.locator("input[name=file]")
    assert page.locator(".file-pick").count() == 0
    assert csv.is_visible()
    csv.set_input_files({"name": "don-vi.csv", "mimeType": "text/csv",
                         "buffer": b"code,name,group,email,contact_person,phone\n"
                                   b"PNV,S\xe1\xbb\x9f N\xe1\xbb\x99i v\xe1\xbb\xa5 m\xe1\xbb\x9bi,so-ban-nganh,"
                                   b"snv@caobang.example.vn,,\n"})
    page.click("form[action='/directory/import'] button[type=submit]")
    page.wait_for_url(re.compile(r"/directory\?ok=imported"))
    assert "Sở Nội vụ mới" in page.locator("main").inner_text()
    context.close()


def test_a_unit_search_matching_nothing_leaves_no_gap_on_the_preview(live_site: LiveSite, chromium: Any) -> None:
    launched(live_site, "consultation")
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = live_site.login(context)
    page.goto(live_site.url("/rounds/1/preview?unit=khong-co-don-vi-nay"))
    assert page.locator("#err-unit, .field-error").first.is_visible()
    page.wait_for_load_state("networkidle")  # the search of what was typed has come back: nothing fits
    box = page.locator(".unit-matches")
    assert box.inner_text().strip() == ""
    hint_top = "document.querySelector('form + p.hint').getBoundingClientRect().top"
    with_box = page.evaluate(hint_top)
    page.evaluate("document.querySelector('.unit-matches').remove()")
    assert page.evaluate(hint_top) == with_box  # the empty box takes no room between the error and the hint
    context.close()
