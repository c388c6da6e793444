"""The draft `ykien round next` made can be deleted like any draft: it used to fail with a traceback (its link to the
round it follows, round_origins, still named it: FOREIGN KEY constraint failed). The round it followed keeps its rows,
and the next one started takes a new number."""
from __future__ import annotations

from letter_inputs import give_letter_inputs
from test_cli_report_collection import CREATE as REPORT_ROUND

NEXT = ("round", "next", "1", "--title", "Đợt năm 2026", "--deadline", "04/12/2026")


def test_the_next_periods_draft_is_deleted_and_its_number_not_given_again(cli) -> None:  # type: ignore[no-untyped-def]
    cli(*REPORT_ROUND)
    give_letter_inputs(cli)
    cli("round", "launch", "1")
    cli("round", "close", "1")
    assert cli(*NEXT, "--json").json == {"id": 2, "previous_round": 1}
    deleted = cli("round", "delete", "2")
    assert deleted.out.startswith("Đã xóa bản nháp số 2: Đợt năm 2026") and "Traceback" not in deleted.err
    assert [r["id"] for r in cli("round", "list", "--json").json] == [1]
    assert cli("round", "show", "1", "--json").json["id"] == 1
    assert cli(*NEXT, "--json").json == {"id": 3, "previous_round": 1}
