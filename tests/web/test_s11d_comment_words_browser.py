"""In a real browser against a real uvicorn server: a unit asked to comment on the outline of a department's own kind
("Phản biện đề cương nhiệm vụ", tests/fixtures/s11d_review) taps "Phản biện đoạn này" on a phone; the page's script
fills a comment row with the part, labelled "Đoạn đề cương được phản biện:" (the kind's words, which it reads from the
page), never a consultation's "Đoạn dự thảo được góp ý:"."""
from __future__ import annotations

import io
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
import pytest
from test_browser import horizontal_overflow, invitation_link

from workflows.engine.events import Launch
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.steps import run_step

if TYPE_CHECKING:
    from conftest import LiveSite

pytestmark = pytest.mark.timeout(180)

KIND_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "s11d_review"
QUOTE = "Đánh giá hiện trạng sản xuất giống lúa tại địa phương."
MOBILE = {"width": 375, "height": 812}


@pytest.fixture
def review_site(live_site: LiveSite, monkeypatch: pytest.MonkeyPatch) -> LiveSite:
    monkeypatch.delenv("YKIEN_WORKFLOWS_DIR", raising=False)
    monkeypatch.setenv("YKIEN_HOME", str(live_site.home))
    shutil.copytree(KIND_DIR, live_site.home / "workflows", dirs_exist_ok=True)
    return live_site


def launched(site: LiveSite, tmp_path: Path) -> int:
    document = docx.Document()
    document.add_heading("I. MỤC TIÊU", 1)
    document.add_paragraph(QUOTE)
    buffer = io.BytesIO()
    document.save(buffer)
    outline = tmp_path / "de-cuong.docx"
    outline.write_bytes(buffer.getvalue())
    new = NewRound(title="Đề cương nhiệm vụ giống lúa chất lượng cao", subject="", workflow="review", office="TĐC",
                   deadline=site.clock.now().date() + timedelta(days=14), addressees=(Addressee(units=("SCT",)),),
                   contact_name="Ông Phạm Phi Long", contact_phone="0912 130 290",
                   signer_name="Nông Thị Thanh Huyền", draft_path=outline)
    round_id = create_round(site.app, new, "canbo")
    execute(site.app, round_id, Launch(), "canbo")
    run_step(site.app, "circulate", round_id=round_id)
    return round_id


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
