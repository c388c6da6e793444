"""Renaming an office from a page left open while another admin renamed or merged it: the refusal says which office
is gone, at the top of the page, instead of "xem các mục tô đỏ" with nothing marked (the row it belongs to is gone)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from test_draft_rounds import Site

from workflows.service.offices import offices


@pytest.fixture
def site(tmp_path: Path) -> Site:
    built = Site(tmp_path / "home")
    yield built  # type: ignore[misc]
    built.app.close()


def test_renaming_an_office_renamed_meanwhile_says_it_is_gone(site: Site) -> None:
    admin = site.as_("admin")
    before = offices(site.app)
    answer = admin.post("/offices/rename", {"code": "QLKH-CU", "new_code": "QLKH", "new_name": "Phòng mới"})
    assert answer.status_code == 422
    text = html.unescape(re.sub(r"<[^>]+>", " ", answer.text))
    assert "Không có phòng \"QLKH-CU\" trong danh sách phòng" in text, text[:800]
    assert "xem các mục tô đỏ" not in text
    assert offices(site.app) == before
