"""A name written on one line (a unit's contact person, an office) is refused on the page, beside its field, when it
holds a line break, a control character or an invisible format character (a bidi override, a zero-width space): the
rule of config.single_line the CSV import and `office add` follow too. "Ông\\nB" was saved (303)."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from test_draft_rounds import Site

from models.db.tables import UnitRow
from workflows.service.offices import offices


@pytest.fixture
def site(tmp_path: Path) -> Site:
    built = Site(tmp_path / "home")
    yield built  # type: ignore[misc]
    built.app.close()


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(("typed", "said"), [
    ("Ông\nB", "Người liên hệ: có ký tự điều khiển U+000A (xuống dòng)"),
    ("Ông\u202eB", "Người liên hệ: có ký tự định dạng vô hình U+202E"),
    ("Ông\u200bB", "Người liên hệ: có ký tự định dạng vô hình U+200B (khoảng trắng vô hình)"),
])
def test_a_contact_person_on_two_lines_or_with_invisible_characters_is_refused(
        site: Site, typed: str, said: str) -> None:
    staff = site.as_("canbo")
    with site.app.uow() as uow:
        unit = uow.session.get(UnitRow, "SCT")
        assert unit is not None
        before = unit.contact_person
    answer = staff.post("/directory/units/SCT", {"email": "sct@caobang.example.vn", "contact_person": typed})
    assert answer.status_code == 422, answer.status_code
    assert said in _text(answer.text), _text(answer.text)[:1500]
    with site.app.uow() as uow:
        unit = uow.session.get(UnitRow, "SCT")
        assert unit is not None and unit.contact_person == before


def test_an_office_name_on_two_lines_is_refused_on_the_page(site: Site) -> None:
    before = offices(site.app)
    answer = site.as_("admin").post("/offices", {"code": "KHTC", "name": "Phòng\nKế hoạch"})
    assert answer.status_code == 422, answer.status_code
    assert "có ký tự điều khiển U+000A (xuống dòng)" in _text(answer.text), _text(answer.text)[:1500]
    assert offices(site.app) == before
