"""The README's new kind of round ("Writing a new kind of round") in a real browser, against a real uvicorn server.

The kind `council_opinion` and its letter are taken from the README into the home's workflows folder. A staff
member picks "Xin ý kiến thành viên Hội đồng" in the create form, sends it to three units and launches it; the
invitation is read from the loopback SMTP server; a unit opens its link on a 375 px wide phone, is refused when it
sends without choosing (its comment kept), then chooses "Đồng ý, có chỉnh sửa" and sends; staff see the grid in the
kind's words, never "góp ý" nor "coi như đồng ý". Full-page screenshots go to artifacts/screenshots/new_kind/.
"""
from __future__ import annotations

import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# The README's files are read by a helper shared with tests/e2e/test_new_kind.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from readme_kind import readme_files, write_readme_kind
from test_browser import horizontal_overflow, invitation_link, sweep

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

KIND = "council_opinion"
KIND_TITLE = "Xin ý kiến thành viên Hội đồng"
TITLE = "Đề cương nhiệm vụ KH&CN cấp tỉnh năm 2026"
DEADLINE = "09/01/2026"  # a Friday, after Tết Dương lịch; typed as staff type it
UNITS = {"SCT": "Sở Công Thương", "STC": "Sở Tài chính", "SYT": "Sở Y tế"}
UNIT = "SCT"
CHOICE_LABEL = "Ý kiến của thành viên"
OPTIONS = ["Đồng ý", "Đồng ý, có chỉnh sửa", "Không đồng ý"]
CHOSEN = "Đồng ý, có chỉnh sửa"
COMMENT_LABEL = "Nhận xét, đề nghị chỉnh sửa"
COMMENT = "Đề nghị bổ sung chỉ tiêu đầu ra: số sản phẩm được đăng ký sở hữu trí tuệ."
ANSWERED = "Đã gửi phiếu ý kiến"
FORBIDDEN_WORDS = ("góp ý", "coi như đồng ý")
DESKTOP = {"width": 1366, "height": 900}
MOBILE = {"width": 375, "height": 812}


@pytest.fixture
def council_site(live_site: LiveSite, monkeypatch: pytest.MonkeyPatch) -> LiveSite:
    """The live site with the README's kind in its home's workflows folder.

    The kinds are looked up from the process's settings (YKIEN_HOME), which the live site's App does not set:
    point them at the same home, as `ykien serve` run with YKIEN_HOME would."""
    monkeypatch.delenv("YKIEN_WORKFLOWS_DIR", raising=False)
    monkeypatch.setenv("YKIEN_HOME", str(live_site.home))
    write_readme_kind(live_site.home / "workflows")
    assert (live_site.home / "workflows" / f"{KIND}.yaml").is_file(), sorted(readme_files())
    return live_site


@pytest.fixture
def shots(screenshots: Path) -> Path:
    folder = screenshots / "new_kind"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(page: Any, folder: Path, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky table headers are drawn where the page was scrolled
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def shot_both_widths(page: Any, folder: Path, name: str) -> None:
    """The page at 1366 px, then at 375 px, then back to the size it had."""
    size = page.viewport_size
    for viewport in (DESKTOP, MOBILE):
        page.set_viewport_size(viewport)
        shot(page, folder, f"{name}_{viewport['width']}")
    page.set_viewport_size(size)


def choice_options(page: Any, name: str) -> list[str]:
    """The options of a choice field shown as radio buttons (their labels) or as a select (its options)."""
    radios = page.locator(f"input[type=radio][name={name}]")
    if radios.count():
        return [str(text).strip() for text in radios.evaluate_all(
            "rs => rs.map(r => r.labels && r.labels.length ? r.labels[0].innerText : '')")]
    select = page.locator(f"select[name={name}]")
    if select.count():
        return [o.inner_text().strip() for o in select.locator("option").all() if o.get_attribute("value")]
    raise AssertionError(f"the field {name} is neither radio buttons nor a select: "
                         f"{page.locator(f'[name={name}]').evaluate_all('e => e.map(x => x.outerHTML)')}")


def chosen_option(page: Any, name: str) -> str | None:
    radios = page.locator(f"input[type=radio][name={name}]:checked")
    if radios.count():
        return str(radios.first.get_attribute("value"))
    select = page.locator(f"select[name={name}]")
    if select.count():
        return str(select.input_value()) or None
    return None


def choose(page: Any, name: str, label: str) -> None:
    if page.locator(f"input[type=radio][name={name}]").count():
        page.locator(f"input[type=radio][name={name}]").and_(page.get_by_label(label, exact=True)).check()
    else:
        page.locator(f"select[name={name}]").select_option(label=label)


def forbidden_lines(text: str) -> list[str]:
    """The lines of `text` holding one of the words a council round never uses (any case)."""
    return [line.strip() for line in text.splitlines() if any(w in line.casefold() for w in FORBIDDEN_WORDS)]


def test_staff_run_a_round_of_the_readme_kind_and_a_member_answers_from_a_phone(
        council_site: LiveSite, chromium: Any, shots: Path) -> None:
    site = council_site
    errors: list[str] = []
    desktop = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    staff = desktop.new_page()
    staff.on("pageerror", lambda error: errors.append(f"staff: {error}"))

    # Log in.
    staff.goto(site.url("/rounds/new"))
    assert staff.url.startswith(site.url("/login")), "an anonymous visitor is sent to the login page"
    staff.fill("input[name=username]", site.username)
    staff.fill("input[name=password]", site.password)
    staff.click("form[action='/login'] button[type=submit]")
    staff.wait_for_url(site.url("/rounds/new"))

    # The create form: the kind from the README is offered by its title, and chosen first (its words may
    # change the rest of the form).
    kinds = staff.locator("select[name=workflow] option").all_inner_texts()
    assert KIND_TITLE in [k.strip() for k in kinds], f"the kind selector offers {kinds}"
    staff.select_option("select[name=workflow]", label=KIND_TITLE)
    staff.wait_for_load_state("networkidle")
    apply = staff.locator("button[name=action][value=recompute]", has_text="Áp dụng quy trình")
    if apply.count():  # the form shows the kind's own reminders, silence rule and subject once applied
        with staff.expect_navigation():
            apply.click()
    assert staff.locator("select[name=workflow]").input_value() == KIND
    assert staff.locator("input[name=silence]").count() == 0, "the kind has no silence rule: no switch for it"

    staff.fill("input[name=title]", TITLE)
    # typing the date chooses "Đến ngày": the form opens on "Sau N ngày làm việc", and a date typed under it would be
    # ignored
    assert staff.locator("input[name=deadline_mode][value=days]").is_checked()
    staff.fill("input[name=deadline_date]", DEADLINE)
    assert staff.locator("input[name=deadline_mode][value=date]").is_checked()
    staff.locator("fieldset.deadline output").filter(has_text=DEADLINE).wait_for()
    group = staff.locator("details", has=staff.locator(f"input[name=u_comment][value={UNIT}]"))
    if not group.evaluate("d => d.open"):
        group.locator("summary").click()
    for code in UNITS:
        staff.check(f"input[name=u_comment][value={code}]")
    assert staff.locator("[data-total]").inner_text() == "3", "three units, counted as chosen"
    staff.fill("input[name=contact_name]", "Ông Phạm Phi Long")
    staff.fill("input[name=contact_phone]", "0912 130 290")
    staff.fill("input[name=signer_name]", "Nông Thị Thanh Huyền")
    assert staff.locator("select[name=workflow]").input_value() == KIND, "the kind stayed chosen while filling"
    shot_both_widths(staff, shots, "create_form")

    # Save: the preview of the invitation.
    with staff.expect_navigation():
        staff.click("button[name=action][value=create]")
    refused = staff.locator(".flash.error, .field-error").all_inner_texts()
    assert re.search(r"/rounds/\d+/preview\?ok=created$", staff.url), f"the form was refused: {refused}"
    round_id = int(re.search(r"/rounds/(\d+)/", staff.url).group(1))  # type: ignore[union-attr]
    preview = staff.locator("main").inner_text()
    assert TITLE in preview and DEADLINE in preview, preview

    # Launch, through the confirmation.
    site.clock.advance(timedelta(minutes=30))
    staff.click("form[action$='/launch'] button[type=submit]")
    staff.wait_for_url(site.url(f"/rounds/{round_id}/launch"))
    staff.click("form[action$='/launch'] button[type=submit]")
    staff.wait_for_url(re.compile(rf".*/rounds/{round_id}\?ok=launch.*"))

    # The invitations on the SMTP server: one to each of the three units.
    invitations = site.capture.wait_for(3, timeout=20)
    assert sorted(str(m["X-Ykien-Unit"]) for m in invitations if m["X-Ykien-Kind"] == "invitation") == sorted(UNITS)
    link = invitation_link(invitations, UNIT)
    assert link.startswith(site.base_url + "/r/")

    # The member opens the link on a phone: the choice with its three options and the comment box.
    site.clock.advance(timedelta(hours=2))
    phone_context = chromium.new_context(viewport=MOBILE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                         locale="vi-VN")
    phone = phone_context.new_page()
    phone.on("pageerror", lambda error: errors.append(f"phone: {error}"))
    phone.goto(link)
    assert UNITS[UNIT] in phone.locator("header.r-head").inner_text()
    form = phone.locator("#answer-form")
    assert CHOICE_LABEL in form.inner_text(), form.inner_text()
    assert choice_options(phone, "p_vote") == OPTIONS
    comment_box = phone.locator("textarea[name=p_comment]")
    assert comment_box.is_visible(), "the comment is a textarea (long_text)"
    assert COMMENT_LABEL in form.inner_text()
    assert horizontal_overflow(phone) <= 0, "the recipient page must fit a 375 px wide screen"
    shot(phone, shots, "recipient_375")
    wide = desktop.new_page()
    wide.on("pageerror", lambda error: errors.append(f"recipient desktop: {error}"))
    wide.goto(link)
    shot(wide, shots, "recipient_1366")
    wide.close()

    # Sent without choosing: refused by the server (the browser's own check is turned off to reach it), the
    # field named, the comment typed still there.
    comment_box.fill(COMMENT)
    phone.evaluate("document.getElementById('answer-form').noValidate = true")
    with phone.expect_navigation():
        phone.click("#send")
    assert not phone.url.endswith("/sent"), "an answer without the required choice is refused"
    problems = phone.locator("#problems")
    assert problems.is_visible() and CHOICE_LABEL in problems.inner_text(), phone.locator("main").inner_text()
    assert phone.locator("textarea[name=p_comment]").input_value() == COMMENT, "the typed comment is kept"
    assert chosen_option(phone, "p_vote") is None
    shot(phone, shots, "recipient_refused_375")
    assert len(site.capture.messages) == 3, "a refused answer sends no receipt"

    # Chosen and sent: the receipt.
    choose(phone, "p_vote", CHOSEN)
    phone.click("#send")
    phone.wait_for_url(link + "/sent")
    receipt_page = phone.locator("main").inner_text()
    assert UNITS[UNIT] in receipt_page and "phiếu ý kiến" in receipt_page, receipt_page
    assert horizontal_overflow(phone) <= 0
    shot(phone, shots, "recipient_receipt_375")
    sweep(site)  # the answer queued its receipt; the sweep of `ykien serve` sends it
    receipt = site.capture.wait_for(4, timeout=20)[-1]
    assert receipt["X-Ykien-Kind"] == "receipt" and receipt["X-Ykien-Unit"] == UNIT

    # Staff: the grid in the kind's words, and never "góp ý" nor "coi như đồng ý" on the round page.
    staff.goto(site.url(f"/rounds/{round_id}"))
    row = staff.locator(f"#u-{UNIT}").inner_text()
    assert ANSWERED in row, row
    for code in set(UNITS) - {UNIT}:
        assert ANSWERED not in staff.locator(f"#u-{code}").inner_text()
    shot_both_widths(staff, shots, "round")
    shown = staff.locator("body").inner_text()
    whole = str(staff.evaluate("document.body.textContent"))  # hidden parts too (closed details, options)
    assert not forbidden_lines(shown), f"the round page shows: {forbidden_lines(shown)}"
    assert not forbidden_lines(whole), f"the round page holds (hidden): {forbidden_lines(whole)}"

    assert errors == [], f"JavaScript errors: {errors}"
    phone_context.close()
    desktop.close()
