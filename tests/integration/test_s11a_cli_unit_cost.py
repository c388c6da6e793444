"""A unit named on the command line (workflows/cli/unit_args.py) costs a few bounded queries, whatever the round's
size: the round's row, the unit by its code, at most the candidates of a search; never the round's list of units."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from models.errors import InvalidInput
from workflows.cli.unit_args import CANDIDATES, chosen_unit
from workflows.service.app import App
from workflows.service.directory import import_units
from workflows.service.rounds import Addressee, NewRound, create_round

STAFF = "Phạm Phi Long (TĐC)"
UNITS = 600


@pytest.fixture
def round_id(app: App, tmp_path: Path) -> int:
    rows = [f"XA-{n:04},Ủy ban nhân dân xã Số {n},xa-phuong,xa{n}@caobang.example.vn,," for n in range(UNITS)]
    units = tmp_path / "units.csv"
    units.write_text("code,name,group,email,contact_person,phone\n" + "\n".join(rows) + "\n", encoding="utf-8")
    import_units(app, units, STAFF)
    return create_round(app, NewRound(
        title="Kế hoạch thử", subject="", workflow="consultation", office="TĐC", deadline=date(2025, 12, 5),
        addressees=(Addressee(groups=("xa-phuong",)),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912 130 290", signer_name="Nông Thị Thanh Huyền"), STAFF)


def statements(app: App, run) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(app.engine, "before_cursor_execute", record)
    return seen


@pytest.mark.parametrize("typed", ["xa-0420", "xã số 420", "số 42"])
def test_one_unit_is_a_few_bounded_queries_in_a_round_of_600(app: App, round_id: int, typed: str) -> None:
    def choose() -> None:
        try:
            assert chosen_unit(app, round_id, typed, "UNIT").code == "XA-0420"
        except InvalidInput as refused:  # "số 42" fits 11 units (42, 420 to 429): refused, naming 10
            assert refused.code == "unit_ambiguous" and refused.message.count("(XA-") == CANDIDATES

    ran = statements(app, choose)
    on_units = [s for s in ran if "recipients" in s]
    assert 1 <= len(on_units) <= 2 and len(ran) <= 4, ran
    assert all("LIMIT" in s.upper() for s in on_units), on_units  # never the round's list
