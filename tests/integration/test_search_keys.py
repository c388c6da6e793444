"""The search keys stored beside the codes and names a search looks in (models.db.tables.SEARCH_KEYS), on SQLite and
PostgreSQL: each is models.text.search_key of its text whatever the text holds (every Vietnamese letter in either case,
NFC or NFD, punctuation, Unicode's spaces), written when a row is added or its text changes (a unit renamed by an
import, a group relabelled), and filled by migration 0029 for the rows there before; a search then finds a unit by
its new name and not by its old one."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from models.db.tables import RecipientRow, UnitGroupRow, UnitRow
from models.text import SEARCH_SPACES, search_key
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.directory_lookup import find_in_directory

UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
STAFF = "Phạm Phi Long (TĐC)"
VOWELS = "aăâeêioôơuưy"
TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
LETTERS = "".join(unicodedata.normalize("NFC", v + t) for v in VOWELS for t in ("", *TONES)) + "đ"
TEXTS = [LETTERS, LETTERS.upper(), unicodedata.normalize("NFD", LETTERS.upper()), "Ủy ban nhân dân xã Hòa An",
         "ĐẮK LẮK", "100% (a_b)", "Các sở, ban, ngành…", "so-ban-nganh", "  Sở  –  Ban  ", "KH&CN",
         "“Trích” «dẫn»", "a\tb\u00a0c\u2003d", "x/y\\z'\"", SEARCH_SPACES,
         unicodedata.normalize("NFD", "Sở Tư pháp; Sở Y tế.")]


def test_the_key_of_every_vietnamese_letter() -> None:
    vowels = "aaaaaaaaaaaaaaaaaaeeeeeeeeeeeeiiiiiioooooooooooooooooouuuuuuuuuuuuyyyyyy"
    assert search_key(LETTERS) == search_key(LETTERS.upper()) == vowels + "d"


@pytest.mark.parametrize("typed", TEXTS)
def test_a_group_and_a_unit_added_keep_the_key_python_makes_of_their_code_and_name(app: App, typed: str) -> None:
    with app.uow() as uow:
        uow.session.add(UnitGroupRow(code="NHÓM-Đặc biệt", label=typed))
        uow.session.flush()
        uow.session.add(UnitRow(code="ĐV-1", name=typed, group_code="NHÓM-Đặc biệt", email="dv1@caobang.example.vn",
                                updated_at=datetime(2025, 11, 20, tzinfo=UTC)))
        uow.commit()
    with app.engine.connect() as connection:
        group = connection.execute(select(UnitGroupRow.code_key, UnitGroupRow.label_key)).one()
        unit = connection.execute(select(UnitRow.code_key, UnitRow.name_key)).one()
    assert tuple(group) == ("nhom dac biet", search_key(typed))
    assert tuple(unit) == ("dv 1", search_key(typed))


def test_a_rounds_units_keep_their_keys_and_a_rename_writes_the_new_ones(
        app: App, make_round: Callable[..., int], tmp_path: Path) -> None:
    round_id = make_round()
    with app.engine.connect() as connection:
        rows = connection.execute(select(RecipientRow.unit_code, RecipientRow.unit_name, RecipientRow.unit_code_key,
                                         RecipientRow.unit_name_key).where(RecipientRow.round_id == round_id)).all()
    assert len(rows) == 12
    assert all((code_key, name_key) == (search_key(code), search_key(name)) for code, name, code_key, name_key in rows)

    renamed = tmp_path / "units.csv"
    renamed.write_text(UNITS_CSV.read_text(encoding="utf-8").replace("Sở Y tế,", "Sở Y tế và Dân số,"),
                       encoding="utf-8")
    import_units(app, renamed, STAFF)
    with app.uow() as uow:
        assert uow.directory.rename_group("so-ban-nganh", "Các cơ quan chuyên môn") is not None
        uow.commit()
    with app.engine.connect() as connection:
        assert connection.scalar(select(UnitRow.name_key).where(UnitRow.code == "SYT")) == "so y te va dan so"
        assert connection.scalar(select(UnitGroupRow.label_key).where(UnitGroupRow.code == "so-ban-nganh")) == \
            "cac co quan chuyen mon"
    found = find_in_directory(app, "y te va dan")
    assert found.found is not None and found.found.code == "SYT"
    assert find_in_directory(app, "ngành tỉnh", groups=True, units=False).found is None  # the old label
    assert find_in_directory(app, "co quan chuyen", groups=True, units=False).found is not None


def test_migration_0029_fills_the_keys_of_the_rows_before_it_and_goes_down(
        app: App, make_round: Callable[..., int]) -> None:
    from models.db.database import run_migrations

    round_id = make_round()
    run_migrations(app.engine, "0028", down=True)
    with app.engine.begin() as connection:  # written as before 0029: an NFD name, a name in capitals
        connection.execute(text("UPDATE units SET name = :name WHERE code = 'STP'"),
                           {"name": unicodedata.normalize("NFD", "Sở Tư pháp")})
        connection.execute(text("UPDATE recipients SET unit_name = 'SỞ Y TẾ' WHERE unit_code = 'SYT'"))
        columns = {column for column, in connection.execute(text(
            "SELECT name FROM pragma_table_info('units')" if app.engine.dialect.name == "sqlite" else
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'units' "
            "AND table_schema = current_schema()"))}
    assert "name_key" not in columns and "name" in columns
    run_migrations(app.engine, "head")
    with app.engine.connect() as connection:
        units = dict(connection.execute(select(UnitRow.code, UnitRow.name_key)).all())
        groups = dict(connection.execute(select(UnitGroupRow.code, UnitGroupRow.label_key)).all())
        recipients = dict(connection.execute(select(RecipientRow.unit_code, RecipientRow.unit_name_key)
                                             .where(RecipientRow.round_id == round_id)).all())
    assert units["STP"] == "so tu phap" and units["SCT"] == "so cong thuong" and len(units) == 12
    assert groups["so-ban-nganh"] == "cac so ban nganh tinh"
    assert recipients["SYT"] == "so y te" and len(recipients) == 12
    assert find_in_directory(app, "tu phap").found is not None
