"""What each official document says, as plain frozen data: the renderers never touch the database.

The lead maps database rows to these classes; every name, code and legal basis comes from here.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from models.consolidation import Handling
from notifications.documents.vietnamese import NUMBER_MARK, short_date

HANDLINGS: tuple[str, ...] = tuple(handling.value for handling in Handling)


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


_ON_BEHALF = re.compile(r"KT\.?\s*(.+?)\s*/\s*(.+)", flags=re.IGNORECASE)


def signature_lines(title: str) -> list[str]:
    """The lines a typed signer's title is signed under ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"); none for a blank title."""
    return Signer.typed(title, "").lines() if title.strip() else []


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

    @classmethod
    def typed(cls, title: str, name: str) -> Signer:
        """The block for a title as staff type it in a round: "GIÁM ĐỐC", or "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC" (signing
        on someone's behalf; "Kt giám đốc / phó giám đốc" reads the same)."""
        text = title.strip()
        match = _ON_BEHALF.fullmatch(text)
        if match:
            return cls(title=match.group(2).upper(), name=name, on_behalf=match.group(1).upper())
        return cls(title=text.upper(), name=name)

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

    `number` is the full number the register gave ("05/TTr-SKHCN"), printed after "Số:" with `issued_on` as
    its date; without one the number is left blank for the records office. With `issued_on` None the date line
    keeps the day blank and takes month and year from `drafted_on`, as drafts do.
    """

    office_code: str
    subject: str
    issued_on: date | None = None
    drafted_on: date | None = None
    number: str | None = None

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
    """A công văn asking units for something by a deadline: the consultation's công văn xin ý kiến góp ý dự thảo
    (seed 000) and any kind's request that has no letter of its own."""

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
    response: str = "ý kiến góp ý bằng văn bản"  # what the units send back, the kind's terms.response
    silence_sentence: str | None = None  # the kind's silence sentence, when the round takes silence as agreement

    def __post_init__(self) -> None:
        if not self.addressees:
            raise DocumentDataError("RequestLetterData.addressees: at least one addressee is needed")
        if not self.asks:
            raise DocumentDataError("RequestLetterData.asks: at least one request is needed")
        _require("RequestLetterData", "draft_title", self.draft_title)


@dataclass(frozen=True)
class UnitGroup:
    """Units under the label of their group, for a list attached to a letter ("Ủy ban nhân dân các xã, phường")."""

    label: str
    units: list[str]


@dataclass(frozen=True)
class UnitDeadline:
    """A unit whose deadline differs from the one the letter asks for (an extension)."""

    unit: str
    deadline: date


@dataclass(frozen=True)
class ReminderLetterData:
    """The công văn đôn đốc to the units that have not answered the first letter.

    `new_deadline` is the day the letter asks for: the units' own deadline as the round records it, never an
    earlier one; `other_deadlines` the reminded units whose recorded deadline differs. With `attached_units`
    the letter is addressed to "the units named in the attached list" and the list follows it (a long "Kính
    gửi:" would push the body to page 2). `response`, `awaited` and `purpose` are the kind's words ("ý kiến góp ý
    bằng văn bản", "ý kiến góp ý", "tổng hợp, tiếp thu, hoàn thiện dự thảo ..."), `silence_sentence` its silence
    rule when it holds.
    """

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
    other_deadlines: list[UnitDeadline] = field(default_factory=list)
    attached_units: list[UnitGroup] = field(default_factory=list)
    response: str = "ý kiến góp ý bằng văn bản"
    awaited: str = "ý kiến góp ý"
    purpose: str = "tổng hợp, hoàn thiện dự thảo"
    silence_sentence: str | None = None

    def __post_init__(self) -> None:
        if not self.addressees and not any(group.units for group in self.attached_units):
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
    proposed_wording: str | None = None  # the wording the unit proposes ("Đề xuất sửa thành ...")
    quote: str | None = None  # the passage of the draft the unit chose on its page to comment on

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
    silent_units: list[str]  # past their own deadline without an answer: what the silence rule speaks of
    silence_is_agreement: bool
    not_asked_units: list[str]
    prepared_on: date
    signer: Signer | None = None
    attached_to: LetterRef | None = None  # the tờ trình the table goes with: "(Kèm theo Tờ trình số ... ngày ...)"
    # Not answered, their own deadline not passed (a round closed early, an extension running): never silent.
    pending_units: list[str] = field(default_factory=list)
    # The kind's words (terms.verb, terms.document): what units did with the text, and what the text is called
    verb: str = "góp ý"
    document: str = "dự thảo"


@dataclass(frozen=True)
class SubmissionData:
    """The tờ trình to UBND tỉnh proposing to issue the revised draft.

    `necessity`, `purpose` and `main_contents` are the paragraphs staff write (sự cần thiết, mục đích - yêu cầu,
    nội dung chính); a part without paragraphs is left out. `issued_title` is what UBND tỉnh is asked to issue
    (the draft's title without a leading "Quyết định ban hành", so "ban hành" is never said twice).
    """

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
    purpose: list[str] = field(default_factory=list)
    comments_noted: int = 0
    issued_title: str | None = None
    pending: int = 0  # asked, not answered, their own deadline not passed: counted apart from the silent
    # The kind's words, for a wording that speaks in them (the shared one): what the answering units and the publishing
    # ones were asked, what units send back, what one answer is called, the labels of an answer with content, of an
    # agreement ("" when the kind takes none) and of a silence taken to agree, and what the round's text is called.
    asked: str = "nghiên cứu, trả lời"
    publish_asked: str = "đăng tải trên Cổng thông tin điện tử tỉnh"
    response: str = "văn bản trả lời"
    answer: str = "ý kiến"
    answered_label: str = "có ý kiến"
    agreed_label: str = ""
    silence_label: str = "coi như đồng ý"
    document: str = "Nội dung"

    def __post_init__(self) -> None:
        if self.answered > self.consulted:
            raise DocumentDataError(
                f"SubmissionData.answered: {self.answered} units answered but only {self.consulted} were consulted"
            )


@dataclass(frozen=True)
class LetterRef:
    """An earlier letter of the department cited in a body: "Công văn số 123/SKHCN-QLKH ngày 29/7/2025".

    `number` stays None until the records office gives one; the citation then leaves the number blank before its
    ký hiệu, for the clerk to write in as on the letter itself ("Công văn số          /SKHCN-TĐC ngày 29/7/2025"), or
    names the date alone when the ký hiệu is not known either ("Công văn ngày 29/7/2025"). `subject` is the
    letter's V/v, to tell it apart from the V/v of a document that answers it.
    """

    sent_on: date
    number: str | None = None
    subject: str | None = None
    kind: str = "Công văn"
    symbol: str | None = None  # the ký hiệu ("TTr-SKHCN") a blank citation shows while the number is not given

    def __post_init__(self) -> None:
        _require("LetterRef", "kind", self.kind)

    @property
    def known_number(self) -> str | None:
        """"123/SKHCN-QLKH", or None for a blank number ("", "   /SKHCN-QLKH", "Số: .../SKHCN")."""
        if self.number is None:
            return None
        number = _LEADING_SO.sub("", _nfc(self.number)).strip()
        head = number.split("/", 1)[0]
        return number if any(char.isdigit() for char in head) else None

    @property
    def number_or_blank(self) -> str | None:
        """"123/SKHCN-QLKH"; while the register has not given the number, its blank before the ký hiệu
        ("\ue000/SKHCN-QLKH", marked for vietnamese.with_blanks) for the clerk to write in; None without either."""
        number = self.known_number
        if number:
            return number
        return f"{NUMBER_MARK}/{_nfc(self.symbol).strip()}" if self.symbol else None

    def citation(self) -> str:
        """"Công văn số 123/SKHCN-QLKH ngày 29/7/2025", "Công văn số          /SKHCN-QLKH ngày 29/7/2025" (its blank
        marked: vietnamese.with_blanks) or "Công văn ngày 29/7/2025"."""
        number = self.known_number
        kind = " ".join(_nfc(self.kind).split())
        if number:
            return f"{kind} số {number} ngày {short_date(self.sent_on)}"
        if self.symbol:
            return f"{kind} số{NUMBER_MARK}/{_nfc(self.symbol).strip()} ngày {short_date(self.sent_on)}"
        return f"{kind} ngày {short_date(self.sent_on)}"


_LEADING_SO = re.compile(r"^\s*số\s*:?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class CallLetterData:
    """The công văn đề nghị đề xuất nhiệm vụ KH&CN (seed 001): outside bodies and the Sở's own units.

    Item 1 goes to the outside bodies of "Kính gửi:" (study and propose, make the call known to
    businesses, send to the Sở's address and email with the form); item 2, when `internal_units` is
    set, to the Sở's own units (send to `internal_office`). No silence-means-agreement sentence:
    a unit that proposes nothing simply proposes nothing.
    """

    issuer: Issuer
    head: LetterHead
    addressees: list[Addressee]
    references: list[str]
    ministry_letter: str
    call_purpose: str
    external_units: str
    department_address: str
    department_email: str
    deadline: date
    form: str
    contact_name: str
    contact_title: str | None
    contact_phone: str
    cc: list[str]
    signer: Signer
    internal_units: str | None = None
    internal_office: str | None = None
    study_documents: list[str] = field(default_factory=list)
    priorities: str | None = None
    business_focus: str | None = None
    publishers: list[str] = field(default_factory=list)
    portal: str = "Cổng thông tin điện tử của Sở"
    # Every legal basis of the round as staff typed it, the Ministry's letter among them (`references` leaves it out,
    # for the shared wording cites it in its body): a wording that cites no guidance names them all here.
    legal_bases: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = "CallLetterData"
        if not self.addressees:
            raise DocumentDataError(f"{owner}.addressees: at least one addressee is needed")
        if not [item for item in self.references if item.strip()]:
            raise DocumentDataError(f"{owner}.references: at least one reference (Thực hiện ...) is needed")
        for name in ("ministry_letter", "call_purpose", "external_units", "department_address",
                     "department_email", "form", "contact_name", "contact_phone"):
            _require(owner, name, getattr(self, name))
        if not _EMAIL.fullmatch(_nfc(self.department_email)):
            raise DocumentDataError(f"{owner}.department_email: not an email address: {self.department_email!r}")
        has_internal = self.internal_units is not None and bool(self.internal_units.strip())
        if has_internal and (self.internal_office is None or not self.internal_office.strip()):
            raise DocumentDataError(
                f"{owner}.internal_office: needed when internal_units is set (where the Sở's own units send "
                "their proposals)"
            )


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class ProposalField:
    """One filled field of the proposal form (Mẫu A1-ĐXNV), in the form's order.

    `key` and `kind` are those of the workflow's form (task_name, budget_state; text, money, months);
    without them the columns are found by the label.
    """

    label: str
    value: str
    key: str | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        _require("ProposalField", "label", self.label)


@dataclass(frozen=True)
class Proposal:
    """One proposal received: the unit that sent it and the fields of its form in order.

    `fields` also takes plain (label, value) pairs (see `from_pairs`).
    """

    unit: str
    fields: list[ProposalField]

    def __post_init__(self) -> None:
        _require("Proposal", "unit", self.unit)
        normalised: list[ProposalField] = []
        for index, item in enumerate(self.fields, start=1):
            if isinstance(item, ProposalField):
                normalised.append(item)
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                normalised.append(ProposalField(str(item[0]), "" if item[1] is None else str(item[1])))
            else:
                raise DocumentDataError(
                    f"Proposal of {self.unit}: field {index} must be a ProposalField or a (label, value) pair"
                )
        object.__setattr__(self, "fields", normalised)

    @classmethod
    def from_pairs(cls, unit: str, pairs: Iterable[tuple[str, str | None]]) -> Proposal:
        """A proposal from the form's (label, value) pairs in order."""
        return cls(unit, [ProposalField(label, value or "") for label, value in pairs])


@dataclass(frozen=True)
class ProposalListData:
    """The công văn to the Ministry that forwards the proposals received after the deadline (seed 001).

    `call_subject` is what was called for ("đề xuất nhiệm vụ KH&CN cấp quốc gia dự kiến thực hiện từ
    năm 2026 thuộc Chương trình 1322"); `ministry_letter` the Ministry's letter answered ("Công văn số
    3347/BKHCN-TĐC ngày 24/7/2025"); `call_letter` the department's own call, when it is to be cited.
    """

    issuer: Issuer
    head: LetterHead
    call_subject: str
    ministry_letter: str
    proposals: list[Proposal]
    cc: list[str]
    signer: Signer | None = None
    ministry: str = "Bộ Khoa học và Công nghệ"
    call_letter: LetterRef | None = None
    deadline: date | None = None
    form: str = "Mẫu A1-ĐXNV"
    # The units that answered they had nothing to propose, and what such an answer is called (the kind's
    # terms.received.agree).
    declined_units: list[str] = field(default_factory=list)
    declined_answer: str = ""
    # The key of the form's field that names who proposes (the kind's response.proposer: "organisation", Mẫu
    # A1-ĐXNV's "Tên tổ chức/cá nhân đề xuất"); None: the unit that sent the form is the proposer.
    proposer_key: str | None = None

    def __post_init__(self) -> None:
        owner = "ProposalListData"
        for name in ("call_subject", "ministry_letter", "ministry", "form"):
            _require(owner, name, getattr(self, name))
        if not self.proposals:
            raise DocumentDataError(
                f"{owner}.proposals: no proposal to forward (when nobody proposed, the zero-response report applies)"
            )


@dataclass(frozen=True)
class MinistryReplyDraft:
    """The draft letter of UBND tỉnh to the Ministry attached to a zero-response report.

    `ministry_letter` is the Ministry's letter the reply answers ("Công văn số 949/BKHCN-TĐC ngày
    04/5/2022"; "của <ministry>" is added unless it is already there).
    """

    issuer: Issuer
    head: LetterHead
    ministry: str
    ministry_letter: str
    cc: list[str]
    signer: Signer

    def __post_init__(self) -> None:
        _require("MinistryReplyDraft", "ministry", self.ministry)
        _require("MinistryReplyDraft", "ministry_letter", self.ministry_letter)


@dataclass(frozen=True)
class ZeroResponseReportData:
    """The report to UBND tỉnh when no unit answered a call (seed 002), with the draft reply.

    `head.subject` is the report's own V/v (seed 002: "đề xuất nhiệm vụ KH&CN cấp quốc gia bắt đầu thực
    hiện từ năm 2023 thuộc Chương trình ..."), never the call letter's; `call_letter` is the call the
    department sent, cited by number and date; `considerations` are the reasons staff add, one
    paragraph each, between "Tuy nhiên, hết thời gian thông báo ..." and "Do vậy, ...".
    """

    issuer: Issuer
    head: LetterHead
    recipient: str
    references: list[str]
    call_purpose: str
    call_letter: LetterRef
    deadline: date
    recommendation: str
    cc: list[str]
    signer: Signer
    reply: MinistryReplyDraft
    units_asked: int | None = None
    considerations: list[str] = field(default_factory=list)
    # The units that answered they had nothing to propose, and what such an answer is called (the kind's
    # terms.received.agree: "văn bản trả lời không có nhiệm vụ đề xuất").
    declined_units: list[str] = field(default_factory=list)
    declined_answer: str = ""
    # The last day answers were taken: the day staff closed the call when they closed it before its deadline.
    closed_on: date | None = None

    def __post_init__(self) -> None:
        owner = "ZeroResponseReportData"
        for name in ("recipient", "call_purpose", "recommendation"):
            _require(owner, name, getattr(self, name))
        if not [item for item in self.references if item.strip()]:
            raise DocumentDataError(f"{owner}.references: at least one reference (Thực hiện ...) is needed")
        if not isinstance(self.call_letter, LetterRef):
            raise DocumentDataError(f"{owner}.call_letter: must be a LetterRef (number and date of the call)")
        if self.call_letter.subject and _same_subject(self.head.subject, self.call_letter.subject):
            raise DocumentDataError(
                f"{owner}.head.subject: the report needs its own V/v, not the call letter's "
                f"({self.call_letter.subject!r})"
            )


def _same_subject(first: str, second: str) -> bool:
    def key(text: str) -> str:
        return " ".join(re.sub(r"^\s*V/v\s*", "", _nfc(text), flags=re.IGNORECASE).casefold().split())

    return key(first) == key(second)


_LEADING_NUMBER = re.compile(r"^\s*\d+[.)]\s+")


def strip_number(text: str) -> str:
    """"1. Các sở ..." -> "Các sở ..." (the wording numbers the requests itself)."""
    return _LEADING_NUMBER.sub("", text, count=1)
