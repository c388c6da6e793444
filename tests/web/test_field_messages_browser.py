"""The browser's bubble for a field the form refuses before sending follows the browser's language ("Please fill
out this field."); validity.js makes it Vietnamese on every page, and lets the form go once the field is filled.
Checked in a real chromium whose language is English, so the browser's own words would show without the script."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from workflows.demo import seed_round
from workflows.engine.events import Launch
from workflows.service.rounds import Addressee, create_round, execute

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(240)

STAFF = "Phạm Phi Long (TĐC)"
MESSAGE = "e => e.validationMessage"


def _launched_round(site: LiveSite) -> int:
    new = replace(seed_round(), deadline=date(2026, 1, 8), subject="", addressees=(Addressee(groups=("so-ban-nganh",)),))
    round_id = create_round(site.app, new, STAFF)
    execute(site.app, round_id, Launch(), STAFF)
    return round_id


def test_an_empty_required_field_is_named_in_vietnamese_and_the_form_goes_once_filled(live_site: LiveSite,
                                                                                       chromium: Any) -> None:
    round_id = _launched_round(live_site)
    context = chromium.new_context(locale="en-US", viewport={"width": 375, "height": 812})
    try:
        page = live_site.login(context)
        page.goto(live_site.url(f"/rounds/{round_id}/extend"))
        reason = page.locator("textarea[name=reason]")
        page.fill("input[name=deadline_date]", "15/01/2026")
        page.locator("form[action$='/extend'] button[type=submit]").click()
        assert reason.evaluate(MESSAGE) == "Vui lòng điền mục này."
        assert page.url.endswith(f"/rounds/{round_id}/extend")  # nothing sent

        reason.fill("Các sở đề nghị thêm thời gian")
        assert reason.evaluate(MESSAGE) == ""
        page.locator("form[action$='/extend'] button[type=submit]").click()
        page.wait_for_selector("h1:has-text('Xác nhận')")

        page.goto(live_site.url(f"/rounds/{round_id}/respond"))
        page.locator("form[action$='/respond'] button[type=submit]").click()
        assert page.locator("input[name=unit]").evaluate(MESSAGE) == "Vui lòng điền mục này."
    finally:
        context.close()


def test_a_required_choice_asks_to_choose_and_any_button_of_the_group_clears_it(live_site: LiveSite,
                                                                                 chromium: Any) -> None:
    context = chromium.new_context(locale="en-US")
    try:
        page = live_site.login(context)
        # A form of the kind answer_fields.html writes for a required choice, placed on a served page so that the
        # page's own scripts (and its CSP) apply; evaluate() builds it, since the CSP refuses inline scripts.
        page.evaluate("""() => {
            const form = document.createElement('form');
            form.id = 'choice';
            form.innerHTML = '<input type="radio" name="pick" value="a" required>' +
                             '<input type="radio" name="pick" value="b" required>' +
                             '<input type="email" name="mail" value="vanthu-caobang.gov.vn">';
            document.querySelector('main').appendChild(form);
        }""")
        assert page.evaluate("document.getElementById('choice').checkValidity()") is False
        radios = page.locator("#choice input[name=pick]")
        assert radios.nth(0).evaluate(MESSAGE) == "Vui lòng chọn một mục."
        assert page.locator("#choice input[name=mail]").evaluate(MESSAGE).startswith("Địa chỉ thư điện tử chưa đúng")

        radios.nth(1).check()
        page.locator("#choice input[name=mail]").fill("vanthu@caobang.gov.vn")
        assert [radios.nth(i).evaluate(MESSAGE) for i in (0, 1)] == ["", ""]
        assert page.evaluate("document.getElementById('choice').checkValidity()") is True
    finally:
        context.close()
