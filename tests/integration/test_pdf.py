"""DOCX to PDF/A-2b through a real LibreOffice: cold (`soffice --convert-to`) and warm (a unoserver on a free loopback
port), Vietnamese text and Liberation Serif kept, and a clear one-line refusal where LibreOffice is missing.

The request letter's PDF and its PNG pages land in artifacts/pdf/ for people to look at. Without LibreOffice the
tests skip on a developer machine and fail under CI (CI=true); the warm tests also need python3-uno.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))

import document_seeds as seed_data

from notifications.documents import render_request_letter
from notifications.pdf import (
    INSTALL_HINT,
    PdfServer,
    PdfUnavailable,
    pdf_name,
    soffice_path,
    to_pdf,
    to_pdfs,
    uno_python,
)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "pdf"
TOOLS = ("soffice", "pdftotext", "pdffonts", "pdftoppm")
TITLE = "V/v xin ý kiến góp ý đối với dự thảo Kế"  # the letter's trích yếu, its first line in the PDF
SIGNER = "Nông Thị Thanh Huyền"


def _require(*tools: str, uno: bool = False) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    soffice = soffice_path()
    if uno and soffice is not None and uno_python(soffice) is None:
        missing.append("python3-uno")
    if not missing:
        return
    message = f"missing {', '.join(missing)}: apt-get install -y --no-install-recommends {INSTALL_HINT} poppler-utils"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


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


def test_only_docx_is_converted() -> None:
    with pytest.raises(ValueError, match="only DOCX"):
        to_pdf(b"PK", "bang-tong-hop.xlsx")


def test_pdf_names_are_ascii_beside_their_docx() -> None:
    assert pdf_name("cong-van-xin-y-kien.docx") == "cong-van-xin-y-kien.pdf"
    assert pdf_name("công văn đôn đốc.docx") == "cong-van-don-doc.pdf"
    assert pdf_name("..docx") == "van-ban.pdf"


def test_stopping_the_server_leaves_no_libreoffice_behind(letter: bytes, tmp_path: Path) -> None:
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
    finally:
        server.stop()
    assert _group_members(group) == []
    assert server.address is None


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
