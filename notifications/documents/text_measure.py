"""How wide a text prints in Times New Roman, and the lines it wraps to in a given width: a sheet's rows are set as
tall as their text from it (LibreOffice and Excel print a row only as tall as the file says)."""
from __future__ import annotations

import unicodedata
from functools import cache

# Advance widths of the printable ASCII characters (32 to 126) in thousandths of an em: Adobe's Times-Roman and
# Times-Bold metrics, which Times New Roman and Liberation Serif (what LibreOffice prints it with) share.
_REGULAR = (
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500,
    500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722,
    611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444,
    500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722,
    500, 500, 444, 480, 200, 480, 541,
)
_BOLD = (
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500,
    500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778,
    667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500,
    556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722,
    500, 500, 444, 394, 220, 394, 520,
)
# Letters Unicode does not take apart into an ASCII letter and marks, drawn as wide as that letter.
_AS_LETTER = {"đ": "d", "Đ": "D"}
_PUNCTUATION = {"–": 500, "—": 1000, "…": 1000, "“": 500, "”": 500, "‘": 333, "’": 333, "•": 350, "×": 570}
# The horn of ơ and ư makes the letter wider (by 30 to 55 thousandths); every other Vietnamese mark sits above or
# below its letter.
_HORN, _HORN_WIDTH = "\u031b", 55
_OTHER_WIDTH = 1000  # a character none of the above (a Chinese one, an emoji): as wide as an em, not narrower
SPACE = " "


@cache
def _character_width(character: str, bold: bool) -> int:
    """Thousandths of an em."""
    table = _BOLD if bold else _REGULAR
    if " " <= character <= "~":
        return table[ord(character) - 32]
    if character in _PUNCTUATION:
        return _PUNCTUATION[character]
    if character in _AS_LETTER:
        return table[ord(_AS_LETTER[character]) - 32]
    parts = unicodedata.normalize("NFD", character)
    if " " <= parts[0] <= "~":
        return table[ord(parts[0]) - 32] + (_HORN_WIDTH if _HORN in parts else 0)
    if character == _HORN:
        return _HORN_WIDTH  # ơ, ư of a text in NFD
    if unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return 0  # another mark of a text in NFD: above or below the letter before it
    if character.isspace():
        return table[0]
    return _OTHER_WIDTH


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Points the text takes on one line at `size` points."""
    return sum(_character_width(character, bold) for character in text) * size / 1000


def wrapped_lines(text: str, width: float, size: float, *, bold: bool = False) -> list[tuple[int, int]]:
    """Where the lines of `text` begin and end (offsets into it) when it wraps in `width` points as a spreadsheet
    wraps a cell: at spaces, each line taking as many words as fit, a word longer than a line broken inside; a
    line break in the text starts a new line. The spaces a line breaks at belong to no line."""
    lines: list[tuple[int, int]] = []
    start = 0
    for paragraph in text.split("\n"):
        lines += _paragraph_lines(paragraph, start, width, size, bold)
        start += len(paragraph) + 1
    return lines


def _paragraph_lines(paragraph: str, offset: int, width: float, size: float,
                     bold: bool) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    space = text_width(SPACE, size, bold=bold)
    begin, end, used = -1, -1, 0.0  # the open line: its first and last offsets, its width
    position = 0
    for word in paragraph.split(SPACE):
        if word:
            needed = text_width(word, size, bold=bold)
            if begin >= 0 and used + space * (position - end) + needed <= width:
                used += space * (position - end) + needed
                end = position + len(word)
            else:
                if begin >= 0:
                    lines.append((offset + begin, offset + end))
                begin, end, used = position, position + len(word), needed
                while used > width and end - begin > 1:  # a word wider than the line, broken where it must
                    cut = _fitting(paragraph, begin, end, width, size, bold)
                    lines.append((offset + begin, offset + cut))
                    begin = cut
                    used = text_width(paragraph[begin:end], size, bold=bold)
        position += len(word) + 1
    if begin >= 0:
        lines.append((offset + begin, offset + end))
    return lines or [(offset, offset)]


def _fitting(text: str, begin: int, end: int, width: float, size: float, bold: bool) -> int:
    """The end of the longest piece of text[begin:end] that fits `width`, at least one character."""
    cut = begin + 1
    used = _character_width(text[begin], bold) * size / 1000
    while cut < end and used + _character_width(text[cut], bold) * size / 1000 <= width:
        used += _character_width(text[cut], bold) * size / 1000
        cut += 1
    return cut
