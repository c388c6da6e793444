"""A draft uploaded through the web form: DOCX or PDF judged by its content (detect_kind, in
workflows/service/draft_upload.py), within the size limit; FormErrors names what is wrong."""
from __future__ import annotations

import contextlib
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from models import limits
from workflows.service.draft_upload import content_problem, detect_kind
from workflows.service.errors import FormErrors

_UNSAFE = re.compile(r"[^\w.() -]+")
# A file name is at most 255 bytes on the file systems ykien runs on, and a Vietnamese letter with its marks takes two
# or three of them. The draft's cached HTML sits beside it as ".<name>.html.json" (written as "….partial" first): the
# name kept leaves room for that.
NAME_BYTES = 200


@dataclass(frozen=True)
class DraftUpload:
    filename: str  # safe to use as a file name, with the suffix of the detected type
    content: bytes
    kind: str  # "pdf" or "docx"


def safe_filename(name: str, kind: str) -> str:
    """The name a draft is kept and offered under: NFC first (a Mac sends "Dự thảo" decomposed, and the marks alone
    are not word characters), then only word characters, brackets, dots, spaces and hyphens, within NAME_BYTES."""
    readable = unicodedata.normalize("NFC", name).replace("\\", "/")
    stem = (_UNSAFE.sub("_", Path(readable).stem).strip(" ._") or "du-thao")[:limits.FILE_NAME]
    while len(f"{stem}.{kind}".encode()) > NAME_BYTES:
        stem = stem[:-1]
    return f"{stem.rstrip(' ._')}.{kind}"


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
    if (problem := content_problem(kind, content)) is not None:
        raise FormErrors({"draft": f"Tệp \"{filename}\": {problem}; không có gì được lưu."})
    return DraftUpload(safe_filename(filename, kind), content, kind)


@contextlib.contextmanager
def staged(upload: DraftUpload) -> Iterator[Path]:
    """The upload as a temporary file, for create_round to copy under the home; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="ykien-draft-") as folder:
        path = Path(folder) / upload.filename
        path.write_bytes(upload.content)
        yield path
