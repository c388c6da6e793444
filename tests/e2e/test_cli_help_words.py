"""`ykien … --help` reads in Vietnamese around the commands' own texts: the usage line, the panel titles, the help
option, the marks beside options and the kind of value each takes; a flag shows no type (it takes no value)."""
from __future__ import annotations

import re

import pytest
from typer.main import get_command

from tests.e2e.conftest import Cli
from workflows.cli.help_words import type_in_words
from workflows.cli.main import app

# Typer's English frame, and the types it shows (<bool> beside every flag read as if the flag took a value).
ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "[required]", "[default", "env var",
           "<bool>", "<str>", "<int>", "<float", "<path>", "<list[", "[OPTIONS]", "COMMAND [ARGS]")


def _command_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [()]

    def walk(command: object, path: tuple[str, ...]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if getattr(sub, "hidden", False):
                continue
            paths.append((*path, name))
            walk(sub, (*path, name))
    walk(get_command(app), ())
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda path: " ".join(path) or "ykien")
def test_every_help_reads_in_vietnamese(cli: Cli, path: tuple[str, ...]) -> None:
    out = cli(*path, "--help").out
    assert out.strip().startswith(f"Cách dùng: {' '.join(('ykien', *path))}"), out
    assert "Xem hướng dẫn này rồi thoát." in out
    assert not [word for word in ENGLISH if word in out], out
    assert "--help  " in out and not re.search(r"--help\s+<", out)


def test_an_argument_is_named_in_capitals_with_its_kind_and_a_flag_shows_no_type(cli: Cli) -> None:
    out = cli("round", "remind", "--help").out
    assert "Cách dùng: ykien round remind [TÙY CHỌN] {ROUND_ID}" in out
    assert re.search(r"ROUND_ID\s+<số nguyên>\s+Số thứ tự của đợt .*\[bắt buộc\]", out), out
    assert re.search(r"--unit\s+<chữ>\.\.\.", out) and re.search(r"--json\s+In kết quả", out), out
    served = cli("serve", "--help").out
    assert re.search(r"--port\s+<số nguyên>\s+Cổng của giao diện web.*\[mặc định: 8000\]", served), served
    assert "Cách dùng: ykien [TÙY CHỌN] LỆNH [ĐỐI SỐ]..." in cli("--help").out


@pytest.mark.parametrize(("shown", "said"), [
    ("<int>", "<số nguyên>"), ("<str>", "<chữ>"), ("<float range>", "<số>"), ("<list[Path]>", "<đường dẫn>..."),
    ("<list[int]>", "<số nguyên>..."), ("[a|b]", "[a|b]"), (None, None), ("<uuid>", "<uuid>"),
])
def test_type_in_words(shown: str | None, said: str | None) -> None:
    assert type_in_words(shown) == said
