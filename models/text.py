"""Text as staff and units type it: always stored in NFC, trimmed."""
from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def nfc_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = nfc(value)
    return cleaned or None


# Invisible characters a paste from Word or a web page leaves in free text: a zero-width space (U+200B) and a byte
# order mark (U+FEFF). A reader sees nothing of them, so they are dropped from text as it is kept rather than refused;
# a name on one line refuses them (config.single_line), as two names that look the same must not differ.
_PASTED_INVISIBLE = str.maketrans("", "", "\u200b\ufeff")


def stored_text(value: str) -> str:
    """Text as it is kept and counted: NFC, Windows and old Mac line ends folded to "\\n", zero-width spaces and
    byte order marks dropped, trimmed. A browser posts a textarea's line breaks as "\\r\\n"; Vietnamese typed in
    NFD ("ệ" as e + two marks) becomes one character per letter."""
    return nfc(value.replace("\r\n", "\n").replace("\r", "\n").translate(_PASTED_INVISIBLE))


def capfirst(text: str) -> str:
    """The first letter in capitals, the rest as written ("KH&CN" stays, as Jinja's capitalize would not keep it)."""
    return text[:1].upper() + text[1:]


def lowfirst(text: str) -> str:
    """A label inside a sentence: "hồ sơ thẩm định" for "Hồ sơ thẩm định"; a first word written in capitals
    ("UBND", "KH&CN") keeps them."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return text[:1].lower() + text[1:] if first[1:] == first[1:].lower() else text


def grouped(number: int) -> str:
    """5000 as Vietnamese write it: 5.000."""
    return f"{number:,}".replace(",", ".")


def whole_number(text: str, low: int = 0, high: int = 2**31 - 1) -> int | None:
    """The whole number a person typed (ASCII digits) if it lies in low … high; None otherwise. str.isdigit() alone
    lets through what int() refuses: "²" (a digit to Unicode) and thousands of digits (past int's 4,300)."""
    significant = text.lstrip("0") or "0"
    if not (text.isascii() and text.isdigit()) or len(significant) > len(str(high)):
        return None
    number = int(significant)
    return number if low <= number <= high else None


# What a search reads as a space between words: ASCII punctuation, the dashes, quotes and dots Vietnamese text uses,
# and the spaces of Unicode ("Các sở, ban, ngành" and "so-ban-nganh" are the words "so ban nganh"). A fixed list, not
# str.isalnum(): the keys are compared in SQL (models.db.search_match), and a key must not depend on the database's
# locale or on Python's version of Unicode's tables.
SEARCH_SPACES = ("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\n\r\v\f"
                 "\u00a0\u00ab\u00b7\u00bb\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201c\u201d\u2022\u2026"
                 "\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u3000")
_AS_SPACE = str.maketrans(SEARCH_SPACES, " " * len(SEARCH_SPACES))


def search_key(text: str) -> str:
    """Text as a search compares it: in any Unicode form, without diacritics ("Sở Y tế", "so y te" and "SỞ Y TẾ"
    typed in NFD are one key), đ as d, lower case, punctuation and hyphens as spaces (SEARCH_SPACES), runs of spaces as
    one, none at either end. Stored beside the names a search looks in (models.db.tables.SEARCH_KEYS)."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    spaced = bare.replace("đ", "d").replace("Đ", "D").lower().translate(_AS_SPACE)
    return " ".join(word for word in spaced.split(" ") if word)


# A search of fewer letters than this, its spaces left out, does not look for them across words: "yt" would find
# every "... y t..." and two letters are already found wherever they stand inside a word.
JOINED_MIN = 3


def joined_key(key: str) -> str | None:
    """A search key (search_key) without its spaces, as people type an abbreviation or a code ("khcn" for "KH&CN",
    "sobannganh" for so-ban-nganh, "so khcn" for "Sở KH&CN"); None when shorter than JOINED_MIN letters."""
    joined = key.replace(" ", "")
    return joined if len(joined) >= JOINED_MIN else None


def joins_up(joined: str, text_key: str) -> bool:
    """Whether a text's key (search_key), its spaces left out from the start of one of its words on, starts with
    `joined` (joined_key): "khcn" joins up "so kh cn" and "sobannganh" "cac so ban nganh", but "ota" does not join
    up "so tai chinh" (it starts inside a word). models.db.search_match gives SQL the same test."""
    if joined not in text_key.replace(" ", ""):
        return False
    words = text_key.split(" ")
    return any("".join(words[start:]).startswith(joined) for start in range(len(words)))


# The types of document a draft's title opens with ("Kế hoạch nâng cao năng suất …")
DRAFT_KINDS = ("Kế hoạch", "Quyết định", "Quy chế", "Quy định", "Đề án", "Chương trình", "Nghị quyết", "Báo cáo")


def draft_kind(title: str) -> str:
    """The type of document a title opens with ("Kế hoạch"); "văn bản" when it opens with none of DRAFT_KINDS."""
    return next((kind for kind in DRAFT_KINDS if title.lower().startswith(kind.lower())), "văn bản")
