"""`ykien workflow validate` on a file it cannot read or decode fails as every command does: "Lỗi: FILE: …" on
stderr, nothing on stdout, exit 2; with --json, the problems and an "error" on stdout, exit 2. A valid file still
says "Hợp lệ" on stdout and exits 0."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

DEFINITIONS = Path(__file__).resolve().parents[2] / "workflows" / "definitions"


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "thu_muc.yaml").mkdir()
    return tmp_path / "thu_muc.yaml"


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "anh.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return path


def _not_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "cp1258.yaml"
    path.write_bytes('name: "Lấy ý kiến"\n'.encode().replace("ấ".encode(), b"\xe2\xec"))
    return path


@pytest.mark.parametrize(("make", "words"), [
    (_directory, "không đọc được tệp (đây là một thư mục, không phải tệp)"),
    (lambda tmp_path: tmp_path / "khong_co.yaml", "không đọc được tệp (không có tệp hoặc thư mục này)"),
    (_binary, "không phải văn bản UTF-8"),
    (_not_utf8, "không phải văn bản UTF-8 (byte thứ 9 không đọc được)"),
], ids=["directory", "missing", "binary", "not-utf8"])
def test_an_unreadable_definition_is_an_error_on_stderr_with_exit_2(cli: Cli, tmp_path: Path,
                                                                    make: Callable[[Path], Path], words: str) -> None:
    path = make(tmp_path)
    result = cli("workflow", "validate", str(path), expect=2)
    assert result.out == "", result.out
    assert result.err.startswith(f"Lỗi: {path}: {words}"), result.err
    assert "Traceback" not in result.err
    as_json = cli("workflow", "validate", str(path), "--json", expect=2)
    answer = json.loads(as_json.out)
    assert answer["valid"] is False and answer["error"]["code"] == "invalid_workflow", answer
    assert words in answer["error"]["message"] and answer["problems"][0].startswith(f"{path}: {words}"), answer


def test_a_valid_definition_still_says_so_on_stdout_and_exits_0(cli: Cli) -> None:
    path = DEFINITIONS / "consultation.yaml"
    result = cli("workflow", "validate", str(path))
    assert result.out.startswith("Hợp lệ: ") and result.err == "", (result.out, result.err)
    assert json.loads(cli("workflow", "validate", str(path), "--json").out) == {"valid": True, "problems": []}
