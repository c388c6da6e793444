"""Ký số without a token: PAdES signing from a PKCS#12 file made by a test CA, then verification."""
from __future__ import annotations

from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from signing_ca import (
    ORGANISATION,
    SIGNER_NAME,
    CertificateAuthority,
    blank_pdf,
    make_ca,
    png_claiming,
    seal_png,
    signature_png,
)

from models.signatures import SignatureReport, SignatureStatus
from notifications.signing import (
    Pkcs12Signer,
    SignatureAppearance,
    SigningError,
    load_trust_roots,
    sign_pdf,
    verify_pdf,
)


@pytest.fixture(scope="module")
def ca() -> CertificateAuthority:
    return make_ca()


@pytest.fixture(scope="module")
def other_ca() -> CertificateAuthority:
    return make_ca("Unknown Root CA")


@pytest.fixture
def p12(ca: CertificateAuthority, tmp_path: Path) -> Pkcs12Signer:
    return Pkcs12Signer(ca.pkcs12(tmp_path), password=b"mat-khau-thu")


def test_a_signed_pdf_validates_with_signer_organisation_and_time(ca: CertificateAuthority, p12: Pkcs12Signer) -> None:
    signed = sign_pdf(blank_pdf(), p12)
    report = verify_pdf(signed, [ca.root.cert_der])
    assert report.status is SignatureStatus.VALID, report.problems
    assert (report.signer_name, report.organisation) == (SIGNER_NAME, ORGANISATION)
    assert report.signing_time is not None and report.intact and report.trusted
    assert report.label == "hợp lệ"


def test_a_byte_changed_after_signing_is_reported_modified(ca: CertificateAuthority, p12: Pkcs12Signer) -> None:
    signed = bytearray(sign_pdf(blank_pdf(), p12))
    at = signed.index(b"Trang") if b"Trang" in signed else signed.index(b"stream") + 20
    signed[at] ^= 0x01
    report = verify_pdf(bytes(signed), [ca.root.cert_der])
    assert report.signed and not report.intact
    assert report.status is SignatureStatus.MODIFIED and report.grid_label == "đã bị sửa"


def test_a_byte_changed_in_the_page_content_is_reported_modified(ca: CertificateAuthority, p12: Pkcs12Signer) -> None:
    original = blank_pdf()
    signed = bytearray(sign_pdf(original, p12))
    # a byte inside the original file's first stream (the page picture): covered by the signature
    start = signed.index(b"stream") + 10
    signed[start] ^= 0xFF
    assert verify_pdf(bytes(signed), [ca.root.cert_der]).status is SignatureStatus.MODIFIED


def test_a_certificate_from_an_unknown_root_is_untrusted(
    ca: CertificateAuthority, other_ca: CertificateAuthority, p12: Pkcs12Signer
) -> None:
    signed = sign_pdf(blank_pdf(), p12)
    report = verify_pdf(signed, [other_ca.root.cert_der])
    assert report.intact and not report.trusted
    assert report.status is SignatureStatus.UNTRUSTED and report.label == "chưa tin cậy"
    assert verify_pdf(signed, []).status is SignatureStatus.UNTRUSTED


def test_an_unsigned_pdf_is_reported_unsigned() -> None:
    report = verify_pdf(blank_pdf(), [])
    assert not report.signed and report.status is SignatureStatus.UNSIGNED
    assert report.label == "không có chữ ký số" and report.grid_label == "không ký"


def test_a_wrong_pkcs12_password_is_a_signing_error(ca: CertificateAuthority, tmp_path: Path) -> None:
    with pytest.raises(SigningError):
        sign_pdf(blank_pdf(), Pkcs12Signer(ca.pkcs12(tmp_path), password=b"sai"))


def test_b_t_signature_carries_a_timestamp_from_the_tsa(ca: CertificateAuthority, p12: Pkcs12Signer) -> None:
    tsa = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(ca.tsa.cert_der),
        tsa_key=asn1_keys.PrivateKeyInfo.load(ca.tsa.key_der),
        certs_to_embed=[asn1_x509.Certificate.load(ca.root.cert_der)],
    )
    signed = sign_pdf(blank_pdf(), p12, timestamper=tsa)
    report = verify_pdf(signed, [ca.root.cert_der])
    assert report.status is SignatureStatus.VALID, report.problems
    assert report.signing_time is not None and report.timestamped
    assert not verify_pdf(sign_pdf(blank_pdf(), p12), [ca.root.cert_der]).timestamped  # B-B: the signer's clock


def test_visible_signer_and_copy_appearances_sign_and_validate(ca: CertificateAuthority, p12: Pkcs12Signer) -> None:
    signer_look = SignatureAppearance(kind="signer", signature_image=signature_png(), seal_image=seal_png())
    copy_look = SignatureAppearance(kind="copy", agency_name=ORGANISATION)
    for look in (signer_look, copy_look):
        signed = sign_pdf(blank_pdf(2), p12, look)
        assert verify_pdf(signed, [ca.root.cert_der]).status is SignatureStatus.VALID


def test_trust_roots_load_from_pem_and_der_files(ca: CertificateAuthority, other_ca: CertificateAuthority, tmp_path: Path) -> None:
    (tmp_path / "vgca.pem").write_bytes(ca.root.cert_pem)
    (tmp_path / "other.cer").write_bytes(other_ca.root.cert_der)
    (tmp_path / "readme.txt").write_text("không phải chứng thư")
    assert len(load_trust_roots(tmp_path)) == 2
    assert load_trust_roots(tmp_path / "missing") == []


def test_report_round_trips_through_json(ca: CertificateAuthority, p12: Pkcs12Signer) -> None:
    report = verify_pdf(sign_pdf(blank_pdf(), p12), [ca.root.cert_der])
    assert SignatureReport.from_json(report.to_json()) == report


def test_verification_works_from_inside_a_running_event_loop(ca: CertificateAuthority, p12: Pkcs12Signer) -> None:
    import asyncio

    signed = sign_pdf(blank_pdf(), p12)

    async def inside() -> SignatureReport:
        return verify_pdf(signed, [ca.root.cert_der])

    assert asyncio.run(inside()).status is SignatureStatus.VALID


def test_a_copys_words_are_the_agency_and_the_iso_8601_time_in_vietnam() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from notifications.signing.appearance import copy_lines

    when = datetime(2025, 11, 20, 2, 15, 30, tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert copy_lines(ORGANISATION, when) == [ORGANISATION, "2025-11-20T09:15:30+07:00"]


def test_a_copy_without_an_agency_name_takes_the_certificates_organisation(
    ca: CertificateAuthority, p12: Pkcs12Signer
) -> None:
    from pyhanko.sign.signers import SimpleSigner

    from notifications.signing.signer import _organisation

    key = SimpleSigner.load_pkcs12(str(p12.path), passphrase=p12.password)
    assert key is not None and _organisation(key) == ORGANISATION
    signed = sign_pdf(blank_pdf(), p12, SignatureAppearance(kind="copy"))
    assert verify_pdf(signed, [ca.root.cert_der]).status is SignatureStatus.VALID


def test_the_signers_picture_centres_the_signature_and_puts_the_seal_at_real_size_over_its_left_third() -> None:
    from notifications.signing.appearance import POINTS_PER_MM, SignatureBox, compose_signer_picture

    box = SignatureBox(page=-1, x1=300, y1=200, x2=500, y2=300)  # 200 x 100 points
    look = SignatureAppearance(signature_image=signature_png(), seal_image=seal_png(), seal_diameter_mm=36)
    picture, field_box = compose_signer_picture(look, box)
    per_point = picture.width / field_box.width
    assert abs(picture.height / field_box.height - per_point) < 0.05  # the picture fills the field, undistorted

    def columns(test) -> list[int]:  # type: ignore[no-untyped-def]
        return [x for x in range(picture.width) for y in range(0, picture.height, 4)
                if test(picture.getpixel((x, y)))]

    blue = columns(lambda p: p[3] > 200 and p[2] > 200 and p[0] < 60)
    red = columns(lambda p: p[3] > 200 and p[0] > 200 and p[2] < 60)
    blue_left, blue_right = min(blue) / per_point, max(blue) / per_point
    block_left = box.x1 - field_box.x1  # the field grew to the left to hold the seal
    assert abs((blue_left + blue_right) / 2 - (block_left + box.width / 2)) < 4, "centred in the block"
    red_left, red_right = min(red) / per_point, max(red) / per_point
    assert abs((red_right - red_left) - 36 * POINTS_PER_MM) < 3, "the seal at its real size"
    assert abs(red_right - (blue_left + (blue_right - blue_left) / 3)) < 6, "over the signature's left third"


def test_a_broken_or_unreadable_root_file_is_skipped(ca: CertificateAuthority, tmp_path: Path) -> None:
    (tmp_path / "vgca.pem").write_bytes(ca.root.cert_pem)
    (tmp_path / "hong.crt").write_bytes(b"-----BEGIN CERTIFICATE-----\nkhong-phai-base64\n-----END CERTIFICATE-----\n")
    (tmp_path / "rong.der").write_bytes(b"\x30\x03\x02\x01\x01")
    (tmp_path / "thu-muc.pem").mkdir()
    assert [root.dump() for root in load_trust_roots(tmp_path)] == [ca.root.cert_der]


def test_a_damaged_or_huge_signature_picture_is_refused_in_vietnamese_before_it_is_decoded(p12: Pkcs12Signer) -> None:
    from notifications.signing.appearance import MAX_IMAGE_PIXELS, ImageRefused, image_problem, load_image

    good = signature_png()
    assert image_problem(good) is None and load_image(good).mode == "RGBA"
    damaged = bytearray(good)
    damaged[len(good) // 2] ^= 0xFF  # a checksum no longer matches
    for broken in (good[:60], good[:-20], bytes(damaged), b"\x89PNG\r\n\x1a\n" + bytes(64)):
        problem = image_problem(broken)
        assert problem is not None and problem.startswith("ảnh PNG bị hỏng"), problem
    assert image_problem(b"\xff\xd8\xff\xe0 jpeg") == "không phải ảnh PNG (cần PNG nền trong suốt)"
    huge = image_problem(png_claiming(30000, 30000))
    assert huge is not None and huge.startswith("ảnh 30000 × 30000 điểm ảnh, quá lớn"), huge
    assert image_problem(png_claiming(2001, 2000)) is not None and MAX_IMAGE_PIXELS == 2000 * 2000
    with pytest.raises(ImageRefused):  # what drawing the signature meets, if a picture came unchecked
        sign_pdf(blank_pdf(), p12, SignatureAppearance(seal_image=png_claiming(30000, 30000)))
