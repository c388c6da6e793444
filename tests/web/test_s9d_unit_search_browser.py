"""The unit field's script in a real browser (Playwright + Debian's chromium), at a phone's width: typing part of a
name without diacritics offers the units that fit as buttons, one press puts that unit's code in the field, and
the form sent with it records that unit's paper answer; what fits nothing says so; a field the server refused
(several units fit) offers the candidates to press."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from workflows.demo import seed_round
from workflows.engine.events import Launch
from workflows.service.rounds import Addressee, create_round, execute
from workflows.service.views import latest_answers

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(240)

PHONE = {"width": 375, "height": 812}
STAFF = "Phạm Phi Long (TĐC)"


def test_typing_part_of_a_name_offers_the_units_and_a_press_picks_one(live_site: LiveSite, chromium: Any) -> None:
    new = replace(seed_round(), deadline=date(2026, 1, 8), subject="", addressees=(Addressee(groups=("so-ban-nganh",)),))
    round_id = create_round(live_site.app, new, STAFF)
    execute(live_site.app, round_id, Launch(), STAFF)
    context = chromium.new_context(viewport=PHONE)
    try:
        page = live_site.login(context)
        page.goto(live_site.url(f"/rounds/{round_id}/respond"))
        field = page.locator("input[name=unit]")
        field.press_sequentially("so t", delay=20)
        # the answer to the whole text: on a loaded machine the keys may come 200 ms apart, and the list offered for
        # "so" stands until the answer for "so t" replaces it
        page.locator(".unit-matches .hint", has_text="2 đơn vị khớp").wait_for()
        assert page.locator(".unit-matches li button").all_inner_texts() == ["Sở Tài chính (STC)", "Sở Tư pháp (STP)"]
        assert page.locator(".unit-matches .hint").inner_text() == "2 đơn vị khớp; chọn một:"
        page.locator(".unit-matches li button", has_text="Sở Tư pháp").click()
        assert field.input_value() == "STP" and page.locator(".unit-matches li").count() == 0
        assert page.evaluate("document.activeElement.name") == "unit"

        page.check("input[name=kind][value=agree]")
        page.locator("form[action$='/respond'] button[type=submit]").click()
        page.wait_for_selector("h1:has-text('Xác nhận')")
        assert "Sở Tư pháp (STP)" in page.locator("main").inner_text(), page.locator("main").inner_text()
        page.locator("form button[type=submit]", has_text="Xác nhận").click()
        page.wait_for_url(lambda url: f"/rounds/{round_id}?ok=" in url)
        assert [a.unit_code for a in latest_answers(live_site.app, round_id)] == ["STP"]

        page.goto(live_site.url(f"/rounds/{round_id}/respond"))
        page.locator("input[name=unit]").press_sequentially("Sở Ngoại vụ", delay=10)
        page.locator(".unit-matches .hint", has_text="Không có").wait_for()  # the page's CSP refuses eval
        assert page.locator(".unit-matches .hint").inner_text() == "Không có đơn vị nào khớp \u201cSở Ngoại vụ\u201d."

        # sent as typed, "sở" fits the 7 Sở: the refusal names them, and the page offers them to press
        page.locator("input[name=unit]").fill("sở")
        page.check("input[name=kind][value=agree]")
        page.locator("form[action$='/respond'] button[type=submit]").click()
        page.wait_for_selector("#err-unit")
        assert "khớp nhiều đơn vị" in page.locator("#err-unit").inner_text()
        page.wait_for_selector(".unit-matches li button")
        assert page.locator(".unit-matches li").count() == 7
        page.locator(".unit-matches li button", has_text="Sở Y tế").click()
        assert page.locator("input[name=unit]").input_value() == "SYT"
    finally:
        context.close()
