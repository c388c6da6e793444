"""A round addressed to a group the directory has no unit in, beside groups that have units: refused naming the
empty group, as a round to empty groups only is, and nothing created; the letter would otherwise leave that group
out without a word."""
from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from models.errors import InvalidInput
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round

STAFF = "Phạm Phi Long (TĐC)"
UNITS_CSV = Path(__file__).parents[1] / "fixtures" / "units_12.csv"
SPEC = NewRound(title="Kế hoạch thử", subject="", workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
                addressees=(), contact_name="Ông Phạm Phi Long", contact_phone="0912130290",
                signer_name="Nông Thị Thanh Huyền")


def _rounds(app: App) -> int:
    with app.uow(read_only=True) as uow:
        return len(uow.rounds.list())


def test_a_group_without_units_beside_others_is_refused_by_name_and_nothing_is_created(app: App) -> None:
    import_units(app, UNITS_CSV, STAFF)
    with app.uow() as uow:
        uow.directory.ensure_groups({"xa-moi-sap-nhap": "Xã mới sáp nhập"})
        uow.commit()
    spec = dataclasses.replace(SPEC, addressees=(
        Addressee(groups=("so-ban-nganh", "xa-moi-sap-nhap")),))
    with pytest.raises(InvalidInput) as refused:
        create_round(app, spec, STAFF)
    assert refused.value.code == "group_empty"
    assert "nhóm xa-moi-sap-nhap chưa có cơ quan, đơn vị nào trong danh bạ" in refused.value.message
    assert _rounds(app) == 0
    create_round(app, dataclasses.replace(spec, addressees=(Addressee(groups=("so-ban-nganh",)),)), STAFF)
    assert _rounds(app) == 1
