"""The documents tab's PDF links: every DOCX document has one, none of the XLSX; the link answers a PDF/A-2b made by
a real LibreOffice, to whoever may download the DOCX; without LibreOffice a Vietnamese page says how to install it."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from debian_tools import require_tools

from notifications.pdf import INSTALL_HINT, PdfServer
from tests.integration.test_pdf import assert_pdfa_2b
from tests.web.test_consolidation_pages import Site, _build

PDF_LINK = re.compile(r'href="(/rounds/\d+/pdf/[^"]+)"')


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Seed 000 closed on 08/12/2025 (consolidating): the request letter (DOCX) and the unit list (XLSX) are offered."""
    site = _build(tmp_path_factory.mktemp("pdf") / "home")
    yield site
    site.app.close()


def _require_soffice() -> None:
    require_tools("soffice")


def test_each_document_has_a_pdf_link_docx_and_xlsx(shared: Site) -> None:
    page = shared.as_("lanhdao").get(f"/rounds/{shared.round_id}/documents").text
    table = re.search(r'<table class="grid responsive c-documents" id="documents">(.*?)</table>', page, re.S)
    assert table is not None
    assert PDF_LINK.findall(table.group(1)) == [f"/rounds/{shared.round_id}/pdf/cong-van-xin-y-kien.pdf",
                                                f"/rounds/{shared.round_id}/pdf/danh-sach-don-vi.pdf"]


def test_the_unit_list_xlsx_answers_its_pdf(shared: Site) -> None:
    _require_soffice()
    response = shared.as_("canbo").get(f"/rounds/{shared.round_id}/pdf/danh-sach-don-vi.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == 'attachment; filename="danh-sach-don-vi.pdf"'
    assert_pdfa_2b(response.content)


@pytest.mark.parametrize("username", ["canbo", "lanhdao", "khac"])
def test_the_pdf_link_answers_a_pdfa_to_whoever_may_download_the_docx(shared: Site, username: str) -> None:
    _require_soffice()
    response = shared.as_(username).get(f"/rounds/{shared.round_id}/pdf/cong-van-xin-y-kien.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="cong-van-xin-y-kien.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert_pdfa_2b(response.content)


def test_the_pdf_goes_through_the_warm_server_when_serve_has_one(shared: Site, caplog: pytest.LogCaptureFixture) -> None:
    _require_soffice()
    server = PdfServer()
    if not server.start():
        pytest.skip("python3-uno is not installed: apt-get install python3-uno")
    try:
        assert server.wait_ready(90)
        shared.web.state.pdf_server = server  # type: ignore[attr-defined]  # what `ykien serve` sets
        with caplog.at_level("INFO", logger="ykien.pdf"):
            response = shared.as_("canbo").get(f"/rounds/{shared.round_id}/pdf/cong-van-xin-y-kien.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
        assert f"qua unoserver tại {server.address}" in caplog.text
    finally:
        shared.web.state.pdf_server = None  # type: ignore[attr-defined]
        server.stop()


def test_anonymous_is_sent_to_login(shared: Site) -> None:
    response = shared.as_(None).get(f"/rounds/{shared.round_id}/pdf/cong-van-xin-y-kien.pdf", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("name", ["bang-tong-hop-y-kien.pdf", "cong-van-don-doc.pdf", "cong-van-xin-y-kien.docx",
                                  "..%2F..%2Fykien.pdf"])
def test_a_pdf_of_no_docx_of_the_state_is_not_found(shared: Site, name: str) -> None:
    response = shared.as_("canbo").get(f"/rounds/{shared.round_id}/pdf/{name}")
    assert response.status_code == 404


def test_without_libreoffice_the_link_answers_a_vietnamese_page_saying_how_to_install_it(
        shared: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    response = shared.as_("canbo").get(f"/rounds/{shared.round_id}/pdf/cong-van-xin-y-kien.pdf")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "Không tạo được PDF" in response.text and INSTALL_HINT in response.text
    assert "Traceback" not in response.text


def test_the_documents_tab_starts_the_warm_server_and_signing_converts_through_it(
        shared: Site, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """serve hands the web app its LibreOffice unstarted: the documents tab starts it, and a signature made from
    that tab converts its letter through it (a cold LibreOffice took 2-3 s more for each signature)."""
    from signing_ca import PASSWORD, make_ca

    _require_soffice()
    server = PdfServer()
    if not server.can_run():
        pytest.skip("python3-uno is not installed: apt-get install python3-uno")
    shared.web.state.pdf_server = server  # type: ignore[attr-defined]  # what `ykien serve` sets
    try:
        assert server.folder is None  # not started
        assert shared.as_("canbo").get(f"/rounds/{shared.round_id}/documents").status_code == 200
        # started by the page (its folder made before the page answered; its process by a thread of its own)
        assert server.folder is not None and server.wait_ready(90)
        ca = make_ca()
        roots = shared.app.settings.home / "trust-roots"
        roots.mkdir(exist_ok=True)
        (roots / "ca-thu.pem").write_bytes(ca.root.cert_pem)
        with caplog.at_level("INFO", logger="ykien.pdf"):
            signed = shared.as_("canbo").post(
                f"/rounds/{shared.round_id}/sign/request_letter",
                data={"source": "file", "seal_mm": "36", "secret": PASSWORD.decode(), "copy": "1"},
                files={"key_file": ("ky.p12", ca.pkcs12(tmp_path).read_bytes(), "application/x-pkcs12")})
        assert signed.status_code == 303, signed.text
        assert f"cong-van-xin-y-kien.docx qua unoserver tại {server.address}" in caplog.text, caplog.text
    finally:
        shared.web.state.pdf_server = None  # type: ignore[attr-defined]
        server.stop()
