"""Settings from YKIEN_* environment variables."""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No YKIEN_* variable from the outside; HOME points at a temporary directory."""
    for name in list(os.environ):
        if name.upper().startswith("YKIEN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_defaults_live_under_the_home_directory(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.home == clean_env / ".ykien"
    assert settings.database_url_resolved == f"sqlite:///{clean_env}/.ykien/ykien.db"
    assert settings.calendar_file_resolved == clean_env / ".ykien" / "calendar.yaml"
    assert settings.smtp_url is None
    assert settings.now is None
    assert settings.from_address == "ykien@skhcn.localhost"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.smtp_connections == 8
    assert settings.tz.key == "Asia/Ho_Chi_Minh"
    assert settings.issuer_name == "Sở Khoa học và Công nghệ"
    assert settings.governing_body == "UBND tỉnh Cao Bằng"
    assert settings.place_name == "Cao Bằng"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("YKIEN_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("YKIEN_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/ykien")
    monkeypatch.setenv("YKIEN_SMTP_URL", "smtp://127.0.0.1:2525")
    monkeypatch.setenv("YKIEN_FROM", "vanthu@skhcn.caobang.gov.vn")
    monkeypatch.setenv("YKIEN_BASE_URL", "https://ykien.example.vn/app/")
    monkeypatch.setenv("YKIEN_SMTP_CONNECTIONS", "4")
    monkeypatch.setenv("YKIEN_CALENDAR_FILE", str(tmp_path / "lich.yaml"))
    settings = load_settings()
    assert settings.home == tmp_path / "h"
    assert settings.database_url_resolved == "postgresql+psycopg://u@127.0.0.1/ykien"
    assert settings.smtp_url == "smtp://127.0.0.1:2525"
    assert settings.from_address == "vanthu@skhcn.caobang.gov.vn"
    assert settings.base_url == "https://ykien.example.vn/app"
    assert settings.smtp_connections == 4
    assert settings.calendar_file_resolved == tmp_path / "lich.yaml"


def test_home_expands_the_tilde(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    monkeypatch.setenv("YKIEN_HOME", "~/ykien-data")
    assert load_settings().home == clean_env / "ykien-data"


def test_relative_home_is_made_absolute(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YKIEN_HOME", "data")
    settings = load_settings()
    assert settings.home == tmp_path / "data"
    assert settings.database_url_resolved == f"sqlite:///{tmp_path}/data/ykien.db"


def test_blank_smtp_url_means_the_embedded_sink(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_SMTP_URL", "  ")
    assert load_settings().smtp_url is None


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_SMTP_CONNECTIONS", "4")
    assert load_settings(smtp_connections=2).smtp_connections == 2
    assert load_settings(from_address="a@b.vn").from_address == "a@b.vn"


def test_naive_now_is_read_in_the_configured_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_NOW", "2025-12-05T17:00")
    now = load_settings().now
    assert now is not None
    assert now.utcoffset() == timedelta(hours=7)
    assert now.astimezone(UTC) == datetime(2025, 12, 5, 10, 0, tzinfo=UTC)


def test_naive_now_follows_a_changed_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_NOW", "2025-12-05T17:00")
    monkeypatch.setenv("YKIEN_TIMEZONE", "UTC")
    now = load_settings().now
    assert now == datetime(2025, 12, 5, 17, 0, tzinfo=UTC)


def test_now_with_an_offset_keeps_its_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_NOW", "2025-12-05T10:00:00Z")
    assert load_settings().now == datetime(2025, 12, 5, 10, 0, tzinfo=UTC)


def test_naive_now_given_as_override_gets_the_time_zone() -> None:
    now = load_settings(now=datetime(2026, 2, 12, 8, 0)).now
    assert now is not None and now.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("YKIEN_NOW", "2025-13-01", 'YKIEN_NOW: "2025-13-01" không phải ngày giờ dạng ISO; hãy viết như 2025-12-05T17:00'),
        ("YKIEN_NOW", "tomorrow", 'YKIEN_NOW: "tomorrow" không phải ngày giờ dạng ISO'),
        ("YKIEN_NOW", "0900-01-01T08:00", 'YKIEN_NOW: "0900-01-01": năm phải từ 1900 đến 2999'),
        ("YKIEN_TIMEZONE", "Asia/Hanoi_City",
         'YKIEN_TIMEZONE: "Asia/Hanoi_City" không phải tên múi giờ; hãy viết như Asia/Ho_Chi_Minh'),
        ("YKIEN_FROM", "ykien.skhcn", 'YKIEN_FROM: "ykien.skhcn" không phải địa chỉ email; hãy viết như ykien@'),
        ("YKIEN_FROM", "a@b", 'YKIEN_FROM: "a@b" không phải địa chỉ email'),
        ("YKIEN_BASE_URL", "127.0.0.1:8000",
         'YKIEN_BASE_URL: "127.0.0.1:8000" không phải địa chỉ http:// hay https://; hãy viết như http://127.0.0.1:8000'),
        ("YKIEN_TIMESTAMP_URL", "tsa.example.vn", 'YKIEN_TIMESTAMP_URL: "tsa.example.vn" không phải địa chỉ http://'),
        ("YKIEN_SMTP_CONNECTIONS", "0", 'YKIEN_SMTP_CONNECTIONS: "0": phải từ 1 đến 32'),
        ("YKIEN_SMTP_CONNECTIONS", "33", 'YKIEN_SMTP_CONNECTIONS: "33": phải từ 1 đến 32'),
        ("YKIEN_SMTP_CONNECTIONS", "many", 'YKIEN_SMTP_CONNECTIONS: "many": phải là một số nguyên'),
        ("YKIEN_SMTP_CA_FILE", "/nonexistent/ca.pem", 'YKIEN_SMTP_CA_FILE: "/nonexistent/ca.pem" không phải một tệp'),
        ("YKIEN_SMTP_CA_FILE", "~khongcoai/ca.pem",
         'YKIEN_SMTP_CA_FILE: "~khongcoai/ca.pem": không có người dùng khongcoai trên máy này'),
        ("YKIEN_TRUSTED_PROXY_HEADER", "X Real IP",
         'YKIEN_TRUSTED_PROXY_HEADER: "X Real IP" không phải tên tiêu đề HTTP'),
        ("YKIEN_HEARTBEAT_SECONDS", "nan", 'YKIEN_HEARTBEAT_SECONDS: "nan": phải là một số hữu hạn'),
        ("YKIEN_STALE_AFTER_SECONDS", "inf", 'YKIEN_STALE_AFTER_SECONDS: "inf": phải là một số hữu hạn'),
        ("YKIEN_STALE_AFTER_SECONDS", "6", 'YKIEN_STALE_AFTER_SECONDS: "6": phải ít nhất gấp đôi YKIEN_HEARTBEAT_SECONDS'),
        # each heads every letter and number of the Sở: blank or malformed, a clerk would sign it so
        ("YKIEN_ISSUER_NAME", "  ", "YKIEN_ISSUER_NAME: không được để trống; ví dụ Sở Khoa học và Công nghệ"),
        ("YKIEN_GOVERNING_BODY", "", "YKIEN_GOVERNING_BODY: không được để trống; ví dụ UBND tỉnh Cao Bằng"),
        ("YKIEN_PLACE_NAME", " ", "YKIEN_PLACE_NAME: không được để trống; ví dụ Cao Bằng"),
        ("YKIEN_ISSUER_NAME", "Sở " * 41, "YKIEN_ISSUER_NAME: dài 122 ký tự, quá 120 ký tự của một tên đứng đầu văn bản; "
                                           "ví dụ Sở Khoa học và Công nghệ"),
        ("YKIEN_GOVERNING_BODY", "U" * 121, "YKIEN_GOVERNING_BODY: dài 121 ký tự, quá 120 ký tự"),
        ("YKIEN_ISSUER_CODE", "SKHCN/CB", 'YKIEN_ISSUER_CODE: "SKHCN/CB" không phải mã cơ quan dùng trong số ký hiệu'),
        ("YKIEN_ISSUER_CODE", "S KHCN", 'YKIEN_ISSUER_CODE: "S KHCN" không phải mã cơ quan'),
        ("YKIEN_ISSUER_CODE", "", 'YKIEN_ISSUER_CODE: "" không phải mã cơ quan'),
        ("YKIEN_ISSUER_CODE", "2025", 'YKIEN_ISSUER_CODE: "2025" không phải mã cơ quan'),
        ("YKIEN_ISSUER_CODE", "S" * 21, f'YKIEN_ISSUER_CODE: "{"S" * 21}" không phải mã cơ quan'),
        ("YKIEN_SECRET_KEY", "bi-mat", "YKIEN_SECRET_KEY: ngắn quá (6 ký tự): cần ít nhất 32 ký tự ngẫu nhiên"),
    ],
)
def test_bad_values_name_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(expected)
    assert isinstance(caught.value, ValueError)


def test_every_bad_value_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_NOW", "x")
    monkeypatch.setenv("YKIEN_SMTP_CONNECTIONS", "99")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert [line.split(":")[0] for line in str(caught.value).splitlines()] == [
        "YKIEN_NOW",
        "YKIEN_SMTP_CONNECTIONS",
    ]


def test_unknown_override_is_refused() -> None:
    with pytest.raises(SettingsError, match="smtp_conections: không có thiết lập này"):
        load_settings(smtp_conections=3)


def test_settings_are_immutable() -> None:
    settings = load_settings()
    with pytest.raises(ValueError):
        settings.smtp_connections = 3  # type: ignore[misc]
    assert isinstance(settings, Settings)


def readme_settings_table() -> dict[str, list[str]]:
    """The README's "Settings (environment)" table: variable -> its cells (default, meaning)."""
    text = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("### Settings (environment)", 1)[1]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines()[1:]:
        if not line.strip():
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0].startswith(("`YKIEN_", "`PREFECT_")):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_the_readme_documents_every_setting() -> None:
    from config.prefect_api import PREFECT_VARIABLES
    from config.settings import env_name

    table = readme_settings_table()
    # ykien's own settings, and Prefect's that ykien reads (PREFECT_API_URL decides whether workers run the steps)
    assert set(table) == {env_name(field) for field in Settings.model_fields} | set(PREFECT_VARIABLES)
    assert all(len(cells) == 2 and all(cells) for cells in table.values()), table
    # a province other than Cao Bằng needs these two: each shows an example for another one
    for variable in ("YKIEN_GOVERNING_BODY", "YKIEN_PLACE_NAME"):
        assert "e.g." in table[variable][1] and "Cao Bằng" not in table[variable][1]


def test_the_issuer_code_may_carry_vietnamese_letters_and_an_ampersand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_ISSUER_CODE", " SKH&CN ")
    assert load_settings().issuer_code == "SKH&CN"
    monkeypatch.setenv("YKIEN_ISSUER_CODE", unicodedata.normalize("NFD", "SĐT"))
    assert load_settings().issuer_code == "SĐT"  # NFC, as the register compares it


def test_a_blank_secret_key_means_the_key_file_and_a_long_one_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_SECRET_KEY", "  ")
    assert load_settings().secret_key is None
    monkeypatch.setenv("YKIEN_SECRET_KEY", "k" * 32)
    assert load_settings().secret_key == "k" * 32


def test_no_setting_is_refused_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every value the settings refuse is said in Vietnamese: none of pydantic's or our old English words."""
    bad = {"YKIEN_NOW": "x", "YKIEN_TIMEZONE": "Mars/Base", "YKIEN_FROM": "x", "YKIEN_BASE_URL": "x",
           "YKIEN_TIMESTAMP_URL": "x", "YKIEN_SMTP_CONNECTIONS": "x", "YKIEN_SMTP_CA_FILE": "/nonexistent",
           "YKIEN_TRUSTED_PROXY_HEADER": "a b", "YKIEN_HEARTBEAT_SECONDS": "nan", "YKIEN_CLAIM_SIZE": "0",
           "YKIEN_ISSUER_NAME": " ", "YKIEN_ISSUER_CODE": "a b", "YKIEN_SECRET_KEY": "x", "YKIEN_LOG_FORMAT": "xml",
           "YKIEN_DIGEST_TIME": "25:00", "YKIEN_WORK_POOL": "a b", "YKIEN_MAX_UPLOAD_MB": "many"}
    for variable, value in bad.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    lines = str(caught.value).splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(bad)
    english = re.compile(r"\b(is|not|should|must|valid|input|between|than|number|expected|field)\b", re.IGNORECASE)
    for line in lines:
        said = line.split(":", 1)[1]
        for value in bad.values():  # the value itself is quoted back as typed
            said = said.replace(f'"{value}"', "")
        assert not english.search(said.replace("http://", "").replace("https://", "")), line


def test_a_name_heading_the_letters_may_be_120_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    longest = "Sở Khoa học và Công nghệ " + "x" * 95  # 120 characters, the most a header line is given
    monkeypatch.setenv("YKIEN_ISSUER_NAME", longest)
    assert load_settings().issuer_name == longest


@pytest.mark.parametrize(("value", "expected"), [
    # a unit was mailed https://ykien.skhcn.gov.vn:99999/?ref=mail#top/r/<token>: no such link opens
    ("http://ykien.skhcn.gov.vn:99999", 'YKIEN_BASE_URL: "http://ykien.skhcn.gov.vn:99999": tên máy hoặc cổng không '
                                        "hợp lệ (cổng là số từ 1 đến 65535)"),
    ("http://ykien.skhcn.gov.vn:0", "tên máy hoặc cổng không hợp lệ"),
    ("http://ykien.skhcn.gov.vn:port", "tên máy hoặc cổng không hợp lệ"),
    ("http://[::1", 'YKIEN_BASE_URL: "http://[::1": tên máy hoặc cổng không hợp lệ'),
    ("https://ykien.skhcn.gov.vn/?ref=mail#top", 'YKIEN_BASE_URL: "https://ykien.skhcn.gov.vn/?ref=mail#top": địa '
                                                 "chỉ gốc không được có phần sau dấu ? hay dấu #, vì đường dẫn riêng "
                                                 "gửi cho đơn vị được nối vào sau nó (/r/…); hãy ghi "
                                                 "https://ykien.skhcn.gov.vn"),
    ("https://ykien.skhcn.gov.vn/app#top", "hãy ghi https://ykien.skhcn.gov.vn/app"),
    ("https://ykien.skhcn.gov.vn?", "địa chỉ gốc không được có phần sau dấu ? hay dấu #"),
    ("https://canbo:mat-khau@ykien.skhcn.gov.vn", 'YKIEN_BASE_URL: "https://canbo:***@ykien.skhcn.gov.vn": không ghi '
                                                  "tên đăng nhập hay mật khẩu"),
    ("https://ykien.skhcn.gov.vn/\x1b[31m", "không phải địa chỉ http:// hay https://"),
])
def test_a_base_url_no_personal_link_could_follow_is_refused_at_start(
        monkeypatch: pytest.MonkeyPatch, value: str, expected: str) -> None:
    monkeypatch.setenv("YKIEN_BASE_URL", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert expected in str(caught.value) and str(caught.value).startswith("YKIEN_BASE_URL: "), caught.value


@pytest.mark.parametrize(("value", "kept"), [
    ("https://ykien.example.vn/app/", "https://ykien.example.vn/app"),  # behind a proxy that strips the prefix
    ("http://[::1]:8000", "http://[::1]:8000"), ("https://ykien.skhcn.gov.vn:65535", "https://ykien.skhcn.gov.vn:65535"),
])
def test_a_base_url_with_a_path_an_ipv6_host_or_a_port_is_kept(
        monkeypatch: pytest.MonkeyPatch, value: str, kept: str) -> None:
    monkeypatch.setenv("YKIEN_BASE_URL", value)
    assert load_settings().base_url == kept


def test_a_timestamp_url_with_a_bad_port_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_TIMESTAMP_URL", "http://tsa.example.vn:70000/tsa")
    with pytest.raises(SettingsError, match=r"^YKIEN_TIMESTAMP_URL: .*cổng là số từ 1 đến 65535"):
        load_settings()


@pytest.mark.parametrize("variable", ["YKIEN_ISSUER_NAME", "YKIEN_GOVERNING_BODY", "YKIEN_PLACE_NAME"])
@pytest.mark.parametrize(("value", "said"), [
    # every letter failed in the outbox ("header người gửi must be a single line") and its letterhead took a line
    ("Sở KH\nBcc: x@y.vn", "có ký tự điều khiển U+000A (xuống dòng) ở ký tự thứ 6; tên chỉ được viết trên một dòng"),
    ("Cao\x1b[31mBằng", "có ký tự điều khiển U+001B (ESC) ở ký tự thứ 4"),
    ("Sở\tKH", "có ký tự điều khiển U+0009 (tab)"),
    ("Sở\u202eKH", "có ký tự định dạng vô hình U+202E ở ký tự thứ 3"),
    ("Sở\u200bKH", "có ký tự định dạng vô hình U+200B (khoảng trắng vô hình)"),
    ("Sở\u2028KH", "có ký tự xuống dòng U+2028 (xuống dòng)"),
])
def test_a_name_heading_the_letters_is_one_line_without_control_characters(
        monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{variable}: {said}"), caught.value
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)


@pytest.mark.parametrize(("value", "said"), [
    ("Số 077\nphố Hoàng Đình Giong", "có ký tự điều khiển U+000A (xuống dòng) ở ký tự thứ 7"),
    ("Số 077\u202e phố", "có ký tự định dạng vô hình U+202E"),
    ("x" * 301, "dài 301 ký tự, quá 300 ký tự"),
])
def test_the_sở_s_address_for_every_round_is_one_line_of_at_most_300_characters(
        monkeypatch: pytest.MonkeyPatch, value: str, said: str) -> None:
    monkeypatch.setenv("YKIEN_ISSUER_ADDRESS", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"YKIEN_ISSUER_ADDRESS: {said}"), caught.value


def test_the_sở_s_address_is_kept_in_nfc_and_blank_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_ISSUER_ADDRESS", unicodedata.normalize("NFD", " Số 077, phố Hoàng Đình Giong "))
    assert load_settings().issuer_address == "Số 077, phố Hoàng Đình Giong"
    monkeypatch.setenv("YKIEN_ISSUER_ADDRESS", "  ")
    assert load_settings().issuer_address is None


def test_a_name_heading_the_letters_typed_in_nfd_is_kept_in_nfc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YKIEN_PLACE_NAME", unicodedata.normalize("NFD", "Lạng Sơn"))
    assert load_settings().place_name == "Lạng Sơn"


def _file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(("make", "said"), [
    (lambda folder: folder / "khong-co.so", "không có tệp này; hãy ghi đường dẫn thư viện PKCS#11"),
    (lambda folder: folder, "là một thư mục; hãy ghi đường dẫn tệp thư viện PKCS#11"),
    (lambda folder: Path("/dev/null"), "không phải tệp thường"),
    (lambda folder: _file(folder / "passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
     "không phải thư viện PKCS#11 (tệp .so của trình điều khiển token)"),
    (lambda folder: _file(folder / "rong.so", b""), "không phải thư viện PKCS#11"),
], ids=["missing", "folder", "device", "text", "empty"])
def test_a_pkcs11_library_that_cannot_be_one_is_refused_at_start(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make, said: str) -> None:  # type: ignore[no-untyped-def]
    """Every other path setting was checked at start; this one failed when staff signed, with exit 1 and pkcs11's
    English ("OS exception while loading /etc/passwd: invalid ELF header")."""
    path = make(tmp_path)
    monkeypatch.setenv("YKIEN_PKCS11_LIBRARY", str(path))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f'YKIEN_PKCS11_LIBRARY: "{path}"'), caught.value
    assert said in str(caught.value), caught.value


def _shared_library() -> bytes:
    """A whole shared library that is not a token's driver: loading it fails, reading its headers does not."""
    import importlib.util

    return Path(str(importlib.util.find_spec("pkcs11._pkcs11").origin)).read_bytes()  # type: ignore[union-attr]


def test_a_pkcs11_library_is_looked_at_not_loaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Its headers say it is a whole shared library: it is not loaded, so one that is no token's driver passes."""
    library = _file(tmp_path / "libtoken.so", _shared_library())
    monkeypatch.setenv("YKIEN_PKCS11_LIBRARY", str(library))
    monkeypatch.setenv("YKIEN_PKCS11_TOKEN", "Token")
    monkeypatch.setenv("YKIEN_PKCS11_KEY", "Key")
    assert load_settings().signing_token == (library, "Token", "Key")


@pytest.mark.parametrize(("cut", "said"), [
    (lambda whole: whole[:4096], "là thư viện bị cắt dở hoặc hỏng (tệp ngắn hơn phần đầu của nó ghi)"),
    (lambda whole: whole[:len(whole) // 2], "là thư viện bị cắt dở hoặc hỏng"),
    (lambda whole: whole[:20], "là thư viện bị cắt dở hoặc hỏng"),
    (lambda whole: b"\x7fELF" + b"\x00" * 60, "là tệp ELF có phần đầu hỏng"),
], ids=["first-page", "half", "header-cut", "header-zeros"])
def test_a_pkcs11_library_cut_short_is_refused_at_start(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cut, said: str) -> None:  # type: ignore[no-untyped-def]
    """Its first four bytes passed; loading it when staff signed killed the process with SIGBUS."""
    library = _file(tmp_path / "libtoken.so", cut(_shared_library()))
    monkeypatch.setenv("YKIEN_PKCS11_LIBRARY", str(library))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f'YKIEN_PKCS11_LIBRARY: "{library}" {said}'), caught.value
