"""How long each kind of text that enters ykien may be: one table, read by the service layer (which refuses a longer
text with InvalidInput naming the field), the web forms (the same words next to the field) and the API schemas
(`Field(max_length=...)`, shown in OpenAPI). The documents are built to hold the longest text accepted here.

A length counts the characters of the text as it is kept (models.text.stored_text: NFC, line ends folded,
trimmed), so Vietnamese typed in NFD is not counted twice. Where a database column is VARCHAR(n), the limit is at
most n; the others are what a Sở needs, with room to spare.
"""
from __future__ import annotations

import re

from config.single_line import single_line_problem
from models.errors import InvalidInput
from models.text import grouped, stored_text

# --- a round ------------------------------------------------------------------------------------------------------
# The longest titles of a Sở's plans and decisions run to about 250 characters.
TITLE = 500
# The trích yếu (V/v) of the round's letter: a kind's words ("xin ý kiến góp ý đối với dự thảo ...", 34
# characters) around a title of TITLE characters, as `default_subject` builds it when staff type none.
SUBJECT = 600
OFFICE = 40  # mã phòng soạn thảo (TĐC, QLKH); offices.code, rounds.office and users.office are VARCHAR(40)
OFFICE_NAME = 200  # "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng"; offices.name is VARCHAR(200)
PERSON_NAME = 100  # người liên hệ, người ký
JOB_TITLE = 200  # chức vụ of the contact and the signer ("KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC"); VARCHAR(200)
PHONE = 40  # VARCHAR(40)
LEGAL_BASIS = 1_000  # one căn cứ: "Công văn số 949/BKHCN-TĐC ngày 04/5/2026 của Bộ ... về việc ..."
LEGAL_BASES = 20  # how many căn cứ a round may cite
REASON = 2_000  # why a deadline is extended, a round closed early, a draft returned by UBND tỉnh
NO_DRAFT_REASON = 1_000  # why a round is sent without a draft attached ("thư mời đề xuất là toàn bộ nội dung")
DOCUMENT_NUMBER = 100  # số văn bản ban hành: "123/KH-UBND"

# --- answers ------------------------------------------------------------------------------------------------------
SECTION = 200  # the part of the draft a comment is about ("Mục II, điểm 2"); comments.section is VARCHAR(200)
COMMENT = 20_000  # one comment, and the wording it proposes: a page or two of text
ANSWER_NOTE = 500  # staff's note on an answer received on paper ("Công văn số 812/STP-XDKTVB")
FIELD = 5_000  # a field of a proposal form whose definition gives no max_length
FIELD_CEILING = 20_000  # the largest max_length a definition may give a field

# --- after the deadline -------------------------------------------------------------------------------------------
EXPLANATION = 4_000  # giải trình of a handling
DRAFT_SECTION = SECTION  # one heading of a draft version ("Mục II.3"): a unit picks one as its comment's section
DRAFT_SECTIONS = 200  # how many headings
DRAFT_NOTE = 1_000  # the note of a draft version
# Inputs staff give the documents (`document_inputs`): a report's own V/v is as long as a round's.
REPORT_SUBJECT = SUBJECT
CONSIDERATION = 2_000  # one paragraph of the reasons of a report
CONSIDERATIONS = 20  # how many paragraphs
# What staff write for the tờ trình: sự cần thiết, mục đích - yêu cầu, nội dung chính của dự thảo; each a list of
# paragraphs, a long one (the main contents of a plan) about a page.
SUBMISSION_PARAGRAPH = 4_000
SUBMISSION_PARAGRAPHS = 30
CALL_LETTER_NUMBER = 60  # "123/SKHCN-QLKH"
DOCUMENT_TEXT = 300  # the Sở's address for proposals, the office that receives its own units' proposals

# --- the directory ------------------------------------------------------------------------------------------------
UNIT_CODE = 40  # units.code is VARCHAR(40)
UNIT_NAME = 300  # units.name is VARCHAR(300)
EMAIL = 254  # the longest address SMTP carries (RFC 5321)
CONTACT_PERSON = 200  # "Bà Nguyễn Thị A, Trưởng phòng Kế hoạch"; VARCHAR(200)
GROUP_CODE = 60  # unit_groups.code is VARCHAR(60)
GROUP_LABEL = 200  # unit_groups.label is VARCHAR(200)

# --- staff and files ----------------------------------------------------------------------------------------------
USERNAME = 80  # users.username is VARCHAR(80)
STAFF_NAME = 100  # a staff member's display name, as it signs the audit ("Phạm Phi Long")
FILE_NAME = 120  # the stem of an uploaded file's name as it is kept
# Files named on the command line (workflows/cli/text_files.py); the others are bound by YKIEN_MAX_UPLOAD_MB, as on
# the web. A text or JSON file staff wrote (--text-file, --proposal-file): the longest text kept is 50,000 characters,
# a proposal file holds a few forms.
TEXT_FILE_BYTES = 20 * 1024 * 1024
# A PKCS#12 key holds a key and a few certificates, a signature or a seal picture is a small PNG: the bounds of the
# web's signing page and of `ykien round-sign`, and the real diameter a seal may be drawn at.
KEY_FILE_BYTES = 100 * 1024
IMAGE_BYTES = 2 * 1024 * 1024
SEAL_DIAMETER_MM = (20.0, 60.0)


class TextTooLong(InvalidInput):
    """A text longer than its limit: the message names the field, the limit and the length typed."""

    code = "text_too_long"


def length_of(value: str) -> int:
    """The length that counts: characters of the text as it is kept."""
    return len(stored_text(value))


def length_note(value: str | None, limit: int) -> str | None:
    """"dài 5.000 ký tự, tối đa 500." when `value` is longer than `limit`, else None."""
    if value is None:
        return None
    length = length_of(value)
    if length <= limit:
        return None
    return f"dài {grouped(length)} ký tự, tối đa {grouped(limit)}."


def too_long(place: str, value: str | None, limit: int) -> str | None:
    """Why `value` is too long for `place` ("title", or "Tên dự thảo" on a form), or None when it fits:
    "title: dài 5.000 ký tự, tối đa 500." """
    note = length_note(value, limit)
    return None if note is None else f"{place}: {note}"


def check_length(place: str, value: str | None, limit: int) -> None:
    """Refuse a text longer than `limit` with TextTooLong (exit 2 on the command line, 422 on the web)."""
    problem = too_long(place, value, limit)
    if problem is not None:
        raise TextTooLong(problem)


# What a document cannot hold (XML 1.0 has no place for them): control characters but tab and line ends, and
# halves of a character (surrogates, which a command line may pass on from bytes that are not UTF-8).
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


# What reorders the text after it on screen: the bidi embeddings, overrides and isolates. "x\u202ey" is shown as
# "xy" mirrored, so an answer, a title or a reason would read otherwise than it is kept and printed. Refused in free
# text as in names (config.single_line); the marks U+200E and U+200F only hint a direction and stay.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def _character_note(value: str) -> str | None:
    """Why `value` holds a character free text may not hold, or None."""
    if _UNWRITABLE.search(value):
        return "có ký tự điều khiển không hợp lệ."
    found = _BIDI_CONTROLS.search(value)
    if found is not None:
        return (f"có ký tự đảo chiều chữ U+{ord(found.group()):04X} ở ký tự thứ {found.start() + 1} (vô hình, "
                "thường bị dính vào khi sao chép); hãy xóa ký tự này.")
    return None


def text_note(value: str | None, limit: int) -> str | None:
    """What is wrong with a text, without its place: too long, or holding a character no document can carry or one
    that reorders what is shown (a bidi override)."""
    if value is None:
        return None
    return _character_note(value) or length_note(value, limit)


def text_problem(place: str, value: str | None, limit: int) -> str | None:
    """Why `value` cannot be taken for `place`, or None: "title: dài 5.000 ký tự, tối đa 500." """
    note = text_note(value, limit)
    return None if note is None else f"{place}: {note}"


def check_text(place: str, value: str | None, limit: int) -> None:
    """Refuse a text that is too long (TextTooLong) or holds a control or bidi character (InvalidInput)."""
    note = _character_note(value) if value is not None else None
    if note is not None:
        raise InvalidInput(f"{place}: {note}", "control_character")
    check_length(place, value, limit)


def line_problem(place: str, value: str | None, limit: int) -> str | None:
    """Why `value` cannot be a name on one line for `place` (a unit, a contact person, an office): a line break, a
    control, bidi or zero-width character (config.single_line), or too long; None when it can."""
    if value is None:
        return None
    problem = single_line_problem(value)
    if problem is not None:
        return f"{place}: {problem}."
    return too_long(place, value, limit)


def check_line(place: str, value: str | None, limit: int) -> None:
    """Refuse a one-line name that line_problem refuses (InvalidInput, or TextTooLong when it is only too long)."""
    if value is not None and single_line_problem(value) is not None:
        raise InvalidInput(str(line_problem(place, value, limit)), "control_character")
    check_length(place, value, limit)


def too_many(place: str, count: int, limit: int, what: str) -> str | None:
    """Why a list is too long ("legal_bases: 25 căn cứ, tối đa 20."), or None."""
    if count <= limit:
        return None
    return f"{place}: {grouped(count)} {what}, tối đa {grouped(limit)}."


def check_count(place: str, count: int, limit: int, what: str) -> None:
    problem = too_many(place, count, limit, what)
    if problem is not None:
        raise TextTooLong(problem)
