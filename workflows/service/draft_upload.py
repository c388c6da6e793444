"""A draft file judged by its content: DOCX or PDF, within the size limit. Used when a round is created and
when a draft version is added, whichever entry point the file came through."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from models.errors import InvalidInput


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
