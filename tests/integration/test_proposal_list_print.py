"""The proposal list XLSX as LibreOffice prints it, with a "Mục tiêu" of 3,000 letters that goes on over several
rows and pages: no blank line inside the text where one row hands it to the next, every page names the proposal
its rows belong to, and the title row is no taller than its labels. One conversion for the module; the words and
where they sit are read with pdftotext -bbox."""
from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from debian_tools import require_present

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents.data import ProposalListData
from notifications.documents.proposals import render_proposal_list_xlsx
from notifications.pdf import CALC_PACKAGE, INSTALL_HINT, calc_missing, soffice_path, to_pdf

SENTENCE = ("Nâng cao năng lực quản lý năng lượng cho các doanh nghiệp nhỏ và vừa trên địa bàn tỉnh Cao Bằng, áp dụng"
            " hệ thống quản lý năng lượng theo tiêu chuẩn ISO 50001 và các công cụ năng suất xanh;")
UNIT = "Hiệp hội doanh nghiệp tỉnh"
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')


@dataclass(frozen=True)
class Word:
    left: float
    top: float
    right: float
    text: str


Page = list[Word]


def objectives_text() -> str:
    """About 3,000 letters of numbered sentences: "(1) Nâng cao ... (16) ..."."""
    text, number = "", 1
    while len(text) < 3_000:
        text += f"({number}) {SENTENCE} "
        number += 1
    return text[:3_000].rsplit(" ", 1)[0] + "."


def proposal_list() -> ProposalListData:
    """The seed's three proposals and two more, who proposes named (the call's form), the first one's "Mục tiêu"
    3,000 letters long."""
    data = seed_data.proposal_list()
    first, *rest = data.proposals
    fields = [replace(f, value=objectives_text()) if f.key == "objectives" else f for f in first.fields]
    more = [replace(p, unit=f"{p.unit} (lần 2)") for p in rest]
    return replace(data, proposals=[replace(first, fields=fields), *rest, *more], proposer_key="organisation")


def words(pdf: Path) -> list[Page]:
    listing = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
    return [[Word(float(left), float(top), float(right), html.unescape(text))
             for left, top, right, text in WORD.findall(page)] for page in listing.split("<page ")[1:]]


def lines(page: Page, left: float = 0.0, right: float = 10_000.0) -> list[tuple[float, str]]:
    """The lines of the words starting between `left` and `right`, top to bottom: (top, text)."""
    found: dict[float, list[Word]] = {}
    for word in page:
        if left <= word.left < right:
            top = next((top for top in found if abs(top - word.top) < 2), word.top)
            found.setdefault(top, []).append(word)
    return [(top, " ".join(w.text for w in sorted(found[top], key=lambda w: w.left))) for top in sorted(found)]


def header(page: Page, first_word: str) -> Word:
    return min((word for word in page if word.text == first_word), key=lambda word: word.top)


def pitch(pages: list[Page]) -> float:
    """The distance between two lines of 12 pt text on the printed page (the sheet is printed smaller)."""
    gaps = [b[0] - a[0] for page in pages for a, b in itertools.pairwise(lines(page))]
    return min(gap for gap in gaps if gap > 5)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    soffice = soffice_path()
    missing = [tool for tool in ("soffice", "pdftotext") if shutil.which(tool) is None]
    if soffice is not None and calc_missing(soffice):
        missing.append(CALC_PACKAGE)
    require_present(missing, f"apt-get install -y --no-install-recommends {INSTALL_HINT} poppler-utils")
    path = tmp_path_factory.mktemp("proposal-list") / "danh-muc-de-xuat.pdf"
    path.write_bytes(to_pdf(render_proposal_list_xlsx(proposal_list()), "danh-muc-de-xuat.xlsx"))
    return words(path)


def test_a_long_text_goes_on_from_row_to_row_without_a_blank_line(printed: list[Page]) -> None:
    """Rows were estimated at 32 letters and 15 points a line where LibreOffice prints 37 letters 13.3 points apart:
    each piece of the text stood above about three blank lines, in the middle of a sentence."""
    line = pitch(printed)
    column = [page for page in printed if any(word.text == "Mục" for word in page)]
    assert len(column) >= 2  # the text goes on to a second page
    for number, page in enumerate(column, start=1):
        title, stt = header(page, "Mục"), header(page, "STT")
        second = min((word.top for word in page if word.text == "2" and word.right < stt.right + 5), default=1e9)
        text = [(top, words) for top, words in lines(page)  # the first proposal's rows, below the title row
                if title.top + 3 * line < top < second - 2]
        gaps = [round((below[0] - above[0]) / line, 2) for above, below in itertools.pairwise(text)]
        assert gaps and max(gaps) < 2, (number, gaps)


def test_every_page_names_the_proposal_its_first_row_belongs_to(printed: list[Page]) -> None:
    """The proposal's number and unit were merged down its rows and printed on the page they began on only: the next
    pages held a piece of "Mục tiêu" beside blank cells. Every page now opens with a number in STT and, where the
    proposal goes on from the page before, "<unit> (tiếp theo)"."""
    line = pitch(printed)
    continued = 0
    for number, page in enumerate(printed, start=1):
        stt = header(page, "STT")
        third = min((word for word in page if abs(word.top - stt.top) < 2 and word.left > stt.right + 20
                     and word.text == "Tên"), key=lambda word: word.left)  # who proposes, after the unit
        first = min(word.top for word in page if word.top > stt.top + 3 * line)
        opening = " ".join(text for top, text in lines(page, right=third.left - 1) if 0 <= top - first < 2 * line)
        assert re.match(r"\d+ \S", opening), (number, opening)
        if "(tiếp theo)" in opening:
            continued += 1
            assert opening.startswith(f"1 {UNIT}"), (number, opening)
    assert continued >= 3  # the pages down after the first, and those across beside them


def test_the_title_row_is_as_tall_as_its_labels_and_no_taller(printed: list[Page]) -> None:
    """The title row (one height for every page across) was 64 points, four lines and more, over the two-line labels
    of page 1: a label in a column sized to its values ("24" months) was estimated at four or five lines. It is now as
    tall as three lines (the longest label's, in the widest column), with less than a line to spare."""
    line = pitch(printed)
    for number, page in enumerate(printed, start=1):
        stt = header(page, "STT")
        labels = [top for top, _ in lines(page) if stt.top - 2 < top < stt.top + 3 * line]
        assert len({round(top) for top in labels}) <= 3, number
    first = printed[0]  # its first row is the first proposal's: the row under the title row holds text at its top
    stt = header(first, "STT")
    below = min(word.top for word in first if word.top > stt.top + 2 * line + 2)
    assert (below - stt.top) / line < 4, (below - stt.top) / line
