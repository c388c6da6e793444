"""An answer entered after the round stopped taking them is refused with how to accept it late, on the command line
too: the refusal names --late (as the API names its late_accept field); the page names its checkbox."""
from __future__ import annotations

from test_cli_sign import CREATE


def test_a_late_answer_refused_names_the_option_that_accepts_it(cli) -> None:  # type: ignore[no-untyped-def]
    round_id = cli(*CREATE).json["id"]
    cli("round", "launch", str(round_id), "--no-draft-reason", "Gửi công văn trước, dự thảo gửi sau")
    cli("round", "close", str(round_id))
    refused = cli("round", "respond", str(round_id), "SCT", "--agree", expect=1)
    assert "Thêm --late để ghi nhận trả lời muộn." in refused.err
    cli("round", "respond", str(round_id), "SCT", "--agree", "--late")
