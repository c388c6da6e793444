"""Files a unit attaches to the `file` fields of a form (a budget table, a signed list): checked, stored, read back.

Any kind's form may have file fields; an entry point (the unit's page, the staff's command line, a task form)
checks each upload with `check_upload`, stores it with `store` before the answer is recorded (its form value is
then the file's reference, `AttachmentRef.value`), ties the stored files to the answer in the answer's own
transaction (`tie`), and discards them when the answer is refused (`discard`). A crash in between leaves a file
no answer names, never an answer naming a missing file.

A form value of a file field is a readable string, "bang-ke.xlsx (12 KB) [tệp đính kèm số 17]", so that every
reader of form values (the command line, the JSON API, exports) shows something sensible; the pages and the
documents read it with `parse_ref` and show the name (a link on the pages). A plain name typed before uploads
existed is still shown as it was typed.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from config.os_words import os_reason
from models.db.attachment_repository import StoredFile
from models.db.unit_of_work import UnitOfWork
from models.errors import DomainError, InvalidInput, NotFound
from models.staff import Role, StaffUser
from models.text import whole_number
from workflows.definition import ResponseField, ResponseSpec
from workflows.engine.events import Respond
from workflows.service.answer_input import Problem, field_places, proposal_input
from workflows.service.app import App
from workflows.service.commands import CommandResult, run_command
from workflows.service.draft_upload import file_problem

PENDING_FOR = timedelta(days=1)  # a file no answer took after this long was left on an unconfirmed form
NAME_LIMIT = 150  # characters of a stored filename, its extension kept
ACCEPT = ".pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,.jpg,.jpeg,.png,.zip"  # the browser's file chooser
ALLOWED_NAMES = "PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, JPG/PNG, ZIP"

# The extension, the content it must have (sniffed) and the type it is served as.
_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "application/pdf"),
    ".doc": ("ole", "application/msword"),
    ".xls": ("ole", "application/vnd.ms-excel"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".odt": ("odt", "application/vnd.oasis.opendocument.text"),
    ".ods": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".png": ("png", "image/png"),
    ".zip": ("zip", "application/zip"),
}
_WHAT = {"pdf": "PDF", "ole": "Word/Excel (bản cũ)", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)",
         "odt": "văn bản OpenDocument (ODT)", "ods": "bảng tính OpenDocument (ODS)", "jpeg": "ảnh JPG",
         "png": "ảnh PNG", "zip": "ZIP"}
_OOXML_PART = {"docx": "word/", "xlsx": "xl/"}
_ODF_MIMETYPE = {"odt": b"application/vnd.oasis.opendocument.text",
                 "ods": b"application/vnd.oasis.opendocument.spreadsheet"}
_REF = re.compile(r"(?P<name>.+) \((?P<size>\d+(?:,\d)? (?:B|KB|MB))\) \[tệp đính kèm số (?P<id>[1-9]\d{0,17})\]")
REF_MARK = " [tệp đính kèm số "  # what templates look for (answer_fields.html reads the reference the same way)


class AttachmentMissing(NotFound):
    """No such file, or not one the asker may read (HTTP 404: the id says nothing about other units' files)."""

    code = "attachment_missing"


class PendingGone(DomainError):
    """A file carried by a confirmation was removed before the answer took it (HTTP 409)."""

    code = "attachment_gone"


@dataclass(frozen=True)
class AttachmentRef:
    """A stored file as a form value names it: its id, cleaned name and size as shown ("12 KB")."""

    attachment_id: int
    name: str
    size: str

    @property
    def value(self) -> str:
        return f"{self.name} ({self.size}){REF_MARK}{self.attachment_id}]"

    @property
    def shown(self) -> str:
        return f"{self.name} ({self.size})"


def parse_ref(value: str | None) -> AttachmentRef | None:
    """The reference a file field's value holds, None for any other text (a name typed before uploads)."""
    found = _REF.fullmatch(value or "")
    if found is None:
        return None
    return AttachmentRef(int(found["id"]), found["name"], found["size"])


def shown_value(item: ResponseField, value: str) -> str:
    """A form value as a document shows it: a file field's file by name and size, anything else as stored."""
    ref = parse_ref(value) if item.kind == "file" else None
    return ref.shown if ref is not None else value


def shown_size(size: int) -> str:
    """Bytes as Vietnamese write a file's size: 812 B, 12 KB, 3,4 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / 1048576:.1f} MB".replace(".", ",")


def file_fields(spec: ResponseSpec) -> list[ResponseField]:
    """The form's file fields, in form order."""
    return [f for f in spec.fields if f.kind == "file"]


def clean_filename(filename: str) -> str:
    """The name to store and show: NFC, the last part of any path ("../../x.pdf" is "x.pdf"), no control or
    format characters, spaces trimmed, at most NAME_LIMIT characters with the extension kept; "" when nothing
    is left."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/")
    name = PurePosixPath(name).name if "/" in name else name
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 5 else ""
        name = (stem if ext else name)[:NAME_LIMIT - len(ext) - (1 if ext else 0)].rstrip() + (f".{ext}" if ext else "")
    return name


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def sniff(content: bytes) -> set[str]:
    """What the bytes are, by their signature (and a ZIP's inner parts): the families of _TYPES they fit."""
    if content.startswith(b"%PDF-"):
        return {"pdf"}
    if content.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        return {"ole"}
    if content.startswith(b"\xff\xd8\xff"):
        return {"jpeg"}
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return {"png"}
    if not content.startswith(b"PK\x03\x04"):
        return set()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            found = {"zip"}
            if "[Content_Types].xml" in names:
                found |= {kind for kind, part in _OOXML_PART.items() if any(n.startswith(part) for n in names)}
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    declared = part.read(80).strip()
                found |= {kind for kind, mimetype in _ODF_MIMETYPE.items() if declared == mimetype}
            return found
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return set()


def content_type(filename: str) -> str:
    return _TYPES.get(_extension(filename), ("", "application/octet-stream"))[1]


def _too_large(label: str, size: int, limit_mb: int) -> str:
    shown = f"{size / 1048576:.1f}".replace(".", ",")
    return f"{label}: tệp {shown} MB, vượt giới hạn {limit_mb} MB. Hãy chọn tệp nhỏ hơn."


def check_upload(field: str, label: str, filename: str, content: bytes, limit_mb: int,
                 size: int | None = None) -> Problem | None:
    """The mistake in one uploaded file of the field `field` (an input name, for marking; `label` names it in
    the message), or None. `size` is the size the browser sent when `content` was cut at the limit."""
    size = len(content) if size is None else size
    name = clean_filename(filename)
    if not name:
        return Problem(field, f"{label}: tệp không có tên; hãy đặt tên cho tệp rồi chọn lại.")
    if size > limit_mb * 1024 * 1024:
        return Problem(field, _too_large(label, size, limit_mb))
    if size == 0:
        return Problem(field, f"{label}: tệp \"{name}\" rỗng (0 byte). Hãy chọn đúng tệp.")
    extension = _extension(name)
    if extension not in _TYPES:
        return Problem(field, f"{label}: không nhận tệp \"{name}\"; chỉ nhận {ALLOWED_NAMES}.")
    family = _TYPES[extension][0]
    if family not in sniff(content):
        return Problem(field, f"{label}: tệp \"{name}\" có đuôi {extension} nhưng nội dung không phải "
                              f"{_WHAT[family]}. Hãy lưu lại đúng định dạng rồi chọn lại.")
    broken = file_problem(family, content)  # a PDF only in its first bytes, a ZIP bomb (Office or plain ZIP), a DOCX
    # Word cannot open
    if broken is not None:
        return Problem(field, f"{label}: không nhận tệp \"{name}\": {broken}. Hãy mở lại tệp, lưu lại đúng định "
                              "dạng rồi chọn lại.")
    return None


def store(app: App, round_id: int, recipient_id: int, field_key: str, filename: str,
          content: bytes) -> AttachmentRef:
    """One checked upload (check_upload found nothing) written in its own transaction, not yet tied to an
    answer; its reference, for the form value of `field_key`. Files of the same unit that no answer took within
    PENDING_FOR (a confirmation never confirmed) are removed in the same transaction, but for those its handed-in
    tasks name."""
    name = clean_filename(filename)
    now = app.clock.now()
    with app.uow() as uow:
        task_files = _named_files(uow.assignments.handed_in_values(recipient_id))
        # the unit's abandoned forms, its rows only; its tasks' files stay untied for good and are kept
        uow.attachments.discard_stale(recipient_id, now - PENDING_FOR, keep=task_files)
        attachment_id = uow.attachments.add(round_id, recipient_id, field_key, name, content_type(name),
                                            hashlib.sha256(content).hexdigest(), content, now)
        uow.commit()
    return AttachmentRef(attachment_id, name, shown_size(len(content)))


def _named_files(forms: Sequence[Mapping[str, object]]) -> set[int]:
    """The ids of the stored files the values of `forms` name."""
    return {ref.attachment_id for form in forms for value in form.values()
            if isinstance(value, str) and (ref := parse_ref(value)) is not None}


def tie(uow: UnitOfWork, refs: Sequence[AttachmentRef], recipient_id: int, revision: int) -> None:
    """Inside the answer's transaction: the new files belong to the answer just recorded."""
    uow.attachments.tie([r.attachment_id for r in refs], recipient_id, revision)


def discard(app: App, refs: Sequence[AttachmentRef]) -> None:
    """The files stored for an answer that was refused, removed again."""
    if refs:
        with app.uow() as uow:
            uow.attachments.discard_untied([r.attachment_id for r in refs])
            uow.commit()


@dataclass(frozen=True)
class Upload:
    """A file staff give for a field of the form of a unit's answer (the first form of a repeatable one)."""

    field_key: str
    filename: str
    content: bytes


def read_attachments(spec: ResponseSpec, given: Sequence[str], limit_mb: int) -> list[Upload]:
    """`--attach FIELD=PATH` options read and checked: InvalidInput names the option and the field on the first
    mistake (unknown field, a field given twice, a missing file, a file too large, empty or of a refused type)."""
    fields = {f.key: f for f in file_fields(spec)}
    places = field_places(spec)
    uploads: list[Upload] = []
    for option in given:
        key, sep, path_text = unicodedata.normalize("NFC", option).partition("=")
        key = key.strip()
        if not sep or not key or not path_text.strip():
            raise InvalidInput(f"--attach \"{option[:80]}\": viết TRƯỜNG=ĐƯỜNG_DẪN, ví dụ budget_file=bang-ke.xlsx.",
                               "bad_attach")
        if key not in fields:
            known = ", ".join(fields) or "không có trường tệp nào"
            raise InvalidInput(f"--attach {key[:60]}: phiếu không có trường tệp này (trường tệp: {known}).",
                               "bad_attach")
        if any(u.field_key == key for u in uploads):
            raise InvalidInput(f"--attach {key}: chỉ một tệp cho mỗi trường.", "bad_attach")
        path = Path(path_text.strip())
        label = f"--attach {key} ({places[key]})"
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(path)[:200])
        shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
        try:
            found = path.is_file()
            if found:
                size = path.stat().st_size
                with path.open("rb") as handle:
                    content = handle.read(limit_mb * 1024 * 1024 + 1)
        except (OSError, ValueError) as error:  # unreadable, or a name the system cannot take (NUL, surrogates)
            reason = os_reason(error) if isinstance(error, OSError) else "tên tệp không hợp lệ"
            raise InvalidInput(f"{label}: không đọc được tệp {shown} ({reason}).", "bad_attach") from None
        if not found and path.is_dir():
            raise InvalidInput(f"{label}: {shown} là một thư mục, không phải tệp.", "bad_attach")
        if not found:
            raise InvalidInput(f"{label}: không có tệp {shown}.", "bad_attach")
        problem = check_upload(key, label, path.name, content, limit_mb, size=size)
        if problem is not None:
            raise InvalidInput(problem.message, "bad_attach")
        uploads.append(Upload(key, path.name, content))
    return uploads


def pending_files(spec: ResponseSpec, uploads: Sequence[Upload]) -> dict[str, str]:
    """The form values the uploads will have, by input name, to check the answer before anything is stored
    (clean_proposals(..., files=)); `respond_with_files` puts the stored files' references in their place."""
    return {proposal_input(spec, 1, u.field_key): AttachmentRef(1, clean_filename(u.filename),
                                                                shown_size(len(u.content))).value for u in uploads}


def respond_with_files(app: App, round_id: int, event: Respond, uploads: Sequence[Upload], actor: str,
                       deliver: bool = True) -> CommandResult:
    """Staff record a unit's answer with files (checked with check_upload, the answer with pending_files): the
    files are stored, named in the answer's first form, tied to it in its transaction; a refused answer takes
    them away again."""
    recipient_id = unit_recipient(app, round_id, event.unit_code)
    refs = store_all(app, round_id, recipient_id, uploads)
    try:
        forms = [dict(form) for form in event.proposals] or [{}]
        for upload, ref in zip(uploads, refs, strict=True):
            forms[0][upload.field_key] = ref.value
        return run_command(app, round_id, replace(event, proposals=tuple(forms)), actor, deliver=deliver,
                           also=lambda uow, decision: tie(uow, refs, recipient_id, decision.responses[-1].revision))
    except BaseException:
        discard(app, refs)
        raise


# --- files waiting on a confirmation page ------------------------------------------------------------------
# Staff record a paper answer in two requests: the form (files checked and stored, untied) and its confirmation,
# which carries each file as a sealed hidden value "input:id:mac". The seal binds the file to the round, the unit
# and the staff member's session, so a forged id, one of another round or unit, or a page posted from another
# session is refused before the database is asked; the database then says whether the file is still waiting.

def _mac(app: App, session_key: str, round_id: int, unit_code: str, input_name: str, attachment_id: int) -> str:
    message = f"ykien.pending-file:{session_key}:{round_id}:{unit_code}:{input_name}:{attachment_id}"
    return hmac.new(app.secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def seal_pending(app: App, session_key: str, round_id: int, unit_code: str, input_name: str,
                 ref: AttachmentRef) -> str:
    """The hidden value that carries a stored, untied file to the confirmation of the unit's answer."""
    mac = _mac(app, session_key, round_id, unit_code, input_name, ref.attachment_id)
    return f"{input_name}:{ref.attachment_id}:{mac}"


@dataclass(frozen=True)
class PendingFiles:
    """The files a confirmation carries: their references by input name (the form values), the mistakes (by
    input name), and the files that are safely this unit's and still waiting (to tie, or to discard)."""

    values: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    owned: list[AttachmentRef] = field(default_factory=list)
    recipient_id: int | None = None

    @property
    def shown(self) -> list[tuple[str, AttachmentRef]]:
        return [(name, ref) for name, value in self.values.items() if (ref := parse_ref(value)) is not None]


def unit_recipient(app: App, round_id: int, unit_code: str) -> int:
    """The recipient row of a unit of the round, whose files staff give on its behalf (one row, not the round's);
    InvalidInput when the unit is not in the round."""
    with app.uow(read_only=True) as uow:
        recipient_id = uow.attachments.recipient_id(round_id, unit_code)
    if recipient_id is None:
        raise InvalidInput(f"Đơn vị \"{unit_code}\" không có trong đợt {round_id}.", "unit_unknown")
    return recipient_id


def store_all(app: App, round_id: int, recipient_id: int, uploads: Sequence[Upload]) -> list[AttachmentRef]:
    """Checked uploads stored, untied, in order: all of them, or none (what was stored is removed again)."""
    refs: list[AttachmentRef] = []
    try:
        for upload in uploads:
            refs.append(store(app, round_id, recipient_id, upload.field_key, upload.filename, upload.content))
    except BaseException:
        discard(app, refs)
        raise
    return refs


def store_for_unit(app: App, round_id: int, unit_code: str, uploads: Sequence[Upload]) -> list[AttachmentRef]:
    """The checked uploads of a unit's answer stored, untied, in order (all or none); InvalidInput when the unit
    is not in the round."""
    return store_all(app, round_id, unit_recipient(app, round_id, unit_code), uploads)


def tie_pending(uow: UnitOfWork, pending: PendingFiles, revision: int) -> None:
    """Inside the answer's transaction: the files a confirmation carried tied to it, every one, or the answer is
    refused (a file discarded meanwhile must not leave an answer naming it)."""
    if pending.recipient_id is None or not pending.owned:
        return
    if uow.attachments.tie([r.attachment_id for r in pending.owned], pending.recipient_id,
                           revision) != len(pending.owned):
        raise PendingGone("Tệp gửi kèm không còn chờ xác nhận; chưa ghi nhận gì. Hãy chọn lại tệp và gửi lại.")


def file_inputs(spec: ResponseSpec) -> dict[str, str]:
    """Every file input a form may post, by input name: how a mistake names it ("Phiếu 2: " on a repeatable
    form)."""
    places = field_places(spec)
    return {proposal_input(spec, number, item.key): (f"Phiếu {number}: " if spec.repeatable else "") + places[item.key]
            for number in range(1, spec.items_allowed + 1) for item in file_fields(spec)}


def open_pending(app: App, session_key: str, round_id: int, unit_code: str, spec: ResponseSpec,
                 sealed: Sequence[str]) -> PendingFiles:
    """The files a confirmation page carries, checked: seal, round, unit, field, still untied and not older
    than PENDING_FOR. One query for the unit's recipient, one for the files (per-unit cost)."""
    inputs = file_inputs(spec)
    keys = {proposal_input(spec, number, item.key): item.key
            for number in range(1, spec.items_allowed + 1) for item in file_fields(spec)}
    claimed: dict[str, int] = {}
    problems: list[Problem] = []
    for value in sealed[:len(inputs) + 1]:
        name, _, rest = value.partition(":")
        id_text, _, mac = rest.partition(":")
        place = inputs.get(name)
        file_id = whole_number(id_text, 1, 10**18 - 1)
        if place is None or name in claimed or file_id is None:
            problems.append(Problem(name if place else "proposal",
                                    f"{place or 'Tệp gửi kèm'}: tệp gửi kèm không hợp lệ; hãy chọn lại tệp."))
            continue
        expected = _mac(app, session_key, round_id, unit_code, name, file_id)
        if not hmac.compare_digest(expected.encode(), mac.encode()):
            problems.append(Problem(name, f"{place}: tệp gửi kèm không thuộc đợt, đơn vị hoặc phiên làm việc này; "
                                          "hãy chọn lại tệp."))
            continue
        claimed[name] = file_id
    if not claimed:
        return PendingFiles(problems=problems)
    with app.uow(read_only=True) as uow:
        recipient_id = uow.attachments.recipient_id(round_id, unit_code)
        facts = uow.attachments.facts(list(claimed.values()))
    oldest = app.clock.now() - PENDING_FOR
    values: dict[str, str] = {}
    owned: list[AttachmentRef] = []
    for name, attachment_id in claimed.items():
        found = facts.get(attachment_id)
        if found is None or found.round_id != round_id or found.recipient_id != recipient_id \
                or found.field_key != keys[name] or found.tied:
            problems.append(Problem(name, f"{inputs[name]}: tệp gửi kèm không còn chờ xác nhận (đã hủy hoặc đã "
                                          "ghi nhận); hãy chọn lại tệp."))
            continue
        ref = AttachmentRef(attachment_id, found.filename, shown_size(found.size))
        owned.append(ref)
        if found.created_at < oldest:
            problems.append(Problem(name, f"{inputs[name]}: tệp đã chờ xác nhận quá một ngày; hãy chọn lại tệp."))
            continue
        values[name] = ref.value
    return PendingFiles(values, problems, owned, recipient_id)


def may_read_files(user: StaffUser, round_office: str) -> bool:
    """The files units send hold their figures: the round's office, leaders and admins read them."""
    return user.role in (Role.ADMIN, Role.LEADER) or user.office == round_office


def round_file(app: App, round_id: int, attachment_id: int) -> StoredFile:
    """A file of the round (staff's download); AttachmentMissing for any other id."""
    with app.uow(read_only=True) as uow:
        found = uow.attachments.get(attachment_id)
    if found is None or found.round_id != round_id:
        raise AttachmentMissing(f"Không có tệp đính kèm số {attachment_id} trong đợt {round_id}.")
    return found


def unit_file(app: App, round_id: int, recipient_id: int, attachment_id: int) -> StoredFile:
    """A file the unit itself sent (its link's download); another unit's file is missing, not forbidden."""
    with app.uow(read_only=True) as uow:
        found = uow.attachments.get(attachment_id)
    if found is None or found.round_id != round_id or found.recipient_id != recipient_id:
        raise AttachmentMissing("Không có tệp đính kèm này trong trả lời của quý cơ quan.")
    return found


def disposition(filename: str) -> str:
    """Content-Disposition for a download: an ASCII fallback and the UTF-8 name (RFC 5987/6266)."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._ -]", "_", plain).strip() or "tep-dinh-kem"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


__all__ = [
    "ACCEPT",
    "ALLOWED_NAMES",
    "PENDING_FOR",
    "AttachmentMissing",
    "AttachmentRef",
    "PendingFiles",
    "PendingGone",
    "Upload",
    "check_upload",
    "clean_filename",
    "content_type",
    "discard",
    "disposition",
    "file_fields",
    "file_inputs",
    "may_read_files",
    "open_pending",
    "parse_ref",
    "pending_files",
    "read_attachments",
    "respond_with_files",
    "round_file",
    "seal_pending",
    "shown_size",
    "shown_value",
    "sniff",
    "store",
    "store_for_unit",
    "tie",
    "tie_pending",
    "unit_file",
]
