"""Whether a file can be the PKCS#11 library (driver) of a USB token, read without loading it.

Loading is left to signing: a driver is slow to load and may talk to the token. What is checked here is what makes
loading fail or crash: not a shared library at all (/etc/passwd failed only when staff signed, in PKCS11's English),
or an ELF library cut short: the loader maps the parts the header promises, and touching a part past the end of the
file kills the whole process with SIGBUS (the web server with it), before any error can be caught."""
from __future__ import annotations

import stat
import struct
from pathlib import Path
from typing import BinaryIO

from config.os_words import os_reason

EXAMPLE = "ví dụ /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so hoặc thư viện đi kèm USB token"

_ELF = b"\x7fELF"
# The first bytes of a shared library of another system: Mach-O (macOS, also universal), PE (Windows DLL).
_OTHER_LIBRARY_MAGIC = (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
                        b"\xca\xfe\xba\xbe", b"MZ")
_ET_DYN = 3  # e_type of a shared object
_PT_LOAD = 1  # a program header the loader maps from the file


class _CutShort(Exception):
    """The ELF file ends before something its header says is in it."""


def _read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    handle.seek(offset)
    data = handle.read(size)
    if len(data) != size:
        raise _CutShort
    return data


def _elf_problem(handle: BinaryIO, size: int) -> str | None:
    """Why an ELF file is not a whole shared library, or None. Checks the header, the table of sections and every
    segment the loader maps lie inside the file."""
    ident = _read_at(handle, 0, 16)
    wide, order = {1: False, 2: True}.get(ident[4]), {1: "<", 2: ">"}.get(ident[5])
    if wide is None or order is None:
        return "là tệp ELF có phần đầu hỏng"
    if wide:  # e_type, e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum
        e_type, e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum = _fields(
            _read_at(handle, 0, 64), order, ((16, "H"), (32, "Q"), (40, "Q"), (54, "H"), (56, "H"), (58, "H"),
                                             (60, "H")))
        segment = ((0, "I"), (8, "Q"), (32, "Q"))  # p_type, p_offset, p_filesz
    else:
        e_type, e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum = _fields(
            _read_at(handle, 0, 52), order, ((16, "H"), (28, "I"), (32, "I"), (42, "H"), (44, "H"), (46, "H"),
                                             (48, "H")))
        segment = ((0, "I"), (4, "I"), (16, "I"))
    if e_type != _ET_DYN:
        return "là tệp chạy hoặc tệp ELF khác, không phải thư viện dùng chung (.so)"
    if e_shoff and e_shoff + e_shentsize * e_shnum > size:
        raise _CutShort
    for index in range(e_phnum):
        p_type, p_offset, p_filesz = _fields(_read_at(handle, e_phoff + index * e_phentsize, e_phentsize), order,
                                             segment)
        if p_type == _PT_LOAD and p_offset + p_filesz > size:
            raise _CutShort
    return None


def _fields(data: bytes, order: str, layout: tuple[tuple[int, str], ...]) -> list[int]:
    try:
        return [int(struct.unpack_from(order + kind, data, offset)[0]) for offset, kind in layout]
    except struct.error:  # a program header shorter than its fields: the header lies about its own size
        raise _CutShort from None


def pkcs11_library_problem(path: Path) -> str | None:
    """Why `path` cannot be a PKCS#11 library (driver) of a USB token, in Vietnamese, or None."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f'"{path}": không có tệp này; hãy ghi đường dẫn thư viện PKCS#11 (tệp .so) của USB token, {EXAMPLE}'
    except OSError as error:
        return f'"{path}": không dùng được đường dẫn này ({os_reason(error)})'
    if stat.S_ISDIR(mode):
        return f'"{path}" là một thư mục; hãy ghi đường dẫn tệp thư viện PKCS#11 (.so), {EXAMPLE}'
    if not stat.S_ISREG(mode):
        return f'"{path}" không phải tệp thường; hãy ghi đường dẫn tệp thư viện PKCS#11 (.so), {EXAMPLE}'
    try:
        with path.open("rb") as handle:
            start = handle.read(4)
            if start.startswith(_OTHER_LIBRARY_MAGIC):
                return None
            if start != _ELF:
                return f'"{path}" không phải thư viện PKCS#11 (tệp .so của trình điều khiển token); {EXAMPLE}'
            problem = _elf_problem(handle, path.stat().st_size)
    except _CutShort:
        return (f'"{path}" là thư viện bị cắt dở hoặc hỏng (tệp ngắn hơn phần đầu của nó ghi); hãy cài lại trình '
                f"điều khiển USB token, {EXAMPLE}")
    except OSError as error:
        return f'"{path}": không đọc được tệp này ({os_reason(error)})'
    if problem is not None:
        return f'"{path}" {problem}; hãy ghi đường dẫn thư viện PKCS#11 (.so) của USB token, {EXAMPLE}'
    return None
