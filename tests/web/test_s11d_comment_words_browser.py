"""In a real browser against a real uvicorn server: a unit asked to comment on the outline of a department's own kind
("Phản biện đề cương nhiệm vụ", tests/fixtures/s11d_review) taps "Phản biện đoạn này" on a phone; the page's script
fills a comment row with the part, labelled "Đoạn đề cương được phản biện:" (the kind's words, which it reads from the
page), never a consultation's "Đoạn dự thảo được góp ý:"."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from department_kinds import REVIEW, heading_docx, kinds_in_home, new_round
from staff_site import launched_round
from test_browser import horizontal_overflow, invitation_link

from workflows.service.rounds import Addressee

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

QUOTE = "Đánh giá hiện trạng sản xuất giống lúa tại địa phương."
MOBILE = {"width": 375, "height": 812}


@pytest.fixture
def review_site(live_site: LiveSite, monkeypatch: pytest.MonkeyPatch) -> LiveSite:
    return kinds_in_home(live_site, monkeypatch, REVIEW)


def launched(site: LiveSite, tmp_path: Path) -> int:
    outline = heading_docx(tmp_path / "de-cuong.docx", "I. MỤC TIÊU", QUOTE)
    return launched_round(site.app, new_round("review", "Đề cương nhiệm vụ giống lúa chất lượng cao",
                                              site.clock.now().date() + timedelta(days=14), Addressee(units=("SCT",)),
                                              draft_path=outline), "canbo")


def test_a_part_picked_on_a_phone_is_labelled_in_the_kinds_words(review_site: LiveSite, chromium: Any,
                                                                 tmp_path: Path) -> None:
    site = review_site
    with ThreadPoolExecutor(1) as pool:  # sending mail runs its own event loop; Playwright's holds this thread's
        pool.submit(launched, site, tmp_path).result(timeout=60)
    link = invitation_link(site.capture.wait_for(1, timeout=20), "SCT")
    errors: list[str] = []
    phone = chromium.new_context(viewport=MOBILE, is_mobile=True, has_touch=True, locale="vi-VN").new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(link)
    phone.get_by_role("button", name="Phản biện đoạn này: Mục I").click()
    quoted = phone.locator("#quoted-1").inner_text()
    assert quoted == f"Đoạn đề cương được phản biện: {QUOTE}", quoted
    assert phone.input_value("#section-1") == "Mục I"
    assert phone.evaluate("document.activeElement.id") == "comment-1"
    assert "góp ý" not in phone.locator("main").inner_text().lower()
    assert horizontal_overflow(phone) <= 0
    assert errors == []
