"""A --proposal-file or --text-file that cannot be read is said in Vietnamese with the option, the file and the line
(and column, for JSON), exit 2, nothing written: it was json's English ("Expecting value: line 1 column 1 (char
0)") or an exception's class name ("UnicodeDecodeError"), and JSON nested thousands deep was a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli


@pytest.mark.parametrize(("content", "said"), [
    (b"", "{path}:1:1: không phải JSON hợp lệ: cần một giá trị"),
    (b'{"a": 1,\n "b" 2}', "{path}:2:6: không phải JSON hợp lệ: thiếu dấu hai chấm (:) sau tên trường"),
    (b'{"a": "x"} {"b": "y"}', "{path}:1:12: không phải JSON hợp lệ: còn nội dung thừa"),
    ('{"tên": "Sở Công Thương"}'.encode("utf-16"), "{path}:1: không phải văn bản UTF-8 (byte thứ 1"),
    (b"[" * 100_000, "{path}: không phải JSON hợp lệ: các khối lồng nhau quá sâu"),
], ids=["empty", "missing-colon", "two-values", "utf-16", "nested-too-deep"])
def test_a_proposal_file_that_is_not_json_names_the_line(cli: Cli, tmp_path: Path, content: bytes,
                                                         said: str) -> None:
    path = tmp_path / "phieu.json"
    path.write_bytes(content)
    before = cli.snapshot()
    result = cli("round", "respond", "1", "SCT", "--proposal-file", str(path), "--json", expect=2)
    assert result.json["error"]["message"].startswith("--proposal-file: " + said.format(path=path)), result.json
    assert "Expecting" not in result.out and "Traceback" not in result.out + result.err
    assert cli.snapshot() == before


def test_a_text_file_that_is_not_utf8_names_the_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "noi-dung.txt"
    path.write_bytes("Dòng một\nDòng hai: ".encode() + "Thành phố".encode("latin-1", errors="replace") + b"\xe0")
    result = cli("round", "heading-text", "1", "training", "--text-file", str(path), "--json", expect=2)
    message = result.json["error"]["message"]
    assert message.startswith(f"--text-file: {path}:2: không phải văn bản UTF-8 (byte thứ "), message
    assert "UnicodeDecodeError" not in message
