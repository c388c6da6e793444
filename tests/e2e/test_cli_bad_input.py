"""Bad input through the command line: exit 2 (exit 1 for an unknown unit), a message that names the
place of the error, and nothing written to the database."""
from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
UNITS_CSV = FIXTURES / "units_12.csv"
NEW_UNIT = "SKHCN-VP,Văn phòng Sở Khoa học và Công nghệ,don-vi-thuoc-so,vanphong@skhcn.example.vn,Văn thư,0206 3852 400\n"

# Windows-1258 writes Vietnamese as a base letter (â, ơ, ư, ...) followed by a combining tone mark.
_CP1258_BASE_MARKS = {"\u0302", "\u0306", "\u031b"}


def to_windows_1258(text: str) -> bytes:
    """Encode as Excel does on a Vietnamese Windows when saving "CSV (Comma delimited)"."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _CP1258_BASE_MARKS))
        out += (base + "".join(m for m in marks if m not in _CP1258_BASE_MARKS)).encode("cp1258")
    return bytes(out)


def create_args(*extra: str, deadline: str = "05/12/2025") -> list[str]:
    return ["round", "create", "--title", "Kế hoạch thử nghiệm", "--office", "TĐC", "--deadline", deadline,
            "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290",
            "--signer-name", "Nông Thị Thanh Huyền", *extra, "--json"]


def rejected(cli, *args: str, code: str, exit_code: int = 2) -> str:  # type: ignore[no-untyped-def]
    """Run a command that must fail with `exit_code` and JSON error `code`, writing nothing; the message."""
    before = cli.snapshot()
    assert before, "the home should hold an initialised database"
    result = cli(*args, "--json", expect=exit_code)
    assert result.json["error"]["code"] == code, result.json
    assert cli.snapshot() == before
    return str(result.json["error"]["message"])


@pytest.mark.parametrize(("fixture", "problem"), [
    ("units_bad_email.csv", 'units_bad_email.csv:3: email "sct@" không phải địa chỉ email hợp lệ: không có gì sau dấu @'),
    ("units_duplicate_codes.csv", 'units_duplicate_codes.csv:4: mã "SKHCN-VP" bị lặp (đã có ở dòng 2)'),
    ("units_missing_column.csv", "units_missing_column.csv:1: thiếu cột email"),
    ("units_unknown_group.csv", 'units_unknown_group.csv:3: không có nhóm "ban-quan-ly-du-an"; các nhóm hiện có: '),
], ids=["bad-email", "duplicate-code", "missing-column", "unknown-group"])
def test_an_invalid_directory_csv_names_the_line_and_imports_nothing(cli, fixture: str, problem: str) -> None:  # type: ignore[no-untyped-def]
    message = rejected(cli, "directory", "import", str(FIXTURES / fixture), code="invalid_csv")
    assert problem in message


@pytest.mark.parametrize("encoding", ["windows-1258", "latin-1"])
def test_a_csv_not_saved_as_utf8_is_refused_with_the_line_and_a_hint(cli, tmp_path: Path, encoding: str) -> None:  # type: ignore[no-untyped-def]
    text = UNITS_CSV.read_text(encoding="utf-8") + NEW_UNIT
    data = to_windows_1258(text) if encoding == "windows-1258" else text.encode("latin-1", errors="replace")
    path = tmp_path / "danh-ba.csv"
    path.write_bytes(data)
    message = rejected(cli, "directory", "import", str(path), code="invalid_csv")
    assert "danh-ba.csv:2: không phải văn bản UTF-8 (byte 0x" in message
    assert "CSV UTF-8" in message


def test_names_typed_in_nfd_are_stored_in_nfc_and_match_the_known_units(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = UNITS_CSV.read_text(encoding="utf-8") + NEW_UNIT
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    path = tmp_path / "danh-ba-nfd.csv"
    path.write_text(decomposed, encoding="utf-8")
    report = cli("directory", "import", str(path), "--json").json
    # The 12 known units are the same names once composed: only the new unit is added.
    assert report == {"added": 1, "updated": 0, "total": 13}
    with sqlite3.connect(cli.database) as connection:
        names = dict(connection.execute("SELECT code, name FROM units"))
    assert names["SKHCN-VP"] == "Văn phòng Sở Khoa học và Công nghệ"
    assert all(unicodedata.is_normalized("NFC", name) for name in names.values())


def test_workflow_validate_reports_each_yaml_pitfall_with_file_and_line(process_cli) -> None:  # type: ignore[no-untyped-def]
    cli = process_cli  # the installed script, in a subprocess
    path = FIXTURES / "workflows" / "pitfalls.yaml"
    result = cli("workflow", "validate", str(path), expect=2)
    assert result.out == "", result.out  # a failure: on stderr, one "Lỗi: file:line:col: …" a problem
    lines = result.err.splitlines()
    where = f"Lỗi: {path}"
    assert any(line.startswith(f"{where}:14:") and 'hãy đặt trong ngoặc kép: "no"' in line for line in lines), \
        result.err
    assert any(line.startswith(f"{where}:16:") and 'hãy đặt trong ngoặc kép: "17:00"' in line for line in lines), \
        result.err
    assert any(line.startswith(f"{where}:18:") and 'YAML đọc khóa on thành true' in line for line in lines), \
        result.err
    assert any(line.startswith(f"{where}:20:") and 'khóa "deadline_passed" bị lặp' in line
               and "dòng 19" in line for line in lines), result.err


def test_workflow_validate_names_a_nul_character_instead_of_a_traceback(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nul.yaml"
    path.write_bytes(b'name: "x"\ntitle: "a\x00b"\n')
    result = cli("workflow", "validate", str(path), expect=2)
    assert result.err.startswith(f"Lỗi: {path}:2:10: lỗi YAML: tệp có ký tự không được phép #x0000"), result.err
    assert "Traceback" not in result.out + result.err


def test_a_group_with_no_unit_yet_is_named_as_empty_and_nothing_is_created(make_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fresh = make_cli(tmp_path / "home")  # `ykien init` only: no directory imported yet
    fresh("init")
    fresh.at("2025-11-20T09:00")
    message = rejected(fresh, *create_args("--group", "so-ban-nganh"), code="no_recipients")
    assert "nhóm so-ban-nganh chưa có cơ quan, đơn vị nào trong danh bạ" in message
    assert "chưa chọn" not in message  # the group was chosen: what is missing is its units


def test_a_list_filter_no_round_could_match_is_refused_not_shown_as_an_empty_list(cli) -> None:  # type: ignore[no-untyped-def]
    # A typo in --status or --office would list nothing, as if there were no such rounds.
    message = rejected(cli, "round", "list", "--status", "circulatin", code="status_unknown")
    assert message.startswith('--status: không có trạng thái "circulatin" trong quy trình nào (')
    assert "circulating" in message and message.endswith('Có phải "circulating"?'), message
    office = rejected(cli, "round", "list", "--office", "tđc", code="office_unknown")
    assert office.startswith('--office: không có phòng "tđc"') and office.endswith('Có phải "TĐC"?'), office
    # A state some kind has and an office the Sở has filter as before.
    cli(*create_args("--group", "so-ban-nganh"))
    listed = cli("round", "list", "--status", "draft", "--office", "TĐC", "--json").json
    assert [r["title"] for r in listed] == ["Kế hoạch thử nghiệm"]
    assert cli("round", "list", "--status", "circulating", "--json").json == []


def test_a_deadline_in_the_past_is_refused(cli) -> None:  # type: ignore[no-untyped-def]
    message = rejected(cli, *create_args("--group", "so-ban-nganh", deadline="19/11/2025"), code="deadline_in_past")
    assert message.startswith("--deadline: 19/11/2025 đã qua")  # the option, not the service's field name


def test_a_deadline_on_a_holiday_is_refused_naming_the_next_working_day(cli) -> None:  # type: ignore[no-untyped-def]
    cli.at("2026-08-20T09:00")
    message = rejected(cli, *create_args("--group", "so-ban-nganh", deadline="02/09/2026"),
                       code="deadline_not_working_day")
    assert message.startswith("--deadline: 02/09/2026") and "Quốc khánh" in message
    assert "03/09/2026" in message


@pytest.mark.parametrize("addressee", [["--unit", "SKHCN-KHONGCO"], ["--group", "nhom-khong-co"]],
                         ids=["unit", "group"])
def test_an_unknown_unit_or_group_is_bad_input_that_creates_nothing(cli, addressee: list[str]) -> None:  # type: ignore[no-untyped-def]
    message = rejected(cli, *create_args("--group", "so-ban-nganh", *addressee), code="unit_unknown", exit_code=2)
    assert addressee[1] in message


def test_a_unit_the_round_does_not_have_is_bad_input_for_respond_extend_and_remind(cli) -> None:  # type: ignore[no-untyped-def]
    cli(*create_args("--group", "so-ban-nganh"))
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    for args in (["respond", "1", "KHONGCO", "--agree"], ["extend", "1", "12/12/2025", "--unit", "KHONGCO",
                                                          "--reason", "Đề nghị gia hạn"],
                 ["remind", "1", "--unit", "KHONGCO"]):
        message = rejected(cli, "round", *args, code="unit_unknown", exit_code=2)
        assert "KHONGCO" in message, args


def test_a_malformed_ykien_now_names_the_variable(cli) -> None:  # type: ignore[no-untyped-def]
    cli.at("20/11/2025 08:30")
    message = rejected(cli, "round", "list", code="invalid_input")
    assert "YKIEN_NOW" in message and "20/11/2025 08:30" in message


def test_a_command_before_init_exits_2_and_says_to_run_init(bare_cli) -> None:  # type: ignore[no-untyped-def]
    result = bare_cli("round", "list", "--json", expect=2)
    assert result.json["error"]["code"] == "not_initialised"
    assert "ykien init" in result.json["error"]["message"]


def test_a_command_before_init_leaves_the_home_empty(bare_cli) -> None:  # type: ignore[no-untyped-def]
    bare_cli("round", "list", "--json", expect=2)
    assert list(bare_cli.home.iterdir()) == []


def test_a_command_before_init_without_a_home_directory_exits_2(bare_cli) -> None:  # type: ignore[no-untyped-def]
    bare_cli.home.rmdir()
    result = bare_cli("round", "list", "--json", expect=None)
    assert result.code == 2 and result.json["error"]["code"] == "not_initialised"
    assert not bare_cli.home.exists()


def cli_command() -> list[str]:
    """The installed `ykien` script next to this interpreter (as the `process_cli` fixture runs it)."""
    script = Path(sys.executable).with_name("ykien")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from workflows.cli.main import main; main()"]


def run_with_bytes(cli, *args: str | bytes) -> subprocess.CompletedProcess[bytes]:  # type: ignore[no-untyped-def]
    """Run `ykien` with arguments that may be raw bytes (not UTF-8), as a shell in a Latin-1 locale passes them."""
    return subprocess.run([*cli_command(), *args], env=cli.environment(), capture_output=True, timeout=120,
                          cwd=cli.home.parent)


@pytest.mark.parametrize(("args", "named"), [
    # otherwise valid: today this reaches the database and dies there with a UnicodeEncodeError traceback
    (["round", "create", "--title", b"K\xe9 ho\xe1ch", *create_args("--group", "so-ban-nganh")[4:]],
     'giá trị của tùy chọn --title (đối số thứ 4) không phải văn bản UTF-8 hợp lệ: "K\\xe9 ho\\xe1ch"'),
    (["round", "create", b"--title=K\xe9 ho\xe1ch", "--office", "TĐC", "--json"],
     "giá trị của tùy chọn --title (đối số thứ 3)"),
    (["directory", "import", b"units_K\xe9.csv"], 'đối số thứ 3 không phải văn bản UTF-8 hợp lệ: "units_K\\xe9.csv"'),
    (["workflow", "validate", b"k\xe9_hoach.yaml"], "đối số thứ 3 không phải văn bản UTF-8 hợp lệ"),
], ids=["round-create-title", "option-equals", "directory-import-path", "workflow-validate-path"])
def test_an_argument_that_is_not_utf8_is_one_clean_error(cli, args: list[str | bytes], named: str) -> None:  # type: ignore[no-untyped-def]
    # a file by that very name exists: it is still refused, before anything reads it
    for arg in args:
        if isinstance(arg, bytes) and arg.endswith((b".csv", b".yaml")):
            (cli.home.parent / os.fsdecode(arg)).write_bytes(UNITS_CSV.read_bytes())
    before = cli.snapshot()
    done = run_with_bytes(cli, *args)
    assert done.returncode == 2
    assert done.stdout == b""
    lines = done.stderr.decode("utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: ") and named in lines[0], lines
    assert "Traceback" not in lines[0]
    assert cli.snapshot() == before


def test_a_zip_bomb_or_a_docx_word_cannot_open_is_refused_as_a_draft(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            for _ in range(120):
                part.write(b"0" * (1024 * 1024))
    (tmp_path / "bom.docx").write_bytes(bomb.getvalue())
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "hong.docx").write_bytes(damaged.getvalue())

    message = rejected(cli, *create_args("--group", "so-ban-nganh", "--draft", str(tmp_path / "bom.docx"))[:-1],
                       code="file_type")
    assert "bom.docx" in message and "tệp nén bất thường" in message
    message = rejected(cli, *create_args("--group", "so-ban-nganh", "--draft", str(tmp_path / "hong.docx"))[:-1],
                       code="file_type")
    assert "hong.docx" in message and "Word không mở được tệp" in message
    for said in (message, rejected(cli, *create_args("--group", "so-ban-nganh", "--draft",
                                                      str(tmp_path / "bom.docx"))[:-1], code="file_type")):
        assert not [w for w in ("0x", "object at", "Error", "There is no item", "is not a") if w in said], said
    assert not any((cli.home / "drafts").rglob("*.docx")), "a refused draft must not be stored"


def test_a_pdf_only_in_its_first_bytes_is_refused_as_a_draft(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "gia.pdf").write_bytes(b"%PDF-1.4 garbage")
    message = rejected(cli, *create_args("--group", "so-ban-nganh", "--draft", str(tmp_path / "gia.pdf"))[:-1],
                       code="file_type")
    assert "gia.pdf" in message and "tệp PDF bị hỏng" in message and "PdfReadError" not in message
    assert not any((cli.home / "drafts").rglob("*.pdf")), "a refused draft must not be stored"


def test_document_inputs_take_the_submissions_paragraphs_and_refuse_a_long_one(cli) -> None:  # type: ignore[no-untyped-def]
    cli(*create_args("--group", "so-ban-nganh"))
    stored = cli("round", "document-inputs", "1", "--necessity", "Cụ thể hóa Quyết định số 36/QĐ-TTg.",
                 "--necessity", "Đáp ứng yêu cầu thực tiễn.", "--purpose", "Nâng cao năng suất.",
                 "--main-content", "Dự thảo gồm 05 phần.", "--json").json
    assert stored["necessity"] == ["Cụ thể hóa Quyết định số 36/QĐ-TTg.", "Đáp ứng yêu cầu thực tiễn."]
    assert stored["purpose"] == ["Nâng cao năng suất."] and stored["main_contents"] == ["Dự thảo gồm 05 phần."]
    message = rejected(cli, "round", "document-inputs", "1", "--purpose", "x" * 5000,
                       code="invalid_document_inputs")
    assert "tối đa" in message


@pytest.mark.parametrize(("url", "said"), [
    ("smtpx://mail.tinh.gov.vn", 'YKIEN_SMTP_URL: "smtpx://mail.tinh.gov.vn": không có giao thức "smtpx"'),
    ("smtp://mail.tinh.gov.vn:99999", "cổng phải từ 1 đến 65535"),
    ("smtps://skhcn:Mat-khau-9@mail.tinh.gov.vn?timeout=soon", 'timeout phải là số giây, không phải "soon"'),
])
def test_a_bad_smtp_url_stops_every_command_at_once_naming_the_setting(cli, url: str, said: str) -> None:  # type: ignore[no-untyped-def]
    """It used to be read first when mail went out: `round launch` said the round went out, printed a traceback
    and left the invitations waiting."""
    before = cli.snapshot()
    for command in (["round", "list"], ["tick"], ["round", "launch", "1"]):
        result = cli(*command, expect=2, YKIEN_SMTP_URL=url)
        assert result.err.startswith("Lỗi: YKIEN_SMTP_URL: ") and said in result.err, result.err
        assert "Mat-khau-9" not in result.err and "Traceback" not in result.err + result.out
    assert cli.snapshot() == before


def test_a_deadline_in_words_is_refused_once_with_every_form_it_may_take(cli) -> None:  # type: ignore[no-untyped-def]
    message = rejected(cli, *create_args(deadline="mười ngày")[:-1], code="bad_deadline")
    assert message == ('--deadline: số ngày "mười ngày" không hợp lệ: hãy viết \'N working days\', \'N days\', '
                       "'N ngày làm việc' hoặc 'N ngày' (N từ 0 đến 365); hoặc một ngày (2026-12-17 hay 17/12/2026)")
