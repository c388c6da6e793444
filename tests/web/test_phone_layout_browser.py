"""A visual review of the staff pages, in a real browser (Playwright + Debian's chromium), at 375 and 1366 px.

What the review found and style.css / the templates now do:
- on a phone the top bar's links and a round's tabs wrap onto more lines instead of a sideways strip that hid
  "Hộp thư", "Tài khoản", "Phòng", "API" and seven of the nine tabs, the current one included;
- a radio or checkbox keeps its words beside it on a phone (they used to drop to the line below, the box alone);
- the mailbox list keeps its numbers, times and addresses whole on a wide screen ("9 / 5", "…caobang.ex / ample.vn");
- the labels of a phone's table cards are in the page's font even when the value is code (the audit's "Mã băm");
- a message of the mailbox names its headers in Vietnamese and writes its size with a decimal comma.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(240)

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}
TITLE = ("Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng dựa trên nền tảng khoa học, công nghệ và "
         "đổi mới sáng tạo trên địa bàn tỉnh Cao Bằng, giai đoạn 2026 – 2030")

# How many lines an element's text takes: the client rects of a Range over its text (one per line box).
LINES = """(el) => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top))).size; }"""


def _round(site: LiveSite) -> int:
    from workflows.engine.events import Launch
    from workflows.service.rounds import Addressee, NewRound, create_round, execute

    round_id = create_round(site.app, NewRound(
        title=TITLE, subject="", workflow="consultation", office="TĐC", deadline=date(2026, 1, 8),
        addressees=(Addressee(groups=("so-ban-nganh", "xa-phuong")),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"), "Phạm Phi Long (TĐC)")
    execute(site.app, round_id, Launch(), "Phạm Phi Long (TĐC)")
    return round_id


def _mailbox(site: LiveSite, count: int = 12) -> None:
    """`count` messages in the internal mailbox, with the long subjects of a real round."""
    from notifications.sink import ReceivedMail
    from workflows.service.mail import store_received

    store = store_received(site.app)
    for n in range(count):
        message = EmailMessage()
        subject = "V/v xin ý kiến góp ý đối với dự thảo " + TITLE
        message["From"], message["To"] = "ykien@skhcn.localhost", f"thanhtra{n}@caobang.example.vn"
        message["Subject"], message["Message-ID"] = subject, f"<r1-u{n}@skhcn.localhost>"
        message["Date"] = format_datetime(datetime(2025, 11, 20, 2, 0, tzinfo=UTC))
        message.set_content("Kính gửi: Thanh tra tỉnh\n\n" + "Nội dung thư. " * (40 + n * 7))
        store(ReceivedMail("ykien@skhcn.localhost", (f"thanhtra{n}@caobang.example.vn",), f"<r1-u{n}@skhcn.localhost>",
                           subject, message.as_bytes(), datetime(2025, 11, 20, 2, 0, tzinfo=UTC)))


def _outside(page: Any, selector: str) -> list[str]:
    """The texts of the `selector` elements not wholly inside the viewport's width (hidden in a sideways strip)."""
    return page.eval_on_selector_all(selector, """(els) => els.filter(e => { const r = e.getBoundingClientRect();
        return r.left < 0 || r.right > document.documentElement.clientWidth + 0.5; }).map(e => e.textContent.trim())""")


def test_on_a_phone_every_nav_link_and_every_tab_of_a_round_is_on_screen(live_site: LiveSite, chromium: Any) -> None:
    site = live_site
    round_id = _round(site)
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = site.login(context)
    for path in (f"/rounds/{round_id}", f"/rounds/{round_id}/audit", f"/rounds/{round_id}/preview"):
        page.goto(site.url(path))
        assert page.locator("header.topbar nav a").count() >= 6
        assert _outside(page, "header.topbar nav a") == [], path
        assert page.locator("nav.tabs a").count() >= 8
        assert _outside(page, "nav.tabs a") == [], path
        current = page.locator("nav.tabs a.current")
        assert current.count() == 1 and _outside(page, "nav.tabs a.current") == [], path
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    context.close()


def test_on_a_phone_a_choice_keeps_its_words_beside_its_box(live_site: LiveSite, chromium: Any) -> None:
    """The silence radio of the new round form (a whole sentence of the letter): the first line of its words
    starts on the box's line, to its right."""
    site = live_site
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = site.login(context)
    beside = """(input) => { const label = input.closest('label'); const text = Array.from(label.childNodes)
        .find(n => n.nodeType === 3 && n.textContent.trim()); const r = document.createRange(); r.selectNodeContents(text);
        const first = Array.from(r.getClientRects()).find(x => x.width > 0); const box = input.getBoundingClientRect();
        return {top: first.top - box.top, left: first.left - box.right, lines: new Set(Array.from(r.getClientRects())
          .map(x => Math.round(x.top))).size}; }"""
    for path, selector in (("/rounds/new", "input[name=silence][value=yes]"),):
        page.goto(site.url(path))
        where = page.eval_on_selector(selector, beside)
        assert where["lines"] >= 2, (path, where)  # long words on a phone: they do wrap
        assert abs(where["top"]) < 12 and where["left"] >= 0, (path, where)  # ... beside the box, not under it
    context.close()


def test_the_mailbox_list_keeps_numbers_and_addresses_whole_on_a_wide_screen(live_site: LiveSite,
                                                                            chromium: Any) -> None:
    site = live_site
    _mailbox(site)
    context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    page = site.login(context)
    page.goto(site.url("/mail"))
    rows = page.locator("#mail tbody tr")
    assert rows.count() == 12
    for i in range(rows.count()):
        row = rows.nth(i)
        number, received, address = (row.locator("td").nth(k) for k in range(3))
        assert number.evaluate(LINES) == 1, number.inner_text()
        assert received.evaluate(LINES) == 1, received.inner_text()
        assert address.evaluate(LINES) == 1, address.inner_text()
    context.close()


def test_a_mailbox_message_names_its_headers_in_vietnamese(live_site: LiveSite, chromium: Any) -> None:
    site = live_site
    _mailbox(site, 1)
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = site.login(context)
    page.goto(site.url("/mail/1"))
    terms = page.locator("dl.mail-head dt").all_inner_texts()
    for label in ("Người gửi (From)", "Người nhận (To)", "Tiêu đề (Subject)", "Ngày gửi (Date)", "Mã thư (Message-ID)"):
        assert label in terms, terms
    assert not [t for t in terms if t in ("From", "To", "Subject", "Date", "Message-ID")], terms
    size = page.locator("dl.mail-head div", has_text="Kích thước").locator("dd").inner_text()
    assert "," in size.split(" KB")[0] and "." not in size.split(" KB")[0], size  # 1,2 KB: a decimal comma
    context.close()


def test_on_a_phone_the_audit_card_labels_are_not_in_a_monospace_font(live_site: LiveSite, chromium: Any) -> None:
    site = live_site
    round_id = _round(site)
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = site.login(context)
    page.goto(site.url(f"/rounds/{round_id}/audit"))
    hashes = page.locator("#audit td.mono")
    assert hashes.count() >= 2
    label_font = hashes.first.evaluate("(td) => getComputedStyle(td, '::before').fontFamily")
    value_font = hashes.first.evaluate("(td) => getComputedStyle(td).fontFamily")
    assert "Mono" in value_font and "Mono" not in label_font and "monospace" not in label_font, label_font
    context.close()
