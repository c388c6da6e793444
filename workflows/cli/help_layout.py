"""The table of arguments and options in `ykien … --help`, readable from 80 columns up.

Typer gives a flag pair two columns (`--silence-agrees` and `--silence-not-agreement`) and lets rich share the width
out: at 80 columns the second name came out cut (`--silence-not-ag…`) while the help text got a third of the line. Here
each parameter's names are one cell (a pair joined by " / ", wrapped there when the pair is too long, never inside a
name), the names and the value's kind get the width of their longest word at least and of their longest entry at
most, and the help takes the rest; below `STACKED_BELOW` columns of help text, each help goes under its names.
"""
from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer import core, rich_utils

NAMES_SHARE = 0.4  # at most this much of the line for the names and for the kinds of value, each, before wrapping
STACKED_BELOW = 24  # help narrower than this reads badly: put it under the names instead


def _names(param: Any) -> Text:
    """`--out`, `-o, --out`, `--web / --no-web`, or an argument's name (ROUND_ID, FILES...)."""
    if isinstance(param, core.TyperArgument):
        shown = str(param.display_name_raw)
        if param.metavar is None and param.nargs != 1:
            shown += "..."
        return rich_utils.highlighter(shown)
    names = rich_utils.highlighter(", ".join(param.opts))
    if param.secondary_opts:
        names.append(" / ")
        names.append_text(rich_utils.negative_highlighter(", ".join(param.secondary_opts)))
    return names


def _kind(param: Any, ctx: Any) -> Text:
    kind = Text(style=rich_utils.STYLE_TYPES)
    shown = param.display_type_rich(ctx=ctx)
    if shown is not None:
        kind.append(shown)
    limits = param._get_number_range_help_str()
    if limits:
        kind.append(rich_utils.RANGE_STRING.format(limits))
    return rich_utils.types_highlighter(kind)


def _longest_word(text: Text) -> int:
    return max((len(word) for word in text.plain.split(" ")), default=0)


def column_width(cells: list[Text], most: int) -> int:
    """A column as wide as its longest cell when that fits in `most`, else as its longest word: a cell wider than
    the column wraps at its spaces, never inside a word."""
    return max((len(cell.plain) if len(cell.plain) <= most else _longest_word(cell) for cell in cells), default=0)


def options_panel(*, name: str, params: list[Any], ctx: Any, markup_mode: Any, console: Console) -> None:
    """The panel Typer's `_print_options_panel` draws, laid out for the console's width."""
    if not params:
        return
    names = [_names(param) for param in params]
    kinds = [_kind(param, ctx) for param in params]
    helps = [rich_utils._get_parameter_help(param=param, ctx=ctx, markup_mode=markup_mode) for param in params]
    marks = [Text(rich_utils.REQUIRED_SHORT_STRING, style=rich_utils.STYLE_REQUIRED_SHORT) if param.required
             else Text("") for param in params]
    with_marks = any(param.required for param in params)
    inside = console.width - 4  # the panel's border and padding
    most = int(inside * NAMES_SHARE)
    names_width, kinds_width = column_width(names, most), column_width(kinds, most)
    used = (2 if with_marks else 0) + names_width + (kinds_width + 1 if kinds_width else 0) + 2
    table = Table(show_header=False, expand=True, box=None, padding=(0, 1), pad_edge=False,
                  show_lines=rich_utils.STYLE_OPTIONS_TABLE_SHOW_LINES, leading=rich_utils.STYLE_OPTIONS_TABLE_LEADING)
    if inside - used >= STACKED_BELOW:
        if with_marks:
            table.add_column(width=1, no_wrap=True)
        table.add_column(width=names_width)
        if kinds_width:
            table.add_column(width=kinds_width)
        table.add_column(ratio=1, overflow="fold")
        for mark, names_cell, kind, help_text in zip(marks, names, kinds, helps, strict=True):
            table.add_row(*([mark] if with_marks else []), names_cell, *([kind] if kinds_width else []), help_text)
    else:
        table.add_column(ratio=1, overflow="fold")
        for mark, names_cell, kind, help_text in zip(marks, names, kinds, helps, strict=True):
            head = Text.assemble(mark, " " if with_marks else "", names_cell, " " if kind.plain else "", kind)
            table.add_row(Group(head, Padding(help_text, (0, 0, 0, 4))))
    console.print(Panel(table, border_style=rich_utils.STYLE_OPTIONS_PANEL_BORDER, title=name,
                        title_align=rich_utils.ALIGN_OPTIONS_PANEL, box=box.ROUNDED))


def install() -> None:
    """Draw the options panels this way from now on in this process."""
    rich_utils._print_options_panel = options_panel
