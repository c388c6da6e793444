"""Every command's help reads as the paragraphs its author wrote, not as the lines of the source: a docstring broken
at 120 columns in the code shows no break in the middle of a sentence, in the command's own help nor in its group's
list of commands, at any terminal width."""
from __future__ import annotations

import inspect
import re

import pytest
from typer.main import get_command

from tests.e2e.conftest import Cli
from workflows.cli.help_words import flowing
from workflows.cli.main import app

WIDE = "1000"  # wide enough that no paragraph of ours wraps: every line break left is one the help put there


def _commands() -> list[tuple[tuple[str, ...], object]]:
    found: list[tuple[tuple[str, ...], object]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        found.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, (*path, name))
    walk(get_command(app), ())
    return found


def _paragraphs(help_text: str | None) -> list[str]:
    return [part for part in flowing(inspect.cleandoc(help_text or "")).split("\n\n") if part.strip()]


def _shown(out: str) -> str:
    """The help as one line per rendered line, with the panels' borders and padding taken off."""
    return "\n".join(re.sub(r"\s+", " ", line.strip(" │")).strip() for line in out.splitlines())


@pytest.mark.parametrize(("path", "command"), [pytest.param(path, command, id=" ".join(path) or "ykien")
                                              for path, command in _commands()])
def test_each_paragraph_of_a_help_is_one_line_when_the_terminal_is_wide(
        cli: Cli, path: tuple[str, ...], command: object) -> None:
    shown = _shown(cli(*path, "--help", COLUMNS=WIDE).out).splitlines()
    for paragraph in _paragraphs(getattr(command, "help", None)):
        assert paragraph in shown, f"not one line in `ykien {' '.join(path)} --help`: {paragraph!r}"
    for name, sub in getattr(command, "commands", {}).items():
        first = _paragraphs(getattr(sub, "help", None))[:1]
        assert not first or any(line.startswith(f"{name} {first[0]}") for line in shown), \
            f"`{name}` in `ykien {' '.join(path)} --help` is not one line: {first[0]!r}"


def test_the_top_level_list_says_serve_and_worker_in_one_sentence_at_80_columns(cli: Cli) -> None:
    out = _shown(cli("--help", COLUMNS="80").out)
    assert "trình, hoặc qua Prefect khi có PREFECT_API_URL." in out, out
    assert "Prefect (PREFECT_API_URL); bản PDF cần LibreOffice" in out, out


@pytest.mark.parametrize(("text", "flowed"), [
    ("Một dòng.", "Một dòng."),
    ("Câu bị ngắt\n  giữa chừng.\n\nĐoạn hai\ncũng vậy.", "Câu bị ngắt giữa chừng.\n\nĐoạn hai cũng vậy."),
    ("\b\nGiữ\nnguyên", "\b\nGiữ\nnguyên"),
])
def test_flowing_joins_the_lines_of_each_paragraph(text: str, flowed: str) -> None:
    assert flowing(text) == flowed


@pytest.mark.parametrize(("path", "command"), [pytest.param(path, command, id=" ".join(path) or "ykien")
                                              for path, command in _commands() if getattr(command, "params", None)])
def test_every_argument_and_option_says_what_it_is_for(path: tuple[str, ...], command: object) -> None:
    silent = [param.opts[0] if param.param_type_name == "option" else (param.name or "").upper()
              for param in getattr(command, "params", []) if not (getattr(param, "help", None) or "").strip()]
    assert not silent, f"`ykien {' '.join(path)} --help` says nothing of {', '.join(silent)}"


def test_the_web_address_options_are_explained(cli: Cli) -> None:
    for command in ("serve", "demo"):
        out = _shown(cli(command, "--help", COLUMNS=WIDE).out)
        assert "--host <chữ> Địa chỉ giao diện web" in out and "--port <số nguyên> Cổng của giao diện web" in out, out
