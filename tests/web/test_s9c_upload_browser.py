"""Every file input of a unit's page in Debian's chromium (Playwright, real uvicorn, 1 MB upload limit): with the
script, a file over the limit or empty is named beside its own input as soon as it is chosen and again when the
unit presses send, nothing is posted and nothing typed is touched; choosing another file clears it. Without the
script, a file far over the limit comes back from the server named at its own input with the text typed above it.
The inputs: the reply PDF of a consultation, the PDF of "Không có đề xuất" on a call, the budget table of a report,
the paper of a workshop task."""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from minimal_pdf import minimal_pdf
from staff_site import STAFF

from tests.web.conftest import STAFF_NAME, UNITS_CSV, LiveSite, free_socket, uvicorn_thread

if TYPE_CHECKING:
    from config.clock import FrozenClock
    from notifications.testing import SmtpCapture

pytestmark = pytest.mark.timeout(240)

MB = 1024 * 1024
PDF = minimal_pdf()
TYPED = "Đề nghị bổ sung chỉ tiêu về số doanh nghiệp đổi mới công nghệ."
# kind -> (file input, its label in a mistake, its send button, the text input typed before it)
INPUTS = {
    "consultation": ("reply_pdf", "Văn bản trả lời", "#send", "#comment-1"),
    "proposal_call": ("decline_pdf", "Văn bản trả lời", "#send-decline", None),
    "report_collection": ("p_budget_file", "Bảng kê kinh phí", "#send", "#p_leadership_text"),
    "workshop": ("t_paper__paper_file", "Tệp tham luận", "#task-paper-send", "#t_paper__paper_title"),
}


@pytest.fixture
def small_site(tmp_path: Path, capture: SmtpCapture, live_clock: FrozenClock,
               migrated_sqlite: Path) -> Iterator[LiveSite]:
    """conftest's live site with a 1 MB upload limit."""
    from sqlite_template import copy_migrated_sqlite

    from config.settings import load_settings
    from workflows.service.app import build_app
    from workflows.service.directory import import_units
    from workflows.web.app import create_web_app

    home = tmp_path / "home"
    copy_migrated_sqlite(migrated_sqlite, home)
    sock = free_socket()
    host, port = sock.getsockname()[:2]
    settings = load_settings(home=home, database_url=None, now=None, calendar_file=None, smtp_url=capture.url,
                             base_url=f"http://{host}:{port}", secret_key="s9c-site-" + "k" * 40, max_upload_mb=1)
    app = build_app(settings, live_clock, create_schema=True)
    try:
        import_units(app, UNITS_CSV, STAFF_NAME)
        with uvicorn_thread(create_web_app(app), sock) as base_url:
            yield LiveSite(base_url, app, live_clock, capture, home)
    finally:
        app.close()


def open_page(site: LiveSite, kind: str) -> str:
    """A round of `kind` to the departments, launched (a workshop's paper given to Sở Công Thương): Sở Công
    Thương's link. In a thread of its own: Playwright's loop runs in this one, and sending mail needs one."""
    from workflows.engine.events import Launch
    from workflows.service.assignments import assign
    from workflows.service.rounds import Addressee, NewRound, create_round, execute
    from workflows.service.steps import run_step

    seen = len(site.capture.messages)
    new = NewRound(title="Kế hoạch phát triển khoa học và công nghệ năm 2026", subject="", workflow=kind,
                   office="TĐC", deadline=date(2026, 1, 8), addressees=(Addressee(groups=("so-ban-nganh",)),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền",
                   dates={"event": date(2026, 1, 15)} if kind == "workshop" else {})

    def send() -> None:
        round_id = create_round(site.app, new, STAFF)
        execute(site.app, round_id, Launch(), STAFF)
        run_step(site.app, "circulate", round_id=round_id)
        if kind == "workshop":
            assign(site.app, round_id, "paper", ["SCT"], None, None, STAFF)

    worker = threading.Thread(target=send)
    worker.start()
    worker.join(60)
    for message in site.capture.messages[seen:]:
        if message["X-Ykien-Kind"] == "invitation" and message["X-Ykien-Unit"] == "SCT":
            found = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+",
                              message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
            assert found
            return found.group(0)
    raise AssertionError("no invitation for SCT")


@pytest.mark.parametrize("kind", list(INPUTS))
def test_with_the_script_a_file_too_large_or_empty_is_named_at_its_own_input_before_anything_is_sent(
        small_site: LiveSite, chromium: Any, kind: str) -> None:
    field, label, send, typed = INPUTS[kind]
    link = open_page(small_site, kind)
    context = chromium.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    posts: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST"
            and "/opened" not in request.url else None)
    page.goto(link)
    if typed:
        page.fill(typed, TYPED)
    described = page.get_attribute(f"#{field}", "aria-describedby")  # the hint of an attachment, kept
    page.set_input_files(f"#{field}", {"name": "Báo cáo.pdf", "mimeType": "application/pdf",
                                       "buffer": PDF + b"0" * (MB + MB // 2)})
    error = page.locator(f"#{field}-error")
    assert error.inner_text() == (f"{label}: tệp 1,5 MB, vượt giới hạn 1 MB. Hãy chọn tệp nhỏ hơn; những gì đã nhập "
                                  "vẫn còn nguyên.")
    assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
    assert f"{field}-error" in (page.get_attribute(f"#{field}", "aria-describedby") or "").split()
    assert page.locator(".field-error").count() == 1  # at its own input, nowhere else
    # what stands before the error: its id, or the field's when it is the field drawn in Vietnamese (filepick.js)
    before = page.evaluate(f"""(() => {{ const b = document.getElementById('{field}-error').previousElementSibling;
        return b.id || (b.querySelector('#{field}') ? '{field}' : ''); }})()""")
    assert before == (described or field)  # after an attachment's hint, as the server shows it
    page.click(send)
    page.wait_for_timeout(300)
    assert posts == [] and page.url == link
    assert page.evaluate("document.activeElement.id") == f"{field}-pick"  # the Vietnamese button standing for it
    if typed:
        assert page.input_value(typed) == TYPED

    page.set_input_files(f"#{field}", {"name": unicodedata.normalize("NFD", "Báo cáo.pdf"),
                                       "mimeType": "application/pdf", "buffer": b""})
    assert error.inner_text() == f"{label}: tệp \"Báo cáo.pdf\" rỗng (0 byte). Hãy chọn đúng tệp."  # NFC
    page.click(send)
    page.wait_for_timeout(300)
    assert posts == []

    page.set_input_files(f"#{field}", {"name": "Báo cáo.pdf", "mimeType": "application/pdf", "buffer": PDF})
    assert error.count() == 0
    assert page.get_attribute(f"#{field}", "aria-invalid") is None
    assert page.get_attribute(f"#{field}", "aria-describedby") == described
    assert errors == []
    context.close()


@pytest.mark.parametrize("kind", ["report_collection", "proposal_call"])
def test_without_the_script_a_file_far_over_the_limit_comes_back_at_its_own_input_with_the_text_typed(
        small_site: LiveSite, chromium: Any, kind: str, tmp_path: Path) -> None:
    field, label, send, typed = INPUTS[kind]
    link = open_page(small_site, kind)
    big = tmp_path / "Bảng kê kinh phí.pdf"
    big.write_bytes(PDF + b"0" * (12 * MB))
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(link)
    if typed:
        page.fill(typed, TYPED)
    page.set_input_files(f"#{field}", str(big))
    page.click(send)
    page.wait_for_load_state()
    said = page.locator(f"#{field}-error").inner_text()  # the server names a report's field after its heading
    assert said.endswith(f"{label}: tệp lớn hơn 11,0 MB, vượt xa giới hạn 1 MB nên không nhận được. Hãy chọn tệp "
                         "nhỏ hơn."), said
    assert page.locator(".field-error").count() == 1
    if typed:
        assert page.input_value(typed) == TYPED
    assert "Traceback" not in page.content()
    context.close()


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_a_long_file_name_without_spaces_in_a_mistake_stays_within_a_phone_screen(
        small_site: LiveSite, chromium: Any, script: bool) -> None:
    field, _, send, typed = INPUTS["workshop"]
    link = open_page(small_site, "workshop")
    context = chromium.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN", is_mobile=True,
                                   java_script_enabled=script)
    page = context.new_page()
    page.goto(link)
    page.fill(typed, TYPED)
    name = "Bao_cao_tham_luan_hoi_thao_doi_moi_sang_tao_tinh_Cao_Bang_" * 4 + ".pdf"
    page.set_input_files(f"#{field}", {"name": name, "mimeType": "application/pdf",
                                       "buffer": b"" if script else b"not a pdf"})
    page.locator(send).click()
    page.wait_for_load_state()
    error = page.locator(f"#{field}-error")
    assert error.is_visible()
    assert ("rỗng (0 byte)" if script else "không phải PDF") in error.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    context.close()


def test_saving_unsent_with_a_file_over_the_limit_saves_what_was_typed(small_site: LiveSite, chromium: Any) -> None:
    """The draft keeps no file: a file too large is left out of the post instead of stopping the saving."""
    link = open_page(small_site, "consultation")
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(link)
    page.fill("#comment-1", TYPED)
    page.set_input_files("#reply_pdf", {"name": "Báo cáo.pdf", "mimeType": "application/pdf",
                                        "buffer": PDF + b"0" * (12 * MB)})
    page.click("#save-unsent")
    page.wait_for_url(re.compile(r".*\?saved=1$"))
    assert page.input_value("#comment-1") == TYPED
    context.close()
