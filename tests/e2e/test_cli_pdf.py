"""PDF from the command line, with a real LibreOffice.

`ykien serve` starts LibreOffice when staff first open a round's documents tab, not before, and keeps it warm (a
unoserver child in its own process group), renders the documents tab's PDFs through it, and stops it on SIGTERM and
SIGINT, and even when serve itself is killed: no LibreOffice is left behind.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from debian_tools import require_present

from notifications.pdf import CALC_PACKAGE, INSTALL_HINT, calc_missing, soffice_path, uno_python
from tests.e2e.test_serve_restart import _accepts, free_port, wait_until
from tests.integration.test_pdf import LANDSCAPE_A4, _pages, assert_pdfa_2b

PASSWORD = "matkhau-rat-dai"
ROUND = ["round", "create", "--title", "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất và chất lượng", "--office",
         "TĐC", "--deadline", "10 ngày làm việc", "--group", "so-ban-nganh", "--contact-name", "Ông Phạm Phi Long",
         "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền"]


def _require_libreoffice(uno: bool = False, calc: bool = False) -> None:
    soffice = soffice_path()
    missing = soffice is None or (uno and uno_python(soffice) is None) or (calc and calc_missing(soffice))
    require_present(["LibreOffice, its Calc or python3-uno"] if missing else [], INSTALL_HINT)


def _processes() -> list[tuple[int, int, int, str, str]]:
    """(pid, ppid, pgid, state, command) of every process."""
    listing = subprocess.run(["ps", "-eo", "pid=,ppid=,pgid=,stat=,args="], capture_output=True, text=True,
                             check=True).stdout
    rows = []
    for line in listing.splitlines():
        fields = line.split(None, 4)
        if len(fields) == 5:
            rows.append((int(fields[0]), int(fields[1]), int(fields[2]), fields[3], fields[4]))
    return rows


def _live_in_group(group: int) -> list[str]:
    return [command for _, _, pgid, state, command in _processes() if pgid == group and not state.startswith("Z")]


def _unoserver_of(serve: subprocess.Popen[bytes], log: Path) -> int:
    """The process group of serve's unoserver child (the child leads it; serve logs its pid)."""
    found = re.search(r"unoserver tại 127\.0\.0\.1:\d+, pid (\d+)", _read(log))
    assert found, _read(log)
    pid = int(found.group(1))
    assert [(ppid, pgid) for p, ppid, pgid, _, _ in _processes() if p == pid] == [(serve.pid, pid)]
    return pid


def _read(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def _children(pid: int) -> list[str]:
    return [command for _, ppid, _, state, command in _processes() if ppid == pid and not state.startswith("Z")]


@contextlib.contextmanager
def _serving(cli, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path]]:  # type: ignore[no-untyped-def]
    """`ykien serve --web` on a home with a staff user and a draft round, once its web app answers: (the process, its
    base URL, its log); killed on the way out if it still runs."""
    _require_libreoffice(uno=True)
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--role", "staff", "--office", "TĐC",
        YKIEN_NEW_PASSWORD=PASSWORD)
    cli(*ROUND)
    port = free_port()
    log = tmp_path / "serve.log"
    serve = cli.start("serve", "--inline", "--interval", "5", "--port", str(port), log=log)
    try:
        wait_until(lambda: _accepts(port) or serve.poll() is not None, 60, "the web app up", interval=0.1)
        assert serve.poll() is None, _read(log)
        yield serve, f"http://127.0.0.1:{port}", log
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)


def _open_documents(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        assert client.post("/api/session", json={"username": "canbo", "password": PASSWORD}).status_code == 200
        assert client.get("/rounds/1/documents").status_code == 200


def _warm_group(serve: subprocess.Popen[bytes], log: Path) -> int:
    """The process group of the unoserver serve started, once its LibreOffice answers."""
    wait_until(lambda: "chạy sẵn" in _read(log) or serve.poll() is not None, 90, "LibreOffice kept warm",
               interval=0.1)
    assert serve.poll() is None, _read(log)
    group = _unoserver_of(serve, log)
    assert any("soffice.bin" in command for command in _live_in_group(group)), _live_in_group(group)
    return group


@pytest.fixture
def served(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """serve (`_serving`) once staff opened the round's documents tab and the LibreOffice that started answers:
    (the serve process, its base URL, its log, the process group of its unoserver)."""
    group = None
    with _serving(cli, tmp_path) as (serve, base_url, log):
        try:
            _open_documents(base_url)
            group = _warm_group(serve, log)
            yield serve, base_url, log, group
        finally:  # serve itself is killed by _serving
            if group is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)  # only if the test failed: the assertions saw to it otherwise


def test_serve_starts_libreoffice_only_once_staff_open_a_rounds_documents(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A replica answering units, a serve nobody renders a PDF in, never pays for LibreOffice (about 200 MB and a
    second of CPU at each start): it starts when staff open the documents tab, whose PDF links and signing use it."""
    with _serving(cli, tmp_path) as (serve, base_url, log):
        time.sleep(2)  # serve used to start its LibreOffice with the web app: its child was there at once
        with httpx.Client(base_url=base_url, timeout=60) as client:  # a page that renders no PDF
            assert client.post("/api/session", json={"username": "canbo", "password": PASSWORD}).status_code == 200
            assert client.get("/rounds/1").status_code == 200
        assert _children(serve.pid) == [] and "unoserver" not in _read(log), _children(serve.pid)
        _open_documents(base_url)
        group = _warm_group(serve, log)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(20) == 0, _read(log)
        assert _live_in_group(group) == []


def test_serve_renders_the_documents_tab_pdf_through_its_warm_libreoffice(served) -> None:  # type: ignore[no-untyped-def]
    _, base_url, log, _ = served
    with httpx.Client(base_url=base_url, timeout=60) as client:
        assert client.post("/api/session", json={"username": "canbo", "password": PASSWORD}).status_code == 200
        page = client.get("/rounds/1/documents")
        assert '/rounds/1/pdf/cong-van-xin-y-kien.pdf' in page.text
        response = client.get("/rounds/1/pdf/cong-van-xin-y-kien.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert_pdfa_2b(response.content)
    assert "cong-van-xin-y-kien.docx qua unoserver tại 127.0.0.1:" in _read(log)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stopped_by_a_signal_stops_its_libreoffice(served, signum: int) -> None:  # type: ignore[no-untyped-def]
    serve, _, log, group = served
    serve.send_signal(signum)
    assert serve.wait(20) == 0, _read(log)
    assert _live_in_group(group) == [], "unoserver or LibreOffice outlived serve"
    output = _read(log)
    assert "unoserver đã dừng" in output and "Traceback" not in output


def test_serve_killed_takes_its_libreoffice_with_it(served) -> None:  # type: ignore[no-untyped-def]
    serve, _, _, group = served
    serve.kill()  # SIGKILL: serve cannot clean up; unoserver is told by the kernel (PR_SET_PDEATHSIG)
    serve.wait(10)
    wait_until(lambda: _live_in_group(group) == [], 20, "LibreOffice gone after serve was killed", interval=0.1)


def test_serve_without_libreoffice_runs_and_says_what_to_install(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    log = tmp_path / "serve.log"
    bare = tmp_path / "bin"  # a PATH without soffice
    bare.mkdir()
    serve = cli.start("serve", "--inline", "--port", str(port), log=log, PATH=str(bare))
    try:
        # The sweep ("Ctrl-C stops") and the web app with its PDF server start side by side: wait for both.
        wait_until(lambda: ("Ctrl-C" in _read(log) and "apt-get install" in _read(log)) or serve.poll() is not None,
                   60, "serve ready and the install hint logged", interval=0.1)
        assert serve.poll() is None, _read(log)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(20) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)
    assert INSTALL_HINT in _read(log)
    assert shutil.which("soffice", path=str(bare)) is None
    assert not any(ppid == serve.pid for _, ppid, _, _, _ in _processes())


# --- ykien round documents --pdf ------------------------------------------------------------------------------

def test_round_documents_pdf_writes_a_pdfa_beside_each_docx(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _require_libreoffice()
    cli(*ROUND)
    out = tmp_path / "van-ban"
    listed = cli("round", "documents", "1", "--out", str(out), "--pdf", "--json").json
    assert listed == [{"title": "Công văn xin ý kiến", "path": str(out / "cong-van-xin-y-kien.docx"),
                       "pdf": str(out / "cong-van-xin-y-kien.pdf")}]
    pdf = (out / "cong-van-xin-y-kien.pdf").read_bytes()
    assert_pdfa_2b(pdf)
    text = subprocess.run(["pdftotext", str(out / "cong-van-xin-y-kien.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất" in text and "Nông Thị Thanh Huyền" in text
    shown = cli("round", "documents", "1", "--out", str(tmp_path / "lan-2"), "--pdf").out
    assert f"Công văn xin ý kiến (PDF): {tmp_path / 'lan-2' / 'cong-van-xin-y-kien.pdf'}" in shown


def test_round_documents_without_pdf_writes_no_pdf(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*ROUND)
    listed = cli("round", "documents", "1", "--out", str(tmp_path), "--json").json
    assert listed == [{"title": "Công văn xin ý kiến", "path": str(tmp_path / "cong-van-xin-y-kien.docx")}]
    assert list(tmp_path.glob("*.pdf")) == []


def test_round_documents_pdf_without_libreoffice_writes_the_docx_says_how_to_install_it_and_exits_1(
        cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*ROUND)
    bare = tmp_path / "bin"  # a PATH without soffice
    bare.mkdir()
    out = tmp_path / "van-ban"
    done = cli("round", "documents", "1", "--out", str(out), "--pdf", expect=1, PATH=str(bare))
    assert (out / "cong-van-xin-y-kien.docx").is_file() and list(out.glob("*.pdf")) == []
    assert f"Công văn xin ý kiến: {out / 'cong-van-xin-y-kien.docx'}" in done.out
    problem = done.err.strip()
    assert "\n" not in problem, problem
    assert "LibreOffice" in problem and INSTALL_HINT in problem and CALC_PACKAGE in problem
    refused = cli("round", "documents", "1", "--out", str(out), "--pdf", "--overwrite", "--json", expect=1,
                  PATH=str(bare)).json
    assert refused["error"]["code"] == "pdf_unavailable"


def test_round_documents_pdf_writes_a_pdf_for_each_xlsx_and_one_for_the_synthesis_table_made_from_its_docx(
        cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _require_libreoffice(calc=True)
    cli(*ROUND)
    cli("round", "launch", "1", "--no-draft-reason", "Thử nghiệm không kèm dự thảo")
    cli("round", "respond", "1", "SCT", "--comment", "Mục II.2::Đề nghị bổ sung chỉ tiêu số doanh nghiệp được hỗ trợ")
    cli("round", "close", "1")
    comment = str(cli("round", "comments", "1", "--json").json[0]["number"])
    cli("round", "handle", "1", comment, "--decision", "accepted")  # the synthesis table (DOCX and XLSX) is ready
    out = tmp_path / "van-ban"
    listed = {Path(item["path"]).name: item for item in
              cli("round", "documents", "1", "--out", str(out), "--pdf", "--json").json}
    assert {"danh-sach-don-vi.xlsx", "bang-tong-hop-y-kien.docx", "bang-tong-hop-y-kien.xlsx"} <= set(listed)
    assert listed["danh-sach-don-vi.xlsx"]["pdf"] == str(out / "danh-sach-don-vi.pdf")
    assert listed["bang-tong-hop-y-kien.docx"]["pdf"] == str(out / "bang-tong-hop-y-kien.pdf")
    assert listed["bang-tong-hop-y-kien.xlsx"]["pdf"] is None  # its printed form is the DOCX's PDF
    pdfs = sorted(path.name for path in out.glob("*.pdf"))
    assert pdfs == sorted(Path(item["pdf"]).name for item in listed.values() if item["pdf"]), pdfs

    unit_list = (out / "danh-sach-don-vi.pdf").read_bytes()
    assert_pdfa_2b(unit_list)
    assert set(_pages(unit_list, tmp_path)) == {LANDSCAPE_A4}
    text = _pdf_text(out / "danh-sach-don-vi.pdf")
    assert "Đơn vị" in text and "Sở Công Thương" in text and "Tên cơ quan, đơn vị" in text
    synthesis = " ".join(_pdf_text(out / "bang-tong-hop-y-kien.pdf").split())  # one line: the table wraps it
    assert "Độc lập - Tự do - Hạnh phúc" in synthesis  # the DOCX's national motto: not the sheet's PDF
    assert "Đề nghị bổ sung chỉ tiêu số doanh nghiệp được hỗ trợ" in synthesis

    shown = cli("round", "documents", "1", "--out", str(tmp_path / "lan-2"), "--pdf").out
    again = tmp_path / "lan-2"
    assert f"Danh sách cơ quan, đơn vị được lấy ý kiến (PDF): {again / 'danh-sach-don-vi.pdf'}" in shown
    assert (f"Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý (XLSX) (PDF): không có bản riêng, bản in là "
            f"{again / 'bang-tong-hop-y-kien.pdf'}") in shown


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
