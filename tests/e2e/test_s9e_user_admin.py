"""An administrator's bad input to `ykien user …`: a password of spaces only, a taken login (in any case), and the
list of a home with no account yet; each said in Vietnamese naming what is wrong, and nothing written."""
from __future__ import annotations

PASSWORD = "mat-khau-ban-dau"


def test_a_password_of_spaces_only_is_refused_naming_the_option_and_adds_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    refused = cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", expect=2,
                  YKIEN_NEW_PASSWORD=" " * 12)
    assert "Lỗi: --password-env: mật khẩu không được để trống hay chỉ gồm dấu cách." in refused.err
    assert cli("user", "list", "--json").json == []


def test_a_short_password_names_the_option_it_came_from(cli) -> None:  # type: ignore[no-untyped-def]
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", YKIEN_NEW_PASSWORD=PASSWORD)
    short = cli("user", "reset-password", "canbo", "--password-env", "MAT_KHAU", MAT_KHAU="ngan", expect=2)
    assert "Lỗi: --password-env: mật khẩu phải có ít nhất 10 ký tự." in short.err


def test_a_taken_login_is_refused_naming_the_login_whatever_its_case(cli) -> None:  # type: ignore[no-untyped-def]
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", YKIEN_NEW_PASSWORD=PASSWORD)
    taken = cli("user", "add", "CanBo", "--name", "Người khác", "--role", "leader", expect=2,
                YKIEN_NEW_PASSWORD=PASSWORD)
    assert 'Lỗi: USERNAME: tài khoản "canbo" đã có; chọn tên đăng nhập khác.' in taken.err
    assert [(u["username"], u["name"]) for u in cli("user", "list", "--json").json] == [("canbo", "Phạm Phi Long")]


def test_the_list_of_a_home_without_accounts_says_so(cli) -> None:  # type: ignore[no-untyped-def]
    assert "Chưa có tài khoản nào" in cli("user", "list").out


def test_roles_are_said_in_the_words_of_the_account_pages(cli) -> None:  # type: ignore[no-untyped-def]
    added = cli("user", "add", "canbo", "--name", "Lò Thị Mai", "--office", "QLKH", YKIEN_NEW_PASSWORD=PASSWORD)
    assert "Đã thêm tài khoản canbo: Cán bộ phòng, phòng QLKH." in added.out
    moved = cli("user", "set-role", "canbo", "--role", "leader")
    assert "Tài khoản canbo: Lãnh đạo (chỉ xem)." in moved.out
    listed = cli("user", "list").out
    assert "Lãnh đạo (chỉ xem)" in listed and "\tleader\t" not in listed
    assert cli("user", "list", "--json").json[0]["role"] == "leader"  # the code stays for machines


def test_a_taken_login_is_said_before_a_password_is_asked_for(cli) -> None:  # type: ignore[no-untyped-def]
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", YKIEN_NEW_PASSWORD=PASSWORD)
    taken = cli("user", "add", "canbo", "--name", "Người khác", "--role", "leader", expect=2, YKIEN_NEW_PASSWORD=None)
    assert 'tài khoản "canbo" đã có' in taken.err and "mật khẩu" not in taken.err
