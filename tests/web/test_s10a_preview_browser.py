"""The preview's unit field in a real browser: typing a name without diacritics, the script offers the units of the
round that fit (any role: a unit that only receives the letter for information too) from /rounds/<id>/units?role=any;
pressing one puts its code in the field and "Xem" shows that unit's letter. At 375 px nothing is wider than the
screen."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(240)


def _draft(site: LiveSite) -> int:
    from models.rounds import RecipientRole
    from workflows.service.rounds import Addressee, NewRound, create_round

    return create_round(site.app, NewRound(
        title="Kế hoạch thử nghiệm", subject="", workflow="consultation", office="TĐC", deadline=date(2026, 1, 8),
        addressees=(Addressee(groups=("so-ban-nganh",)), Addressee(units=("LMHTX",), role=RecipientRole.INFORM)),
        contact_name="Ông Phạm Phi Long", contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền"),
        "Phạm Phi Long (TĐC)")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 375, "height": 812}])
def test_the_preview_field_offers_the_units_that_fit_and_shows_the_chosen_units_letter(
        live_site: LiveSite, chromium: Any, viewport: dict[str, int]) -> None:
    site = live_site
    round_id = _draft(site)
    context = chromium.new_context(viewport=viewport, locale="vi-VN")
    page = site.login(context)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url(f"/rounds/{round_id}/preview"))
    assert page.locator("datalist").count() == 0
    field = page.locator("input[name=unit]")
    field.fill("")
    field.press_sequentially("lien minh")
    offered = page.locator(".unit-matches button", has_text="Liên minh Hợp tác xã tỉnh (LMHTX)")
    offered.wait_for()
    offered.click()
    assert field.input_value() == "LMHTX"
    page.click("button:has-text('Xem')")
    page.wait_for_url(site.url(f"/rounds/{round_id}/preview?unit=LMHTX"))
    assert "Liên minh Hợp tác xã tỉnh <lmhtx@caobang.example.vn>" in page.locator(".mail-head").inner_text()
    field = page.locator("input[name=unit]")
    field.fill("so")
    page.click("button:has-text('Xem')")
    page.wait_for_load_state()
    assert "khớp nhiều đơn vị" in page.locator("#err-unit").inner_text()
    assert page.locator("input[name=unit]").get_attribute("aria-invalid") == "true"
    page.locator(".unit-matches button", has_text="Sở Y tế (SYT)").click()  # the candidates, offered to press
    page.click("button:has-text('Xem')")
    page.wait_for_url(site.url(f"/rounds/{round_id}/preview?unit=SYT"))
    assert "Sở Y tế <syt@caobang.example.vn>" in page.locator(".mail-head").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert errors == []
    context.close()
