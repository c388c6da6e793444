"""Files named on the command line to be read follow one rule (config.input_files): only a regular file is read. A
folder, a FIFO, a device or a socket is refused in words that say which, before anything opens it (a FIFO hung
`directory import` and `--text-file` for ever, /dev/zero ran `directory import` out of memory), and a file over its
kind's limit is refused with the limit named. One `Lỗi:` line, exit 2, nothing written."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from letter_inputs import WORKSHOP_PLACE, give_letter_inputs

from tests.e2e.conftest import Cli
from tests.e2e.test_s10d_bad_input import CREATE, PAPER, WORKSHOP

FIFO = "ong.csv"


def _fifo(cli: Cli) -> Path:
    path = cli.home.parent / FIFO
    os.mkfifo(path)
    return path


def _one_line(said: str) -> str:
    lines = [line for line in said.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in said, said
    return lines[0]


@pytest.mark.parametrize("args", [
    ["directory", "import", FIFO],
    ["round", "heading-text", "3", "training", "--text-file", FIFO],
    [*CREATE, "--draft", FIFO],
    ["db", "restore", FIFO],
    ["workflow", "validate", FIFO],
    ["round", "hand-in", "1", *PAPER, "--field", "paper_title=Tham luận", "--attach", f"paper_file={FIFO}"],
    ["round-sign", "1", "request_letter", "--pkcs12", FIFO],
    ["round", "draft", "1", FIFO],
], ids=["import", "text-file", "draft", "restore", "validate", "attach", "pkcs12", "new-draft-version"])
def test_a_fifo_named_as_a_file_is_refused_without_waiting_for_a_writer(process_cli: Cli, args: list[str]) -> None:
    if args[1] == "hand-in":  # the round it needs is set up in this process (four commands, 2-4 s each apart)
        process_cli.process = False
        process_cli(*WORKSHOP)
        give_letter_inputs(process_cli, "1", WORKSHOP_PLACE)
        process_cli("round", "launch", "1")
        process_cli("round", "assign", "1", *PAPER)
        process_cli.process = True
    _fifo(process_cli)
    before = process_cli.snapshot()
    said = _one_line(process_cli(*args, expect=2).err)
    assert f'"{FIFO}" là một ống dẫn (FIFO), không phải tệp thường.' in said, said
    assert "không có tệp" not in said and "không tìm thấy" not in said, said
    assert process_cli.snapshot() == before


@pytest.mark.parametrize(("args", "option"), [
    (["directory", "import", "/dev/zero"], "CSV_FILE"),
    ([*CREATE, "--draft", "/dev/zero"], "--draft"),
    (["round", "heading-text", "3", "training", "--text-file", "/dev/zero"], "--text-file"),
    (["round-sign", "1", "request_letter", "--pkcs12", "/dev/null"], "--pkcs12"),
    (["round", "draft", "1", "/dev/zero"], "FILE"),
], ids=["import", "draft", "text-file", "pkcs12", "new-draft-version"])
def test_a_device_named_as_a_file_is_refused_naming_the_option(cli: Cli, args: list[str], option: str) -> None:
    before = cli.snapshot()
    said = _one_line(cli(*args, expect=2).err)
    assert said.startswith(f"Lỗi: {option}: \"/dev/") and "là một thiết bị, không phải tệp thường." in said, said
    assert cli.snapshot() == before


def test_a_folder_named_as_a_key_file_is_said_to_be_a_folder(cli: Cli) -> None:
    said = _one_line(cli("round-sign", "1", "request_letter", "--pkcs12", str(cli.home.parent), expect=2).err)
    assert said == f'Lỗi: --pkcs12: "{cli.home.parent}" là một thư mục, không phải tệp.', said


def _sparse(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no room on the disk."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def test_a_csv_larger_than_the_upload_limit_is_refused_before_it_is_read(cli: Cli) -> None:
    """The web's import takes YKIEN_MAX_UPLOAD_MB at most; the command line read 50 MB for 32 s, 617 MB of memory."""
    big = _sparse(cli.home.parent / "lon.csv", 3 * 1024 * 1024)
    before = cli.snapshot()
    said = _one_line(cli("directory", "import", str(big), expect=2, YKIEN_MAX_UPLOAD_MB="2").err)
    assert said == (f'Lỗi: CSV_FILE: "{big}" lớn 3 MB, quá giới hạn 2 MB (YKIEN_MAX_UPLOAD_MB, như khi tải lên trên '
                    "trang web)."), said
    assert cli.snapshot() == before


@pytest.mark.parametrize(("args", "limit"), [
    (["round", "heading-text", "3", "training", "--text-file", "lon.txt"], "20 MB của một tệp văn bản"),
    (["round-sign", "1", "request_letter", "--pkcs12", "lon.txt"], "100 KB của một tệp khóa"),
    ([*CREATE, "--draft", "lon.txt"], "1 MB (YKIEN_MAX_UPLOAD_MB"),
], ids=["text-file", "pkcs12", "draft"])
def test_each_kind_of_file_has_its_limit_named(cli: Cli, args: list[str], limit: str) -> None:
    _sparse(cli.home.parent / "lon.txt", 21 * 1024 * 1024)
    said = _one_line(cli(*args, expect=2, YKIEN_MAX_UPLOAD_MB="1").err)
    assert f'"lon.txt" lớn 21 MB, quá giới hạn {limit}' in said, said


def test_a_pkcs11_library_that_is_not_one_is_refused_before_loading_it_with_exit_2(cli: Cli) -> None:
    """It ended with exit 1 and `PKCS11Error OS exception while loading /etc/passwd: invalid ELF header`."""
    fake = cli.home.parent / "passwd"
    fake.write_text("root:x:0:0:root:/root:/bin/bash\n")
    said = _one_line(cli("round-sign", "1", "request_letter", "--pkcs11-lib", str(fake), "--token-label", "a",
                         "--key-label", "b", "--pin-env", "PIN", expect=2, PIN="1234").err)
    assert said.startswith(f'Lỗi: --pkcs11-lib: "{fake}" không phải thư viện PKCS#11'), said
