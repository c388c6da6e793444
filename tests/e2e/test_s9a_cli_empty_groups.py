"""`ykien round create` and `round launch` with a group the directory has no unit in, beside groups that have units
(the 12-unit directory leaves `trung-uong`, which `ykien init` seeds, empty): the round is created and launched
(exit 0), and each time, before anything is sent, stderr names the group and --json carries it as data."""
from __future__ import annotations

from pathlib import Path

from minimal_pdf import minimal_pdf

CREATE = ("round", "create", "--title", "Kế hoạch nâng cao năng suất", "--office", "TĐC", "--deadline",
          "10 ngày làm việc", "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
          "--signer-name", "Nông Thị Thanh Huyền", "--draft")
EMPTY = "Nhóm «Cơ quan trung ương» chưa có đơn vị nào trong danh bạ: thư sẽ không gửi cho nhóm này."


def _draft(tmp_path: Path) -> str:
    path = tmp_path / "du-thao.pdf"
    path.write_bytes(minimal_pdf())
    return str(path)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_create_and_launch_name_the_empty_group_on_stderr_and_exit_0(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    created = cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh", "--group", "trung-uong")
    assert "Đã tạo đợt số 1" in created.out and "Lưu ý" not in created.out and EMPTY not in created.out
    assert f"Lưu ý: {EMPTY}" in _flat(created.err)
    assert "ykien round edit 1" in _flat(created.err)
    launched = cli("round", "launch", "1", "--queue-only")
    assert f"Lưu ý: {EMPTY}" in _flat(launched.err)
    assert "Thư sẽ gửi tới 7 cơ quan, đơn vị của đợt" in _flat(launched.err)
    assert "Đã phát hành đợt số 1" in launched.out and "7 thư được xếp hàng gửi" in launched.out


def test_json_carries_the_empty_groups_as_data(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    created = cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh", "--inform", "trung-uong", "--json")
    [group] = created.json["empty_groups"]
    assert (group["code"], group["label"], group["units_now"]) == ("trung-uong", "Cơ quan trung ương", 0)
    assert group["notice"].startswith(EMPTY)
    assert created.err == ""  # the data is in the JSON, not beside it
    launched = cli("round", "launch", "1", "--queue-only", "--json")
    assert [g["code"] for g in launched.json["empty_groups"]] == ["trung-uong"] and launched.json["messages"] == 7
    assert launched.err == ""


def test_a_unit_added_before_launch_is_reflected_in_the_launch_notice(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh", "--group", "trung-uong")
    more = tmp_path / "them.csv"
    more.write_text("code,name,group,email\nVPCP,Văn phòng Chính phủ,trung-uong,vpcp@example.vn\n", encoding="utf-8")
    cli("directory", "import", str(more))
    launch = cli("round", "launch", "1", "--queue-only", "--json").json
    [group] = launch["empty_groups"]  # the directory has it now; the round's recipients were resolved when saved
    assert group["units_now"] == 1 and "nay có 1 đơn vị trong danh bạ" in group["notice"]


def test_saving_the_recipients_again_sends_to_the_added_unit_and_says_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh", "--group", "trung-uong")
    more = tmp_path / "them.csv"
    more.write_text("code,name,group,email\nVPCP,Văn phòng Chính phủ,trung-uong,vpcp@example.vn\n", encoding="utf-8")
    cli("directory", "import", str(more))
    cli("round", "edit", "1", "--group", "so-ban-nganh", "--group", "trung-uong")
    launched = cli("round", "launch", "1", "--queue-only")
    assert "Lưu ý" not in launched.err and "8 thư được xếp hàng gửi" in launched.out


def test_a_round_whose_groups_all_have_units_says_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    created = cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh", "--group", "xa-phuong")
    assert created.err == ""
    assert cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh", "--json").json["empty_groups"] == []
    launched = cli("round", "launch", "1", "--queue-only")
    assert launched.err == ""
