"""The offices (phòng) of the Sở that own rounds and staff accounts: a managed list, not free text, so "TDC"
never becomes a second office beside "TĐC". Pure rules: what a code may be, how two codes are compared, which
known code a mistyped one meant.

Codes are kept in NFC. Two codes that differ only by case or diacritics ("TDC", "tđc", "TĐC") are the same office
to people, so the list refuses the second one and names the first (`same_office`).
"""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from config.symbol_code import is_symbol_code
from models import limits
from models.errors import DomainError, InvalidInput
from models.text import nfc

# What happened to the list, as the system's audit chain records it.
OFFICE_ACTIONS = {"office_added": "Thêm phòng", "office_renamed": "Đổi mã, tên phòng"}


@dataclass(frozen=True)
class Office:
    code: str  # "TĐC": in document numbers ("Số: …/SKHCN-TĐC") and on every page
    name: str  # "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng"


class OfficeUnknown(InvalidInput):
    code = "office_unknown"


class OfficeExists(DomainError):
    code = "office_exists"


def office_key(code: str) -> str:
    """What two codes are compared by: NFC, no case, no diacritics, Đ as D ("TĐC" and "tdc" share "tdc")."""
    decomposed = unicodedata.normalize("NFD", nfc(code).replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def checked_code(code: str, place: str = "office") -> str:
    """The code as kept (NFC, trimmed); InvalidInput naming `place` when blank, too long or not a code."""
    cleaned = nfc(code)
    if not cleaned:
        raise InvalidInput(f"{place}: nhập mã phòng (ví dụ TĐC).", "office_missing")
    limits.check_text(place, cleaned, limits.OFFICE)
    if not is_symbol_code(cleaned):  # it goes into the register's ký hiệu ("SKHCN-QLKH&SHTT")
        raise InvalidInput(f"{place}: \"{cleaned}\" không phải mã phòng: chỉ gồm chữ, số và & . _ - "
                           "(không có khoảng trắng), ví dụ TĐC, QLKH&SHTT.", "bad_office")
    return cleaned


def checked_name(name: str, place: str = "name") -> str:
    """The office's full name as kept; InvalidInput naming `place` when blank, too long or not on one line."""
    cleaned = nfc(name)
    if not cleaned:
        raise InvalidInput(f"{place}: nhập tên phòng (ví dụ Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng).",
                           "office_name_missing")
    limits.check_line(place, cleaned, limits.OFFICE_NAME)  # it heads letters and pages: one line
    return cleaned


def same_office(code: str, known: Iterable[str], but: str | None = None) -> str | None:
    """The known code that is `code` to people (equal but for case and diacritics), leaving out `but`."""
    key = office_key(code)
    return next((k for k in known if k != but and office_key(k) == key), None)


def known_office(code: str, known: Iterable[str], place: str = "office") -> str:
    """`code` (NFC) when the list has it exactly; else OfficeUnknown naming the code, the list and, when one is
    near, the code meant ("có phải TĐC?")."""
    cleaned = nfc(code)
    codes = sorted(known)
    if cleaned in codes:
        return cleaned
    if not cleaned:
        raise OfficeUnknown(f"{place}: chọn một phòng ({', '.join(codes) or 'chưa có phòng nào'}).", "office_missing")
    keys = {office_key(c): c for c in codes}
    near = difflib.get_close_matches(office_key(cleaned), list(keys), n=1, cutoff=0.6)
    meant = same_office(cleaned, codes) or (keys[near[0]] if near else None)
    hint = f" Có phải \"{meant}\"?" if meant else ""
    listed = ", ".join(codes) if codes else "chưa có phòng nào; quản trị thêm phòng trước"
    raise OfficeUnknown(f"{place}: không có phòng \"{cleaned[:limits.OFFICE]}\" trong danh sách phòng "
                        f"({listed}).{hint}")
