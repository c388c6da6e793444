"""The register of outgoing documents (sổ văn bản đi, Decree 30/2020/NĐ-CP art. 15 and 22): pure rules.

Every letter, tờ trình and report that leaves the Sở gets a number and a ký hiệu ("05/SKHCN-TĐC",
"12/TTr-SKHCN") and its date. Numbers run from 01 on 1 January to 31 December, unique per register and year,
written with a leading zero below 10. A công văn's ký hiệu is the issuer's code and the office's
("SKHCN-TĐC"); a typed document's is its type and the issuer's code ("TTr-SKHCN", "BC-SKHCN").
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from models import limits
from models.errors import InvalidInput
from models.text import grouped, nfc

DEFAULT_REGISTER = "di"
REGISTER_TITLES = {DEFAULT_REGISTER: "Sổ văn bản đi"}

# The years a register may hold: no Sở issued under Decree 30 before 2020; far beyond now is a typing mistake.
MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_NUMBER = 999_999  # a Sở issues a few thousand documents a year
SYMBOL = 60  # register_entries.symbol is VARCHAR(60)
NUMBER_TYPE = 10  # "TTr", "QĐ", "BC"
SUMMARY = 1_000  # trích yếu: a subject (limits.SUBJECT) with the document's title before it
SIGNER = limits.PERSON_NAME
RECIPIENTS = 2_000  # "Như trên; UBND tỉnh (báo cáo); Lãnh đạo Sở; ..."
REASON = limits.REASON

# The type names of Decree 30, appendix III (the abbreviations a ký hiệu starts with). A công văn has none.
TYPE_NAMES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế", "QYĐ": "Quy định",
    "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "KH": "Kế hoạch",
    "PA": "Phương án", "ĐA": "Đề án", "DA": "Dự án", "BC": "Báo cáo", "BB": "Biên bản", "TTr": "Tờ trình",
    "HĐ": "Hợp đồng", "CĐ": "Công điện", "GM": "Giấy mời", "GGT": "Giấy giới thiệu", "GUQ": "Giấy ủy quyền",
}
LETTER_NAME = "Công văn"

_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2212]")  # what word processors make of "-"
_NUMBER = re.compile(r"(?:số\s*:?\s*)?(?P<number>[0-9]+)\s*(?:/\s*(?P<symbol>\S(?:.*\S)?))?", re.IGNORECASE)
_TYPE = re.compile(r"[^\W\d_]{1,10}")


class Source(StrEnum):
    """How an entry got its number: given by ykien from the register's counter, or typed by the văn thư
    (the number the e-office system gave)."""

    ASSIGNED = "assigned"
    ENTERED = "entered"


SOURCE_LABELS = {Source.ASSIGNED: "cấp tự động", Source.ENTERED: "văn thư nhập"}
_FILE_FORMAT = re.compile(r"\s*\((?:DOCX|XLSX|PDF|CSV)\)\s*$")


def symbol(issuer_code: str, office: str, number_type: str = "") -> str:
    """The ký hiệu: "SKHCN-TĐC" for a công văn (no type), "TTr-SKHCN" for a typed document."""
    issuer, kind = nfc(issuer_code), nfc(number_type)
    return f"{kind}-{issuer}" if kind else f"{issuer}-{nfc(office)}"


def format_number(number: int) -> str:
    """"01" to "09", then "10", "11", ... as Decree 30 writes a number."""
    return f"{number:02d}"


def full_number(number: int, code: str) -> str:
    """"05/SKHCN-TĐC"."""
    return f"{format_number(number)}/{code}"


def type_name(number_type: str) -> str:
    """"Tờ trình" for "TTr", "Công văn" for none; an abbreviation the decree does not list stands for itself."""
    return TYPE_NAMES.get(number_type, number_type) if number_type else LETTER_NAME


def check_number_type(number_type: str, where: str) -> str:
    """The type a document's wording gives (NFC, trimmed): letters only ("TTr", "QĐ"), or "" for a công văn."""
    cleaned = nfc(number_type)
    if cleaned and not _TYPE.fullmatch(cleaned):
        raise InvalidInput(f"{where}: loại văn bản \"{cleaned}\" phải là chữ viết tắt (TTr, BC, QĐ), tối đa "
                           f"{NUMBER_TYPE} chữ cái.", "bad_number_type")
    return cleaned


def _folded(text: str) -> str:
    """Letters without marks and Đ as D, lower case: to tell "TDC" typed for "TĐC" apart from another office."""
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def parse_number(text: str, expected: str, place: str = "--number") -> int:
    """The number of "123/SKHCN-TĐC" as the văn thư types it (also "Số: 123/SKHCN-TĐC", or "123" alone for the
    expected ký hiệu), in NFC, with typographic dashes read as "-". The ký hiệu must be `expected`: letter case
    aside, Đ and D are different letters, as in the office codes. InvalidInput names `place`."""
    cleaned = _DASHES.sub("-", nfc(text))
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise InvalidInput(f"{place}: \"{cleaned}\" không phải số văn bản; viết như \"123/{expected}\".",
                           "bad_number")
    digits = match["number"]
    number = int(digits) if len(digits) <= len(str(MAX_NUMBER)) else MAX_NUMBER + 1
    if not 1 <= number <= MAX_NUMBER:
        raise InvalidInput(f"{place}: số \"{digits}\" phải từ 01 đến {grouped(MAX_NUMBER)}.", "bad_number")
    given = re.sub(r"\s*-\s*", "-", match["symbol"]) if match["symbol"] else expected
    if given.casefold() != expected.casefold():
        hint = ""
        if _folded(given) == _folded(expected):
            hint = " (chữ Đ và chữ D, chữ có dấu và không dấu là khác nhau)"
        raise InvalidInput(f"{place}: ký hiệu \"{given}\" không phải ký hiệu của văn bản này; phải là "
                           f"\"{expected}\"{hint}.", "wrong_symbol")
    return number


def register_year(moment: date | datetime, tz: ZoneInfo) -> int:
    """The year whose register numbers a document dated `moment`: a datetime counts in the Sở's time zone
    (31/12 at 23:30 in Hà Nội is still that year, whatever UTC says)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("a naive datetime has no year in the Sở's time zone")
        return moment.astimezone(tz).year
    return moment.year


def check_year(year: int, place: str = "--year") -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"{place}: năm \"{year}\" phải từ {MIN_YEAR} đến {MAX_YEAR}.", "bad_year")
    return year


def check_issue_date(issued_on: date, today: date, place: str = "--date") -> date:
    """A document is numbered when it is signed: its date is today or before, in a year a register holds."""
    if not MIN_YEAR <= issued_on.year <= MAX_YEAR:
        raise InvalidInput(f"{place}: ngày {issued_on:%d/%m/%Y} phải trong các năm {MIN_YEAR}–{MAX_YEAR}.",
                           "bad_date")
    if issued_on > today:
        raise InvalidInput(f"{place}: ngày {issued_on:%d/%m/%Y} chưa đến (hôm nay là {today:%d/%m/%Y}); văn bản "
                           "được ghi số khi đã ký.", "date_in_future")
    return issued_on


def check_not_before(issued_on: date, earliest: date, what: str, place: str = "--date") -> date:
    """A round's document is not dated before the round existed (`what`: "ngày lập đợt 3")."""
    if issued_on < earliest:
        raise InvalidInput(f"{place}: ngày {issued_on:%d/%m/%Y} trước {what} ({earliest:%d/%m/%Y}).",
                           "date_before_round")
    return issued_on


def check_date_order(issued_on: date, later_below: RegisterEntry | None, earlier_above: RegisterEntry | None,
                     place: str = "--date") -> date:
    """Numbers of a register run in date order: no number is dated before a lower one (`later_below`, the
    nearest lower number dated after `issued_on`) nor after a higher one (`earlier_above`)."""
    if later_below is not None:
        raise InvalidInput(f"{place}: ngày {issued_on:%d/%m/%Y} trước ngày của số {later_below.full_number} "
                           f"({later_below.issued_on:%d/%m/%Y}); trong sổ văn bản đi, số sau không được mang ngày "
                           "sớm hơn số trước.", "date_out_of_order")
    if earlier_above is not None:
        raise InvalidInput(f"{place}: ngày {issued_on:%d/%m/%Y} sau ngày của số {earlier_above.full_number} "
                           f"({earlier_above.issued_on:%d/%m/%Y}), một số lớn hơn; trong sổ văn bản đi, số trước "
                           "không được mang ngày muộn hơn số sau.", "date_out_of_order")
    return issued_on


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the register: a number given (or entered) for one document."""

    id: int
    register: str
    year: int
    number: int
    symbol: str
    office: str  # the office that drafted it
    issued_on: date
    document_type: str  # "" for a công văn
    document_title: str  # "Tờ trình UBND tỉnh", as the kind's definition names the document
    summary: str  # trích yếu nội dung
    round_id: int | None
    document_key: str | None
    signer: str
    recipients: str
    source: Source
    created_at: datetime
    created_by: str
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None

    @property
    def full_number(self) -> str:
        return full_number(self.number, self.symbol)

    @property
    def formatted_number(self) -> str:
        return format_number(self.number)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def type_name(self) -> str:
        return type_name(self.document_type)

    @property
    def name_and_summary(self) -> str:
        """"Tờ trình UBND tỉnh: Kế hoạch ...", the register's "tên loại và trích yếu nội dung". A title's file format,
        which tells the DOCX and XLSX of one list apart on a round's page ("… (DOCX)"), is no part of a document's
        name in the register."""
        name = _FILE_FORMAT.sub("", self.document_title)
        if self.summary.startswith(name):
            return self.summary
        return f"{name}: {self.summary}"
