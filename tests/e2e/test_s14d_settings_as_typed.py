"""Settings as an IT administrator types them, through the real CLI: a value wrapped in quotes (a docker --env-file or
a YAML manifest keeps them), a path with a stray space, a folder setting naming a file and a file setting naming a
folder, a name too long for the system. Each is one line naming the variable, exit 2, nothing written; before, a
quoted YKIEN_HOME made a folder named `"` in the working directory, numbers were refused as "not a number" with the
number plainly there, YKIEN_CALENDAR_FILE naming a folder stopped `ykien serve` with a traceback, and a too long
YKIEN_TIMEZONE was reported as a tzdata file path naming no variable."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

COMMANDS = [["init"], ["db", "check"], ["tick"], ["round", "list"], ["serve", "--port", "8614"], ["worker"]]


def refused(cli: Cli, args: list[str], **env: str) -> str:
    """The one line `ykien ARGS` prints on stderr when it refuses `env`, having written nothing."""
    before = cli.snapshot()
    result = cli(*args, expect=2, **env)
    assert result.out == "", result.out
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert cli.snapshot() == before
    return result.err.strip()


@pytest.mark.parametrize(("variable", "value", "inner"), [
    ("YKIEN_CLAIM_SIZE", "'50'", "50"),
    ("YKIEN_SMTP_CONNECTIONS", '" 4"', "4"),
    ("YKIEN_HEARTBEAT_SECONDS", '"5"', "5"),
    ("YKIEN_LOG_FORMAT", "'json'", "json"),
    ("YKIEN_BASE_URL", '"https://ykien.skhcn.langson.gov.vn"', "https://ykien.skhcn.langson.gov.vn"),
    ("YKIEN_ISSUER_NAME", "“Sở Khoa học và Công nghệ tỉnh Lạng Sơn”", "Sở Khoa học và Công nghệ tỉnh Lạng Sơn"),
    ("YKIEN_DIGEST_TIME", "'07:30'", "07:30"),
])
def test_a_value_in_quotes_is_refused_naming_the_variable_and_the_value_to_write(
        cli: Cli, variable: str, value: str, inner: str) -> None:
    for args in COMMANDS:
        line = refused(cli, args, **{variable: value})
        assert line == (f"Lỗi: {variable}: {value} nằm trong dấu nháy; hãy bỏ dấu nháy ở hai đầu, ghi {inner} (tệp "
                        "--env-file của docker hay giá trị trong YAML giữ dấu nháy như một phần của giá trị)"), line


def test_a_quoted_home_makes_no_folder_named_by_the_quote(cli: Cli) -> None:
    wanted = cli.home.parent / "ykien-moi"
    line = refused(cli, ["init"], YKIEN_HOME=f'"{wanted}"')
    assert line.startswith(f'Lỗi: YKIEN_HOME: "{wanted}" nằm trong dấu nháy; hãy bỏ dấu nháy ở hai đầu, ghi {wanted} ')
    assert sorted(path.name for path in cli.home.parent.iterdir()) == ["home"]


def test_quoted_secrets_are_never_echoed(cli: Cli) -> None:
    key = "khoa-bi-mat-rat-dai-0123456789-abcdefgh"
    line = refused(cli, ["db", "check"], YKIEN_SECRET_KEY=f"'{key}'")
    assert line == "Lỗi: YKIEN_SECRET_KEY: nằm trong dấu nháy; hãy bỏ dấu nháy ở hai đầu (dấu nháy được đọc là một phần " \
                   "của giá trị)"
    line = refused(cli, ["tick"], YKIEN_SMTP_URL='"smtp+starttls://ykien:Mat-khau-9@mail.langson.gov.vn:587"')
    assert "Mat-khau-9" not in line
    assert line.startswith('Lỗi: YKIEN_SMTP_URL: "smtp+starttls://ykien:***@mail.langson.gov.vn:587" nằm trong dấu '
                           "nháy"), line


def test_stray_spaces_around_a_value_are_what_was_meant(cli: Cli) -> None:
    shown = {row["variable"]: row["value"] for row in cli(
        "settings", "--json", YKIEN_HOME=f"  {cli.home} ", YKIEN_LOG_FORMAT=" JSON ", YKIEN_WORK_POOL="ykien\t",
        YKIEN_DATABASE_URL=f" sqlite:///{cli.home}/ykien.db ", YKIEN_SMTP_URL=" smtp://127.0.0.1:2525 ",
        YKIEN_PKCS11_TOKEN=" VGCA Token ").json["settings"]}
    assert shown["YKIEN_HOME"] == str(cli.home)
    assert shown["YKIEN_LOG_FORMAT"] == "json"
    assert shown["YKIEN_WORK_POOL"] == "ykien"
    assert shown["YKIEN_DATABASE_URL"] == f"sqlite:///{cli.home}/ykien.db"
    assert shown["YKIEN_SMTP_URL"] == "smtp://127.0.0.1:2525"
    assert shown["YKIEN_PKCS11_TOKEN"] == " VGCA Token "  # a token's label is kept as typed
    cli("db", "check", YKIEN_HOME=f"{cli.home} ")  # the home and its database, not a folder "home " beside it
    assert sorted(path.name for path in cli.home.parent.iterdir()) == ["home"]


def test_a_folder_setting_naming_a_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    a_file = tmp_path / "ca.pem"
    a_file.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    for variable, example in (("YKIEN_WORKFLOWS_DIR", "/srv/ykien/workflows"),
                              ("YKIEN_TRUST_ROOTS", "/srv/ykien/trust-roots")):
        line = refused(cli, ["round", "list"], **{variable: str(a_file)})
        assert line.startswith(f'Lỗi: {variable}: "{a_file}" không phải thư mục; hãy ghi đường dẫn một thư mục, ví dụ '
                               f"{example}"), line
    line = refused(cli, ["init"], YKIEN_HOME=str(a_file))
    assert line == f'Lỗi: YKIEN_HOME: "{a_file}" không phải thư mục; hãy ghi đường dẫn một thư mục, ví dụ /srv/ykien'
    line = refused(cli, ["init"], YKIEN_HOME=str(a_file / "ykien"))
    assert line == (f'Lỗi: YKIEN_HOME: "{a_file / "ykien"}": không dùng được đường dẫn này (một phần của đường dẫn '
                    "không phải thư mục)")


def test_a_folder_ykien_only_reads_that_is_not_there_is_refused_and_the_home_may_be_made(cli: Cli,
                                                                                      tmp_path: Path) -> None:
    """A typo in YKIEN_WORKFLOWS_DIR meant, silently, none of the department's kinds; in YKIEN_TRUST_ROOTS, no roots
    to check signatures against. ykien never makes either folder, so one that is not there is a mistake; the home is
    made by `ykien init`."""
    missing = tmp_path / "khong-co"
    for variable, example in (("YKIEN_WORKFLOWS_DIR", "/srv/ykien/workflows"),
                              ("YKIEN_TRUST_ROOTS", "/srv/ykien/trust-roots (thư mục chứa các tệp .pem, .crt, .cer, .der)")):
        line = refused(cli, ["workflow", "list"], **{variable: str(missing)})
        assert line == (f'Lỗi: {variable}: "{missing}": không có thư mục này; hãy tạo thư mục đó hoặc sửa đường dẫn, '
                        f"ví dụ {example}"), line
    assert not missing.exists()
    assert cli("init", YKIEN_HOME=str(tmp_path / "nha-moi")).code == 0


def test_a_calendar_file_naming_a_folder_is_refused_by_serve_without_a_traceback(process_cli: Cli,
                                                                                tmp_path: Path) -> None:
    folder = tmp_path / "lich"
    folder.mkdir()
    for args in (["serve", "--port", "8614"], ["tick"], ["init"]):
        line = refused(process_cli, args, YKIEN_CALENDAR_FILE=str(folder))
        assert line == (f'Lỗi: YKIEN_CALENDAR_FILE: "{folder}" không phải tệp; hãy ghi đường dẫn tệp lịch YAML, ví dụ '
                        "/srv/ykien/calendar.yaml"), line


def test_a_name_too_long_for_the_system_names_its_variable(cli: Cli) -> None:
    long_name = "x" * 500
    line = refused(cli, ["tick"], YKIEN_TIMEZONE=long_name)
    assert line == (f'Lỗi: YKIEN_TIMEZONE: "{"x" * 60}… (500 ký tự)" không phải tên múi giờ; hãy viết như '
                    "Asia/Ho_Chi_Minh")
    for variable in ("YKIEN_SMTP_CA_FILE", "YKIEN_HOME", "YKIEN_CALENDAR_FILE"):
        line = refused(cli, ["db", "check"], **{variable: f"/tmp/{long_name}"})
        assert line.startswith(f'Lỗi: {variable}: "/tmp/xxx') and line.endswith(
            "… (505 ký tự)\": không dùng được đường dẫn này (tên quá dài)"), line


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("YKIEN_HEARTBEAT_SECONDS", "10s", '"10s": phải là một số; ghi số không kèm đơn vị, ví dụ 10'),
    ("YKIEN_MAX_UPLOAD_MB", "50 MB", '"50 MB": phải là một số nguyên; ghi số không kèm đơn vị, ví dụ 50'),
    ("YKIEN_SESSION_IDLE_MINUTES", "90 phút", '"90 phút": phải là một số nguyên; ghi số không kèm đơn vị, ví dụ 90'),
    ("YKIEN_STALE_AFTER_SECONDS", "30,5", '"30,5": phải là một số; dùng dấu chấm thập phân, ví dụ 30.5'),
    ("YKIEN_CLAIM_SIZE", "", '"": phải là một số nguyên; hoặc bỏ hẳn biến YKIEN_CLAIM_SIZE để dùng mặc định (50)'),
    ("YKIEN_LOG_FORMAT", "", "\"\": phải là một trong: 'text', 'json'; hoặc bỏ hẳn biến YKIEN_LOG_FORMAT để dùng mặc "
                             "định (text)"),
    ("YKIEN_REQUEST_THREADS", "nhiều", '"nhiều": phải là một số nguyên'),  # no hint when the intent is not plain
])
def test_a_number_with_its_unit_a_decimal_comma_or_a_blank_says_what_to_write(
        cli: Cli, variable: str, value: str, expected: str) -> None:
    for args in (["tick"], ["serve", "--port", "8614"]):
        assert refused(cli, args, **{variable: value}) == f"Lỗi: {variable}: {expected}"


def test_a_calendar_file_in_a_folder_that_is_not_there_stops_init_before_the_database(bare_cli: Cli,
                                                                                     tmp_path: Path) -> None:
    calendar = tmp_path / "khong-co" / "lich.yaml"
    line = refused(bare_cli, ["init"], YKIEN_CALENDAR_FILE=str(calendar))
    assert line == (f'Lỗi: YKIEN_CALENDAR_FILE: "{calendar}": không có thư mục "{calendar.parent}"; hãy tạo thư mục '
                    "đó hoặc sửa đường dẫn, ví dụ /srv/ykien/calendar.yaml"), line
    assert list(bare_cli.home.iterdir()) == []  # before, the database was made and migrated, then init failed


def test_a_ca_file_with_no_certificate_is_refused_before_mail_waits_on_it(cli: Cli, tmp_path: Path) -> None:
    for name, content in (("ca.pem", "-----BEGIN CERTIFICATE-----\nkhong-phai-chung-chi\n"), ("trong.pem", "")):
        ca_file = tmp_path / name
        ca_file.write_text(content, encoding="utf-8")
        for args in (["tick"], ["round", "list"]):
            line = refused(cli, args, YKIEN_SMTP_CA_FILE=str(ca_file))
            assert line == (f'Lỗi: YKIEN_SMTP_CA_FILE: "{ca_file}": không có chứng chỉ nào đọc được trong tệp này; hãy '
                            "ghi tệp PEM (bắt đầu bằng -----BEGIN CERTIFICATE-----) của CA đã cấp chứng chỉ cho máy "
                            "chủ thư"), line


def test_workflow_list_and_show_say_a_bad_setting_instead_of_leaving_the_departments_kinds_out(cli: Cli,
                                                                                              tmp_path: Path) -> None:
    a_file = tmp_path / "quy-trinh.yaml"
    a_file.write_text("name: x\n", encoding="utf-8")
    for args in (["workflow", "list"], ["workflow", "show", "consultation"]):
        line = refused(cli, args, YKIEN_WORKFLOWS_DIR=str(a_file))
        assert line.startswith(f'Lỗi: YKIEN_WORKFLOWS_DIR: "{a_file}" không phải thư mục'), line
        assert refused(cli, args, YKIEN_CLAIM_SIZE="'50'").startswith("Lỗi: YKIEN_CLAIM_SIZE: '50' nằm trong dấu nháy")
