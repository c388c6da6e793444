"""In Debian's chromium: a staff member ticks "Nhận thư tổng hợp hằng ngày" on their own page, is refused a bad
address (the box stays ticked, the address kept, the field named), then saves; the next working day's sweep mails
the digest, whose HTML reads on a 375 px phone without sideways scrolling. Screenshots of the page and of the email
at 1366 and 375 px go to $YKIEN_SCREENSHOTS (default: the test's temporary folder)."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from models.rounds import ResponseKind
from workflows.demo import seed_round
from workflows.engine.events import CommentInput, Launch, Respond
from workflows.service.digest import digest_choice
from workflows.service.rounds import create_round, execute
from workflows.service.staff import add_user
from workflows.service.sweep import run_due

if TYPE_CHECKING:
    from conftest import LiveSite  # tests/web/conftest.py, for the fixture's type only

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}
ADDRESS = "long.pp@skhcn.caobang.gov.vn"


def test_the_digest_checkbox_on_the_own_page_and_the_email_it_brings(live_site: LiveSite, chromium: Any,
                                                                       tmp_path: Path) -> None:
    site = live_site
    shots = Path(os.environ.get("YKIEN_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    round_id = create_round(site.app, replace(seed_round(), office="TĐC", deadline=site.app.calendar.add_working_days(
        site.clock.now().date(), 10)), "test")
    execute(site.app, round_id, Launch(no_draft_reason="Thư mời là toàn bộ nội dung"), "test")
    execute(site.app, round_id, Respond("SCT", ResponseKind.AGREE, "test"), "test")
    execute(site.app, round_id, Respond("STC", ResponseKind.COMMENTS, "test", comments=(
        CommentInput("Đề nghị bổ sung chỉ tiêu về doanh nghiệp khởi nghiệp."),)), "test")

    context = chromium.new_context(viewport=WIDTHS["desktop"], locale="vi-VN")
    page = site.login(context)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url("/account/password"))
    box = page.get_by_label("Nhận thư tổng hợp hằng ngày")
    assert not box.is_checked()
    box.check()
    page.get_by_label("Địa chỉ nhận thư").fill("long.pp@")
    page.evaluate("document.querySelector('input[name=digest_email]').type = 'text'")  # past the browser's own check
    page.get_by_role("button", name="Lưu thư tổng hợp").click()
    page.wait_for_load_state()
    assert page.get_by_label("Nhận thư tổng hợp hằng ngày").is_checked()
    field = page.get_by_label("Địa chỉ nhận thư")
    assert field.input_value() == "long.pp@" and field.get_attribute("aria-invalid") == "true"
    assert "không phải địa chỉ thư hợp lệ" in page.locator("#err-digest_email").inner_text()
    page.screenshot(path=str(shots / "account_digest_refused_desktop.png"), full_page=True)
    assert not digest_choice(site.app, site.username).on
    field.fill(ADDRESS)
    page.get_by_role("button", name="Lưu thư tổng hợp").click()
    page.wait_for_url(site.url("/account/password?ok=digest_on"))
    assert "bạn sẽ nhận thư tổng hợp" in page.locator(".flash").inner_text()
    assert page.get_by_label("Nhận thư tổng hợp hằng ngày").is_checked()
    assert digest_choice(site.app, site.username).email == ADDRESS
    for size, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(site.url("/account/password"))
        page.screenshot(path=str(shots / f"account_digest_{size}.png"), full_page=True)
    assert errors == []
    add_user(site.app, "quantri", "Quản Trị", "admin", site.password, None, "test")
    admin = site.login(chromium.new_context(viewport=WIDTHS["desktop"], locale="vi-VN"), "quantri")
    for size, viewport in WIDTHS.items():
        admin.set_viewport_size(viewport)
        admin.goto(site.url(f"/accounts/{site.username}"))
        assert admin.get_by_label("Nhận thư tổng hợp hằng ngày").is_checked()
        assert admin.get_by_label("Địa chỉ nhận thư").input_value() == ADDRESS
        admin.screenshot(path=str(shots / f"admin_account_digest_{size}.png"), full_page=True)

    site.clock.set(datetime(2025, 12, 25, 7, 31, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))  # Thursday, a working day
    with ThreadPoolExecutor(1) as sweeper:  # Playwright's sync API holds this thread's event loop; delivery needs one
        sweeper.submit(run_due, site.app).result()
    digests = [m for m in site.capture.messages if str(m["X-Ykien-Kind"]) == "digest"]
    assert len(digests) == 1 and str(digests[0]["To"]) == ADDRESS
    email_html = digests[0].get_body(("html",)).get_content()
    page = context.new_page()  # a blank page: the site's Content-Security-Policy would drop the email's inline styles
    for size, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.set_content(email_html)
        page.screenshot(path=str(shots / f"digest_email_{size}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (size, overflow)
    assert page.get_by_role("link", name="Xem đợt trên hệ thống").first.get_attribute("href") == site.url(
        f"/rounds/{round_id}")
    context.close()
