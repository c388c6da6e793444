"""A unit field finds its unit in SQL, on SQLite and PostgreSQL alike, by the keys stored beside the units' codes and
names (tests/integration/test_search_keys.py: the key Python makes of what staff type, models.text.search_key,
for every Vietnamese letter in either case and in NFC or NFD); a code, a name, part of one, with or without
diacritics, finds the unit, and what fits several or none says so."""
from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from workflows.engine.events import Launch
from workflows.service import unit_lookup
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round, execute
from workflows.service.unit_lookup import find_answering_unit, search_answering_units

UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
STAFF = "Phạm Phi Long (TĐC)"


@pytest.fixture
def round_id(app: App) -> int:
    import_units(app, UNITS_CSV, STAFF)
    new = NewRound(title="Kế hoạch thử", subject="", workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
                   addressees=(Addressee(groups=("so-ban-nganh", "xa-phuong")),), contact_name="Ông Phạm Phi Long",
                   contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền")
    created = create_round(app, new, STAFF)
    execute(app, created, Launch(), STAFF)
    return created


@pytest.mark.parametrize(("typed", "code"), [
    ("SYT", "SYT"), ("syt", "SYT"), ("Sở Y tế", "SYT"), ("so y te", "SYT"), ("SỞ Y TẾ", "SYT"),
    (unicodedata.normalize("NFD", "Sở Tư pháp"), "STP"), ("tài chính", "STC"), ("hoa an", "X-HOAAN"),
    ("  Sở   Xây dựng ", "SXD"), ("UY BAN NHAN DAN PHUONG TAN GIANG", "P-TANGIANG"), ("p-tangiang", "P-TANGIANG"),
    ("phường tân", "P-TANGIANG"),
])
def test_a_code_a_name_or_part_of_one_finds_the_unit(app: App, round_id: int, typed: str, code: str) -> None:
    found = find_answering_unit(app, round_id, typed)
    assert (found.code, found.problem) == (code, None)


def test_what_fits_several_or_none_says_so_naming_the_candidates(app: App, round_id: int,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    several = find_answering_unit(app, round_id, "so")  # the 7 Sở, none of the 3 xã, phường
    assert several.code is None and several.problem == (
        '"so" khớp nhiều đơn vị: Sở Công Thương (SCT); Sở Giáo dục và Đào tạo (SGDDT); Sở Nội vụ (SNV); '
        "Sở Tài chính (STC); Sở Tư pháp (STP); Sở Xây dựng (SXD); Sở Y tế (SYT). Nhập mã đơn vị (trong ngoặc) hoặc "
        "tên đầy đủ.")
    monkeypatch.setattr(unit_lookup, "CANDIDATES", 3)
    more = find_answering_unit(app, round_id, "so").problem
    assert more is not None and "Sở Nội vụ (SNV) và các đơn vị khác. Nhập mã" in more and "STC" not in more
    none = find_answering_unit(app, round_id, "Sở Ngoại vụ")
    assert none.code is None and none.problem == ("Không có đơn vị nào được đề nghị trả lời trong đợt này có mã hoặc "
                                                  "tên khớp \"Sở Ngoại vụ\".")
    assert find_answering_unit(app, round_id, "LMHTX").problem is not None  # not among the round's units
    assert find_answering_unit(app, round_id, "%").problem is not None  # a LIKE wildcard is a character
    assert find_answering_unit(app, round_id, " ").problem == "Nhập mã hoặc tên đơn vị."
    assert find_answering_unit(app, round_id, "x" * 301).problem == "Đơn vị: dài 301 ký tự, tối đa 300."


def test_the_search_offers_the_best_first_and_at_most_its_limit(app: App, round_id: int) -> None:
    assert search_answering_units(app, round_id, "so y te") == [("SYT", "Sở Y tế")]
    assert [code for code, _ in search_answering_units(app, round_id, "s", limit=3)] == ["SCT", "SGDDT", "SNV"]
    assert search_answering_units(app, round_id, "STC")[0] == ("STC", "Sở Tài chính")  # the code before names
    assert search_answering_units(app, round_id, "_") == [] and search_answering_units(app, round_id, "") == []
    assert search_answering_units(app, round_id, "s" * 301) == []
