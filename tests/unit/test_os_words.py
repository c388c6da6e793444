"""The system's reasons for refusing a file or a port, in Vietnamese, from real OS errors."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from config.os_words import os_reason


def refusal(action) -> OSError:  # type: ignore[no-untyped-def]
    with pytest.raises(OSError) as caught:
        action()
    return caught.value


def test_the_usual_reasons_are_said_in_vietnamese(tmp_path: Path) -> None:
    (tmp_path / "tep.txt").write_text("x", encoding="utf-8")
    assert os_reason(refusal(lambda: (tmp_path / "khong-co.csv").read_text())) == "không có tệp hoặc thư mục này"
    assert os_reason(refusal(lambda: tmp_path.read_text())) == "đây là một thư mục, không phải tệp"
    assert os_reason(refusal(lambda: (tmp_path / "tep.txt" / "con").read_text())) == \
        "một phần của đường dẫn không phải thư mục"
    assert os_reason(refusal(lambda: tmp_path.mkdir())) == "đã có tệp hoặc thư mục này"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with socket.socket() as second:
            second.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
            assert os_reason(refusal(lambda: second.bind(taken.getsockname()))) == \
                "cổng này đang được chương trình khác dùng"


def test_a_reason_not_listed_keeps_the_systems_words() -> None:
    assert os_reason(OSError(0, "Lỗi lạ")) == "Lỗi lạ"
    assert os_reason(OSError("không có mã")) == "không có mã"
