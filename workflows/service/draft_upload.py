"""A draft uploaded through the web form: DOCX or PDF judged by its content, within the size limit."""
from __future__ import annotations

import contextlib
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workflows.service.round_forms import FormErrors

_UNSAFE = re.compile(r"[^\w.() -]+")


@dataclass(frozen=True)
class DraftUpload:
    filename: str  # safe to use as a file name, with the suffix of the detected type
    content: bytes
    kind: str  # "pdf" or "docx"


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


def safe_filename(name: str, kind: str) -> str:
    stem = _UNSAFE.sub("_", Path(name.replace("\\", "/")).stem).strip(" ._") or "du-thao"
    return f"{stem[:120]}.{kind}"


def check_draft_upload(filename: str, content: bytes, limit_mb: int) -> DraftUpload:
    """The upload, or FormErrors({"draft": ...}) saying what is wrong; nothing is written."""
    limit = limit_mb * 1024 * 1024
    if len(content) > limit:
        raise FormErrors({"draft": f"Tệp \"{filename}\" lớn hơn giới hạn {limit_mb} MB; không có gì được lưu."})
    if not content:
        raise FormErrors({"draft": f"Tệp \"{filename}\" rỗng."})
    kind = detect_kind(content)
    if kind is None:
        raise FormErrors({"draft": f"Tệp \"{filename}\" không phải DOCX hoặc PDF (đã kiểm tra nội dung tệp); "
                                   "không có gì được lưu."})
    return DraftUpload(safe_filename(filename, kind), content, kind)


@contextlib.contextmanager
def staged(upload: DraftUpload) -> Iterator[Path]:
    """The upload as a temporary file, for create_round to copy under the home; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="ykien-draft-") as folder:
        path = Path(folder) / upload.filename
        path.write_bytes(upload.content)
        yield path
