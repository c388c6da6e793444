"""What each official document says, as plain frozen data: the renderers never touch the database.

The lead maps database rows to these classes; every name, code and legal basis comes from here.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

Handling = Literal["accepted", "partly_accepted", "not_accepted", "noted"]
HANDLINGS: tuple[str, ...] = get_args(Handling)


class DocumentDataError(ValueError):
    """The data of a document is incomplete or inconsistent; the message names the field."""


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _require(owner: str, name: str, value: str) -> None:
    if not value.strip():
        raise DocumentDataError(f"{owner}.{name}: must not be empty")


@dataclass(frozen=True)
class Issuer:
    """The body that issues the document and the one above it (Decree 30, "tên cơ quan ban hành").

    `issuer` may hold a line break ("ỦY BAN NHÂN DÂN\\nTỈNH CAO BẰNG"); `name` is how the body
    text calls it ("Sở Khoa học và Công nghệ"), derived from `issuer` for a "SỞ ..." when left out.
    """

    governing_body: str
    issuer: str
    issuer_short: str
    place: str
    name: str | None = None

    def __post_init__(self) -> None:
        _require("Issuer", "issuer", self.issuer)
        _require("Issuer", "issuer_short", self.issuer_short)
        _require("Issuer", "place", self.place)
        if self.name is None and not _nfc(self.issuer).upper().startswith("SỞ "):
            raise DocumentDataError(
                f'Issuer.name: needed for "{self.issuer}" (how the body text names it, '
                'e.g. "Ủy ban nhân dân tỉnh Cao Bằng")'
            )

    @property
    def display_name(self) -> str:
        """The body's name in running text, e.g. "Sở Khoa học và Công nghệ"."""
        return _nfc(self.name) if self.name else department_name(self.issuer)


def department_name(upper: str) -> str:
    """"SỞ KHOA HỌC VÀ CÔNG NGHỆ" -> "Sở Khoa học và Công nghệ" (Vietnamese capitalisation of a sở)."""
    words = _nfc(upper).lower().split()
    out: list[str] = []
    capital_next = True
    for index, word in enumerate(words):
        if capital_next or index == 1:
            word = word[:1].upper() + word[1:]
        out.append(word)
        capital_next = word == "và" or word.endswith(",")
    return " ".join(out)


@dataclass(frozen=True)
class Signer:
    """The signature block: "GIÁM ĐỐC", or "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC" when `on_behalf` is set.

    `collective` adds a "TM." line above (e.g. "ỦY BAN NHÂN DÂN" for a letter of UBND tỉnh);
    an empty `name` leaves the name line blank (a draft another body will sign).
    """

    title: str
    name: str
    on_behalf: str | None = None
    collective: str | None = None

    def __post_init__(self) -> None:
        _require("Signer", "title", self.title)

    def lines(self) -> list[str]:
        """The bold lines above the signature space, top to bottom."""
        lines: list[str] = []
        if self.collective:
            lines.append(f"TM. {_nfc(self.collective)}")
        if self.on_behalf:
            lines.append(f"KT. {_nfc(self.on_behalf)}")
        lines.append(_nfc(self.title))
        return lines


@dataclass(frozen=True)
class LetterHead:
    """Number line, subject and date of one document.

    The number is always left blank for the records office. With `issued_on` None the date line
    keeps the day blank and takes month and year from `drafted_on`, as drafts do.
    """

    office_code: str
    subject: str
    issued_on: date | None = None
    drafted_on: date | None = None

    def __post_init__(self) -> None:
        _require("LetterHead", "office_code", self.office_code)
        _require("LetterHead", "subject", self.subject)
        if self.issued_on is None and self.drafted_on is None:
            raise DocumentDataError(
                "LetterHead.drafted_on: needed when issued_on is empty (the month and year of the date line)"
            )


@dataclass(frozen=True)
class Addressee:
    """One line of "Kính gửi:", e.g. ("Trung tâm Thông tin - Văn phòng UBND tỉnh", "để đăng tải")."""

    label: str
    note: str | None = None

    def __post_init__(self) -> None:
        _require("Addressee", "label", self.label)

    def text(self) -> str:
        label = _nfc(self.label).rstrip(";.")
        return f"{label} ({_nfc(self.note)})" if self.note else label


@dataclass(frozen=True)
class RequestLetterData:
    """The công văn xin ý kiến góp ý dự thảo (seed 000)."""

    issuer: Issuer
    head: LetterHead
    addressees: list[Addressee]
    legal_bases: list[str]
    draft_title: str
    asks: list[str]
    attachment_note: str | None
    deadline: date
    contact_name: str
    contact_title: str | None
    contact_phone: str
    silence_is_agreement: bool
    cc: list[str]
    signer: Signer
    draft_kind: str = "Kế hoạch"

    def __post_init__(self) -> None:
        if not self.addressees:
            raise DocumentDataError("RequestLetterData.addressees: at least one addressee is needed")
        if not self.asks:
            raise DocumentDataError("RequestLetterData.asks: at least one request is needed")
        _require("RequestLetterData", "draft_title", self.draft_title)


@dataclass(frozen=True)
class ReminderLetterData:
    """The công văn đôn đốc to the units that have not answered the first letter."""

    issuer: Issuer
    head: LetterHead
    addressees: list[Addressee]
    first_letter_subject: str
    first_letter_sent_on: date
    first_deadline: date
    draft_title: str
    new_deadline: date
    silence_is_agreement: bool
    contact_name: str
    contact_title: str | None
    contact_phone: str
    cc: list[str]
    signer: Signer
    first_letter_number: str | None = None

    def __post_init__(self) -> None:
        if not self.addressees:
            raise DocumentDataError("ReminderLetterData.addressees: at least one unit is needed")


@dataclass(frozen=True)
class SynthesisRow:
    """One comment of the synthesis table with how the drafting office handled it."""

    no: int
    unit: str
    section: str | None
    comment: str
    handling: Handling
    explanation: str | None = None

    def __post_init__(self) -> None:
        if self.handling not in HANDLINGS:
            raise DocumentDataError(
                f"SynthesisRow {self.no}: handling must be one of {', '.join(HANDLINGS)}, got {self.handling!r}"
            )


@dataclass(frozen=True)
class SynthesisData:
    """The bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý of one draft version."""

    issuer: Issuer
    draft_title: str
    draft_version: int
    rows: list[SynthesisRow]
    agreed_units: list[str]
    silent_units: list[str]
    silence_is_agreement: bool
    not_asked_units: list[str]
    prepared_on: date
    signer: Signer | None = None


@dataclass(frozen=True)
class SubmissionData:
    """The tờ trình to UBND tỉnh proposing to issue the revised draft."""

    issuer: Issuer
    head: LetterHead
    recipient: str
    legal_bases: list[str]
    draft_title: str
    necessity: list[str]
    consulted: int
    answered: int
    answered_with_comments: int
    silent: int
    silence_is_agreement: bool
    comments_accepted: int
    comments_partly_accepted: int
    comments_not_accepted: int
    attachments: list[str]
    cc: list[str]
    signer: Signer
    request_letter: str | None = None
    published_on_portal: bool = False
    main_contents: list[str] = field(default_factory=list)
    proposal: str | None = None
    draft_kind: str = "Kế hoạch"

    def __post_init__(self) -> None:
        if self.answered > self.consulted:
            raise DocumentDataError(
                f"SubmissionData.answered: {self.answered} units answered but only {self.consulted} were consulted"
            )


@dataclass(frozen=True)
class MinistryReplyDraft:
    """The draft letter of UBND tỉnh to the Ministry attached to a zero-response report."""

    issuer: Issuer
    head: LetterHead
    ministry: str
    ministry_request: str
    cc: list[str]
    signer: Signer


@dataclass(frozen=True)
class ZeroResponseReportData:
    """The report to UBND tỉnh when no unit answered a call (seed 002), with the draft reply."""

    issuer: Issuer
    head: LetterHead
    recipient: str
    references: list[str]
    call_purpose: str
    deadline: date
    recommendation: str
    cc: list[str]
    signer: Signer
    reply: MinistryReplyDraft
    call_letter: str | None = None
    units_asked: int | None = None
    considerations: list[str] = field(default_factory=list)


_LEADING_NUMBER = re.compile(r"^\s*\d+[.)]\s+")


def strip_number(text: str) -> str:
    """"1. Các sở ..." -> "Các sở ..." (the wording numbers the requests itself)."""
    return _LEADING_NUMBER.sub("", text, count=1)
