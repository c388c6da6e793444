"""YKIEN_REPLY_TO, the Sở's contact mailbox letters are answered to: read, shown by `ykien settings`, and a bad
value refused by name before any command runs (exit 2)."""
from __future__ import annotations

import pytest

from config.settings import SettingsError, load_settings


def test_the_contact_mailbox_is_shown_with_where_it_came_from(cli) -> None:  # type: ignore[no-untyped-def]
    rows = {row["variable"]: row for row in cli("settings", "--json", YKIEN_REPLY_TO=" tdc.skhcn@caobang.gov.vn ")
            .json["settings"]}
    assert rows["YKIEN_REPLY_TO"] == {"field": "reply_to", "variable": "YKIEN_REPLY_TO",
                                      "value": "tdc.skhcn@caobang.gov.vn", "source": "YKIEN_REPLY_TO"}
    blank = {row["variable"]: row for row in cli("settings", "--json", YKIEN_REPLY_TO=" ").json["settings"]}
    assert blank["YKIEN_REPLY_TO"]["value"] is None and blank["YKIEN_REPLY_TO"]["source"] == "mặc định"


def test_a_bad_contact_mailbox_stops_a_command_naming_the_variable(process_cli) -> None:  # type: ignore[no-untyped-def]
    result = process_cli("settings", expect=2, YKIEN_REPLY_TO="tdc.skhcn@caobang")
    assert result.out == ""
    assert result.err.strip().splitlines() == [
        'Lỗi: YKIEN_REPLY_TO: "tdc.skhcn@caobang" không phải địa chỉ email nhận được thư; hãy ghi hộp thư do cán bộ '
        "của Sở đọc, ví dụ tdc.skhcn@caobang.gov.vn"]


@pytest.mark.parametrize(("value", "says"), [
    ("tdc.skhcn", "không phải địa chỉ email nhận được thư"),
    ("@caobang.gov.vn", "không phải địa chỉ email nhận được thư"),
    ("nguyễn.long@caobang.gov.vn", "không phải địa chỉ email nhận được thư"),  # no SMTPUTF8 in the provinces
    ("tdc@skhcn.localhost", "không phải địa chỉ email nhận được thư"),  # nobody reads a reserved domain
    ("Ông Long <tdc@caobang.gov.vn>", "chỉ ghi địa chỉ email, không kèm tên hay dấu < >"),
    ("tdc@caobang.gov.vn, vp@caobang.gov.vn", "chỉ ghi địa chỉ email, không kèm tên hay dấu < >"),
])
def test_the_setting_refuses_what_no_reply_could_reach(value: str, says: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(reply_to=value)
    assert str(refused.value).startswith(f'YKIEN_REPLY_TO: "{value}"'), str(refused.value)
    assert says in str(refused.value)
