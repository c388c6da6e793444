"""Office files for the upload checks: real small ones (python-docx's and openpyxl's empty documents), and damaged
ones as reviewer B built them (a ZIP bomb, a wrong main part, a bad CRC, cut XML, a missing [Content_Types].xml)."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
import openpyxl


def real_docx() -> bytes:
    """python-docx's empty document (36 KB)."""
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def real_xlsx() -> bytes:
    """openpyxl's empty workbook (5 KB)."""
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def rezip(content: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """`content`'s parts written again through `change` (None leaves a part out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = change(item.filename, src.read(item))
            if data is not None:
                dst.writestr(item.filename, data)
    return out.getvalue()


def ctype_docx() -> bytes:
    """Its main part declared as a spreadsheet's."""
    return rezip(real_docx(), lambda n, d: d.replace(b"wordprocessingml.document.main+xml",
                                                     b"spreadsheetml.sheet.main+xml") if n == "[Content_Types].xml"
                 else d)


def cut_xml_docx() -> bytes:
    """word/document.xml cut in the middle."""
    return rezip(real_docx(), lambda n, d: d[: len(d) // 2] if n == "word/document.xml" else d)


def no_types_docx() -> bytes:
    """No [Content_Types].xml."""
    return rezip(real_docx(), lambda n, d: None if n == "[Content_Types].xml" else d)


def bad_crc_docx() -> bytes:
    """word/document.xml's CRC-32 wrong, in its local header and in the central directory."""
    content = bytearray(real_docx())
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        content[archive.getinfo("word/document.xml").header_offset + 14] ^= 0xFF
    entry = bytes(content).find(b"PK\x01\x02")
    while entry != -1:
        name_length = int.from_bytes(content[entry + 28:entry + 30], "little")
        if bytes(content[entry + 46:entry + 46 + name_length]) == b"word/document.xml":
            content[entry + 16] ^= 0xFF
        entry = bytes(content).find(b"PK\x01\x02", entry + 4)
    return bytes(content)


def bomb_docx(mb: int = 120) -> bytes:
    """A few hundred KB whose word/document.xml inflates to `mb` MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            for _ in range(mb):
                part.write(b"0" * (1024 * 1024))
    return buffer.getvalue()


def cut_xlsx() -> bytes:
    """xl/workbook.xml cut in the middle."""
    return rezip(real_xlsx(), lambda n, d: d[: len(d) // 2] if n == "xl/workbook.xml" else d)


def bomb_zip(mb: int = 50) -> bytes:
    """A plain ZIP of about 50 KB whose one file inflates to `mb` MB of zeros."""
    buffer = io.BytesIO()
    with (zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
          archive.open("so-lieu.csv", "w", force_zip64=True) as part):
        for _ in range(mb):
            part.write(b"0" * (1024 * 1024))
    return buffer.getvalue()


def crowded_zip(parts: int = 2_001) -> bytes:
    """A plain ZIP of `parts` empty files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(parts):
            archive.writestr(f"tep-{number}.txt", b"")
    return buffer.getvalue()


def plain_zip() -> bytes:
    """What a unit zips to send several files: a PDF and a table, deflated as any ZIP tool does."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tham-luan.docx", real_docx())
        archive.writestr("bang-ke.csv", "Đơn vị,Số lớp\nSở Công Thương,2\n" * 200)
    return buffer.getvalue()
