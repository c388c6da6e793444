"""A file judged by its content. A draft: DOCX or PDF, within the size limit, when a round is created and when a
draft version is added, whichever entry point the file came through. Any upload (drafts, the files of a unit's
form or task): `file_problem`, the same checks of a PDF's structure and of an Office file's ZIP (no bomb, no
damaged part) and Word or Excel structure, said in Vietnamese without a library's words."""
from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
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


def archive_problem(content: bytes, what: str = "một tệp văn phòng") -> str | None:
    """Why a ZIP or a ZIP-based file (DOCX, XLSX, ODT, ODS; `what` says which, in the words of a refusal) cannot be
    taken: a ZIP bomb, a damaged or locked part, or not a ZIP at all; None when every part inflates within the
    bounds. Every part is inflated in chunks and counted, so a header that lies does not help. Said in Vietnamese,
    naming the part: never the library's words."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return "tệp nén bị hỏng hoặc bị cắt dở (không đọc được mục lục của tệp)"
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            return f"tệp có {len(parts)} thành phần, nhiều hơn {MAX_PARTS} {what} có thể có"
        unpacked = 0
        for part in parts:
            size = 0
            try:
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
            except RuntimeError:  # zipfile: "File ... is encrypted, password required for extraction"
                return f"tệp nén bị khóa bằng mật khẩu (thành phần \"{part.filename}\")"
            except NotImplementedError:  # a compression method zipfile does not have (Word never writes one)
                return f"thành phần \"{part.filename}\" được nén theo cách không đọc được"
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, zlib.error):
                return (f"tệp nén bị hỏng: thành phần \"{part.filename}\" không giải nén được (sai mã kiểm tra "
                        "hoặc bị cắt)")
    return None


# The Office document a DOCX's main part says it is, when it is not Word's
_OTHER_OFFICE = {"spreadsheetml": "bảng tính Excel", "presentationml": "bản trình chiếu PowerPoint"}


def docx_problem(content: bytes) -> str | None:
    """Why a DOCX cannot be taken (archive_problem's reasons, or Word's own structure broken), or None when
    python-docx opens it as Word would."""
    if (problem := archive_problem(content)) is not None:
        return problem
    if (missing := _missing_content_types(content, "Word")) is not None:
        return missing
    # python-docx and pyhanko are imported here, where a file is checked: most `ykien` commands import this module
    # and check no file
    import docx

    try:
        docx.Document(io.BytesIO(content))
    except ValueError as error:  # python-docx: the main part is another Office document's (or none)
        what = next((said for key, said in _OTHER_OFFICE.items() if key in str(error)), None)
        return (f"Word không mở được tệp: phần chính của tệp khai báo là {what}, không phải văn bản Word"
                if what is not None else "Word không mở được tệp: thiếu phần nội dung chính của văn bản")
    except Exception:  # noqa: BLE001  # python-docx raises lxml's own errors on broken XML, KeyError on a lost part
        return "Word không mở được tệp: cấu trúc bên trong bị hỏng (một phần XML không đọc được hoặc bị thiếu)"
    return None


def xlsx_problem(content: bytes) -> str | None:
    """Why an XLSX cannot be taken (archive_problem's reasons, or Excel's own structure broken), or None when
    openpyxl opens its workbook (read-only: the sheets are not read)."""
    if (problem := archive_problem(content)) is not None:
        return problem
    if (missing := _missing_content_types(content, "Excel")) is not None:
        return missing
    from openpyxl import load_workbook

    try:
        load_workbook(io.BytesIO(content), read_only=True).close()
    except Exception:  # noqa: BLE001  # openpyxl raises OSError, KeyError, lxml's errors, ... on a broken workbook
        return "Excel không mở được tệp: cấu trúc bên trong bị hỏng (thiếu bảng tính hoặc một phần XML không đọc được)"
    return None


def _missing_content_types(content: bytes, application: str) -> str | None:
    """What `application` says of an Office file without the list of its parts' types (python-docx and openpyxl
    raise a bare KeyError)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:  # read whole by archive_problem already
        if "[Content_Types].xml" not in archive.namelist():
            return f"{application} không mở được tệp: thiếu thành phần bắt buộc \"[Content_Types].xml\""
    return None


def pdf_problem(content: bytes) -> str | None:
    """Why a PDF cannot be taken (only its first bytes are a PDF's, its structure is broken, it has no page), or
    None when its pages can be counted: what a reader opening it needs first."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        pages = PdfFileReader(io.BytesIO(content), strict=False).root["/Pages"]["/Count"]
    except Exception:  # noqa: BLE001  # pyhanko raises its own errors, and KeyError/TypeError on odd trees
        return "tệp PDF bị hỏng, không đọc được (tệp bị cắt dở hoặc cấu trúc PDF sai)"
    if not isinstance(pages, int) or pages < 1:
        return "tệp PDF không có trang nào"
    return None


def zip_problem(content: bytes) -> str | None:
    """Why a plain ZIP sent with a form or a task cannot be taken: the bounds of an Office file's ZIP, as staff unpack
    it on their own computers."""
    return archive_problem(content, "một tệp nén gửi kèm")


_PROBLEMS: dict[str, Callable[[bytes], str | None]] = {
    "pdf": pdf_problem, "docx": docx_problem, "xlsx": xlsx_problem, "odt": archive_problem, "ods": archive_problem,
    "zip": zip_problem}


def file_problem(kind: str, content: bytes) -> str | None:
    """Why a file whose bytes already say `kind` cannot be taken, judged by its inside (a PDF's pages, a Word or Excel
    file opening, any ZIP, an Office file's or a plain one, within the bounds), or None; kinds with no inside to judge
    (images, old Word) have none. One checker for drafts and for every file a form or a task takes."""
    check = _PROBLEMS.get(kind)
    return check(content) if check is not None else None


def content_problem(kind: str, content: bytes) -> str | None:
    """Why a file whose first bytes say `kind` ("docx" or "pdf") cannot be taken as a draft, or None."""
    return file_problem(kind, content)


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
