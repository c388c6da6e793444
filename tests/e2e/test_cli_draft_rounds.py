"""`ykien round edit|delete`, `ykien office add|rename|list` and `round launch --no-draft-reason`, in process: bad input
exits 2 naming the option, refusals exit 1, and neither changes anything."""
from __future__ import annotations

import unicodedata

CREATE = ("round", "create", "--title", "Kế hoạch nâng cao năng suất", "--office", "TĐC", "--deadline",
          "10 ngày làm việc", "--group", "so-ban-nganh", "--contact-name", "Ông Phạm Phi Long", "--contact-phone",
          "0912130290", "--signer-name", "Nông Thị Thanh Huyền", "--json")


def _error(result) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return result.json["error"]["code"], result.json["error"]["message"]


def test_a_draft_is_edited_and_deleted_and_a_launched_one_never(cli) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    assert cli(*CREATE).json["id"] == 1
    before = cli.snapshot()
    for args, code, words in (
            (("--title", ""), "missing_field", "--title: không được để trống."),
            (("--deadline", "01/11/2025"), "deadline_in_past", "--deadline: 01/11/2025 đã qua"),
            (("--office", "TDC"), "office_unknown", "Có phải \"TĐC\"?"),
            ((), "nothing_to_change", "Không có gì để sửa")):
        result = cli("round", "edit", "1", *args, "--json", expect=2)
        assert _error(result)[0] == code and words in _error(result)[1], args
    assert cli.snapshot() == before
    edited = cli("round", "edit", "1", "--title", "Kế hoạch đã sửa", "--unit", "SCT",
                 "--office", unicodedata.normalize("NFD", "QLKH"), "--json").json
    assert set(edited["changed"]) >= {"title", "office", "recipients"}
    shown = cli("round", "show", "1", "--json").json
    assert shown["title"] == "Kế hoạch đã sửa" and [u["unit_code"] for u in shown["units"]] == ["SCT"]
    after_edit = cli.snapshot()
    refused = cli("round", "launch", "1", "--json", expect=1)
    assert _error(refused)[0] == "draft_required" and "chưa có tệp dự thảo" in _error(refused)[1]
    too_long = cli("round", "launch", "1", "--no-draft-reason", "x" * 1001, "--json", expect=2)
    assert "--no-draft-reason: dài 1.001 ký tự, tối đa 1.000." in _error(too_long)[1]
    assert cli.snapshot() == after_edit  # the refused launches changed nothing
    cli("round", "launch", "1", "--no-draft-reason", "Thư mời là toàn bộ nội dung", "--queue-only")
    audit = cli("round", "audit", "1", "--json").json["events"]
    assert audit[-1]["action"] == "launch" and audit[-1]["details"]["no_draft_reason"] == "Thư mời là toàn bộ nội dung"
    assert cli.snapshot() != after_edit
    launched = cli.snapshot()
    assert _error(cli("round", "edit", "1", "--title", "X", "--json", expect=1))[0] == "round_launched"
    assert _error(cli("round", "delete", "1", "--json", expect=1))[0] == "round_launched"
    assert cli.snapshot() == launched
    assert cli(*CREATE).json["id"] == 2
    assert "Đã xóa bản nháp số 2" in cli("round", "delete", "2").out
    assert [r["id"] for r in cli("round", "list", "--json").json] == [1]
    assert _error(cli("round", "delete", "2", "--json", expect=1))[0] == "round_not_found"


def test_offices_are_added_and_renamed_with_the_rounds_and_accounts_that_use_them(cli) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    assert {o["code"] for o in cli("office", "list", "--json").json} == {"TĐC", "QLKH"}
    for args, status, code in ((("TDC", "--name", "Phòng khác"), 2, "office_exists"),
                               ((unicodedata.normalize("NFD", "TĐC"), "--name", "X"), 2, "office_exists"),
                               (("", "--name", "X"), 2, "office_missing"),
                               (("A" * 41, "--name", "X"), 2, "text_too_long"),
                               (("KT", "--name", ""), 2, "office_name_missing")):
        assert _error(cli("office", "add", *args, "--json", expect=status))[0] == code, args
    cli("office", "add", "KT", "--name", "Phòng Kế hoạch - Tài chính")
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "QLKH", YKIEN_NEW_PASSWORD="matkhau-rat-dai")
    unknown = cli("user", "add", "khac", "--name", "Người Khác", "--office", "QLK", "--json", expect=2,
                  YKIEN_NEW_PASSWORD="matkhau-rat-dai")
    assert _error(unknown)[0] == "office_unknown" and "Có phải \"QLKH\"?" in _error(unknown)[1]
    cli(*CREATE[:5], "QLKH", *CREATE[6:])
    assert _error(cli("office", "rename", "QLKH", "KT", "--json", expect=2))[0] == "office_exists"
    cli("office", "rename", "QLKH", "QLKH&SHTT", "--name", "Phòng Quản lý Khoa học và Sở hữu trí tuệ")
    assert cli("round", "list", "--json").json[0]["office"] == "QLKH&SHTT"
    assert {u["username"]: u["office"] for u in cli("user", "list", "--json").json}["canbo"] == "QLKH&SHTT"
    cli("office", "rename", "KT", "QLKH&SHTT", "--merge")
    assert {o["code"] for o in cli("office", "list", "--json").json} == {"TĐC", "QLKH&SHTT"}
