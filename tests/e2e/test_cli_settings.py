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


def test_settings_show_the_prefect_variables_ykien_reads_with_the_password_hidden(cli) -> None:  # type: ignore[no-untyped-def]
    """PREFECT_API_URL decides whether workers run the steps; it was missing from `ykien settings` (review-a, 9)."""
    rows = by_variable(cli("settings", "--json", PREFECT_API_URL=" https://ykien:Prefect-pw-3@prefect.local/api",
                           PREFECT_HOME=None))
    assert rows["PREFECT_API_URL"] == {"field": None, "variable": "PREFECT_API_URL",
                                       "value": "https://ykien:***@prefect.local/api", "source": "PREFECT_API_URL"}
    assert rows["PREFECT_HOME"] == {"field": None, "variable": "PREFECT_HOME", "value": str(cli.home / "prefect"),
                                    "source": "mặc định"}
    text = cli("settings", PREFECT_API_URL=None).out
    assert "Prefect-pw-3" not in text
    assert "PREFECT_API_URL" in text and "(chưa đặt: ykien serve tự chạy các bước, không qua Prefect" in text


def test_settings_show_the_effective_default_of_a_setting_left_unset(cli) -> None:  # type: ignore[no-untyped-def]
    rows = by_variable(cli("settings", "--json", YKIEN_TRUST_ROOTS=None))
    assert rows["YKIEN_TRUST_ROOTS"]["value"] == str(cli.home / "trust-roots")
    assert rows["YKIEN_TRUST_ROOTS"]["source"] == "mặc định"
    text = cli("settings", YKIEN_SMTP_URL=None).out
    assert "(chưa đặt: hộp thư nội bộ, thư được lưu trong cơ sở dữ liệu)" in text
