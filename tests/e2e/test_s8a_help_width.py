"""Every command's `--help` at 80 and at 200 columns: no line wider than the terminal, no name cut short ("…"),
every option (both names of a flag pair) and argument shown whole, never broken inside a name."""
from __future__ import annotations

import re

import pytest
from cli_in_process import run
from typer.main import get_command

from workflows.cli.help_layout import column_width
from workflows.cli.main import app


def _commands() -> list[tuple[tuple[str, ...], list[str]]]:
    """Each command's path, with the names its help must show whole."""
    found: list[tuple[tuple[str, ...], list[str]]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        names = [name for param in getattr(command, "params", []) if not getattr(param, "hidden", False)
                 for name in ((*param.opts, *param.secondary_opts) if param.param_type_name == "option"
                              else (param.name.upper(),))]
        found.append((path, names))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if not getattr(sub, "hidden", False):
                walk(sub, (*path, name))
    walk(get_command(app), ())
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize(("path", "names"), COMMANDS, ids=[" ".join(path) or "ykien" for path, _ in COMMANDS])
def test_every_help_fits_the_terminal_and_shows_every_name_whole(path: tuple[str, ...], names: list[str],
                                                                  columns: int) -> None:
    outcome = run([*path, "--help"], {"COLUMNS": str(columns)})
    assert outcome.code == 0, outcome.describe()
    out = outcome.stdout
    assert "…" not in out, out
    assert max(len(line) for line in out.splitlines()) <= columns, out
    for name in names:
        assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", out), f"{name} not shown whole:\n{out}"


def test_a_flag_pair_at_80_columns_wraps_between_its_names_and_leaves_the_help_most_of_the_line() -> None:
    out = run(["round", "create", "--help"], {"COLUMNS": "80"}).stdout
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "--silence-agrees /" in line)
    assert "--silence-not-agreement" in lines[at + 1], out
    title = next(line for line in lines if "--title " in line)
    assert title.index("Tên dự thảo") < 45, out  # the help starts before the middle of the line


def test_a_column_is_as_wide_as_its_longest_word_when_its_longest_cell_does_not_fit() -> None:
    from rich.text import Text

    cells = [Text("--title"), Text("--silence-agrees / --silence-not-agreement")]
    assert column_width(cells, 40) == len("--silence-not-agreement")
    assert column_width(cells, 60) == len("--silence-agrees / --silence-not-agreement")
