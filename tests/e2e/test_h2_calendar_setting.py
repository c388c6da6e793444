"""YKIEN_CALENDAR_FILE naming a file that is not there is bad input naming the variable, exit 2: read as "no extra
days", a typo in the path silently dropped the department's days off and make-up working days from every deadline.
calendar.yaml in the home stays optional (`ykien init` writes it)."""
from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Cli


def test_a_calendar_file_set_but_missing_is_refused_naming_the_variable(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "lich-nam-2026.yaml"
    before = cli.snapshot()
    result = cli("calendar", "add-working-days", "2026-02-12", "3", expect=2, YKIEN_CALENDAR_FILE=str(missing))
    assert result.err.startswith(f'Lỗi: YKIEN_CALENDAR_FILE: không có tệp lịch "{missing}"'), result.err
    assert result.out == ""
    ticked = cli("tick", "--json", expect=2, YKIEN_CALENDAR_FILE=str(missing))
    assert "YKIEN_CALENDAR_FILE" in ticked.json["error"]["message"]
    assert cli.snapshot() == before


def test_the_home_calendar_may_be_missing(cli: Cli) -> None:
    (cli.home / "calendar.yaml").unlink(missing_ok=True)
    shown = cli("calendar", "add-working-days", "2026-02-12", "3", "--json").json
    assert shown["result"] == "2026-02-24", shown
