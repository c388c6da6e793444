"""Files the commands write where people say (`--out`, `FILE`): never over a file already there unless they ask
(`--overwrite`), each one whole or not at all, and a failure part-way names the files that were written.

A clerk edits the letters ykien wrote (the số, a sentence); running the command again must not silently throw that
work away, so every name is checked before the first byte is written, and the refusal lists what is in the way.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer

from config.os_words import os_reason
from models.errors import InvalidInput
from workflows.service.files import file_in_place

OVERWRITE_OPTION = typer.Option(False, "--overwrite", help="Ghi đè các tệp đã có cùng tên (mặc định: không ghi đè, "
                                                           "báo các tệp đã có và không ghi gì).")
SHOWN_NAMES = 3  # names listed in a refusal; the rest are counted


def names_listed(paths: Sequence[Path]) -> str:
    """`a, b, c và 2 tệp khác`: the first few names, then how many more."""
    shown = ", ".join(f"\"{path.name}\"" for path in paths[:SHOWN_NAMES])
    more = len(paths) - SHOWN_NAMES
    return f"{shown} và {more} tệp khác" if more > 0 else shown


def out_folder(folder: Path, option: str) -> Path:
    """`folder` if files can be put in it: a folder, or a path that can become one (made later, by the first write);
    InvalidInput naming `option` for a file in its place or a file on the way to it."""
    try:
        if folder.exists() and not folder.is_dir():
            raise InvalidInput(f"{option}: \"{folder}\" là một tệp, không phải thư mục; hãy ghi tên một thư mục.",
                               "out_not_folder")
        for parent in folder.parents:
            if parent.exists():
                if not parent.is_dir():
                    raise InvalidInput(f"{option}: không tạo được thư mục \"{folder}\": \"{parent}\" là một tệp.",
                                       "out_not_folder")
                break
    except OSError as error:  # a name too long for the file system, say
        raise InvalidInput(f"{option}: không dùng được \"{folder}\" ({os_reason(error)}).",
                           "out_not_writable") from None
    return folder


def out_file(target: Path, option: str) -> Path:
    """`target` if a file can be written there: not a folder, and the folder it goes in is one (or can be made)."""
    try:
        if target.is_dir():
            raise InvalidInput(f"{option}: \"{target}\" là một thư mục; hãy ghi tên tệp, ví dụ "
                               f"\"{target / 'ten-tep'}\".", "out_is_folder")
    except OSError as error:
        raise InvalidInput(f"{option}: không dùng được \"{target}\" ({os_reason(error)}).",
                           "out_not_writable") from None
    out_folder(target.parent, option)
    return target


class OutFiles:
    """Writes a command's files: `check` all the names first, then `write` each one through a temporary file in the
    same folder renamed over its name, so the name holds the old file or the whole new one, never a part."""

    def __init__(self, option: str, overwrite: bool, names_folder: bool = True) -> None:
        self.option = option
        self.overwrite = overwrite
        self.names_folder = names_folder  # what the option names, to say what to choose instead: a folder or a file
        self.written: list[Path] = []

    def check(self, targets: Sequence[Path]) -> None:
        """Refuse, before anything is written, when any of `targets` is already there and --overwrite was not given."""
        try:
            folders = [target for target in targets if target.is_dir()]
            there = [target for target in targets if target.exists() or target.is_symlink()]
        except OSError as error:
            raise InvalidInput(f"{self.option}: không dùng được \"{targets[0].parent}\" ({os_reason(error)}).",
                               "out_not_writable") from None
        if folders:  # not even --overwrite puts a file in a folder's place
            raise InvalidInput(f"{self.option}: \"{folders[0]}\" là một thư mục, không ghi tệp cùng tên vào chỗ đó "
                               "được. Chưa ghi tệp nào.", "out_is_folder")
        if self.overwrite or not there:
            return
        if len(there) == 1:
            what = f"đã có tệp \"{there[0]}\""
        else:
            one_folder = len({path.parent for path in there}) == 1
            where = f" trong thư mục \"{there[0].parent}\"" if one_folder else ""
            what = f"đã có {len(there)} tệp cùng tên{where}: {names_listed(there)}"
        instead = "thư mục khác" if self.names_folder else "tên tệp khác"
        raise InvalidInput(f"{self.option}: {what}. Chưa ghi tệp nào. Để ghi đè, chạy lại lệnh với --overwrite; "
                           f"hoặc chọn {instead}.", "out_exists")

    def write(self, target: Path, content: bytes) -> Path:
        """Write `content` as `target` in one rename; InvalidInput naming the option, the file and the files written
        before it when it cannot be written."""
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _replace_whole(target, content)
        except OSError as error:
            written = f" Đã ghi {len(self.written)} tệp: {names_listed(self.written)}." if self.written else \
                " Chưa ghi tệp nào."
            raise InvalidInput(f"{self.option}: không ghi được \"{target}\" ({os_reason(error)}).{written}",
                               "out_not_writable") from None
        self.written.append(target)
        return target

    @contextmanager
    def said_if_stopped(self) -> Iterator[None]:
        """Ctrl-C in the block (a long PDF conversion after the DOCX were written) says which files were written."""
        try:
            yield
        except KeyboardInterrupt:
            if self.written:
                sys.stderr.write(f"Đã dừng; đã ghi {len(self.written)} tệp: {names_listed(self.written)}.\n")
            raise

    def write_all(self, files: Sequence[tuple[Path, bytes]]) -> list[Path]:
        """`check` every name, then `write` each file in order."""
        self.check([target for target, _ in files])
        return [self.write(target, content) for target, content in files]


def _replace_whole(target: Path, content: bytes) -> None:
    """`content` as `target` through service.files.file_in_place (a temporary name beside it, synced, renamed over it;
    removed on an error or Ctrl-C). Opened "x" (O_EXCL): never through a file or link someone else put under that
    name; mode 0o666 minus the umask, as any file the user makes (tempfile's are 0o600, which a shared folder's
    colleagues could not open)."""
    with file_in_place(target) as partial, partial.open("xb") as handle:
        handle.write(content)
