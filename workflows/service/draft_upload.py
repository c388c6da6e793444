"""A draft file judged by its content: DOCX or PDF, within the size limit. Used when a round is created and
when a draft version is added, whichever entry point the file came through."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from models.errors import InvalidInput

# A DOCX is a ZIP: these bound what unpacking it may cost, whatever its own header claims.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # unpacked / packed, per part: text compresses ~10×; a bomb 1,000× and more
MAX_PARTS = 2_000
_CHUNK = 1024 * 1024


def detect_kind(content: bytes) -> str | None:
    """"pdf" when the bytes start like a PDF, "docx" for a ZIP holding word/document.xml, else None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def docx_problem(content: bytes) -> str | None:
    """Why a DOCX cannot be taken as a draft (a ZIP bomb, a damaged file), or None when Word's own
    structure opens. Every part is inflated in chunks and counted, so a header that lies does not help."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                return f"tệp có {len(parts)} thành phần, nhiều hơn {MAX_PARTS} một tệp DOCX có thể có"
            unpacked = 0
            for part in parts:
                size = 0
                with archive.open(part) as stream:
                    while chunk := stream.read(_CHUNK):
                        size += len(chunk)
                        unpacked += len(chunk)
                        if unpacked > MAX_UNPACKED_BYTES:
                            return (f"giải nén ra hơn {MAX_UNPACKED_BYTES // 1024 // 1024} MB "
                                    "(tệp nén bất thường)")
                        if size > MAX_RATIO * max(part.compress_size, 1) and size > _CHUNK:
                            return (f"thành phần \"{part.filename}\" giải nén lớn gấp hơn {MAX_RATIO} lần "
                                    "(tệp nén bất thường)")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
        return f"tệp nén bị hỏng ({error})"
    # python-docx and pyhanko are imported here, where a file is checked: most `ykien` commands import this module
    # and check no file
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        docx.Document(io.BytesIO(content))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        return f"Word không mở được tệp ({error})"
    except Exception as error:  # noqa: BLE001  # python-docx raises lxml's own errors on broken XML
        return f"Word không mở được tệp ({type(error).__name__})"
    return None


def pdf_problem(content: bytes) -> str | None:
    """Why a PDF cannot be taken as a draft (only its first bytes are a PDF's, its structure is broken, it has no
    page), or None when its pages can be counted: what a reader opening it needs first."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        pages = PdfFileReader(io.BytesIO(content), strict=False).root["/Pages"]["/Count"]
    except Exception as error:  # noqa: BLE001  # pyhanko raises its own errors, and KeyError/TypeError on odd trees
        return f"tệp PDF bị hỏng, không đọc được ({type(error).__name__})"
    if not isinstance(pages, int) or pages < 1:
        return "tệp PDF không có trang nào"
    return None


def content_problem(kind: str, content: bytes) -> str | None:
    """Why a file whose first bytes say `kind` ("docx" or "pdf") cannot be taken as a draft, or None."""
    return docx_problem(content) if kind == "docx" else pdf_problem(content)


def check_draft_file(name: str, content: bytes, limit_bytes: int) -> None:
    """DOCX or PDF, judged by content (the same test as the web form's), within the size limit."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if len(content) > limit_bytes:
        raise InvalidInput(f"{name}: tệp {len(content) / 1e6:.1f} MB vượt giới hạn {limit_bytes / 1e6:.0f} MB.",
                           "file_too_large")
    if suffix not in ("pdf", "docx"):
        raise InvalidInput(f"{name}: chỉ nhận tệp DOCX hoặc PDF.", "file_type")
    if detect_kind(content) != suffix:
        raise InvalidInput(f"{name}: nội dung tệp không phải {suffix.upper()} hợp lệ.", "file_type")
    if (problem := content_problem(suffix, content)) is not None:
        raise InvalidInput(f"{name}: {problem}; không có gì được lưu.", "file_type")
