"""Files a person names to be read (a CSV, a JSON or text file, a draft, a key, a picture, a backup): one rule for
every command. Only a regular file is read. A folder, a pipe (FIFO), a device or a socket is refused in words that
say which, found by stat before anything opens it: opening a FIFO waits for a writer for ever, and /dev/zero never
ends. A file larger than its kind's limit is refused with the limit named, before its bytes are read."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from config.number_words import decimal_words
from config.os_words import os_reason


class InputFileRefused(ValueError):
    """A path that cannot be read as an input file; the message starts with the path, in quotes."""


def _kind(mode: int) -> str | None:
    """What is at a path that is not a regular file, said for staff; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "là một thư mục, không phải tệp"
    if stat.S_ISFIFO(mode):
        return "là một ống dẫn (FIFO), không phải tệp thường"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "là một thiết bị, không phải tệp thường"
    if stat.S_ISSOCK(mode):
        return "là một socket, không phải tệp thường"
    return "không phải tệp thường"


def size_words(size: int) -> str:
    """A size as people read it: 100 KB, 20 MB."""
    if size >= 1024 * 1024:
        return f"{decimal_words(round(size / (1024 * 1024), 1))} MB"
    return f"{max(1, round(size / 1024))} KB"


def _shown(path: Path) -> str:
    """The path in quotes, its characters that do not print escaped (a name can hold a newline or an ESC)."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path))
    return '"' + text.encode("utf-8", "backslashreplace").decode("utf-8") + '"'


def _size_problem(path: Path, size: int, limit: int, why: str) -> str:
    return f"{_shown(path)} lớn {size_words(size)}, quá giới hạn {size_words(limit)} {why}".rstrip()


def input_file_problem(path: Path, limit: int | None = None, why: str = "") -> str | None:
    """Why `path` cannot be read as an input file (missing, not a regular file, over `limit` bytes: `why` says whose
    limit that is, "(YKIEN_MAX_UPLOAD_MB)"), or None. Looks with stat only: nothing is opened."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return f"{_shown(path)}: không có tệp này"
    except (OSError, ValueError) as error:  # a name too long, a folder not to enter, a NUL in the name
        reason = os_reason(error) if isinstance(error, OSError) else "tên tệp không hợp lệ"
        return f"{_shown(path)}: không dùng được đường dẫn này ({reason})"
    kind = _kind(found.st_mode)
    if kind is not None:
        return f"{_shown(path)} {kind}"
    if limit is not None and found.st_size > limit:
        return _size_problem(path, found.st_size, limit, why)
    return None


def read_input_file(path: Path, limit: int, why: str = "") -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them; InputFileRefused (input_file_problem's words)
    otherwise. Opened without blocking (a FIFO put there after the stat does not hang) and checked again on the open
    file, then read no further than one byte past `limit` (a file that grows while read is still refused)."""
    problem = input_file_problem(path, limit, why)
    if problem is not None:
        raise InputFileRefused(problem)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise InputFileRefused(f"{_shown(path)}: không đọc được tệp này ({os_reason(error)})") from None
    with os.fdopen(descriptor, "rb") as handle:
        kind = _kind(os.fstat(descriptor).st_mode)
        if kind is not None:
            raise InputFileRefused(f"{_shown(path)} {kind}")
        try:
            content = handle.read(limit + 1)
        except OSError as error:
            raise InputFileRefused(f"{_shown(path)}: không đọc được tệp này ({os_reason(error)})") from None
    if len(content) > limit:
        raise InputFileRefused(f"{_shown(path)} lớn quá giới hạn {size_words(limit)} {why}".rstrip())
    return content
