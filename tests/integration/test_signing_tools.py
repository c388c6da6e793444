"""Ký số with real tools: a PKCS#11 token from Debian's softhsm2, a letter converted by LibreOffice, and the
visible signature checked on the page rendered by pdftoppm (Decree 30, appendix I).

softhsm2, LibreOffice and poppler come from scripts/system-packages.sh; without them the test skips on a
developer machine and fails under CI (CI=true).
"""
from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from debian_tools import require_tools
from PIL import Image
from signing_ca import (
    KEY_LABEL,
    ORGANISATION,
    SIGNER_NAME,
    TOKEN_LABEL,
    TOKEN_PIN,
    CertificateAuthority,
    blank_pdf,
    make_ca,
    seal_png,
    signature_png,
)

from models.signatures import SignatureStatus
from notifications.signing import (
    Pkcs11Signer,
    Pkcs12Signer,
    SignatureAppearance,
    SignatureBox,
    SigningError,
    sign_pdf,
    verify_pdf,
)
from notifications.signing.appearance import POINTS_PER_MM

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "documents"))
import document_seeds as seed_data

from notifications.documents.letters import render_request_letter

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "signing"


_require = require_tools


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return make_ca()


@pytest.fixture(scope="module")
def letter_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The seed-000 request letter, built by the document builders and converted by LibreOffice."""
    _require("soffice")
    directory = tmp_path_factory.mktemp("letter")
    (directory / "letter.docx").write_bytes(render_request_letter(seed_data.request_letter()))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{directory}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(directory), str(directory / "letter.docx")],
        check=True, capture_output=True, timeout=180,
    )
    return (directory / "letter.pdf").read_bytes()


@pytest.fixture(scope="module")
def token(softhsm_token: tuple[CertificateAuthority, str]) -> Pkcs11Signer:
    """The process's softhsm2 token (tests/conftest.py), holding the signer's key and certificate."""
    _, library = softhsm_token
    return Pkcs11Signer(library=library, token_label=TOKEN_LABEL, key_label=KEY_LABEL, pin=TOKEN_PIN)


@pytest.fixture(scope="module")
def token_ca(softhsm_token: tuple[CertificateAuthority, str]) -> CertificateAuthority:
    return softhsm_token[0]


def test_a_letter_signed_on_a_pkcs11_token_validates(
    token: Pkcs11Signer, token_ca: CertificateAuthority, letter_pdf: bytes
) -> None:
    signed = sign_pdf(letter_pdf, token)
    report = verify_pdf(signed, [token_ca.root.cert_der])
    assert report.status is SignatureStatus.VALID, report.problems
    assert (report.signer_name, report.organisation) == (SIGNER_NAME, ORGANISATION)


def test_a_wrong_pin_or_token_label_is_a_signing_error(token: Pkcs11Signer, letter_pdf: bytes) -> None:
    with pytest.raises(SigningError):
        sign_pdf(letter_pdf, Pkcs11Signer(token.library, token.token_label, token.key_label, pin="000000"))
    with pytest.raises(SigningError):
        sign_pdf(letter_pdf, Pkcs11Signer(token.library, "khong-co", token.key_label, pin=token.pin))


def test_a_key_label_not_on_the_token_is_said_when_the_key_opens(token: Pkcs11Signer) -> None:
    """Before any document is built or converted for it (the key opens first: `opened_key`)."""
    from notifications.signing import opened_key

    with pytest.raises(SigningError) as refused, opened_key(
            Pkcs11Signer(token.library, token.token_label, "khong-co-khoa", pin=token.pin)):
        pytest.fail("a key that is not on the token opened")
    assert str(refused.value) == ('Token từ chối ký bằng khóa "khong-co-khoa": không thấy đúng một khóa (và chứng '
                                  'thư) có nhãn này trên token.'), str(refused.value)


def test_a_token_signed_letter_with_a_byte_changed_is_modified(
    token: Pkcs11Signer, token_ca: CertificateAuthority, letter_pdf: bytes
) -> None:
    signed = bytearray(sign_pdf(letter_pdf, token))
    at = signed.index(b"stream", 2000) + 40
    signed[at] ^= 0x20
    assert verify_pdf(bytes(signed), [token_ca.root.cert_der]).status is SignatureStatus.MODIFIED


def _render(pdf: bytes, page: int, directory: Path, dpi: int = 72) -> Image.Image:
    _require("pdftoppm")
    (directory / "in.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
                    str(directory / "in.pdf"), str(directory / "page")], check=True, timeout=60)
    image = Image.open(directory / "page.png").convert("RGB")
    image.load()
    return image


def _page_count(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def _colour_columns(image: Image.Image, colour: str, box: tuple[int, int, int, int]) -> list[int]:
    """The x of every pixel in `box` (left, top, right, bottom, pixels) that is clearly blue or clearly red."""
    xs = []
    for x in range(box[0], box[2]):
        for y in range(box[1], box[3]):
            r, g, b = image.getpixel((x, y))  # type: ignore[misc]
            if colour == "blue" and b > 180 and r < 100 and g < 100:
                xs.append(x)
            if colour == "red" and r > 180 and g < 100 and b < 100:
                xs.append(x)
    return xs


def test_the_signers_appearance_centres_the_signature_with_the_seal_over_its_left_third(
    ca: CertificateAuthority, letter_pdf: bytes, tmp_path: Path
) -> None:
    # the signature block: 80 x 35 mm at the right of the last page
    mm = POINTS_PER_MM
    block = SignatureBox(page=-1, x1=595 - 20 * mm - 80 * mm, y1=300, x2=595 - 20 * mm, y2=300 + 35 * mm)
    look = SignatureAppearance(kind="signer", signature_image=signature_png(), seal_image=seal_png(), box=block)
    signed = sign_pdf(letter_pdf, Pkcs12Signer(ca.pkcs12(tmp_path), b"mat-khau-thu"), look)
    assert verify_pdf(signed, [ca.root.cert_der]).status is SignatureStatus.VALID
    last = _page_count(signed)
    before, after = _render(letter_pdf, last, tmp_path), _render(signed, last, tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _render(signed, last, tmp_path, dpi=110).save(ARTIFACTS / "signed-letter-last-page.png")
    height = after.height
    # pixels of the page: y from the top; the block and the seal's reach (36 mm to the left of the left third)
    area = (round(block.x1 - 40 * mm), round(height - block.y2 - 10), round(block.x2), round(height - block.y1 + 10))
    assert not _colour_columns(before, "blue", area) and not _colour_columns(before, "red", area)
    blue, red = _colour_columns(after, "blue", area), _colour_columns(after, "red", area)
    assert blue and red
    centre = (block.x1 + block.x2) / 2
    blue_left, blue_right = min(blue), max(blue)
    assert abs((blue_left + blue_right) / 2 - centre) < 6, "the signature is centred in the block"
    third = blue_left + (blue_right - blue_left) / 3
    assert min(red) < blue_left and abs(max(red) - third) < 8, "the seal covers the signature's left third"
    seal_width_mm = (max(red) - min(red)) / mm
    assert 33 < seal_width_mm < 39, f"the seal is drawn at its actual size (36 mm), not {seal_width_mm:.1f} mm"


def test_a_copys_appearance_is_blue_text_at_the_top_right_of_the_first_page(
    ca: CertificateAuthority, letter_pdf: bytes, tmp_path: Path
) -> None:
    look = SignatureAppearance(kind="copy", agency_name=ORGANISATION)
    signed = sign_pdf(letter_pdf, Pkcs12Signer(ca.pkcs12(tmp_path), b"mat-khau-thu"), look)
    assert verify_pdf(signed, [ca.root.cert_der]).status is SignatureStatus.VALID
    page = _render(signed, 1, tmp_path, dpi=72)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _render(signed, 1, tmp_path, dpi=110).save(ARTIFACTS / "signed-copy-first-page.png")
    blue = _colour_columns(page, "blue", (0, 0, page.width, 80))
    assert blue, "blue text in the top band"
    assert min(blue) > page.width / 2, "on the right half"
    assert not _colour_columns(page, "red", (0, 0, page.width, page.height)), "no seal on a copy"
    assert not _colour_columns(_render(letter_pdf, 1, tmp_path), "blue", (0, 0, page.width, 80))


@pytest.fixture(scope="module")
def tsa_url(ca: CertificateAuthority) -> Iterator[str]:
    """An RFC 3161 timestamp server on loopback (HTTP, application/timestamp-query), answering with pyHanko's
    dummy TSA and a certificate of the test CA."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    stamper = DummyTimeStamper(tsa_cert=asn1_x509.Certificate.load(ca.tsa.cert_der),
                               tsa_key=asn1_keys.PrivateKeyInfo.load(ca.tsa.key_der),
                               certs_to_embed=[asn1_x509.Certificate.load(ca.root.cert_der)])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    server.shutdown()
    server.server_close()


def test_b_t_through_an_rfc_3161_server_carries_its_time(
    ca: CertificateAuthority, letter_pdf: bytes, tsa_url: str, tmp_path: Path
) -> None:
    signed = sign_pdf(letter_pdf, Pkcs12Signer(ca.pkcs12(tmp_path), b"mat-khau-thu"), timestamp_url=tsa_url)
    report = verify_pdf(signed, [ca.root.cert_der])
    assert report.status is SignatureStatus.VALID, report.problems
    assert report.timestamped and report.signing_time is not None, "the time is the TSA's (PAdES B-T)"


def test_reply_checks_are_stored_and_read_back_on_both_databases(
    app, make_round, staff: str, ca: CertificateAuthority, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    """The reply_signatures table (migration 0009) on SQLite and PostgreSQL: one check per file, replaced by a
    later one, found by the unit's latest answer."""
    import hashlib
    from datetime import date

    from models.rounds import ResponseChannel, ResponseKind
    from workflows.engine.events import Launch, Respond
    from workflows.service.reply_signatures import check_reply, record_reply_check
    from workflows.service.rounds import execute
    from workflows.service.views import latest_answers, round_view

    round_id = make_round(deadline=date(2025, 12, 5))
    execute(app, round_id, Launch(), staff)
    signed = sign_pdf(blank_pdf(), Pkcs12Signer(ca.pkcs12(tmp_path), b"mat-khau-thu"))
    sha = hashlib.sha256(signed).hexdigest()
    execute(app, round_id, Respond("SCT", ResponseKind.AGREE, entered_by=staff, channel=ResponseChannel.PAPER,
                                   attachment_name=f"SCT-{sha[:16]}.pdf", attachment_sha256=sha), staff)
    untrusted = check_reply(app, signed)  # no roots configured in this home: signed, intact, not trusted
    assert untrusted.status is SignatureStatus.UNTRUSTED
    record_reply_check(app, round_id, sha, untrusted)
    assert round_view(app, round_id).signatures == {"SCT": untrusted}
    trusted = verify_pdf(signed, [ca.root.cert_der])
    record_reply_check(app, round_id, sha, trusted)
    assert round_view(app, round_id).signatures["SCT"].status is SignatureStatus.VALID
    answer = next(a for a in latest_answers(app, round_id) if a.unit_code == "SCT")
    assert answer.signature is not None and answer.signature.organisation == ORGANISATION


def test_an_unreachable_timestamp_server_is_a_signing_error(ca: CertificateAuthority, tmp_path: Path) -> None:
    import socket

    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(SigningError, match="dấu thời gian"):
        sign_pdf(blank_pdf(), Pkcs12Signer(ca.pkcs12(tmp_path), b"mat-khau-thu"),
                 timestamp_url=f"http://127.0.0.1:{port}/tsa")
