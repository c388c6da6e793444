"""In Debian's chromium: staff edit a draft round through its "Sửa" page, then delete it after the confirmation
page; the pages this changed are shot at 1366 and 375 px into artifacts/screenshots/issue12-item3/."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflows.demo import seed_round
from workflows.service.rounds import create_round
from workflows.service.staff import add_user
from workflows.service.views import list_rounds

if TYPE_CHECKING:
    from conftest import LiveSite  # tests/web/conftest.py, for the fixture's type only

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}


def test_staff_edit_then_delete_a_draft_round(live_site: LiveSite, chromium: Any, screenshots: Path) -> None:
    site = live_site
    folder = screenshots / "issue12-item3"
    folder.mkdir(parents=True, exist_ok=True)
    add_user(site.app, "quantri", "Quản Trị", "admin", site.password, None, "test")
    round_id = create_round(site.app, replace(seed_round(), deadline=site.app.calendar.add_working_days(
        site.clock.now().date(), 10)), "test")
    errors: list[str] = []
    for size, viewport in WIDTHS.items():
        context = chromium.new_context(viewport=viewport, locale="vi-VN")
        staff = site.login(context, site.username, site.password)
        staff.on("pageerror", lambda error: errors.append(str(error)))
        staff.goto(site.url(f"/rounds/{round_id}"))
        staff.screenshot(path=str(folder / f"round_draft_{size}.png"), full_page=True)
        staff.goto(site.url(f"/rounds/{round_id}/launch"))
        staff.screenshot(path=str(folder / f"launch_reason_{size}.png"), full_page=True)
        staff.goto(site.url(f"/rounds/{round_id}/edit"))
        staff.screenshot(path=str(folder / f"round_edit_{size}.png"), full_page=True)
        staff.goto(site.url(f"/rounds/{round_id}/delete"))
        staff.screenshot(path=str(folder / f"round_delete_{size}.png"), full_page=True)
        admin = site.login(chromium.new_context(viewport=viewport, locale="vi-VN"), "quantri", site.password)
        admin.goto(site.url("/offices"))
        admin.screenshot(path=str(folder / f"offices_{size}.png"), full_page=True)
        admin.goto(site.url("/accounts"))
        admin.locator("summary", has_text="Thêm tài khoản").click()
        admin.screenshot(path=str(folder / f"accounts_{size}.png"), full_page=True)
        context.close()

    context = chromium.new_context(viewport=WIDTHS["desktop"], locale="vi-VN")
    staff = site.login(context, site.username, site.password)
    staff.goto(site.url(f"/rounds/{round_id}"))
    staff.click("a:has-text('Sửa')")
    staff.wait_for_url(site.url(f"/rounds/{round_id}/edit"))
    assert staff.input_value("input[name=title]") == seed_round().title
    staff.fill("input[name=title]", "Kế hoạch chuyển đổi số 2026 (bản sửa)")
    staff.click("button[name=action][value=save]")
    staff.wait_for_url(site.url(f"/rounds/{round_id}/preview?ok=edited"))
    assert "Đã lưu bản nháp" in staff.locator(".flash").inner_text()
    assert staff.locator("h1").inner_text() == "Kế hoạch chuyển đổi số 2026 (bản sửa)"
    staff.click("a:has-text('Xóa bản nháp')")
    staff.wait_for_url(site.url(f"/rounds/{round_id}/delete"))
    staff.click("button:has-text('Xóa bản nháp')")
    staff.wait_for_load_state()
    assert staff.locator("h1").inner_text() == "Đã xóa bản nháp"
    assert list_rounds(site.app) == []
    context.close()
    assert errors == []
