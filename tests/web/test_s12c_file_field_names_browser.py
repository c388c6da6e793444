"""What a screen reader hears of a file field, in a chromium whose language is English: the browser's own input is
a button whose value is "No file chosen" (or the file's name) in the browser's language, whatever its label says.
Each file field (a staff draft, the directory's CSV, the signing form's key and images, a unit's signed reply and a
form's attachment) is heard as the Vietnamese button: named by its label and what is chosen ("Tệp dự thảo (…): chưa
chọn tệp", then "đã chọn du-thao.docx · 3 KB"), described by the hints and errors the field already had (a hint
written inside the label among them), and no English word anywhere in the page's accessibility tree. Checked with Playwright's aria snapshot and chromium's own accessibility tree."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from test_report_collection_browser import launch_report

from workflows.demo import seed_round
from workflows.service.rounds import create_round

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

BROWSERS_WORDS = re.compile(r"no file|choose file|file chosen|files chosen", re.IGNORECASE)


def heard(page: Any) -> list[dict[str, str]]:
    """Every node of chromium's accessibility tree a screen reader reaches: its role, name, description, value."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [{part: str(node.get(part, {}).get("value") or "") for part in ("role", "name", "description", "value")}
            for node in nodes if not node.get("ignored")]


def no_browsers_words(page: Any) -> None:
    english = [node for node in heard(page) if any(BROWSERS_WORDS.search(node[part]) for part in node)]
    assert english == [], english


def described(page: Any, name: str) -> str:
    [node] = [node for node in heard(page) if node["role"] == "button" and node["name"] == name]
    return node["description"]


def test_staff_file_fields_are_heard_in_vietnamese_with_what_is_chosen(live_site: LiveSite, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = live_site.login(context)
    page.goto(live_site.url("/rounds/new"))
    no_browsers_words(page)
    form = page.locator("form:has(input[name=draft])")
    assert 'button "Tệp dự thảo (DOCX hoặc PDF, tối đa 20 MB): chưa chọn tệp"' in form.aria_snapshot()
    page.locator("input[name=draft]").set_input_files({"name": "du-thao-ke-hoach.docx", "buffer": b"PK" + b"\0" * 3000,
                                                       "mimeType": "application/octet-stream"})
    assert 'button "Tệp dự thảo (DOCX hoặc PDF, tối đa 20 MB): đã chọn du-thao-ke-hoach.docx · 3 KB"' in \
        form.aria_snapshot()
    no_browsers_words(page)

    page.goto(live_site.url("/directory"))
    page.get_by_text("Nhập danh bạ từ tệp CSV").click()
    csv_form = page.locator("form[action='/directory/import']")
    assert 'button "Tệp CSV (bắt buộc): chưa chọn tệp"' in csv_form.aria_snapshot()
    no_browsers_words(page)
    # sent empty: the message stays under the field, the button is focused and described by it
    csv_form.locator("button[type=submit]").click()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Tệp CSV (bắt buộc): chưa chọn tệp"
    assert described(page, "Tệp CSV (bắt buộc): chưa chọn tệp") == "Vui lòng chọn tệp."
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    page.locator("input[name=file]").set_input_files({"name": "don-vi.csv", "mimeType": "text/csv",
                                                      "buffer": b"code,name,group,email\n"})
    assert described(page, "Tệp CSV (bắt buộc): đã chọn don-vi.csv · 22 B") == ""  # the message went with it
    assert page.locator(".field-error").count() == 0

    # The signing form's hints stand inside the labels: they describe the field, the label alone names it.
    round_id = create_round(live_site.app, replace(seed_round(), deadline=date(2026, 1, 8)), "Phạm Phi Long (TĐC)")
    assert page.goto(live_site.url(f"/rounds/{round_id}/sign/request_letter")).status == 200
    no_browsers_words(page)
    assert described(page, "Tệp khóa PKCS#12: chưa chọn tệp") == page.locator("label:has(input[name=key_file]) .hint")\
        .inner_text()
    assert described(page, "Ảnh con dấu: chưa chọn tệp").startswith("PNG nền trong suốt, màu đỏ")
    context.close()


def test_a_units_reply_and_attachment_are_heard_in_vietnamese_with_their_hints(live_site: LiveSite,
                                                                                chromium: Any) -> None:
    link = launch_report(live_site)
    context = chromium.new_context(viewport={"width": 375, "height": 812}, locale="en-US", is_mobile=True)
    page = context.new_page()
    page.goto(link)
    no_browsers_words(page)
    snapshot = page.locator("main").aria_snapshot()
    assert 'button "Bảng kê kinh phí: chưa chọn tệp"' in snapshot
    reply = "Văn bản trả lời đã ký số (PDF, không bắt buộc, tối đa 20 MB): chưa chọn tệp"
    assert f'button "{reply}"' in snapshot
    # the hint the field had is still what describes it
    hint = page.locator("#p_budget_file-hint").inner_text()
    assert hint.startswith("Nhận tệp PDF") and described(page, "Bảng kê kinh phí: chưa chọn tệp") == hint

    # an empty file: recipient.js's error describes the button after the hint
    page.locator("#p_budget_file").set_input_files({"name": "rỗng.xlsx", "mimeType": "application/octet-stream",
                                                    "buffer": b""})
    name = "Bảng kê kinh phí: đã chọn rỗng.xlsx · 0 B"
    assert described(page, name) == f'{hint} Bảng kê kinh phí: tệp "rỗng.xlsx" rỗng (0 byte). Hãy chọn đúng tệp.'
    assert page.get_by_role("button", name=name, exact=True).get_attribute("aria-invalid") == "true"
    no_browsers_words(page)
    context.close()
