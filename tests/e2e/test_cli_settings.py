"""`ykien settings`: the settings in force, where each came from, secrets masked, a bad value named."""
from __future__ import annotations


def by_variable(result) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    return {row["variable"]: row for row in result.json["settings"]}


def test_settings_show_the_source_of_each_value(cli) -> None:  # type: ignore[no-untyped-def]
    rows = by_variable(cli("settings", "--json", YKIEN_PLACE_NAME="Lạng Sơn", YKIEN_GOVERNING_BODY=None))
    assert rows["YKIEN_PLACE_NAME"] == {"field": "place_name", "variable": "YKIEN_PLACE_NAME",
                                        "value": "Lạng Sơn", "source": "YKIEN_PLACE_NAME"}
    assert rows["YKIEN_GOVERNING_BODY"]["value"] == "UBND tỉnh Cao Bằng"
    assert rows["YKIEN_GOVERNING_BODY"]["source"] == "mặc định"
    assert rows["YKIEN_HOME"] == {"field": "home", "variable": "YKIEN_HOME", "value": str(cli.home),
                                  "source": "YKIEN_HOME"}
    assert rows["YKIEN_DATABASE_URL"]["value"] == f"sqlite:///{cli.home}/ykien.db"
    assert rows["YKIEN_DATABASE_URL"]["source"] == "mặc định"


def test_a_blank_variable_is_the_default(cli) -> None:  # type: ignore[no-untyped-def]
    rows = by_variable(cli("settings", "--json", YKIEN_CALENDAR_FILE=" "))
    assert rows["YKIEN_CALENDAR_FILE"] == {"field": "calendar_file", "variable": "YKIEN_CALENDAR_FILE",
                                           "value": str(cli.home / "calendar.yaml"), "source": "mặc định"}


def test_settings_mask_the_passwords_and_the_secret_key(cli) -> None:  # type: ignore[no-untyped-def]
    env = {"YKIEN_SMTP_URL": "smtp+starttls://ykien:Mat-khau-9@mail.langson.gov.vn:587",
           "YKIEN_DATABASE_URL": "postgresql+psycopg://ykien:Pg-secret-7@db.local/ykien",
           "YKIEN_SECRET_KEY": "khoa-bi-mat-rat-dai-0123456789-abcdefgh"}
    shown = cli("settings", "--json", **env)
    rows = by_variable(shown)
    assert rows["YKIEN_SMTP_URL"]["value"] == "smtp+starttls://ykien:***@mail.langson.gov.vn:587"
    assert rows["YKIEN_DATABASE_URL"]["value"] == "postgresql+psycopg://ykien:***@db.local/ykien"
    assert rows["YKIEN_SECRET_KEY"] == {"field": "secret_key", "variable": "YKIEN_SECRET_KEY", "value": "***",
                                        "source": "YKIEN_SECRET_KEY"}
    text = cli("settings", **env).out
    for secret in ("Mat-khau-9", "Pg-secret-7", "khoa-bi-mat"):
        assert secret not in shown.out and secret not in text
    assert "YKIEN_PLACE_NAME" in text and "mặc định" in text


def test_a_bad_value_is_one_line_naming_the_variable(process_cli) -> None:  # type: ignore[no-untyped-def]
    cli = process_cli  # the installed script, in a subprocess
    result = cli("settings", expect=2, YKIEN_SMTP_CONNECTIONS="abc")
    assert result.out == ""
    assert result.err.strip().splitlines() == ['Lỗi: YKIEN_SMTP_CONNECTIONS: "abc": phải là một số nguyên']
    shown = cli("settings", "--json", expect=2, YKIEN_SMTP_CONNECTIONS="abc")
    assert shown.json["error"]["message"] == 'YKIEN_SMTP_CONNECTIONS: "abc": phải là một số nguyên'
