"""Dates, numbers and punctuation written the way Decree 30/2020 and the seed letters write them."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

BLANK_NUMBER = " " * 10
BLANK_DAY = " " * 6
# Placeholders for the blanks the records office fills in (a number, a day): a wording collapses runs of spaces, so
# the blanks go in after it has rendered (`with_blanks`)
NUMBER_MARK, DAY_MARK = "\ue000", "\ue001"
_BASIS_OPENERS = ("Căn cứ", "Thực hiện", "Theo", "Xét", "Triển khai")


# In running text the blanks are no-break spaces: a line that wrapped at ordinary ones swallowed the blank ("… Công
# văn số" at a line's end, "/SKHCN-TĐC" at the next one's start: nowhere to write the number), and a justified line
# stretched them.
RUNNING_BLANK_NUMBER = "\u00a0" * len(BLANK_NUMBER)
RUNNING_BLANK_DAY = "\u00a0" * len(BLANK_DAY)


def with_blanks(text: str) -> str:
    """`text` (a paragraph) with the number and day blanks put in for its marks, as no-break spaces joined to the
    word before them ("số", "ngày"), a space between them dropped: a line may wrap before "số", never inside the
    blank."""
    text = text.replace(" " + NUMBER_MARK, NUMBER_MARK).replace(" " + DAY_MARK, DAY_MARK)
    return text.replace(NUMBER_MARK, RUNNING_BLANK_NUMBER).replace(DAY_MARK, RUNNING_BLANK_DAY)


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def day_text(day: int) -> str:
    """Days under 10 take a leading zero: 5 -> "05"."""
    return f"{day:02d}"


def month_text(month: int) -> str:
    """Only January and February take a leading zero (Decree 30): 1 -> "01", 7 -> "7", 11 -> "11"."""
    return f"{month:02d}" if month <= 2 else str(month)


def short_date(value: date) -> str:
    """05/12/2025, 09/8/2025, 20/01/2025: the seeds' way of writing a date inside a sentence."""
    return f"{day_text(value.day)}/{month_text(value.month)}/{value.year}"


def long_date(value: date) -> str:
    """"ngày 05 tháng 12 năm 2025"."""
    return f"ngày {day_text(value.day)} tháng {month_text(value.month)} năm {value.year}"


def place_date_line(place: str, issued_on: date | None, drafted_on: date | None) -> str:
    """"Cao Bằng, ngày 20 tháng 11 năm 2025", or with the day left blank for the records office."""
    if issued_on is not None:
        return f"{nfc(place).strip()}, {long_date(issued_on)}"
    assert drafted_on is not None  # LetterHead guarantees one of the two
    return f"{nfc(place).strip()}, ngày{BLANK_DAY}tháng {month_text(drafted_on.month)} năm {drafted_on.year}"


def quantity(value: int) -> str:
    """Counts from 1 to 9 take a leading zero in administrative prose: 6 -> "06", 12 -> "12"; none is "0", not
    "00" ("đã nộp 0, chưa nộp 03")."""
    return f"{value:02d}" if value else "0"


def without_end_mark(text: str) -> str:
    """Drop a trailing ";", "." or "," so the template decides the punctuation."""
    return nfc(text).strip().rstrip(";.,").rstrip()


def clause(text: str) -> str:
    """A text put inside a sentence: NFC, its spaces collapsed, without its end mark."""
    return without_end_mark(" ".join(nfc(text).split()))


def joined(items: list[str], last: str = " và ") -> str:
    """"A, B và C": the items in a sentence, `last` before the final one."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


def legal_basis(text: str) -> str:
    """"Quyết định số ..." -> "Căn cứ Quyết định số ..."; openers such as "Thực hiện" are kept."""
    body = without_end_mark(text)
    if body.startswith(_BASIS_OPENERS):
        return body
    return f"Căn cứ {body}"


def list_item_lines(items: Iterable[str]) -> list[str]:
    """A dashed list as Decree 30 writes it: "- A;" for each item and "- Z." for the last."""
    cleaned = [without_end_mark(re.sub(r"^\s*[-–•]\s*", "", nfc(item))) for item in items]
    cleaned = [item for item in cleaned if item]
    return [f"- {item}{'.' if index == len(cleaned) - 1 else ';'}" for index, item in enumerate(cleaned)]


def roman(number: int) -> str:
    """1 -> "I", 4 -> "IV": the numbers of the parts of a document and of the groups of a list."""
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out += letters
            number -= value
    return out


# Abbreviations a directory's group labels use ("Ủy ban MTTQ và các đoàn thể tỉnh") that a letter spells out when it
# names the group in "Kính gửi:" or in its body, as seed 000 does; units' own names are never changed.
SPELLED_OUT = {
    "MTTQ": "Mặt trận Tổ quốc Việt Nam",
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "HTX": "Hợp tác xã",
    "KH&CN": "khoa học và công nghệ",
}
_ABBREVIATION = re.compile(r"(?<![\w&])(" + "|".join(re.escape(key) for key in SPELLED_OUT) + r")(?![\w&])")


def spelled_out(text: str) -> str:
    """"Ủy ban MTTQ và các đoàn thể tỉnh" -> "Ủy ban Mặt trận Tổ quốc Việt Nam và các đoàn thể tỉnh"."""
    return _ABBREVIATION.sub(lambda match: SPELLED_OUT[match.group(1)], nfc(text))


def with_closing_mark(text: str) -> str:
    """Append the closing mark "./." to the last paragraph of a document."""
    body = nfc(text).rstrip()
    if body.endswith("./."):
        return body
    return body.rstrip(".;,") + "./."
