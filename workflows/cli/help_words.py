"""The frame of `ykien … --help` in Vietnamese: the usage line, the panel titles, the help option's own line, the
marks beside an option (required, default, environment variable) and the kind of value each one takes.

Typer writes these in English and shows a type beside every parameter, `<bool>` beside each flag too, which reads
as if the flag took a value (`--json <bool>`). `install()` changes them where Typer keeps them: module constants read
at each help, and a few methods wrapped. Our commands' own texts are Vietnamese already; a docstring's line breaks
(the source's, at 120 columns) are not the reader's: each paragraph flows as one, however wide the terminal. An
upgrade of Typer that moves these fails tests/e2e/test_cli_help_words.py first.
"""
from __future__ import annotations

import copy
import functools
import inspect
import re
from typing import Any

from typer import core, rich_utils
from typer._click import core as click_core
from typer._click import formatting

USAGE = "Cách dùng: "
# What the usage line puts in place of options and of a group's commands.
_PLACEHOLDERS = {"[OPTIONS]": "[TÙY CHỌN]", "COMMAND [ARGS]...": "LỆNH [ĐỐI SỐ]..."}
HELP_OPTION_TEXT = "Xem hướng dẫn này rồi thoát."
_PANEL_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "Đối số",
    "OPTIONS_PANEL_TITLE": "Tùy chọn",
    "COMMANDS_PANEL_TITLE": "Lệnh",
    "ERRORS_PANEL_TITLE": "Lỗi",
    "REQUIRED_LONG_STRING": "[bắt buộc]",
    "DEFAULT_STRING": "[mặc định: {}]",
    "ENVVAR_STRING": "[biến môi trường: {}]",
    "DEPRECATED_STRING": "(không dùng nữa) ",
    "ABORTED_TEXT": "Đã dừng.",
    "RICH_HELP": "Xem [blue]'{command_path} {help_option}'[/].",
}
# Typer's names of value types (what `display_type` puts between < and >), as a user would call what to type.
_TYPE_WORDS = {"str": "chữ", "int": "số nguyên", "float": "số", "float range": "số", "int range": "số nguyên",
               "path": "đường dẫn", "Path": "đường dẫn", "date": "ngày", "datetime": "ngày giờ"}
_SHOWN_TYPE = re.compile(r"<(?:list\[(?P<item>[^\]]+)\]|(?P<single>[^>]+))>")


def type_in_words(shown: str | None) -> str | None:
    """`<int>` as `<số nguyên>`, `<list[Path]>` as `<đường dẫn>...`; a type Typer names otherwise (choices) as it
    is."""
    if shown is None or not (found := _SHOWN_TYPE.fullmatch(shown)):
        return shown
    name = found["item"] or found["single"]
    word = _TYPE_WORDS.get(name, name)
    return f"<{word}>..." if found["item"] else f"<{word}>"


def _type_shown(original: Any) -> Any:
    @functools.wraps(original)
    def shown(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) and not getattr(self, "metavar", None):
            return None  # a flag takes no value: nothing to type after it
        return type_in_words(original(self, ctx))
    return shown


def flowing(text: str) -> str:
    """`text` with each paragraph (blank lines apart) on one line: the line breaks a docstring or a long help string
    has in the source become spaces. A paragraph Typer is told to keep as it is (it starts with \\b) is kept."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(paragraph if paragraph.lstrip("\n").startswith("\b")
                       else " ".join(line.strip() for line in paragraph.splitlines())
                       for paragraph in paragraphs)


def _command_help_flowing(original: Any) -> Any:
    """A group's list of commands: Typer keeps the line breaks of each command's first paragraph there."""
    @functools.wraps(original)
    def command_help(*, help_text: str, markup_mode: Any) -> Any:
        return original(help_text=flowing(inspect.cleandoc(help_text)), markup_mode=markup_mode)
    return command_help


def _help_text_flowing(original: Any) -> Any:
    """A command's own help: Typer joins the lines of the first paragraph only, not of the ones after it."""
    @functools.wraps(original)
    def help_text(*, obj: Any, markup_mode: Any) -> Any:
        shown = copy.copy(obj)  # the command itself keeps its text
        shown.help = flowing(inspect.cleandoc(obj.help or ""))
        return original(obj=shown, markup_mode=markup_mode)
    return help_text


def _upper_name(self: Any) -> str:
    """An argument named in capitals (ROUND_ID), as the commands' messages and help texts name arguments."""
    return str(self.metavar if self.metavar is not None else (self.name or "").upper())


def _usage_prefixed(original: Any) -> Any:
    @functools.wraps(original)
    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original(self, prog, args, USAGE if prefix is None else prefix)
    return write_usage


def _placeholders_in_words(original: Any) -> Any:
    @functools.wraps(original)
    def collect_usage_pieces(self: Any, ctx: Any) -> list[str]:
        return [_PLACEHOLDERS.get(piece, piece) for piece in original(self, ctx)]
    return collect_usage_pieces


def _help_option_said(original: Any) -> Any:
    @functools.wraps(original)
    def get_help_option(self: Any, ctx: Any) -> Any:
        option = original(self, ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option
    return get_help_option


def install() -> None:
    """Write help in Vietnamese from now on in this process (once: wrapping twice is harmless but pointless)."""
    if getattr(formatting.HelpFormatter.write_usage, "_ykien", False):
        return
    for name, words in _PANEL_WORDS.items():
        setattr(rich_utils, name, words)
    rich_utils.OptionHighlighter.highlights = [  # the usage line's prefix keeps its colour
        pattern.replace("Usage: ", USAGE) for pattern in rich_utils.OptionHighlighter.highlights]
    wrapped: list[tuple[Any, str, Any]] = [
        (formatting.HelpFormatter, "write_usage", _usage_prefixed),
        (click_core.Command, "collect_usage_pieces", _placeholders_in_words),
        (core.TyperGroup, "collect_usage_pieces", _placeholders_in_words),
        (click_core.Command, "get_help_option", _help_option_said),
        (core.TyperOption, "display_type_rich", _type_shown),
        (core.TyperArgument, "display_type_rich", _type_shown),
        (rich_utils, "_make_command_help", _command_help_flowing),
        (rich_utils, "_get_help_text", _help_text_flowing),
    ]
    for owner, name, wrap in wrapped:
        replacement = wrap(getattr(owner, name))
        replacement._ykien = True
        setattr(owner, name, replacement)
    core.TyperArgument.display_name_raw = property(_upper_name)  # type: ignore[method-assign,assignment]
