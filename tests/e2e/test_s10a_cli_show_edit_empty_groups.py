"""`ykien round show` of a draft and `ykien round edit` that chooses an empty group (the 12-unit directory leaves
`trung-uong` empty) say it as `round create` does: the notice on stderr (exit 0), `empty_groups` in --json; a round
that has gone out says nothing of the sort."""
from __future__ import annotations

from pathlib import Path

from test_s9a_cli_empty_groups import CREATE, EMPTY, _draft, _flat


def test_show_of_a_draft_names_the_empty_group_until_it_goes_out(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh", "--group", "trung-uong")
    shown = cli("round", "show", "1")
    assert shown.code == 0
    assert f"Lưu ý: {EMPTY}" in _flat(shown.err) and "ykien round edit 1" in _flat(shown.err)
    data = cli("round", "show", "1", "--json")
    [group] = data.json["empty_groups"]
    assert (group["code"], group["label"], group["units_now"]) == ("trung-uong", "Cơ quan trung ương", 0)
    assert group["notice"].startswith(EMPTY) and data.err == ""
    cli("round", "launch", "1", "--queue-only")
    after = cli("round", "show", "1")
    assert after.code == 0 and "Lưu ý" not in after.err and "trung" not in after.err
    assert cli("round", "show", "1", "--json").json["empty_groups"] == []


def test_show_of_a_draft_whose_groups_have_units_says_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh")
    assert cli("round", "show", "1").err == ""
    assert cli("round", "show", "1", "--json").json["empty_groups"] == []


def test_edit_that_chooses_an_empty_group_warns_as_create_does(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli.at("2025-11-20T09:00")
    created = cli(*CREATE, _draft(tmp_path), "--group", "so-ban-nganh")
    assert created.err == ""
    edited = cli("round", "edit", "1", "--group", "so-ban-nganh", "--inform", "trung-uong")
    assert edited.code == 0 and "Đã sửa đợt số 1" in edited.out
    assert f"Lưu ý: {EMPTY}" in _flat(edited.err) and "ykien round edit 1" in _flat(edited.err)
    as_json = cli("round", "edit", "1", "--group", "so-ban-nganh", "--group", "trung-uong", "--json")
    assert [g["code"] for g in as_json.json["empty_groups"]] == ["trung-uong"] and as_json.err == ""
    fixed = cli("round", "edit", "1", "--group", "so-ban-nganh", "--json")
    assert fixed.json["empty_groups"] == [] and "addressees" in fixed.json["changed"]
    assert cli("round", "edit", "1", "--title", "Kế hoạch mới").err == ""
