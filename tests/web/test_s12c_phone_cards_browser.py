"""The round's grid of units on a 375 px phone, in a real browser against a real uvicorn server: each unit is a card
of "label: value" lines, and a line with nothing to say (no note, no reminder sent yet) is left out rather than
shown as a label with nothing after it; a unit's "Gia hạn" and "Ghi nhận" are touch targets 24 px high at least and
apart (WCAG 2.5.8), at 1366 px too, where they stack in their column. The signing form's fields one under another
in a group (the signature's and the seal's images, the seal's size) stand apart, where each label touched the file
field above it. The preview's hint keeps its quotes on the words they quote."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from workflows.demo import seed_round
from workflows.engine.events import Launch
from workflows.service.rounds import Addressee, create_round, execute

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

STAFF = "Phạm Phi Long (TĐC)"
# The card lines of the grid a person sees: each visible cell with a label, and what it says.
CARD_LINES = """() => Array.from(document.querySelectorAll('#units tbody td[data-label]'))
    .filter(cell => cell.getClientRects().length > 0)
    .map(cell => [cell.closest('tr').id, cell.dataset.label, cell.innerText.trim()])"""
TARGETS = """() => Array.from(document.querySelectorAll('#units .row-actions a')).map(link => {
    const box = link.getBoundingClientRect(); return [link.getAttribute('aria-label'), box.left, box.top, box.right,
                                                      box.bottom]; })"""


def launched(site: LiveSite) -> int:
    new = replace(seed_round(), deadline=date(2026, 1, 8), addressees=(Addressee(groups=("so-ban-nganh",)),))
    ids: list[int] = []

    def send() -> None:  # a thread of its own: Playwright's loop runs in this one, and sending mail needs one
        ids.append(create_round(site.app, new, STAFF))
        execute(site.app, ids[0], Launch(), STAFF)

    worker = threading.Thread(target=send)
    worker.start()
    worker.join(60)
    return ids[0]


def apart(one: list[Any], other: list[Any]) -> bool:
    """Two boxes [name, left, top, right, bottom] that do not overlap."""
    return one[3] <= other[1] or other[3] <= one[1] or one[4] <= other[2] or other[4] <= one[2]


def test_a_units_card_on_a_phone_has_no_empty_lines_and_its_actions_are_targets(live_site: LiveSite,
                                                                                chromium: Any) -> None:
    round_id = launched(live_site)
    for viewport in ({"width": 375, "height": 812}, {"width": 1366, "height": 900}):
        context = chromium.new_context(viewport=viewport, locale="vi-VN")
        page = live_site.login(context)
        page.goto(live_site.url(f"/rounds/{round_id}"))
        lines = page.evaluate(CARD_LINES)
        if viewport["width"] == 375:
            assert {label for _, label, _ in lines} >= {"Mã", "Đơn vị", "Trả lời", "Hạn"}
            assert [line for line in lines if not line[2]] == []  # no "Ghi chú:" with nothing after it
        targets = page.evaluate(TARGETS)
        assert len(targets) == 14  # Gia hạn and Ghi nhận of the seven departments
        assert "Gia hạn cho Sở Y tế" in [name for name, *_ in targets]
        for name, _left, top, _right, bottom in targets:
            assert bottom - top >= 24, (viewport, name, bottom - top)
        for first, second in zip(targets[::2], targets[1::2], strict=True):
            assert apart(first, second), (viewport, first, second)
        context.close()


GAPS = """() => { const labels = Array.from(document.querySelectorAll('#sign-form fieldset > label:not(.choice)'));
    return labels.slice(1).map((label, n) => label.getBoundingClientRect().top
                                            - labels[n].getBoundingClientRect().bottom); }"""


def test_the_signing_forms_grouped_fields_stand_apart_on_a_phone(live_site: LiveSite, chromium: Any) -> None:
    round_id = create_round(live_site.app, replace(seed_round(), deadline=date(2026, 1, 8)), STAFF)
    context = chromium.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN")
    page = live_site.login(context)
    assert page.goto(live_site.url(f"/rounds/{round_id}/sign/request_letter")).status == 200
    gaps = page.evaluate(GAPS)
    assert len(gaps) == 2 and min(gaps) >= 8, gaps
    context.close()


def test_the_previews_placeholder_keeps_its_quotes_on_its_words_on_a_phone(live_site: LiveSite, chromium: Any) -> None:
    """The hint under the letter a unit will receive quoted the link's placeholder in straight quotes, and on a
    phone the opening one stood alone at the end of a line."""
    round_id = launched(live_site)
    context = chromium.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN")
    page = live_site.login(context)
    page.goto(live_site.url(f"/rounds/{round_id}/preview"))
    hint = page.locator("p.hint", has_text="Mỗi đơn vị nhận một đường dẫn riêng")
    assert hint.inner_text() == "Mỗi đơn vị nhận một đường dẫn riêng thay cho “(đường dẫn riêng của từng đơn vị)”."
    lines = hint.evaluate("""(p) => { const r = document.createRange(); r.selectNodeContents(p);
        const tops = [...new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top)))];
        return tops.map(top => Array.from(p.innerText).filter((_, i) => { const c = document.createRange();
            const node = p.firstChild; if (!node || i >= node.length) return false; c.setStart(node, i);
            c.setEnd(node, i + 1); const box = c.getBoundingClientRect(); return Math.round(box.top) === top;
        }).join('')); }""")
    assert not any(line.rstrip().endswith(("“", '"')) for line in lines), lines
    context.close()
