"""An empty path typed on the command line (`--out ""`, `--home ""`, `FILE` as `""`, or only spaces) is refused, naming
the option.

Python reads `Path("")` as `Path(".")`, so Typer would hand the command the current folder: `--out ""` wrote the
documents where the shell stood, `--home ""` put a demo there. `install()` checks every parameter whose type is a
path (alone, optional or in a list) before Typer converts its value, so a new path option needs nothing of its own.
"""
from __future__ import annotations

import functools
import types
import typing
from pathlib import Path
from typing import Any

from typer import core
from typer._click import exceptions

EMPTY_PATH = "đường dẫn trống hoặc chỉ có dấu cách; hãy ghi tên tệp hoặc thư mục (\".\" là thư mục đang đứng)"


def names_a_path(annotation: Any) -> bool:
    """Whether values of `annotation` are paths: Path, Path | None, list[Path] and the like."""
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, tuple, typing.Annotated):
        return any(names_a_path(argument) for argument in typing.get_args(annotation))
    return False


def _typed_empty(value: Any) -> bool:
    """Nothing typed, or only spaces: a file named " " is a slip of the shell's quoting, never meant."""
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, tuple)) and any(isinstance(item, str) and not item.strip() for item in value)


def _empty_paths_refused(original: Any) -> Any:
    @functools.wraps(original)
    def process_value(self: Any, ctx: Any, value: Any) -> Any:
        if _typed_empty(value) and names_a_path(self.type_descriptor.annotation):
            raise exceptions.BadParameter(EMPTY_PATH, ctx=ctx, param=self)
        return original(self, ctx, value)
    return process_value


def install() -> None:
    """Refuse empty paths from now on in this process (once)."""
    if getattr(core._TyperParameter.process_value, "_ykien", False):
        return
    replacement = _empty_paths_refused(core._TyperParameter.process_value)
    replacement._ykien = True
    core._TyperParameter.process_value = replacement  # type: ignore[method-assign]
