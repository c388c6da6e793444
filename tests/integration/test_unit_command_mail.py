"""A staff command about one unit (an extension, a reminder, a paper answer's receipt) sends that unit's mail, not
the round's: while a launch's 300 invitations wait in the outbox (launched with --queue-only, or being sent by the
sweep), extending one unit's deadline used to send all 300 before the command returned (in a web request, under a
proxy's timeout). The round's mail is the sweep's, and goes out with it, each once."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from models.db.tables import OutboxRow
from notifications.testing import SmtpCapture
from tests.integration.test_answer_path import STAFF, launched_round, write_units
from workflows.engine.events import Extend, Remind
from workflows.service.app import App
from workflows.service.commands import FEW_UNITS, addressed_units, deliver_queued, run_command
from workflows.service.directory import import_units
from workflows.service.rounds import execute

UNITS = 300


def queued(app: App, round_id: int) -> int:
    with app.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(OutboxRow).where(
            OutboxRow.round_id == round_id, OutboxRow.status == "queued")) or 0)


def units_of(capture: SmtpCapture, since: int) -> list[str]:
    return sorted(str(message["X-Ykien-Unit"]) for message in capture.messages[since:])


def test_extending_or_reminding_one_unit_sends_its_mail_only_while_the_rounds_invitations_wait(
        app: App, tmp_path: Path, capture: SmtpCapture) -> None:
    import_units(app, write_units(tmp_path / "units.csv", UNITS), STAFF)
    codes = [f"DV{i:04d}" for i in range(1, UNITS + 1)]
    round_id, _ = launched_round(app, codes)  # 300 invitations queued, due, none sent
    assert queued(app, round_id) == UNITS and capture.messages == []

    extended = run_command(app, round_id, Extend(date(2025, 12, 12), "DV0007", "Đơn vị xin thêm thời gian"), STAFF)
    assert extended.delivery is not None and extended.delivery.sent == 2  # its invitation, then its extension
    assert units_of(capture, 0) == ["DV0007", "DV0007"]
    assert [m["X-Ykien-Kind"] for m in capture.messages] == ["invitation", "extension"]  # in the order queued

    reminded = run_command(app, round_id, Remind(("DV0011", "DV0012")), STAFF)
    assert reminded.delivery is not None and reminded.delivery.sent == 4
    assert units_of(capture, 2) == ["DV0011", "DV0011", "DV0012", "DV0012"]
    assert queued(app, round_id) == UNITS - 3

    rest = deliver_queued(app, round_id)  # what the sweep does: the round's mail, each message once
    assert rest.report is not None and rest.report.sent == UNITS - 3
    assert sorted(set(units_of(capture, 0))) == codes and len(capture.messages) == UNITS + 3


def test_a_command_to_more_units_than_a_claim_sends_the_rounds_mail_as_a_launch_does(app: App,
                                                                                     tmp_path: Path) -> None:
    import_units(app, write_units(tmp_path / "units.csv", UNITS), STAFF)
    round_id, _ = launched_round(app, [f"DV{i:04d}" for i in range(1, FEW_UNITS + 2)])
    few = execute(app, round_id, Remind(tuple(f"DV{i:04d}" for i in range(1, FEW_UNITS + 1))), STAFF)
    assert addressed_units(few) == {f"DV{i:04d}" for i in range(1, FEW_UNITS + 1)}
    every = execute(app, round_id, Remind(), STAFF)  # the 51 units: the round's whole mail
    assert addressed_units(every) is None
