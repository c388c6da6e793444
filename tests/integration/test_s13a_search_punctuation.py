"""A search reads punctuation and hyphens as spaces, on SQLite and PostgreSQL alike (models.text.search_key, the keys
stored beside the names, models.db.search_match): "sở ban ngành" finds the group "Các sở, ban, ngành, đoàn thể tỉnh" and
"so ban nganh" its code so-ban-nganh; a text is found exactly when its key holds the search's; one query a
search."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import event, literal, select

from models.db.search_match import match_rank
from models.text import SEARCH_SPACES, search_key
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.directory_lookup import find_in_directory

UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
STAFF = "Phạm Phi Long (TĐC)"


def test_the_key_has_words_and_single_spaces_only() -> None:
    assert search_key("Các sở, ban, ngành…") == "cac so ban nganh"
    assert search_key("so-ban-nganh") == search_key("SO BAN NGANH") == "so ban nganh"
    assert search_key("  Sở  –  Ban  ") == "so ban" and search_key(SEARCH_SPACES) == ""
    assert search_key("100% (a_b)") == "100 a b"


@pytest.mark.parametrize(("text", "typed"), [
    ("Các sở, ban, ngành, đoàn thể tỉnh", "sở ban ngành"), ("Các sở, ban, ngành, đoàn thể tỉnh", "ngành đoàn"),
    ("so-ban-nganh", "so ban nganh"), ("Trung tâm Thông tin - Văn phòng", "thong tin van"),
    ("Sở Tư pháp;  Sở Y tế", "phap so y"), (unicodedata.normalize("NFC", "A – B"), "a b"),
    ("Xã Hòa An", "hoa an"), ("Hội Nông dân", "hoa an"), ("Sở Tư pháp", "tu phap so"), ("Hòa, An", "hoa an"),
    ("Hòa.n", "hoa an"), ("100% (a_b)", "100 a b"), ("100% (a_b)", "0 a"), ("a_b", "a b"), ("ab", "a_b"),
])
def test_a_text_is_found_exactly_when_its_key_holds_the_search(app: App, text: str, typed: str) -> None:
    """Ranked by the stored keys (a LIKE's % and _ in the key are the characters themselves): "hoa an" finds "Hòa,
    An" and not "Hội Nông dân", "tu phap so" not "Sở Tư pháp" (the words out of order)."""
    key = search_key(typed)
    with app.engine.connect() as connection:
        rank = connection.scalar(select(match_rank(literal("CODE"), literal(search_key(text)), key)))
    assert (rank is not None) is (key in search_key(text)), (search_key(text), key, rank)


def test_a_group_by_its_punctuated_label_or_hyphened_code_in_one_query(app: App) -> None:
    import_units(app, UNITS_CSV, STAFF)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(app.engine, "before_cursor_execute", seen)
    try:
        by_label = find_in_directory(app, "sở ban ngành", groups=True)
        count = len(statements)
        by_code = find_in_directory(app, "so ban nganh", groups=True)
        dashed = find_in_directory(app, "Thông tin – Văn phòng", groups=True)
    finally:
        event.remove(app.engine, "before_cursor_execute", seen)
    assert by_label.found is not None and (by_label.found.code, by_label.found.is_group) == ("so-ban-nganh", True)
    assert by_code.found is not None and (by_code.found.code, by_code.found.rank) == ("so-ban-nganh", 0)
    assert dashed.found is not None and dashed.found.code == "TTTT-VP"
    assert len([s for s in statements[:count] if s.lstrip().upper().startswith("SELECT")]) == 1, statements
