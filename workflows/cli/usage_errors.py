"""Mistakes in how a command is typed (an unknown command or option, a missing argument, a value of the wrong type),
said as the commands' own errors are: "Lỗi: …" in Vietnamese, then where to look, exit 2.

Typer prints these itself, in English, under a usage line and in a box; `install()` puts `show_usage_error` in its
place (typer calls `rich_utils.rich_format_error` for every ClickException it catches). A value Typer refuses is said
as the settings say theirs (config/validation_words); anything not recognised keeps the English words it came with.
"""
from __future__ import annotations

import re
import sys
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError
from typer import rich_utils

from config.validation_words import said_in_vietnamese

_NO_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.(?: Did you mean '(?P<hint>.*)'\?)?$")
_NEEDS_VALUE = re.compile(r"Option '(?P<name>[^']*)' requires (?:an argument|(?P<count>\d+) arguments)\.$")
_EXTRA = re.compile(r"Got unexpected extra argument\S* \((?P<values>.*)\)$")
_NEGATIVE = re.compile(r"-\d")  # "-3", "-3 ngày làm việc": a value, read as an option because of its minus sign


def _name(param: Any) -> str:
    """How the user typed (or should type) the parameter: its first option name, or the argument's name in capitals,
    as the commands' own messages and help texts name arguments (ROUND_ID, DOCUMENT_KEY)."""
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "option" and opts:
        return str(opts[0])
    return str(getattr(param, "display_name_raw", None) or getattr(param, "name", "?")).upper()


def _value_problem(param: Any, error: Exception, message: str) -> str:
    """What is wrong with the value: pydantic's complaint (Typer checks values with it) in Vietnamese, with the value
    typed; else the choices Typer lists; else the words it came with."""
    cause = error.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        first = cause.errors()[0]
        typed = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(first.get("input")))
        return f'"{typed}": {said_in_vietnamese(first)}'
    descriptor = getattr(param, "type_descriptor", None)
    choices = getattr(descriptor, "choices", None) if getattr(descriptor, "is_choice", False) else None
    if choices:
        return "phải là một trong: " + ", ".join(str(getattr(choice, "value", choice)) for choice in choices)
    return message


@runtime_checkable
class _Group(Protocol):
    """A group of commands as Typer's own copy of click has it (not click.Group: Typer vendors click)."""

    def list_commands(self, ctx: Any) -> list[str]: ...

    def get_command(self, ctx: Any, name: str) -> Any: ...


def _within_groups(ctx: Any, name: str) -> list[str]:
    """The commands named `name` one level down, in the groups of the command typed (`ykien backup` is `ykien db
    backup`): a name is unknown where it was typed, but the user knows it from a group's help or from a note."""
    group = getattr(ctx, "command", None)
    if not isinstance(group, _Group):
        return []
    found = []
    for group_name in group.list_commands(ctx):
        sub = group.get_command(ctx, group_name)
        command = sub.get_command(ctx, name) if isinstance(sub, _Group) else None
        if command is not None and not getattr(command, "hidden", False):
            found.append(f"{ctx.command_path} {group_name} {name}")
    return found


def usage_error_text(error: Exception) -> str:
    """The error in Vietnamese, one line (a second names the command's help)."""
    kind = type(error).__name__
    param = getattr(error, "param", None)
    message = str(getattr(error, "message", "")) or str(error)
    if kind == "NoSuchOption":
        option = str(getattr(error, "option_name", message))
        text = f"không có tùy chọn {option}."
        possible = sorted(getattr(error, "possibilities", None) or [])
        if possible:
            text += f" Có phải ý là {', '.join(possible)}?"
        if _NEGATIVE.match(option):
            text += f" Một giá trị bắt đầu bằng dấu trừ ({option}) phải đứng sau --, ví dụ: -- {option}"
    elif kind == "MissingParameter" and param is not None:
        what = "tùy chọn" if getattr(param, "param_type_name", "") == "option" else "đối số"
        text = f"thiếu {what} {_name(param)}."
    elif kind == "BadParameter" and param is not None:
        text = f"{_name(param)}: {_value_problem(param, error, message).rstrip('.')}."
    elif found := _NO_COMMAND.match(message):
        text = f"không có lệnh '{found['name']}'."
        within = _within_groups(getattr(error, "ctx", None), found["name"])
        if within:
            quoted = [f"`{command}`" for command in within]
            text += f" Có phải ý là {', '.join(quoted[:-1]) + ' hoặc ' if len(quoted) > 1 else ''}{quoted[-1]}?"
        elif found["hint"]:
            text += f" Có phải ý là '{found['hint']}'?"
    elif found := _NEEDS_VALUE.match(message):
        count = found["count"]
        text = f"{found['name']} cần {count + ' giá trị' if count else 'một giá trị'} theo sau."
    elif found := _EXTRA.match(message):
        text = f"thừa đối số: {found['values']}."
    else:
        format_message = getattr(error, "format_message", None)
        text = format_message() if callable(format_message) else message
    ctx = getattr(error, "ctx", None)
    command = getattr(ctx, "command_path", None)
    hint = f"\nXem `{command} --help`." if command else ""
    return f"Lỗi: {text}{hint}"


def show_usage_error(error: Exception) -> None:
    # Typer shows a command's help itself when it is run without arguments (no_args_is_help): nothing to add.
    if type(error).__name__ == "NoArgsIsHelpError":
        return
    sys.stderr.write(usage_error_text(error) + "\n")


def install() -> None:
    """Say usage mistakes in Vietnamese from now on in this process."""
    rich_utils.rich_format_error = show_usage_error  # type: ignore[assignment]
