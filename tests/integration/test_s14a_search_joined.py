"""A search typed without its spaces or punctuation finds the text whose words it joins up ("khcn" finds "KH&CN",
"sobannganh" the group so-ban-nganh), from the start of one of the text's words and with 3 letters or more
(models.text.joins_up, JOINED_MIN), ranked after every other match (4); on SQLite and PostgreSQL alike, in one
query; in the directory's lookups, a round's unit fields and the search box above a round's units."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, literal, select

from models.db.search_match import joined_pattern, match_rank
from models.text import JOINED_MIN, joined_key, joins_up, search_key
from workflows.demo import seed_round
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.directory_lookup import find_in_directory
from workflows.service.rounds import Addressee, create_round
from workflows.service.views import round_grid

UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
STAFF = "Phạm Phi Long (TĐC)"
MORE_UNITS = ("S-KH-CN,Sở Khoa học và Công nghệ,so-ban-nganh,skhcn@caobang.example.vn,Văn phòng Sở,0206 3852 209\n"
              "HQ-PKT,Phòng Kinh tế và KH&CN huyện Hà Quảng,xa-phuong,pkt@caobang.example.vn,,\n"
              "THPT-HA,Trường THPT Hòa An,xa-phuong,thptha@caobang.example.vn,,\n")

# (code, name, typed, the rank both backends give): 3 and under as before, 4 joined up, None not found
RANKS = [
    ("S-KH-CN", "Sở Khoa học và Công nghệ", "khcn", 4),  # the code's words "kh cn"
    ("HQ-PKT", "Phòng Kinh tế và KH&CN huyện", "khcn", 4),
    ("HQ-PKT", "Phòng Kinh tế và KH&CN huyện", "kh cn", 3),  # typed with its space: found as before
    ("HQ-PKT", "Phòng KH – CN", "KHCN", 4),  # a run of separators
    ("X", "Sở KH&CN", "sở khcn", 4),  # several words typed, one of them joined
    ("so-ban-nganh", "Các sở, ban, ngành, đoàn thể tỉnh", "sobannganh", 4),
    ("so-ban-nganh", "Các sở, ban, ngành, đoàn thể tỉnh", "so-ban-nganh", 0),
    ("SYT", "Sở Y tế", "yte", 4),
    ("SYT", "SỞ Y TẾ", "soyte", 4),  # capitals PostgreSQL's lower() leaves under the C locale
    ("SGDDT", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "daotao", 4),
    ("STP", "Sở Tư pháp", unicodedata.normalize("NFD", "sởtưpháp"), 4),  # typed decomposed; kept in NFC
    ("X-HOAAN", "Ủy ban nhân dân xã Hòa An", "xahoaan", 4),
    ("X-HOAAN", "Ủy ban nhân dân xã Hòa An", "hoaan", 3),  # the code "x hoaan" holds it
    # not found: fewer than JOINED_MIN letters, inside a word, letters that only look alike
    ("X", "Sở Y tế", "yt", None),
    ("STC", "Sở Tài chính", "ota", None),  # "sotaichinh" holds it, but from inside "so"
    ("STC", "Sở Tài chính", "taichinhx", None),
    ("X", "Hội Nông dân", "hoaan", None),  # h, three vowels, n: the shape of "hoaan", not its letters
    ("X", "Hòa, An", "hoan", None),
    ("X", "Sở KH&CN", "khcnn", None),
]


@pytest.mark.parametrize(("code", "name", "typed", "rank"), RANKS)
def test_both_backends_rank_a_joined_search_alike(app: App, code: str, name: str, typed: str,
                                                  rank: int | None) -> None:
    key = search_key(typed)
    with app.engine.connect() as connection:
        assert connection.scalar(select(match_rank(literal(search_key(code)), literal(search_key(name)), key))) == rank


@pytest.mark.parametrize(("code", "name", "typed", "rank"), RANKS)
def test_the_sql_pattern_says_what_joins_up_says(code: str, name: str, typed: str, rank: int | None) -> None:
    """SQL tests a stored key by joined_pattern (Python's re reads it as PostgreSQL does, and is SQLite's REGEXP)."""
    joined = joined_key(search_key(typed))
    if joined is None:
        assert rank is None
        return
    for text in (code, name):
        key = search_key(text)
        assert bool(re.search(joined_pattern(joined), key)) is joins_up(joined, key)


def test_the_rule_of_joined_up_letters() -> None:
    assert JOINED_MIN == 3 and joined_key("yt") is None and joined_key("y t") is None and joined_key("") is None
    assert joined_key("so khcn") == "sokhcn" and joined_key("yte") == "yte"
    assert joins_up("khcn", "so kh cn") and joins_up("sobannganh", "cac so ban nganh")
    assert joins_up("khc", "so kh cn")  # as typed, letter by letter: the last word need not be whole
    assert not joins_up("ota", "so tai chinh") and not joins_up("hcn", "so kh cn")
    assert joins_up("khcn", "khcn") and not joins_up("khcn", "")


def _directory(app: App, tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV.read_text(encoding="utf-8") + MORE_UNITS, encoding="utf-8")
    import_units(app, units, STAFF)


def test_joined_matches_come_after_the_others_in_one_query(app: App, tmp_path: Path) -> None:
    _directory(app, tmp_path)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(app.engine, "before_cursor_execute", seen)
    try:
        with app.uow(read_only=True) as uow:
            hoa_an = uow.directory.matching(search_key("hoaan"), 9)
            khcn = uow.directory.matching(search_key("KHCN"), 9, groups=True)
            so = uow.directory.matching(search_key("sở"), 20)
    finally:
        event.remove(app.engine, "before_cursor_execute", seen)
    # "Trường THPT Hòa An" sorts before "Ủy ban nhân dân xã Hòa An" by name; the code's match (3) goes first
    assert [(m.code, m.rank) for m in hoa_an] == [("X-HOAAN", 3), ("THPT-HA", 4)]
    assert [(m.code, m.rank) for m in khcn] == [("HQ-PKT", 4), ("S-KH-CN", 4)]
    assert [m.rank for m in so] == [2] * 8  # "sở" is 2 letters: no joined match is added to the Sở
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 3, statements


def test_a_group_code_typed_without_its_hyphens(app: App, tmp_path: Path) -> None:
    _directory(app, tmp_path)
    by_code = find_in_directory(app, "sobannganh", groups=True, units=False)
    assert by_code.found is not None and (by_code.found.code, by_code.found.rank) == ("so-ban-nganh", 4)
    assert by_code.found.is_group
    several = find_in_directory(app, "khcn")
    assert several.found is None and [m.code for m in several.candidates] == ["HQ-PKT", "S-KH-CN"]
    one = find_in_directory(app, "sokhoahoc")
    assert one.found is not None and one.found.code == "S-KH-CN"


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "Nhập mã hoặc tên đơn vị."),
    ("  &–.  ", "Nhập mã hoặc tên đơn vị."),  # punctuation only: no key
    ("k" * 300, "Không có đơn vị nào trong danh bạ có mã hoặc tên khớp"),
    ("khcn" * 75, "Không có đơn vị nào trong danh bạ có mã hoặc tên khớp"),
    ("đa" * 150, "Không có đơn vị nào trong danh bạ có mã hoặc tên khớp"),
    ("k" * 301, "\"" + "k" * 301 + "\": dài 301 ký tự, tối đa 300. Nhập mã hoặc tên đơn vị."),
])
def test_bad_input_gets_a_clear_answer(app: App, tmp_path: Path, typed: str, problem: str) -> None:
    _directory(app, tmp_path)
    choice = find_in_directory(app, typed)
    assert choice.found is None and not choice.candidates
    assert choice.problem is not None and choice.problem.startswith(problem), choice.problem


def test_a_joined_search_typed_decomposed(app: App, tmp_path: Path) -> None:
    _directory(app, tmp_path)
    choice = find_in_directory(app, unicodedata.normalize("NFD", "SởTưPháp"))
    assert choice.found is not None and (choice.found.code, choice.found.rank) == ("STP", 4)


def test_the_round_grid_search_folds_and_joins_as_the_others(app: App, tmp_path: Path) -> None:
    """The search box above a round's units: found in SQL as every other search (it matched the names' capitals in
    Python, not their diacritics)."""
    _directory(app, tmp_path)
    new = replace(seed_round(), deadline=date(2026, 1, 8), subject="",
                  addressees=(Addressee(groups=("so-ban-nganh",)),))
    round_id = create_round(app, new, STAFF)

    def codes(search: str) -> list[str]:
        return [unit.unit_code for unit in round_grid(app, round_id, search=search).units]

    everyone = codes("")
    assert len(everyone) == 8 and codes("&–.") == everyone  # no key: no search
    assert codes("sotuphap") == codes("tu phap") == codes("SỞ TƯ PHÁP") == ["STP"]
    assert codes("khcn") == ["S-KH-CN"] and codes("ĐÀO") == ["SGDDT"]
    assert codes("otu") == [] and codes("Sở Ngoại vụ") == []  # "sotuphap" holds "otu", but not from a word start
    assert round_grid(app, round_id, search="khoahoc").matched == 1
