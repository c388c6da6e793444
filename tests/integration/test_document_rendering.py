"""Every official document opens in LibreOffice, converts to PDF and PNG, and keeps its signature with text.

The files land in artifacts/documents/ for people to look at. Without `soffice` the test skips
on a developer machine and fails under CI (CI=true): there the packages must be installed.
"""
from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from debian_tools import require_tools

# The seeds' documents as renderer input live with the other fixtures.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents.letters import (
    render_call_letter,
    render_ministry_reply_draft,
    render_reminder_letter,
    render_request_letter,
    render_submission,
    render_zero_response_report,
)
from notifications.documents.proposals import render_proposal_list_docx
from notifications.documents.synthesis import render_synthesis_docx

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "documents"
TOOLS = ("soffice", "pdftoppm", "pdftotext", "pdfinfo", "pdffonts")

DOCUMENTS: dict[str, Callable[[], bytes]] = {
    "request_letter": lambda: render_request_letter(seed_data.request_letter()),
    "request_letter_deputy": lambda: render_request_letter(
        seed_data.request_letter(seed_data.DEPUTY, silence_is_agreement=True)),
    "reminder_letter": lambda: render_reminder_letter(seed_data.reminder_letter()),
    "synthesis": lambda: render_synthesis_docx(seed_data.synthesis()),
    "submission": lambda: render_submission(seed_data.submission()),
    "zero_response_report": lambda: render_zero_response_report(seed_data.zero_response_report()),
    "ministry_reply_draft": lambda: render_ministry_reply_draft(seed_data.zero_response_report()),
    "call_letter": lambda: render_call_letter(seed_data.call_letter()),
    "proposal_list": lambda: render_proposal_list_docx(seed_data.proposal_list()),
}
# What the page holding the signature must also show: the end of the body ("./.") and the name.
SIGNATURE_PAGE = {
    "request_letter": "Nông Thị Thanh Huyền",
    "request_letter_deputy": "Trần Quốc Anh",
    "reminder_letter": "Trần Quốc Anh",
    "submission": "Nông Thị Thanh Huyền",
    "zero_response_report": "Trần Quốc Anh",
    "ministry_reply_draft": "PHÓ CHỦ TỊCH",
    "call_letter": "Nông Thị Thanh Huyền",
    "proposal_list": "Nông Thị Thanh Huyền",
}


def _require_tools() -> None:
    require_tools(*TOOLS, hint="apt-get install -y --no-install-recommends libreoffice-writer poppler-utils "
                               "fonts-liberation2")


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All documents written as DOCX and converted to PDF in one LibreOffice run."""
    _require_tools()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("*"):
        stale.unlink(missing_ok=True)  # another xdist worker (without --dist loadscope) may clear it too
    for name, render in DOCUMENTS.items():
        (ARTIFACTS / f"{name}.docx").write_bytes(render())
    profile = tmp_path_factory.mktemp("soffice-profile")
    docx_files = sorted(str(path) for path in ARTIFACTS.glob("*.docx"))
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(ARTIFACTS), *docx_files],
        capture_output=True, text=True, timeout=240, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for name in DOCUMENTS:
        pdf = ARTIFACTS / f"{name}.pdf"
        assert pdf.is_file(), f"LibreOffice made no PDF of {name}: {completed.stdout} {completed.stderr}"
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)],
                       check=True, timeout=60)
    return ARTIFACTS


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_document_converts_to_a_pdf_and_png_pages(converted: Path, name: str) -> None:
    pdf = converted / f"{name}.pdf"
    pages = page_count(pdf)
    assert pages >= 1
    pngs = sorted(converted.glob(f"{name}-*.png"))
    assert len(pngs) == pages
    assert all(png.stat().st_size > 1000 for png in pngs)


@pytest.mark.parametrize("name", list(SIGNATURE_PAGE))
def test_signature_shares_its_page_with_the_end_of_the_body(converted: Path, name: str) -> None:
    page = next(text for text in pages_text(converted / f"{name}.pdf") if SIGNATURE_PAGE[name] in text)
    assert "./." in page
    assert "Nơi nhận:" in page


def test_vietnamese_letters_are_set_in_a_times_compatible_serif_without_fallback(converted: Path) -> None:
    """Liberation Serif 1.07 (fonts-liberation) lacks U+1EA0-1EF9 ("ạ", "ế", "ộ", ...), which LibreOffice then takes
    from DejaVu Sans: a page in two typefaces. fonts-liberation2 (scripts/system-packages.sh) covers them."""
    for name in ("request_letter", "synthesis", "submission"):
        listing = subprocess.run(["pdffonts", str(converted / f"{name}.pdf")], capture_output=True, text=True,
                                 check=True).stdout
        fonts = [line.split()[0].split("+")[-1] for line in listing.splitlines()[2:] if line.strip()]
        assert fonts, listing
        assert all(font.startswith(("LiberationSerif", "TimesNewRoman")) for font in fonts), (name, fonts)


def test_header_lines_are_not_broken_by_the_column_width(converted: Path) -> None:
    first_page = pages_text(converted / "request_letter.pdf")[0]
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in first_page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first_page
    assert re.search(r"Số: +/SKHCN-TĐC", first_page)


def test_synthesis_pdf_is_landscape(converted: Path) -> None:
    info = subprocess.run(["pdfinfo", str(converted / "synthesis.pdf")], capture_output=True, text=True,
                          check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
    assert width > height


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(page_count(pdf)), str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def test_proposal_list_letter_is_portrait_and_its_appendix_landscape(converted: Path) -> None:
    sizes = page_sizes(converted / "proposal_list.pdf")
    assert len(sizes) == page_count(converted / "proposal_list.pdf") >= 2
    pages = pages_text(converted / "proposal_list.pdf")
    appendix = next(index for index, text in enumerate(pages) if "DANH MỤC ĐỀ XUẤT NHIỆM VỤ" in text)
    assert all(width < height for width, height in sizes[:appendix])
    assert all(width > height for width, height in sizes[appendix:])
    assert appendix >= 1 and "Hiệp hội doanh" in pages[appendix]  # table cells wrap in the text layout


def test_call_letter_keeps_the_long_office_code_on_the_number_line(converted: Path) -> None:
    first_page = pages_text(converted / "call_letter.pdf")[0]
    assert re.search(r"Số: +/SKHCN-QLKH&SHTT", first_page)
    assert "Mẫu A1-ĐXNV" in "".join(pages_text(converted / "call_letter.pdf"))
