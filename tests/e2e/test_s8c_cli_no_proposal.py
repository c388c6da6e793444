"""`ykien round respond --agree` records a call's "Không có đề xuất" as the CLI, a subprocess, runs it; with a
proposal file as well it is refused (exit 2, naming the options) and nothing is written; a call whose answering
units all said no closes as one nobody proposed to."""
from __future__ import annotations

import json

from letter_inputs import give_letter_inputs
from test_cli_round import A1, CREATE, show

from workflows.service.registry import get_workflow


def test_the_cli_records_no_proposal_and_refuses_it_with_a_proposal_file(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE, "--workflow", "proposal_call")
    give_letter_inputs(cli)
    cli.at("2025-11-20T09:00")
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    form = tmp_path / "phieu.json"
    form.write_text(json.dumps(A1, ensure_ascii=False), encoding="utf-8")
    before = cli.snapshot()
    refused = cli("round", "respond", "1", "SCT", "--agree", "--proposal-file", str(form), "--json", expect=2).json
    assert "--agree" in refused["error"]["message"] and "--proposal-file" in refused["error"]["message"]
    assert cli.snapshot() == before

    said = cli("round", "respond", "1", "SCT", "--agree", "--note", "CV 55/SCT").out
    assert "Đã ghi nhận trả lời của Sở Công Thương (SCT): Không có đề xuất" in said
    _, units = show(cli)
    assert units["SCT"]["answer"] == "agree" and units["SCT"]["answer_label"] == "Không có đề xuất"

    cli.at("2025-12-10T09:00")
    cli("tick")  # the close: only "no" answered
    shown, _ = show(cli)
    assert get_workflow("proposal_call").state_title(shown["status"]) == "Không có đề xuất"
