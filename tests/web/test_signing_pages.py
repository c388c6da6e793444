"""Ký số from the documents tab: staff of the round's office choose a PKCS#12 file on their computer (never stored),
sign the request letter; the signed PDF is listed, downloadable, verified against the Sở's roots and recorded in the
audit trail; a wrong password, a file that is not a key, a bad image or size is refused by field with nothing
stored; leaders and other offices cannot sign; the server's USB token signs with the PIN typed in the form."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from debian_tools import require_tools
from signing_ca import PASSWORD, SIGNER_NAME, CertificateAuthority, make_ca, png_claiming, seal_png, signature_png

from notifications.signing import load_trust_roots, verify_pdf
from tests.web.test_consolidation_pages import Site, _build, _copy
from workflows.service.signed_documents import signed_documents
from workflows.service.views import audit_trail
from workflows.web.app import create_web_app

SIGN = "/rounds/{}/sign/request_letter"


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return make_ca()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = _build(tmp_path_factory.mktemp("sign") / "home")
    yield site
    site.app.close()


@pytest.fixture
def site(shared: Site, tmp_path: Path, ca: CertificateAuthority) -> Iterator[Site]:
    """A copy of the story whose home holds the test CA's root as the Sở's trust root."""
    copy = _copy(shared, tmp_path)
    roots = copy.app.settings.home / "trust-roots"
    roots.mkdir(exist_ok=True)
    (roots / "vgca.pem").write_bytes(ca.root.cert_pem)
    yield copy
    copy.app.close()


def _p12(ca: CertificateAuthority, tmp_path: Path) -> bytes:
    return ca.pkcs12(tmp_path).read_bytes()


def _post(site: Site, user: str, files: dict[str, tuple[str, bytes, str]], **data: str):  # type: ignore[no-untyped-def]
    return site.as_(user).post(SIGN.format(site.round_id), data={"source": "file", "seal_mm": "36", **data},
                               files=files)


def test_staff_sign_the_letter_with_a_key_file_and_find_it_listed_verified_and_audited(
        site: Site, ca: CertificateAuthority, tmp_path: Path) -> None:
    require_tools("soffice", "pdftotext", "pdfinfo")
    page = site.as_("canbo").get(f"/rounds/{site.round_id}/documents").text
    assert f'href="{SIGN.format(site.round_id)}"' in page
    form = site.as_("canbo").get(SIGN.format(site.round_id))
    assert form.status_code == 200 and "Ký số: Công văn xin ý kiến" in form.text and "chưa có số" in form.text

    response = _post(site, "canbo", {"key_file": ("ky-so.p12", _p12(ca, tmp_path), "application/x-pkcs12"),
                                     "signature_image": ("chu-ky.png", signature_png(), "image/png"),
                                     "seal_image": ("con-dau.png", seal_png(), "image/png")},
                     secret=PASSWORD.decode())
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith(f"/rounds/{site.round_id}/documents?signed=")
    response = site.as_("canbo").get(response.headers["location"])
    assert "Bản đã ký số" in response.text and "Vừa ký xong." in response.text
    (record,) = signed_documents(site.app, site.round_id)
    assert (record.document_key, record.copy, record.actor, record.signer) == ("request_letter", False, "Canbo (canbo)",
                                                                             SIGNER_NAME)
    link = re.search(rf'href="(/rounds/{site.round_id}/signed/[^"]+\.pdf)"', response.text)
    assert link is not None
    pdf = site.as_("lanhdao").get(link.group(1))  # a leader reads what was signed
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == record.sha256
    report = verify_pdf(pdf.content, load_trust_roots(site.app.settings.trust_roots_resolved))
    assert report.status == "valid" and report.signer_name == SIGNER_NAME
    events, broken = audit_trail(site.app, site.round_id)
    assert broken is None and events[-1].action == "document_signed" and events[-1].details["sha256"] == record.sha256
    # the key was used for this request only: nothing of it under the home
    assert not [p for p in site.app.settings.home.rglob("*") if p.suffix in (".p12", ".pfx")]


def test_a_wrong_password_or_a_file_that_is_not_a_key_is_refused_at_its_field_and_nothing_is_signed(
        site: Site, ca: CertificateAuthority, tmp_path: Path) -> None:
    require_tools("soffice")
    wrong = _post(site, "canbo", {"key_file": ("ky-so.p12", _p12(ca, tmp_path), "application/x-pkcs12")},
                  secret="sai-mat-khau")
    assert wrong.status_code == 422 and 'id="err-key_file"' in wrong.text and "sai mật khẩu" in wrong.text
    cases = [
        ({}, "key_file", "Chọn tệp khóa PKCS#12"),
        ({"key_file": ("thu.p12", b"", "application/x-pkcs12")}, "key_file", "rỗng"),
        ({"key_file": ("thu.p12", b"%PDF-1.7 not a key", "application/pdf")}, "key_file", "không phải tệp khóa"),
        ({"key_file": ("to.p12", b"0" + bytes(200 * 1024), "application/x-pkcs12")}, "key_file", "lớn hơn 100 KB"),
        ({"key_file": ("ky.p12", _p12(ca, tmp_path), "application/x-pkcs12"),
          "seal_image": ("dau.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")}, "seal_image", "không phải ảnh PNG"),
    ]
    for files, field, words in cases:
        refused = _post(site, "canbo", files, secret="x")
        assert refused.status_code == 422, field
        assert f'id="err-{field}"' in refused.text and words in refused.text, (field, words)
    for seal_mm in ("abc", "5", "61", ""):
        refused = _post(site, "canbo", {"key_file": ("ky.p12", _p12(ca, tmp_path), "application/x-pkcs12")},
                        secret="x", seal_mm=seal_mm)
        if seal_mm == "":
            continue  # blank takes the default 36 mm; the wrong password is what stops it
        assert refused.status_code == 422 and 'id="err-seal_mm"' in refused.text, seal_mm
    token = _post(site, "canbo", {}, source="token", secret="1234")
    assert token.status_code == 422 and "chưa cấu hình USB token" in token.text
    assert signed_documents(site.app, site.round_id) == []
    assert not (site.app.settings.home / "signed").exists() or not any((site.app.settings.home / "signed").rglob("*.pdf"))


@pytest.mark.parametrize(("field", "picture", "words"), [
    ("signature_image", signature_png()[:60], "Ảnh chữ ký \"anh.png\": ảnh PNG bị hỏng hoặc bị cắt dở"),
    ("seal_image", seal_png()[:-30], "Ảnh con dấu \"anh.png\": ảnh PNG bị hỏng hoặc bị cắt dở"),
    ("signature_image", png_claiming(30000, 30000), "ảnh 30000 × 30000 điểm ảnh, quá lớn"),
], ids=["cut-signature", "cut-seal", "huge-signature"])
def test_a_damaged_or_huge_picture_is_refused_at_its_field_before_anything_is_signed(
        site: Site, ca: CertificateAuthority, tmp_path: Path, field: str, picture: bytes, words: str) -> None:
    refused = _post(site, "canbo", {"key_file": ("ky.p12", _p12(ca, tmp_path), "application/x-pkcs12"),
                                    field: ("anh.png", picture, "image/png")}, secret=PASSWORD.decode())
    assert refused.status_code == 422 and f'id="err-{field}"' in refused.text
    assert words in refused.text.replace("&#34;", '"').replace("&quot;", '"'), refused.text
    assert "Error" not in refused.text and "truncated" not in refused.text
    assert signed_documents(site.app, site.round_id) == []


@pytest.mark.parametrize("user", ["lanhdao", "khac"])
def test_leaders_and_other_offices_cannot_sign(site: Site, ca: CertificateAuthority, tmp_path: Path,
                                               user: str) -> None:
    assert site.as_(user).get(SIGN.format(site.round_id)).status_code == 403
    refused = _post(site, user, {"key_file": ("ky.p12", _p12(ca, tmp_path), "application/x-pkcs12")},
                    secret=PASSWORD.decode())
    assert refused.status_code == 403 and signed_documents(site.app, site.round_id) == []
    assert 'class="c-sign"' not in site.as_(user).get(f"/rounds/{site.round_id}/documents").text


@pytest.mark.parametrize("path", ["/rounds/{}/sign/unit_list", "/rounds/{}/sign/submission",
                                  "/rounds/{}/sign/nothing", "/rounds/{}/signed/..%2Fykien.db",
                                  "/rounds/{}/signed/cong-van-xin-y-kien-ky-000000000000.pdf"])
def test_what_cannot_be_signed_or_was_never_signed_is_not_found(shared: Site, path: str) -> None:
    assert shared.as_("canbo").get(path.format(shared.round_id)).status_code == 404


def test_the_usb_token_of_the_server_signs_with_the_pin_typed_in_the_form(
        site: Site, softhsm_token: tuple[CertificateAuthority, str]) -> None:
    from signing_ca import KEY_LABEL, TOKEN_LABEL, TOKEN_PIN

    require_tools("soffice")
    _, library = softhsm_token  # the process's one token (tests/conftest.py)
    site.app.settings = site.app.settings.model_copy(update={  # what YKIEN_PKCS11_* give `ykien serve`
        "pkcs11_library": Path(library), "pkcs11_token": TOKEN_LABEL, "pkcs11_key": KEY_LABEL})
    site.web = create_web_app(site.app)
    site.sessions.clear()
    form = site.as_("canbo").get(SIGN.format(site.round_id)).text
    assert f"token “{TOKEN_LABEL}”" in form
    wrong = _post(site, "canbo", {}, source="token", secret="000000")
    assert wrong.status_code == 422 and 'id="err-secret"' in wrong.text
    assert "mã PIN không đúng." in wrong.text and "PinIncorrect" not in wrong.text
    signed = _post(site, "canbo", {}, source="token", secret=TOKEN_PIN, copy="1")
    assert signed.status_code == 303, signed.text
    (record,) = signed_documents(site.app, site.round_id)
    assert record.copy and record.signer == SIGNER_NAME
    assert site.as_("canbo").get(f"/rounds/{site.round_id}/signed/{record.file}").content.startswith(b"%PDF-")


def test_a_server_token_library_that_does_not_load_is_a_form_error_naming_the_setting(
        site: Site, tmp_path: Path) -> None:
    """A whole shared library that is not a token's driver passes the check at start; loading it ended in
    `PKCS11Error OS exception while loading …: undefined symbol: C_GetFunctionList` under the PIN."""
    import importlib.util

    require_tools("soffice")
    origin = importlib.util.find_spec("pkcs11._pkcs11").origin  # type: ignore[union-attr]
    library = tmp_path / "libkhong-phai-token.so"
    library.write_bytes(Path(str(origin)).read_bytes())
    site.app.settings = site.app.settings.model_copy(update={
        "pkcs11_library": library, "pkcs11_token": "Token", "pkcs11_key": "Key"})
    site.web = create_web_app(site.app)
    site.sessions.clear()
    refused = _post(site, "canbo", {}, source="token", secret="123456")
    assert refused.status_code == 422
    error = re.search(r'id="err-source">([^<]*)<', refused.text)
    assert error is not None, refused.text
    assert error.group(1) == (f"YKIEN_PKCS11_LIBRARY: &#34;{library}&#34; không dùng được làm thư viện PKCS#11 "
                              "của USB token: thư viện này không phải trình điều khiển PKCS#11 (không có hàm "
                              "C_GetFunctionList)."), error.group(1)
    assert "PKCS11Error" not in refused.text and signed_documents(site.app, site.round_id) == []


def test_a_wrong_password_or_pin_is_said_before_the_letter_is_converted(
        site: Site, ca: CertificateAuthority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        softhsm_token: tuple[CertificateAuthority, str]) -> None:
    """The key opens before the letter goes through LibreOffice (seconds when cold): a clerk who mistyped is told
    at once. Without LibreOffice on the server, the refusal is the password's or the PIN's, not LibreOffice's."""
    from signing_ca import KEY_LABEL, TOKEN_LABEL

    _, library = softhsm_token
    site.app.settings = site.app.settings.model_copy(update={
        "pkcs11_library": Path(library), "pkcs11_token": TOKEN_LABEL, "pkcs11_key": KEY_LABEL})
    site.web = create_web_app(site.app)
    site.sessions.clear()
    form = site.as_("canbo").get(SIGN.format(site.round_id))
    assert form.status_code == 200
    monkeypatch.setenv("PATH", str(tmp_path / "no-libreoffice"))  # soffice and unoserver nowhere
    wrong_password = _post(site, "canbo", {"key_file": ("ky.p12", _p12(ca, tmp_path), "application/x-pkcs12")},
                           secret="sai-mat-khau")
    assert wrong_password.status_code == 422 and "sai mật khẩu" in wrong_password.text
    assert "LibreOffice" not in wrong_password.text
    wrong_pin = _post(site, "canbo", {}, source="token", secret="000000")
    assert wrong_pin.status_code == 422 and "mã PIN không đúng." in wrong_pin.text
    assert "LibreOffice" not in wrong_pin.text
    right = _post(site, "canbo", {"key_file": ("ky.p12", _p12(ca, tmp_path), "application/x-pkcs12")},
                  secret=PASSWORD.decode())
    assert right.status_code == 422 and "LibreOffice" in right.text  # the key opened: the conversion is what fails
    assert signed_documents(site.app, site.round_id) == []


def test_a_workbook_is_refused_as_not_signable_before_the_key_is_tried(site: Site, tmp_path: Path) -> None:
    """A sheet cannot be signed: said as such, before a password (or a token's PIN, whose tries are counted) is
    tried; here with a wrong password, which would otherwise be what is said."""
    from notifications.signing import Pkcs12Signer
    from workflows.service.signing import SigningRefused, sign_round_document

    key = tmp_path / "khong-phai-khoa.p12"
    key.write_bytes(b"not a key")
    with pytest.raises(SigningRefused) as refused:
        sign_round_document(site.app, site.round_id, "unit_list", Pkcs12Signer(key, b"sai"), "Phạm Phi Long")
    assert refused.value.code == "not_signable", refused.value.message
    assert refused.value.message.endswith("chỉ ký số được văn bản (DOCX, PDF)."), refused.value.message
