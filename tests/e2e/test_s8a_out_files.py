"""Files the commands write where people say: a file already there (a letter a clerk edited by hand) is refused with
its name and the way to go on (--overwrite), exit 2, and left byte for byte; --overwrite replaces it; a bad --out (a
file where a folder goes, a path under a file, an empty path) is one line naming the option, exit 2, nothing
written; every path parameter of every command refuses an empty value."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import typer
from cli_in_process import run
from process_table import children_of
from test_cli_sign import CREATE, ca, keys  # noqa: F401  (fixtures)

from workflows.cli.main import app
from workflows.cli.path_values import names_a_path

EDITED = b"cong van da sua tay: so 123/SKHCN-TDC"


def _closed_round(cli) -> None:  # type: ignore[no-untyped-def]
    """Round 1, launched and closed: a consultation then offers several documents, not only its letter."""
    cli(*CREATE)
    cli("round", "launch", "1", "--no-draft-reason", "Thử")
    cli("round", "close", "1")


def _one_error_line(err: str, option: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[0].startswith(f"Lỗi: {option}: "), err
    assert len([line for line in lines if line.startswith("Lỗi:")]) == 1, err
    assert "Traceback" not in err


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_round_documents_refuses_to_write_over_an_edited_letter_and_overwrite_replaces_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _closed_round(cli)
    out = tmp_path / "van-ban"
    first = cli("round", "documents", "1", "--out", str(out), "--json").json
    names = sorted(Path(item["path"]).name for item in first)
    assert "cong-van-xin-y-kien.docx" in names and len(names) >= 2
    letter = out / "cong-van-xin-y-kien.docx"
    letter.write_bytes(EDITED)
    others = {name: (out / name).read_bytes() for name in names if name != letter.name}

    refused = cli("round", "documents", "1", "--out", str(out), expect=2)
    _one_error_line(refused.err, "--out")
    assert "cong-van-xin-y-kien.docx" in refused.err and "--overwrite" in refused.err and "ghi đè" in refused.err
    assert letter.read_bytes() == EDITED
    assert {name: (out / name).read_bytes() for name in others} == others
    assert _leftovers(out) == [] and sorted(p.name for p in out.iterdir()) == names

    as_json = cli("round", "documents", "1", "--out", str(out), "--json", expect=2).json["error"]
    assert as_json["code"] == "out_exists" and "cong-van-xin-y-kien.docx" in as_json["message"]

    cli("round", "documents", "1", "--out", str(out), "--overwrite")
    assert zipfile.is_zipfile(letter) and letter.read_bytes() != EDITED
    assert _leftovers(out) == []


def test_a_refusal_lists_a_few_files_then_counts_the_rest(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _closed_round(cli)
    out = tmp_path / "vb"
    written = [Path(item["path"]).name for item in cli("round", "documents", "1", "--out", str(out), "--json").json]
    assert len(written) > 3, written
    refused = cli("round", "documents", "1", "--out", str(out), expect=2).err
    assert f"đã có {len(written)} tệp cùng tên" in refused
    assert all(name in refused for name in written[:3]) and not any(name in refused for name in written[3:])
    assert f"và {len(written) - 3} tệp khác" in refused


def test_round_export_refuses_existing_files_and_overwrite_replaces_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    out = tmp_path / "xuat"
    cli("round", "export", "1", "--out", str(out))
    log = out / "dot-1-nhat-ky.csv"
    log.write_bytes(EDITED)
    workbook = (out / "dot-1.xlsx").read_bytes()
    refused = cli("round", "export", "1", "--out", str(out), expect=2)
    _one_error_line(refused.err, "--out")
    assert "dot-1-nhat-ky.csv" in refused.err and "--overwrite" in refused.err
    assert log.read_bytes() == EDITED and (out / "dot-1.xlsx").read_bytes() == workbook
    cli("round", "export", "1", "--out", str(out), "--overwrite")
    assert log.read_bytes() != EDITED and "Mã băm" in log.read_text("utf-8-sig")


@pytest.mark.parametrize("as_folder", [False, True], ids=["file", "folder"])
def test_register_export_refuses_an_existing_file_and_overwrite_replaces_it(cli, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                            as_folder: bool) -> None:
    target = tmp_path / ("so-van-ban-di-2025.xlsx" if as_folder else "so.xlsx")
    target.write_bytes(EDITED)
    out = tmp_path if as_folder else target
    refused = cli("register", "export", "--year", "2025", "--out", str(out), expect=2)
    _one_error_line(refused.err, "--out")
    assert target.name in refused.err and "--overwrite" in refused.err
    assert target.read_bytes() == EDITED
    cli("register", "export", "--year", "2025", "--out", str(out), "--overwrite")
    assert zipfile.is_zipfile(target)
    assert _leftovers(tmp_path) == []


def test_db_backup_refuses_an_existing_file_and_overwrite_replaces_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = tmp_path / "sao-luu.db"
    saved.write_bytes(EDITED)
    refused = cli("db", "backup", str(saved), expect=2)
    _one_error_line(refused.err, "FILE")
    assert "--overwrite" in refused.err and saved.read_bytes() == EDITED
    cli("db", "backup", str(saved), "--overwrite")
    assert saved.read_bytes().startswith(b"SQLite format 3\x00")
    same = cli("db", "backup", str(cli.database), "--overwrite", expect=2)
    _one_error_line(same.err, "FILE")
    for bad, words in ((tmp_path, "là một thư mục"), (saved / "x.db", "là một tệp, không phải thư mục")):
        refused = cli("db", "backup", str(bad), "--overwrite", expect=2)
        _one_error_line(refused.err, "FILE")
        assert words in refused.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "sao-luu.db"]  # no temporary file left


def test_round_sign_refuses_an_existing_out_before_signing(cli, tmp_path: Path, keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    out = tmp_path / "cong-van-da-ky.pdf"
    out.write_bytes(EDITED)
    sign = ("round-sign", "1", "request_letter", "--pkcs12", keys["p12"], "--password-env", "P12_PASSWORD",
            "--copy", "--out", str(out))
    events = len(cli("round", "audit", "1", "--json").json["events"])
    refused = cli(*sign, expect=2, P12_PASSWORD="x")
    _one_error_line(refused.err, "--out")
    assert "--overwrite" in refused.err and out.read_bytes() == EDITED
    assert len(cli("round", "audit", "1", "--json").json["events"]) == events  # nothing signed, nothing audited
    for bad in (str(tmp_path), str(out / "duoi-mot-tep.pdf")):  # a folder, a path through a file
        _one_error_line(cli(*sign[:-1], bad, expect=2, P12_PASSWORD="x").err, "--out")
    assert len(cli("round", "audit", "1", "--json").json["events"]) == events
    from signing_ca import PASSWORD
    cli(*sign, "--overwrite", P12_PASSWORD=PASSWORD.decode())
    assert out.read_bytes().startswith(b"%PDF")


def _bad_outs(tmp_path: Path) -> dict[str, str]:
    a_file = tmp_path / "mot-tep.txt"
    a_file.write_bytes(b"x")
    return {"a-file": str(a_file), "under-a-file": str(a_file / "thu-muc")}


@pytest.mark.parametrize("command", [("round", "documents", "1"), ("round", "export", "1")],
                         ids=["documents", "export"])
@pytest.mark.parametrize("bad", ["a-file", "under-a-file", "empty"])
def test_a_bad_out_folder_is_one_line_naming_it_and_nothing_is_written(cli, tmp_path: Path, command: tuple[str, ...],  # type: ignore[no-untyped-def]
                                                                       bad: str) -> None:
    cli(*CREATE)
    out = _bad_outs(tmp_path).get(bad, "")
    before = sorted(p.name for p in tmp_path.iterdir())
    refused = cli(*command, "--out", out, expect=2)
    _one_error_line(refused.err, "--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "mot-tep.txt").read_bytes() == b"x"


@pytest.mark.parametrize("bad", ["under-a-file", "empty"])
def test_a_bad_register_out_is_one_line_naming_it(cli, tmp_path: Path, bad: str) -> None:  # type: ignore[no-untyped-def]
    out = _bad_outs(tmp_path)[bad] + "/so.xlsx" if bad != "empty" else ""
    refused = cli("register", "export", "--out", out, expect=2)
    _one_error_line(refused.err, "--out")


def _path_parameters() -> list[tuple[list[str], str, list[str]]]:
    """Every parameter of every command whose value is a path: the command, the name shown, and a command line that
    gives it an empty value (the arguments before it given a number)."""
    found: list[tuple[list[str], str, list[str]]] = []

    def walk(command: object, path: list[str]) -> None:
        params = getattr(command, "params", [])
        arguments = [p for p in params if p.param_type_name == "argument"]
        for param in params:
            if not names_a_path(param.type_descriptor.annotation):
                continue
            if param.param_type_name == "option":
                found.append((path, param.opts[0], [*path, param.opts[0], ""]))
            else:
                before = ["1"] * arguments.index(param)
                found.append((path, param.name.upper(), [*path, *before, ""]))
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


PATH_PARAMETERS = _path_parameters()


def test_the_path_parameters_found_include_every_kind() -> None:
    named = {(" ".join(path), name) for path, name, _ in PATH_PARAMETERS}
    assert {("round documents", "--out"), ("register export", "--out"), ("demo", "--home"), ("db backup", "FILE"),
            ("workflow validate", "FILES"), ("round-sign", "--out"), ("round create", "--draft")} <= named


@pytest.mark.parametrize("path, name, args", PATH_PARAMETERS, ids=[" ".join([*p, n]) for p, n, _ in PATH_PARAMETERS])
def test_an_empty_path_is_refused_naming_the_parameter(tmp_path: Path, path: list[str], name: str,
                                                       args: list[str]) -> None:
    outcome = run(args, {"YKIEN_HOME": str(tmp_path / "home"), "COLUMNS": "200"}, cwd=tmp_path)
    assert outcome.code == 2, outcome.describe()
    assert outcome.stderr.startswith(f"Lỗi: {name}: đường dẫn trống"), outcome.describe()
    assert sorted(p.name for p in tmp_path.iterdir()) == [], outcome.describe()  # nothing made where it stood


def test_ctrl_c_during_the_pdf_conversion_says_which_files_were_written_and_leaves_no_part(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import signal
    import subprocess
    import sys
    import time

    if shutil.which("soffice") is None:
        pytest.skip("missing soffice: bash scripts/system-packages.sh")
    _closed_round(cli)
    out = tmp_path / "van-ban"
    ykien = str(Path(sys.executable).with_name("ykien"))
    running = subprocess.Popen([ykien, "round", "documents", "1", "--out", str(out), "--pdf"], env=cli.environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    letter = out / "cong-van-xin-y-kien.docx"
    deadline = time.monotonic() + 60
    # Signalled once LibreOffice runs as its child, not as soon as the files are there: CI's loaded machine once let
    # the whole conversion end between the two, and nothing was left to stop.
    while running.poll() is None and not children_of(running.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running.poll() is None, "the command ended before LibreOffice was seen converting"
    assert letter.exists() and (out / "danh-sach-don-vi.xlsx").exists()  # written before the conversion starts
    running.send_signal(signal.SIGINT)
    _, err = running.communicate(timeout=60)
    assert running.returncode != 0 and "Traceback" not in err, err
    assert "Đã dừng; đã ghi" in err and "cong-van-xin-y-kien.docx" in err, err
    assert zipfile.is_zipfile(letter) and _leftovers(out) == [] and list(out.glob("*.pdf")) == []


def test_the_readme_s_two_round_documents_lines_run_as_written_one_after_the_other(cli) -> None:  # type: ignore[no-untyped-def]
    import re
    import shlex
    import shutil

    if shutil.which("soffice") is None:
        pytest.skip("missing soffice: bash scripts/system-packages.sh")
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^ykien (round documents 1 --out van-ban/[^#\n]*)", readme, flags=re.MULTILINE)
    assert len(lines) == 2 and "--pdf" in lines[1], lines
    _closed_round(cli)
    for line in lines:
        cli(*shlex.split(line))  # from the home's parent folder: van-ban/ is made there
    folder = cli.home.parent / "van-ban"
    assert (folder / "cong-van-xin-y-kien.docx").is_file() and (folder / "cong-van-xin-y-kien.pdf").is_file()
