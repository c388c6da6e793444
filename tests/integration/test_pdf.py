"""DOCX and XLSX to PDF/A-2b through a real LibreOffice: cold (`soffice --convert-to`) and warm (a unoserver on a free
loopback port), Vietnamese text and Liberation Serif kept, the sheets on landscape A4, and a clear one-line refusal
where LibreOffice, or its Calc for an XLSX, is missing.

The request letter's PDF, the unit list's and the synthesis table's, and their PNG pages land in artifacts/pdf/ for
people to look at. Without LibreOffice (and Calc) the tests skip on a developer machine and fail under CI (CI=true);
the warm tests also need python3-uno.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from debian_tools import require_present
from process_table import group_running

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications import pdf as pdf_module
from notifications.documents.exports import CommentRow, UnitRow, round_workbook
from notifications.documents.letters import render_request_letter
from notifications.documents.proposals import render_proposal_list_xlsx
from notifications.documents.synthesis import render_synthesis_xlsx
from notifications.pdf import (
    CALC_LIBRARIES,
    CALC_PACKAGE,
    INSTALL_HINT,
    PdfError,
    PdfServer,
    PdfUnavailable,
    calc_missing,
    pdf_name,
    soffice_path,
    to_pdf,
    to_pdfs,
    uno_python,
)
from notifications.pdf_folders import office_pipe

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "pdf"
TOOLS = ("soffice", "pdftotext", "pdffonts", "pdftoppm")
TITLE = "V/v xin ý kiến góp ý đối với dự thảo Kế"  # the letter's trích yếu, its first line in the PDF
SIGNER = "Nông Thị Thanh Huyền"


def _require(*tools: str, uno: bool = False, calc: bool = False) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    soffice = soffice_path()
    if uno and soffice is not None and uno_python(soffice) is None:
        missing.append("python3-uno")
    if calc and soffice is not None and calc_missing(soffice):
        missing.append(CALC_PACKAGE)
    require_present(missing, f"apt-get install -y --no-install-recommends {INSTALL_HINT} poppler-utils")


@pytest.fixture(scope="module")
def letter() -> bytes:
    """Seed 000's request letter as the builders write it."""
    return render_request_letter(seed_data.request_letter())


@pytest.fixture(scope="module")
def server() -> Iterator[PdfServer]:
    """A unoserver on free loopback ports for this module, stopped at its end."""
    _require(*TOOLS, uno=True)
    started = PdfServer()
    assert started.start()
    try:
        assert started.wait_ready(90), "unoserver did not answer within 90 s"
        yield started
    finally:
        started.stop()


def _text(pdf: bytes, folder: Path) -> str:
    path = folder / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _fonts(pdf: bytes, folder: Path) -> list[str]:
    path = folder / "fonts.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]


def assert_pdfa_2b(pdf: bytes) -> None:
    """The XMP identification PDF/A readers look for, and the output intent PDF/A requires."""
    xmp = re.search(rb"<x:xmpmeta.*?</x:xmpmeta>", pdf, re.DOTALL)
    assert xmp is not None, "no uncompressed XMP metadata"
    metadata = xmp.group(0).decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", metadata), metadata
    assert re.search(r"pdfaid:conformance(>|=\")B", metadata), metadata
    assert b"/GTS_PDFA1" in pdf, "no PDF/A output intent"


def assert_reads_as_the_letter(pdf: bytes, folder: Path) -> None:
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf, folder)
    assert TITLE in text and SIGNER in text, text[:800]
    assert "Độc lập - Tự do - Hạnh phúc" in text
    fonts = _fonts(pdf, folder)
    assert fonts, "no fonts embedded"
    assert all(re.fullmatch(r"[A-Z]{6}\+LiberationSerif(-Bold|-Italic|-BoldItalic)?", name) for name in fonts), fonts
    assert_pdfa_2b(pdf)


def test_cold_render_of_the_request_letter_is_pdfa_2b_in_liberation_serif_with_its_vietnamese_text(
        letter: bytes, tmp_path: Path) -> None:
    _require(*TOOLS)
    pdf = to_pdf(letter, "cong-van-xin-y-kien.docx")
    assert_reads_as_the_letter(pdf, tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("request_letter*"):
        stale.unlink()
    (ARTIFACTS / "request_letter.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(ARTIFACTS / "request_letter.pdf"),
                    str(ARTIFACTS / "request_letter")], check=True, timeout=60)
    assert sorted(ARTIFACTS.glob("request_letter-*.png"))


def test_warm_render_goes_through_the_unoserver_even_with_no_soffice_on_path(
        server: PdfServer, letter: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert server.address is not None and server.address.startswith("127.0.0.1:")
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))  # a cold render is impossible now: only the server can answer
        assert soffice_path() is None
        pdf = to_pdf(letter, "cong-van-xin-y-kien.docx", server=server.address)
    assert_reads_as_the_letter(pdf, tmp_path)


def test_a_server_started_by_its_first_ask_answers_the_asks_after_it_and_leaves_nothing_when_stopped(
        letter: bytes, tmp_path: Path) -> None:
    _require(*TOOLS, uno=True)
    never_asked = PdfServer()
    never_asked.stop()  # a worker that rendered nothing: nothing was started, nothing to stop
    assert never_asked.address_starting() is None and never_asked.pid is None

    lazy = PdfServer()
    try:
        assert lazy.pid is None  # not started until a render asks
        assert lazy.address_starting() is None  # the first render goes cold while it starts
        assert lazy.wait_ready(90), "unoserver did not answer within 90 s"
        group = lazy.pid
        assert group is not None
        address = lazy.address_starting()
        assert address is not None and address == lazy.address and lazy.pid == group  # started once
        assert_reads_as_the_letter(to_pdf(letter, "cong-van-xin-y-kien.docx", server=address), tmp_path)
    finally:
        lazy.stop()
    assert not group_running(group)
    assert lazy.address_starting() is None and lazy.pid == group  # stopped: asking does not start it again


def test_a_server_that_does_not_answer_falls_back_to_a_cold_render(letter: bytes, tmp_path: Path) -> None:
    _require(*TOOLS)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{probe.getsockname()[1]}"
    pdf = to_pdf(letter, "cong-van-xin-y-kien.docx", server=closed)
    assert_reads_as_the_letter(pdf, tmp_path)


def test_two_cold_renders_at_once_each_get_their_pdf(letter: bytes, tmp_path: Path) -> None:
    _require(*TOOLS)
    results: dict[int, bytes | BaseException] = {}

    def render(number: int) -> None:
        try:
            results[number] = to_pdf(letter, f"cong-van-{number}.docx")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            results[number] = error

    threads = [threading.Thread(target=render, args=(number,)) for number in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert set(results) == {1, 2}
    for pdf in results.values():
        assert isinstance(pdf, bytes), pdf
        assert_pdfa_2b(pdf)


def test_several_documents_convert_in_one_cold_run_in_order(tmp_path: Path) -> None:
    _require(*TOOLS)
    reminder = render_request_letter(seed_data.request_letter(seed_data.DEPUTY))
    letter = render_request_letter(seed_data.request_letter())
    director, deputy = to_pdfs([(letter, "a.docx"), (reminder, "b.docx")])
    assert SIGNER in _text(director, tmp_path)
    assert "Trần Quốc Anh" in _text(deputy, tmp_path)


def test_without_soffice_the_render_is_refused_in_one_line_naming_the_packages(
        letter: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PdfUnavailable) as refused:
        to_pdf(letter, "cong-van-xin-y-kien.docx")
    message = refused.value.message
    assert "\n" not in message and INSTALL_HINT in message and "LibreOffice" in message
    assert refused.value.code == "pdf_unavailable"
    server = PdfServer()
    assert server.start() is False  # serve then goes on without it
    server.stop()


def test_the_unoserver_api_spoken_is_the_installed_unoserver_s() -> None:
    from unoserver.client import API_VERSION  # type: ignore[import-untyped]

    from notifications.pdf import UNOSERVER_API

    assert UNOSERVER_API == API_VERSION


def test_only_docx_and_xlsx_are_converted() -> None:
    for other in ("dot-1-nhat-ky.csv", "du-thao.pdf", "bang-tong-hop.xls"):
        with pytest.raises(ValueError, match="only DOCX and XLSX"):
            to_pdf(b"PK", other)


def test_pdf_names_are_ascii_beside_their_docx() -> None:
    assert pdf_name("cong-van-xin-y-kien.docx") == "cong-van-xin-y-kien.pdf"
    assert pdf_name("công văn đôn đốc.docx") == "cong-van-don-doc.pdf"
    assert pdf_name("..docx") == "van-ban.pdf"


def test_stopping_the_server_leaves_no_libreoffice_behind_nor_its_socket_in_tmp(letter: bytes, tmp_path: Path) -> None:
    _require(*TOOLS, uno=True)
    server = PdfServer()
    assert server.start()
    try:
        assert server.wait_ready(90)
        assert server.address is not None
        to_pdf(letter, "cong-van.docx", server=server.address)
        group = server.pid
        assert group is not None
        members = _group_members(group)
        assert any("soffice.bin" in command for command in members), members
        pipe = server.pipe
        assert pipe is not None and pipe.is_socket(), pipe  # the name LibreOffice gives it, computed
    finally:
        server.stop()
    assert _group_members(group) == []
    assert server.address is None
    assert not pipe.exists(), "LibreOffice's socket in /tmp outlived the server"


# `ykien serve` as far as its PDF server goes: it starts one, says where its folder and socket are, and waits.
_SERVE_WITH_A_PDF_SERVER = """
import time
from notifications.pdf import PdfServer
server = PdfServer()
assert server.start() and server.wait_ready(90)
print(server.folder, server.pipe, flush=True)
time.sleep(600)
"""


def test_a_server_started_after_one_was_killed_removes_the_folder_and_socket_the_killed_one_left() -> None:
    _require(*TOOLS, uno=True)
    killed = subprocess.Popen([sys.executable, "-c", _SERVE_WITH_A_PDF_SERVER], stdout=subprocess.PIPE, text=True,
                              cwd=REPO)
    assert killed.stdout is not None
    folder, pipe = map(Path, killed.stdout.readline().split())
    killed.kill()
    killed.wait(10)
    assert folder.is_dir() and pipe.is_socket()  # what a SIGKILL leaves
    server = PdfServer()
    try:
        assert server.start()
        assert not folder.exists() and not pipe.exists()
    finally:
        server.stop()


def test_a_server_stopped_while_starting_leaves_nothing_behind() -> None:
    _require(*TOOLS, uno=True)
    server = PdfServer()
    assert server.start()
    deadline = threading.Event()
    while server.pid is None and not deadline.wait(0.05):
        pass
    group = server.pid
    server.stop()
    assert group is not None and _group_members(group) == []


def _group_members(group: int) -> list[str]:
    """The live processes of a process group (zombies are dead already: a container's init may never reap them)."""
    listing = subprocess.run(["ps", "-eo", "pgid=,stat=,args="], capture_output=True, text=True, check=True).stdout
    members = []
    for line in listing.splitlines():
        fields = line.split(None, 2)
        if len(fields) == 3 and fields[0] == str(group) and not fields[1].startswith("Z"):
            members.append(fields[2])
    return members


# --- XLSX: Calc's PDF export --------------------------------------------------------------------------------------

UNIT_NAME = "Ủy ban nhân dân phường Thục Phán"
UNITS = [UnitRow(f"DV{number:02d}", f"{UNIT_NAME} số {number}", "Ủy ban nhân dân các xã, phường", "Góp ý", "Đã gửi",
                 "Không trả lời (coi như đồng ý)", date(2025, 12, 5), late=False, extended=number % 2 == 0)
         for number in range(1, 41)]  # two pages of the "Đơn vị" sheet: its header row must print on both
COMMENTS = [CommentRow(f"{UNIT_NAME} số 1", "II.2", "Đề nghị bổ sung chỉ tiêu số doanh nghiệp được hỗ trợ hằng năm.",
                       "Mỗi năm hỗ trợ ít nhất 10 doanh nghiệp.", "accepted", "Đã bổ sung tại điểm b khoản 2.")]
LANDSCAPE_A4 = (841.9, 595.3)  # points


@pytest.fixture(scope="module")
def unit_list() -> bytes:
    """The round workbook (danh-sach-don-vi.xlsx) of 40 units and one comment, as the builder writes it."""
    return round_workbook(UNITS, COMMENTS)


def _pages(pdf: bytes, folder: Path) -> list[tuple[float, float]]:
    path = folder / "pages.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True,
                             check=True).stdout
    return [(round(float(width), 1), round(float(height), 1))
            for width, height in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+)", listing)]


def _page_text(pdf: bytes, folder: Path, page: int) -> str:
    path = folder / "page.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def assert_reads_as_the_unit_list(pdf: bytes, folder: Path) -> None:
    """Landscape A4 pages, PDF/A-2b in Liberation Serif; each sheet one page wide (every column on its page), the
    units' header row again on the second page, the sheets' names and the units' Vietnamese names in the text."""
    assert pdf.startswith(b"%PDF-")
    pages = _pages(pdf, folder)
    assert pages and all(page == LANDSCAPE_A4 for page in pages), pages
    texts = [_page_text(pdf, folder, number) for number in range(1, len(pages) + 1)]
    *unit_pages, comment_page = texts
    assert 2 <= len(unit_pages) <= 3, texts  # 40 units of one or two lines; no page per column
    assert "Đơn vị" in unit_pages[0] and re.search(f"{UNIT_NAME} số 1(?!\\d)", unit_pages[0]), unit_pages[0][:600]
    for text in unit_pages:  # every column on each page, under the header row repeated
        assert "Tên cơ quan, đơn vị" in text and "Được gia" in text and "05/12/2025" in text, text[:600]
    assert f"{UNIT_NAME} số 40" in unit_pages[-1]
    assert "Ý kiến" in comment_page and "Đề nghị bổ sung chỉ tiêu số doanh nghiệp" in comment_page
    assert "Giải trình" in comment_page and "Đã bổ sung tại điểm b khoản 2." in comment_page
    fonts = _fonts(pdf, folder)
    assert fonts and all(re.fullmatch(r"[A-Z]{6}\+LiberationSerif(-Bold)?", name) for name in fonts), fonts
    assert_pdfa_2b(pdf)


def _keep(pdf: bytes, name: str) -> None:
    """The PDF and its pages as PNG in artifacts/pdf/, for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob(f"{name}*"):
        stale.unlink()
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(ARTIFACTS / f"{name}.pdf"), str(ARTIFACTS / name)],
                   check=True, timeout=60)
    assert sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_cold_render_of_xlsx_and_docx_together_keeps_their_order_and_prints_the_sheets_on_landscape_a4(
        unit_list: bytes, letter: bytes, tmp_path: Path) -> None:
    _require(*TOOLS, "pdfinfo", calc=True)
    synthesis = render_synthesis_xlsx(seed_data.synthesis())
    units_pdf, letter_pdf, synthesis_pdf = to_pdfs([
        (unit_list, "danh-sach-don-vi.xlsx"), (letter, "cong-van-xin-y-kien.docx"),
        (synthesis, "bang-tong-hop-y-kien.xlsx")])
    assert_reads_as_the_unit_list(units_pdf, tmp_path)
    assert_reads_as_the_letter(letter_pdf, tmp_path)
    assert _pages(synthesis_pdf, tmp_path) == [LANDSCAPE_A4]
    text = _text(synthesis_pdf, tmp_path)
    assert "BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN GÓP Ý" in text and "Hiệp hội Doanh nghiệp tỉnh" in text
    assert_pdfa_2b(synthesis_pdf)
    _keep(units_pdf, "unit_list")
    _keep(synthesis_pdf, "synthesis_table")


def test_warm_render_of_an_xlsx_goes_through_the_unoserver(
        server: PdfServer, unit_list: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require(*TOOLS, "pdfinfo", calc=True)
    assert server.address is not None
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))  # only the server can answer
        pdf = to_pdf(unit_list, "danh-sach-don-vi.xlsx", server=server.address)
    assert_reads_as_the_unit_list(pdf, tmp_path)


def test_a_libreoffice_without_calc_refuses_an_xlsx_in_one_line_naming_the_package_and_still_converts_a_docx(
        unit_list: bytes, letter: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice's program folder as Debian lays it out without libreoffice-calc: links to the installed one's
    files but Calc's library, and a copy of its `soffice` script first on PATH. LibreOffice itself then starts from
    the installed folder (oosplash finds it through /proc/self/exe), so the DOCX still converts for real."""
    _require(*TOOLS, calc=True)
    soffice = soffice_path()
    assert soffice is not None and not calc_missing(soffice)
    installed = Path(soffice).resolve().parent
    program = tmp_path / "libreoffice" / "program"
    program.mkdir(parents=True)
    for item in installed.iterdir():
        if item.name == "soffice":
            shutil.copy2(item, program / "soffice")
        elif item.name not in CALC_LIBRARIES:
            (program / item.name).symlink_to(item)
    monkeypatch.setenv("PATH", f"{program}{os.pathsep}{os.environ['PATH']}")
    assert soffice_path() == str(program / "soffice") and calc_missing(str(program / "soffice"))
    with pytest.raises(PdfUnavailable) as refused:
        to_pdfs([(letter, "cong-van-xin-y-kien.docx"), (unit_list, "danh-sach-don-vi.xlsx")])
    message = refused.value.message
    assert "\n" not in message and f"apt-get install {CALC_PACKAGE}" in message and "XLSX" in message, message
    assert refused.value.code == "pdf_unavailable"
    assert_reads_as_the_letter(to_pdf(letter, "cong-van-xin-y-kien.docx"), tmp_path)


def test_money_in_a_workbook_s_pdf_is_grouped_the_vietnamese_way(tmp_path: Path) -> None:
    """The proposal list's budgets in its PDF read 3.500.000.000, as the DOCX writes them, not 3,500,000,000: the
    PDF is made by a LibreOffice in whatever language the server runs."""
    _require(*TOOLS, calc=True)
    pdf = to_pdf(render_proposal_list_xlsx(seed_data.proposal_list()), "danh-muc-de-xuat.xlsx")
    text = _text(pdf, tmp_path)
    assert "3.500.000.000" in text and "1.500.000.000" in text, text
    assert not re.search(r"\d,\d{3}\b", text), text


def test_a_proposal_text_of_3000_letters_prints_whole_in_the_list_s_pdf(tmp_path: Path) -> None:
    """A "Mục tiêu" longer than Excel's tallest row holds was cut on the printed page (after about 1,000 letters):
    its last words are now in the PDF, on A4 landscape pages."""
    _require(*TOOLS, calc=True)
    words = [f"mục{n:03d} tiêu" for n in range(1, 251)]
    text = " ".join(words)[:3000]
    data = seed_data.proposal_list()
    first = data.proposals[0]
    fields = [replace(f, value=text) if f.label.lower().startswith("mục tiêu") else f for f in first.fields]
    data = replace(data, proposals=[replace(first, fields=fields), *data.proposals[1:]])
    pdf = to_pdf(render_proposal_list_xlsx(data), "danh-muc-de-xuat.xlsx")
    printed = set(re.findall(r"mục\d{3}", _text(pdf, tmp_path)))
    assert printed == {f"mục{n:03d}" for n in range(1, 251)}, sorted({f"mục{n:03d}" for n in range(1, 251)} - printed)
    assert all(width > height for width, height in _pages(pdf, tmp_path))


def test_a_cold_render_out_of_time_is_refused_and_leaves_neither_its_folder_nor_libreoffice_s_socket(
        letter: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice killed at the time limit (0.5 s here: it has opened its socket in /tmp by 0.3 s on this machine)."""
    _require(*TOOLS)
    made: list[Path] = []
    make_folder = tempfile.mkdtemp

    def recorded(*args: Any, **kwargs: Any) -> str:
        made.append(Path(make_folder(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", recorded)
    monkeypatch.setattr(pdf_module, "COLD_TIMEOUT", 0.5)
    with pytest.raises(PdfError) as late:
        to_pdf(letter, "cong-van.docx")
    assert late.value.code == "pdf_timeout" and "LibreOffice chưa chuyển xong" in str(late.value)
    [folder] = made
    assert not folder.exists() and not office_pipe(folder / "profile").exists()


def test_a_server_whose_port_was_taken_before_it_bound_it_starts_again_on_another(
        letter: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The port a PdfServer finds free can be taken (by another process's connection) before unoserver binds it:
    unoserver then ends before answering, and the server is started again on other ports, not left cold for good."""
    _require(*TOOLS, uno=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        found_free = pdf_module._free_port
        monkeypatch.setattr(pdf_module, "_free_port", lambda: next(ports, None) or found_free())
        server = PdfServer()
        assert server.start()
        try:
            assert server.wait_ready(120), "unoserver did not answer on other ports"
            assert server.address is not None and server.address != f"127.0.0.1:{taken.getsockname()[1]}"
            assert_reads_as_the_letter(to_pdf(letter, "cong-van.docx", server=server.address), tmp_path)
        finally:
            server.stop()
