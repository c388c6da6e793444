"""Issue 12 item 6, accessibility beyond what axe sees, in a real browser (Playwright + Debian's chromium).

axe-core (shipped inside axe-playwright-python, nothing downloaded) runs over every staff page of a realistic
site, logged in as staff and as admin, and over a unit's page, at 1366 px: no violation of impact serious or
critical (the rest is printed). What axe does not check is tested directly: the accessible names of the
deadline inputs and of the group checkboxes, the focus after a refused form, the contrast of field borders, the
skip link first in tab order, and no sideways scroll at 375 px. Screenshots go to
artifacts/screenshots/issue12-a11y/.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from models.rounds import ResponseKind
from workflows.demo import seed_round
from workflows.engine.events import Close, CommentInput, Launch, Respond
from workflows.service.outbox_view import message_texts
from workflows.service.registry import get_workflow
from workflows.service.rounds import create_round, execute
from workflows.service.staff import add_user

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(240)

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
ADMIN, ADMIN_PASSWORD = "quantri", "mat-khau-quan-tri-dai"
STAFF = "Phạm Phi Long (TĐC)"
FOLDER = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / "issue12-a11y"
# WCAG 1.4.11: a field's border against the page background behind the field (the card's white and the page's).
NON_TEXT_CONTRAST = 3.0


@dataclass
class Rounds:
    """The three rounds of the site: one open (answered by two units), one closed and consolidating, one draft."""

    open: int
    consolidating: int
    draft: int
    token: str


def _token(site: LiveSite, round_id: int, unit: str) -> str:
    body = next(text for code, text in message_texts(site.app, round_id, "invitation") if code == unit)
    found = re.search(r"/r/([A-Za-z0-9_-]+)", body)
    assert found, body
    return found.group(1)


@pytest.fixture
def rounds(live_site: LiveSite) -> Iterator[Rounds]:
    app = live_site.app
    add_user(app, ADMIN, "Quản trị", "admin", ADMIN_PASSWORD, None, "test")
    later = replace(seed_round(), deadline=date(2026, 1, 8))
    closed = create_round(app, later, STAFF)
    execute(app, closed, Launch(), STAFF)
    execute(app, closed, Respond("SCT", ResponseKind.COMMENTS, "SCT", comments=(
        CommentInput("Đề nghị bổ sung chỉ tiêu số doanh nghiệp áp dụng ISO 9001.", "Mục II.2", "50 doanh nghiệp."),
        CommentInput("Kinh phí cần tách nguồn.", "Mục IV"))), "SCT")
    execute(app, closed, Respond("STP", ResponseKind.AGREE, STAFF), STAFF)
    execute(app, closed, Close("Đã đủ ý kiến"), STAFF)
    opened = create_round(app, later, STAFF)
    execute(app, opened, Launch(), STAFF)
    execute(app, opened, Respond("STC", ResponseKind.COMMENTS, "STC", comments=(
        CommentInput("Đề nghị làm rõ nguồn kinh phí.", "Mục IV"),)), "STC")
    draft = create_round(app, replace(later, title="Dự thảo Quy chế quản lý nhiệm vụ khoa học và công nghệ"), STAFF)
    yield Rounds(opened, closed, draft, _token(live_site, opened, "SCT"))


def _staff_pages(r: Rounds) -> list[str]:
    pages = ["/", "/rounds/new", f"/rounds/{r.draft}/edit", f"/rounds/{r.draft}/preview",
             f"/rounds/{r.draft}/launch", "/register", "/directory", "/directory/units/SCT", "/mail",
             "/account/password", "/api/docs"]
    for tab in ("", "/responses", "/timeline", "/outbox", "/audit", "/preview", "/drafts", "/documents"):
        pages.append(f"/rounds/{r.open}{tab}")
    for action in ("extend", "respond", "close"):
        pages.append(f"/rounds/{r.open}/{action}")
    for tab in ("", "/consolidation", "/drafts", "/documents", "/responses"):
        pages.append(f"/rounds/{r.consolidating}{tab}")
    return pages


def _axe(page: Any, url: str, seen: dict[str, list[str]]) -> list[str]:
    """axe-core over the page at `url`: the serious and critical violations, each as "rule (n): targets"; the
    lesser ones are printed."""
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    results = Axe().run(page).response
    serious = []
    for v in results["violations"]:
        targets = [", ".join(map(str, n["target"])) for n in v["nodes"]][:4]
        line = f"{v['id']} [{v['impact']}] ({len(v['nodes'])}): {targets}"
        if v["impact"] in ("serious", "critical"):
            serious.append(line)
        else:
            print(f"axe {url}: {line}")
    seen[url] = serious
    return serious


def test_axe_finds_nothing_serious_on_any_page(live_site: LiveSite, rounds: Rounds, chromium: Any) -> None:
    site = live_site
    started = time.monotonic()
    found: dict[str, list[str]] = {}
    staff_context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    staff = site.login(staff_context, site.username, site.password)
    for path in _staff_pages(rounds):
        _axe(staff, site.url(path), found)
    staff_context.close()
    admin_context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    admin = site.login(admin_context, ADMIN, ADMIN_PASSWORD)
    for path in ("/", "/accounts", f"/accounts/{site.username}", "/offices", "/register", f"/rounds/{rounds.open}"):
        _axe(admin, site.url(path), found)
    admin.goto(site.url("/"))
    admin.click("form[action='/logout'] button[type=submit]")
    _axe(admin, site.url("/login"), found)
    _axe(admin, site.url(f"/r/{rounds.token}"), found)
    admin_context.close()
    print(f"axe over {len(found)} pages in {time.monotonic() - started:.1f} s")
    bad = {url: lines for url, lines in found.items() if lines}
    assert not bad, "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in bad.items())


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two CSS colours as getComputedStyle gives them ("rgb(r, g, b)")."""
    def parse(css: str) -> tuple[int, int, int]:
        found = re.match(r"rgba?\((\d+), (\d+), (\d+)", css)
        assert found, css
        return int(found.group(1)), int(found.group(2)), int(found.group(3))
    high, low = sorted((_luminance(parse(one)), _luminance(parse(other))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_what_axe_does_not_see(live_site: LiveSite, rounds: Rounds, chromium: Any) -> None:
    """Names of the deadline inputs and the group checkboxes, 24 px targets, field borders at 3:1, the skip link
    first in tab order, no sideways scroll at 375 px."""
    site = live_site
    FOLDER.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    page = site.login(context, site.username, site.password)

    # The skip link: the first stop of the Tab key, visible then, and it leads into <main>.
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip-link", "Bỏ qua, tới nội dung chính"], focused
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] >= 24, box
    page.screenshot(path=str(FOLDER / "skip-link-focused.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # The create form: every deadline input and group checkbox has a name of its own.
    page.goto(site.url("/rounds/new"))
    label = get_workflow(page.locator("select[name=workflow]").input_value()).terms.deadline_label  # the kind's word
    assert page.get_by_role("spinbutton", name=f"{label}: số ngày làm việc kể từ hôm nay", exact=True).count() == 1
    assert page.get_by_label(f"{label}: đến ngày", exact=True).count() == 1
    date_name = page.locator("input[name=deadline_date]").aria_snapshot()
    assert f"{label}: đến ngày" in date_name, date_name
    groups = page.locator(".recipient-group")
    labels = [groups.nth(i).locator(".group-line strong").inner_text() for i in range(groups.count())]
    assert len(labels) >= 3, labels
    named = 0
    for label in labels:
        for role in ("Góp ý", "Đăng tải", "Để biết"):
            assert page.get_by_role("checkbox", name=f"{role} — {label}", exact=True).count() == 1, (role, label)
            named += 1
    group_boxes = page.locator(".group-line input[type=checkbox]").count()
    assert named == group_boxes, (named, group_boxes)
    for bare in ("Góp ý", "Đăng tải", "Để biết"):
        assert page.get_by_role("checkbox", name=bare, exact=True).count() == 0, bare

    # Checkboxes and radios are 24 px targets at least.
    sizes = page.evaluate("""[...document.querySelectorAll('main input[type=checkbox], main input[type=radio]')]
        .filter(e => e.offsetParent !== null)
        .map(e => { const r = e.getBoundingClientRect(); return [e.name, r.width, r.height]; })""")
    assert sizes and all(w >= 24 and h >= 24 for _, w, h in sizes), [s for s in sizes if s[1] < 24 or s[2] < 24]

    # Field borders against the page and against a card: 3:1 at least (WCAG 1.4.11).
    border, page_background = page.evaluate("""[getComputedStyle(document.querySelector('input[name=title]')).borderTopColor,
                                                 getComputedStyle(document.body).backgroundColor]""")
    card = page.evaluate("getComputedStyle(document.querySelector('.card')).backgroundColor")
    for background in (page_background, card):
        assert _contrast(border, background) >= NON_TEXT_CONTRAST, (border, background, _contrast(border, background))
    page.screenshot(path=str(FOLDER / "create-form-1366.png"))

    # The extend form of an open round: its deadline inputs are named too.
    page.goto(site.url(f"/rounds/{rounds.open}/extend"))
    assert page.get_by_role("spinbutton", name="Hạn mới: số ngày làm việc kể từ hôm nay", exact=True).count() == 1
    assert page.get_by_label("Hạn mới: đến ngày", exact=True).count() == 1
    context.close()

    # 375 px: the dashboard and the round page do not scroll sideways.
    phone = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = site.login(phone, site.username, site.password)
    for name, path in (("dashboard", "/"), ("round", f"/rounds/{rounds.open}"), ("create", "/rounds/new")):
        page.goto(site.url(path))
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.screenshot(path=str(FOLDER / f"{name}-375.png"), full_page=True)
        assert overflow <= 0, (path, overflow)
        if name == "dashboard":  # each round a card the phone's width, not a column a word wide
            title = page.locator("#rounds a[href^='/rounds/']").first.bounding_box()
            assert title is not None and title["width"] >= 250, title
    phone.close()


def test_a_refused_form_puts_the_focus_on_its_error(live_site: LiveSite, rounds: Rounds, chromium: Any) -> None:
    """After the server refuses a form, the focus is on the first refused field, which names its error; or on the
    error of the whole form."""
    site = live_site
    FOLDER.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.goto(site.url("/login"))
    page.fill("input[name=username]", site.username)
    page.fill("input[name=password]", "sai-mat-khau-roi")
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.id") == "form-error"
    assert page.locator("#form-error").is_visible()

    page = site.login(context, site.username, site.password)
    page.goto(site.url("/rounds/new"))
    page.fill("input[name=contact_name]", "Ông Phạm Phi Long")
    page.fill("input[name=contact_phone]", "0912 130 290")
    page.fill("input[name=signer_name]", "Nông Thị Thanh Huyền")
    page.evaluate("document.getElementById('new-round').noValidate = true")  # the server refuses, not the browser
    page.click("button[name=action][value=create]")
    page.wait_for_load_state()
    active = page.evaluate("""(() => { const e = document.activeElement;
        return [e.name, e.getAttribute('aria-invalid'), e.getAttribute('aria-describedby')]; })()""")
    assert active[:2] == ["title", "true"], active
    error = page.locator(f"#{active[2]}")
    assert error.inner_text().strip(), "the field is described by its error"
    invalid = page.locator("[aria-invalid=true]")
    for i in range(invalid.count()):  # every refused field points at an error that is on the page
        described = invalid.nth(i).get_attribute("aria-describedby")
        assert described and page.locator(f"#{described}").count() == 1, described
    page.screenshot(path=str(FOLDER / "create-refused.png"))

    # The extend form, refused without a reason: the reason field has the focus.
    page.goto(site.url(f"/rounds/{rounds.open}/extend"))
    page.check("input[name=deadline_mode][value=days]")
    page.fill("input[name=deadline_days]", "5")
    page.evaluate("document.querySelector('form[action$=\"/extend\"]').noValidate = true")
    page.click("form[action$='/extend'] button[type=submit]")
    page.wait_for_load_state()
    active = page.evaluate("""(() => { const e = document.activeElement;
        return [e.tagName, e.name, e.getAttribute('aria-invalid'), e.className]; })()""")
    assert active[2] == "true" or "field-error" in active[3], active
    page.screenshot(path=str(FOLDER / "extend-refused.png"))
    context.close()
