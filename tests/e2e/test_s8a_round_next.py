"""`ykien round next` starts the next period's round only where the kind's definition offers it (`allows:
["next_round"]`, a report collection being consolidated or reported): from a consultation, or from a report round
still collecting, it is refused (exit 1) with the states that allow it, if any, and the steps the round's state
offers, and no round is created."""
from __future__ import annotations

from letter_inputs import give_letter_inputs
from test_cli_report_collection import CREATE as REPORT_ROUND
from test_db_backup import CREATE as CONSULTATION

NEXT = ("round", "next", "1", "--title", "Đợt năm 2026", "--deadline", "04/12/2026")


def test_next_is_refused_on_a_consultation_with_the_steps_its_state_offers(cli) -> None:  # type: ignore[no-untyped-def]
    cli(*CONSULTATION)
    cli("round", "launch", "1", "--no-draft-reason", "Thử")
    cli("round", "close", "1")
    refused = cli(*NEXT, expect=1).err
    assert "Không tạo được đợt tiếp theo từ đợt 1: quy trình \"Lấy ý kiến góp ý dự thảo\" không có bước tạo đợt " \
           "tiếp theo." in refused, refused
    assert "Các bước làm được ở trạng thái \"Đang tổng hợp\": ghi nhận trả lời, gia hạn, hoàn thành tổng hợp." in \
        refused, refused
    assert len(cli("round", "list", "--json").json) == 1


def test_next_waits_for_a_report_round_to_be_consolidated(cli) -> None:  # type: ignore[no-untyped-def]
    cli(*REPORT_ROUND)
    give_letter_inputs(cli)
    cli("round", "launch", "1")
    refused = cli(*NEXT, "--json", expect=1).json["error"]
    assert refused["code"] == "next_round_not_allowed"
    assert "chỉ cho tạo đợt tiếp theo khi đợt ở trạng thái \"Đang tổng hợp báo cáo\", \"Đã báo cáo UBND tỉnh và Bộ " \
           "KH&CN\", đợt này đang ở trạng thái \"Đang thu thập báo cáo\"" in refused["message"], refused
    assert "ghi nhận trả lời, gia hạn, đôn đốc, kết thúc nhận trả lời" in refused["message"], refused
    assert len(cli("round", "list", "--json").json) == 1
    cli("round", "close", "1")
    assert cli(*NEXT, "--json").json == {"id": 2, "previous_round": 1}
