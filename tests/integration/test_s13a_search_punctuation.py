"""A search reads punctuation and hyphens as spaces, on SQLite and PostgreSQL alike (models.text.search_key and its
SQL twin models.db.folding): "sở ban ngành" finds the group "Các sở, ban, ngành, đoàn thể tỉnh" and "so ban nganh"
its code so-ban-nganh; PostgreSQL's prefilter (key_shape) keeps every row whose key holds the search's, and not
every row; one query a search."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import event, literal, select

from models.db.folding import folded, key_shape, key_words_shape, match_rank
from models.text import SEARCH_SPACES, search_key
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.directory_lookup import find_in_directory

UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
STAFF = "Phạm Phi Long (TĐC)"
PUNCTUATED = ["Các sở, ban, ngành…", "so-ban-nganh", "  Sở  –  Ban  ", "100% (a_b)", "KH&CN", "“Trích” «dẫn»",
              "a\tb\u00a0c\u2003d", "Trung tâm Thông tin - Văn phòng UBND tỉnh", "x/y\\z'\"", SEARCH_SPACES,
              unicodedata.normalize("NFD", "Sở Tư pháp; Sở Y tế.")]


@pytest.mark.parametrize("text", PUNCTUATED)
def test_sql_reads_punctuation_as_python_does(app: App, text: str) -> None:
    with app.engine.connect() as connection:
        assert connection.scalar(select(folded(literal(text)))) == search_key(text)


def test_the_key_has_words_and_single_spaces_only() -> None:
    assert search_key("Các sở, ban, ngành…") == "cac so ban nganh"
    assert search_key("so-ban-nganh") == search_key("SO BAN NGANH") == "so ban nganh"
    assert search_key("  Sở  –  Ban  ") == "so ban" and search_key(SEARCH_SPACES) == ""
    assert search_key("100% (a_b)") == "100 a b"


@pytest.mark.parametrize(("text", "typed"), [
    ("Các sở, ban, ngành, đoàn thể tỉnh", "sở ban ngành"), ("Các sở, ban, ngành, đoàn thể tỉnh", "ngành đoàn"),
    ("so-ban-nganh", "so ban nganh"), ("Trung tâm Thông tin - Văn phòng", "thong tin van"),
    ("Sở Tư pháp;  Sở Y tế", "phap so y"), (unicodedata.normalize("NFC", "A – B"), "a b"),
])
def test_the_prefilter_keeps_a_text_whose_key_holds_the_search(app: App, text: str, typed: str) -> None:
    """On PostgreSQL match_rank folds only the rows its shapes keep (key_shape's LIKE, key_words_shape's regular
    expression); SQLite ranks in Python. Either way the text is found."""
    key = search_key(typed)
    assert key in search_key(text)
    with app.engine.connect() as connection:
        assert connection.scalar(select(literal(text.lower()).like(key_shape(key), escape="/"))) in (True, 1)
        assert connection.scalar(select(match_rank(literal("CODE"), literal(text), key))) is not None


@pytest.mark.parametrize(("text", "typed"), [("Xã Hòa An", "hoa an"), ("Hội Nông dân", "hoa an"),
                                             ("so-ban-nganh", "so ban nganh"), ("Sở Tư pháp", "tu phap so"),
                                             ("Hòa, An", "hoa an"), ("Hòa.n", "hoa an")])
def test_the_shape_keeps_no_text_without_the_words_in_order(app: App, text: str, typed: str) -> None:
    """A space of the key stands for punctuation and spaces only, not for any text: "hoa an" does not keep "Hội Nông
    dân" for folding (a space as LIKE's % kept 4,231 of 5,000 made-up names)."""
    key, words = search_key(typed), key_words_shape(search_key(typed))
    fits = key in search_key(text)
    assert words is not None and bool(re.search(words, text.lower())) is fits  # Python's re reads it as PostgreSQL
    if app.engine.dialect.name == "postgresql":
        with app.engine.connect() as connection:
            assert connection.scalar(select(literal(text.lower()).regexp_match(words))) is fits


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
