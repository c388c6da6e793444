"""The long commands draw a progress bar on stderr when it is a terminal (a pty here), and nothing more when it is
not, or with --json: what scripts read on stdout is the same either way."""
from __future__ import annotations

import json
import os
import re
import subprocess
import threading

from notifications.testing import SmtpCapture
from tests.e2e.conftest import TIMEOUT, Cli, ykien_command

CREATE = ("round", "create", "--title", "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất giai đoạn 2026 – 2030",
          "--office", "TĐC", "--deadline", "10 ngày làm việc", "--group", "so-ban-nganh", "--group", "xa-phuong",
          "--contact-name", "Ông Phạm Phi Long", "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền")
LAUNCH = ("round", "launch", "1", "--no-draft-reason", "Dự thảo gửi kèm bản giấy")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LAUNCH_JSON_KEYS = {"id", "status", "messages", "delivery", "mail", "notice", "empty_groups"}


def on_a_terminal(cli: Cli, *args: str) -> tuple[int, str, str]:
    """`ykien ARGS` in a subprocess whose stderr is a pseudo-terminal: exit code, stdout, and what the terminal
    showed (escape sequences removed)."""
    primary, secondary = os.openpty()
    seen: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the process closed its end
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process = subprocess.Popen([*ykien_command(), *args], env=cli.environment(TERM="xterm-256color"),
                                   stdout=subprocess.PIPE, stderr=secondary, cwd=cli.home.parent)
        os.close(secondary)
        out, _ = process.communicate(timeout=TIMEOUT)
        reader.join(TIMEOUT)
    finally:
        os.close(primary)
    terminal = ESCAPES.sub("", b"".join(seen).decode("utf-8", "replace"))
    return process.returncode, out.decode("utf-8"), terminal


def test_launch_draws_its_progress_on_a_terminal_and_prints_what_it_always_printed(
        cli: Cli, capture: SmtpCapture) -> None:
    cli(*CREATE)
    code, out, terminal = on_a_terminal(cli, *LAUNCH)
    assert code == 0, terminal
    assert out.splitlines() == ["Đã phát hành đợt số 1 (Đang lấy ý kiến); hạn trả lời 04/12/2025; 10 thư được xếp "
                                "hàng gửi.",
                                "Thư: đã gửi 10, lỗi 0, chờ gửi lại 0."]
    assert "Chuẩn bị thư" in terminal and "Gửi thư" in terminal
    assert re.search(r"Chuẩn bị thư.*10/10", terminal) and re.search(r"Gửi thư.*10/10", terminal)
    assert len(capture.messages) == 10


def test_json_on_a_terminal_and_a_pipe_without_one_show_no_bar(cli: Cli, capture: SmtpCapture) -> None:
    cli(*CREATE)
    code, out, terminal = on_a_terminal(cli, *LAUNCH, "--json")
    assert code == 0 and terminal.strip() == ""
    launched = json.loads(out)
    assert set(launched) == LAUNCH_JSON_KEYS and launched["messages"] == 10 and launched["mail"] == ""
    piped = cli("round", "submit", "1", "--json", expect=1)  # not a terminal (captured): stderr stays empty
    assert piped.err == "" and set(piped.json) == {"error"}
    documents = cli("round", "documents", "1", "--out", str(cli.home.parent / "docs"))
    assert documents.err == "" and "Công văn xin ý kiến" in documents.out
