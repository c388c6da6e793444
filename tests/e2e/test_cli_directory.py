"""`ykien directory groups` and the directory import's refusals, through the command line: groups are data,
wrong input exits 2 and writes nothing."""
from __future__ import annotations

from pathlib import Path

HEADER = "code,name,group,email,contact_person,phone\n"


def _csv(tmp_path: Path, text: str, name: str = "danh-ba.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _refused(cli, *args: str, code: str) -> str:  # type: ignore[no-untyped-def]
    before = cli.snapshot()
    result = cli(*args, "--json", expect=2)
    assert result.json["error"]["code"] == code, result.json
    assert cli.snapshot() == before
    return str(result.json["error"]["message"])


def test_groups_are_listed_added_and_renamed(cli) -> None:  # type: ignore[no-untyped-def]
    listed = cli("directory", "groups", "--json").json
    assert {"code": "so-ban-nganh", "label": "Các sở, ban, ngành tỉnh"} in [
        {"code": g["code"], "label": g["label"]} for g in listed]
    added = cli("directory", "groups", "add", "ban-qlda", "Ban Quản lý dự án", "--json").json
    assert added == {"code": "ban-qlda", "label": "Ban Quản lý dự án", "units": 0}
    renamed = cli("directory", "groups", "rename", "ban-qlda", "Ban QLDA đầu tư xây dựng", "--json").json
    assert renamed["label"] == "Ban QLDA đầu tư xây dựng"
    assert "Ban QLDA đầu tư xây dựng" in cli("directory", "groups").out


def test_a_label_typed_in_nfd_is_stored_in_nfc(process_cli) -> None:  # type: ignore[no-untyped-def]
    cli = process_cli  # the installed script, in a subprocess: NFD text through a real argv
    import unicodedata

    cli("directory", "groups", "add", "ban-qlda", unicodedata.normalize("NFD", "Ban Quản lý"))
    [group] = [g for g in cli("directory", "groups", "--json").json if g["code"] == "ban-qlda"]
    assert group["label"] == unicodedata.normalize("NFC", "Ban Quản lý")


def test_bad_group_input_exits_2_and_changes_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    assert "không phải mã nhóm hợp lệ" in _refused(cli, "directory", "groups", "add", "Ban QLDA", "Ban", code="invalid_group_code")
    _refused(cli, "directory", "groups", "add", "ban-qlda", "   ", code="invalid_group_label")
    _refused(cli, "directory", "groups", "add", "so-ban-nganh", "Nhóm mới", code="group_exists")
    _refused(cli, "directory", "groups", "add", "khac", "các sở, ban, ngành tỉnh", code="group_exists")
    _refused(cli, "directory", "groups", "rename", "khong-co", "Nhãn", code="group_unknown")
    _refused(cli, "directory", "groups", "rename", "bao-chi", "", code="invalid_group_label")
    _refused(cli, "directory", "groups", "rename", "bao-chi", "Cơ quan trung ương", code="group_exists")
    _refused(cli, "directory", "list", "--group", "khong-co", code="group_unknown")


def test_import_with_create_groups_creates_the_groups_it_names(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _csv(tmp_path, HEADER + "BQLDA,Ban Quản lý dự án,ban-qlda,bqlda@caobang.example.vn,,\n"
                                   "BQLDA2,Ban Quản lý dự án 2,ban-qlda,bqlda2@caobang.example.vn,,\n")
    message = _refused(cli, "directory", "import", str(path), code="invalid_csv")
    assert message.count('không có nhóm "ban-qlda"') == 1
    assert 'danh-ba.csv:2: không có nhóm "ban-qlda" (dòng 2, 3)' in message
    report = cli("directory", "import", str(path), "--create-groups", "--json").json
    assert report == {"added": 2, "updated": 0, "total": 2, "groups_created": ["ban-qlda"]}
    [group] = [g for g in cli("directory", "groups", "--json").json if g["code"] == "ban-qlda"]
    assert group == {"code": "ban-qlda", "label": "ban-qlda", "units": 2}


def test_a_header_only_file_is_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    message = _refused(cli, "directory", "import", str(_csv(tmp_path, HEADER)), code="invalid_csv")
    assert "không có đơn vị nào" in message


def test_a_control_character_is_refused_with_line_and_column(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _csv(tmp_path, HEADER + "SYT,Sở Y\x00 tế,so-ban-nganh,syt@caobang.example.vn,,\n")
    message = _refused(cli, "directory", "import", str(path), code="invalid_csv")
    assert "danh-ba.csv:2:9: ký tự điều khiển U+0000 (NUL) không được có trong tệp" in message


def test_an_unknown_header_names_the_accepted_ones_and_the_row_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _csv(tmp_path, "code,ten,group,email\nSYT,Sở Y tế,so-ban-nganh,syt@\n")
    message = _refused(cli, "directory", "import", str(path), code="invalid_csv")
    assert "các tên cột hợp lệ: code, name, group, email, contact_person, phone" in message
    assert 'danh-ba.csv:2: email "syt@" không phải địa chỉ email hợp lệ: không có gì sau dấu @' in message
