"""The demo circulates a draft, as a consultation must: its units read it on their page and comment on the sections
the story's comments name; the units that answered through their link count as having opened it."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from config.clock import SystemClock
from config.settings import load_settings
from workflows.demo import run_demo
from workflows.demo_drafts import PLAN_OUTLINE, REGULATION_OUTLINE, write_draft
from workflows.service.app import build_app
from workflows.service.draft_html import convert_docx
from workflows.service.views import round_view


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    run_demo(home)
    return home


def _rows(home: Path, query: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(home / "ykien.db")
    try:
        return list(connection.execute(query))
    finally:
        connection.close()


def test_the_story_round_goes_out_with_its_draft(demo_home: Path) -> None:
    rows = _rows(demo_home, "SELECT round_id, version, filename FROM draft_versions ORDER BY round_id, version")
    assert rows == [(1, 1, "du-thao-ke-hoach.docx")]
    settings = load_settings(home=demo_home, database_url=f"sqlite:///{demo_home}/ykien.db", smtp_url=None, now=None)
    app = build_app(settings, SystemClock())
    try:
        view = round_view(app, 1)
        assert view.state.draft_version == 1
    finally:
        app.close()


def test_the_sections_the_story_comments_on_are_the_drafts_own(demo_home: Path) -> None:
    sections = set(convert_docx((demo_home / "du-thao-ke-hoach.docx").read_bytes()).sections)
    named = {row[0] for row in _rows(demo_home, "SELECT section FROM comments WHERE section IS NOT NULL")}
    assert named == {"Mục II.2", "Mục IV", "Mục III.1"}
    assert named <= sections, sections


def test_units_that_answered_through_their_link_had_opened_it(demo_home: Path) -> None:
    opened = {row[0] for row in _rows(demo_home, "SELECT unit_code FROM recipients WHERE first_opened_at IS NOT NULL")}
    assert opened == {"SCT", "SYT"}


def test_the_regulation_draft_is_numbered_by_chapter_and_article(tmp_path: Path) -> None:
    path = write_draft(tmp_path / "quy-che.docx", "QUY CHẾ", "Quản lý nhiệm vụ", REGULATION_OUTLINE)
    sections = convert_docx(path.read_bytes()).sections
    assert "Chương I" in sections and "Điều 5" in sections, sections
    plan = convert_docx(write_draft(tmp_path / "ke-hoach.docx", "KẾ HOẠCH", "Hỗ trợ", PLAN_OUTLINE).read_bytes())
    assert plan.sections[:3] == ("Phần mở đầu", "Mục I", "Mục I.1"), plan.sections


def test_the_drafts_are_on_a4_with_decree_30s_margins_as_the_sos_own_are(tmp_path: Path) -> None:
    import docx

    draft = write_draft(tmp_path / "ke-hoach.docx", "KẾ HOẠCH", "Hỗ trợ", PLAN_OUTLINE)
    section = docx.Document(str(draft)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(margin.mm) for margin in (section.left_margin, section.right_margin, section.top_margin)] == [30, 15, 20]
