"""The unit field's script in a real browser (Playwright + Debian's chromium), at a phone's and a desk's width: a
name typed without its spaces or diacritics ("sotuphap") offers that unit, and a press puts its code in the field;
the search box above a round's units finds it alike. Pictures of both go to the test's folder."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from workflows.demo import seed_round
from workflows.engine.events import Launch
from workflows.service.rounds import Addressee, create_round, execute

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(240)

STAFF = "Phạm Phi Long (TĐC)"


@pytest.mark.parametrize("width", [375, 1366])
def test_a_name_typed_joined_up_is_offered_and_picked(live_site: LiveSite, chromium: Any, tmp_path: Path,
                                                      width: int) -> None:
    new = replace(seed_round(), deadline=date(2026, 1, 8), subject="", addressees=(Addressee(groups=("so-ban-nganh",)),))
    round_id = create_round(live_site.app, new, STAFF)
    execute(live_site.app, round_id, Launch(), STAFF)
    context = chromium.new_context(viewport={"width": width, "height": 812})
    try:
        page = live_site.login(context)
        page.goto(live_site.url(f"/rounds/{round_id}/respond"))
        field = page.locator("input[name=unit]")
        field.press_sequentially("sotuphap", delay=20)
        page.locator(".unit-matches li button", has_text="Sở Tư pháp").wait_for()
        assert page.locator(".unit-matches li button").all_inner_texts() == ["Sở Tư pháp (STP)"]
        page.screenshot(path=tmp_path / f"unit-field-{width}.png", full_page=True)
        page.locator(".unit-matches li button").click()
        assert field.input_value() == "STP"

        page.goto(live_site.url(f"/rounds/{round_id}?q=sotuphap"))
        rows = page.locator("input[name=unit][type=checkbox]")
        assert rows.count() == 1 and rows.first.get_attribute("value") == "STP"
        page.screenshot(path=tmp_path / f"grid-search-{width}.png", full_page=True)
    finally:
        context.close()
