"""`ykien round-sign` as people run it: the request letter built, converted by LibreOffice, signed with a PKCS#12
file (password from an environment variable), stored under the home with its SHA-256 in the audit trail and its
number from the register; the visible signature lands in the letter's signature block; bad input exits 2."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from signing_ca import (
    ORGANISATION,
    PASSWORD,
    SIGNER_NAME,
    CertificateAuthority,
    make_ca,
    png_claiming,
    seal_png,
    signature_png,
)

CREATE = ("round", "create", "--title", "Kế hoạch hỗ trợ doanh nghiệp nâng cao năng suất giai đoạn 2026 – 2030",
          "--office", "TĐC", "--deadline", "05/12/2025", "--group", "so-ban-nganh", "--contact-name",
          "Ông Phạm Phi Long", "--contact-phone", "0912130290", "--signer-name", "Nông Thị Thanh Huyền", "--json")
SIGNER = "Nông Thị Thanh Huyền"


@pytest.fixture
def ca() -> CertificateAuthority:
    return make_ca()


@pytest.fixture
def keys(ca: CertificateAuthority, tmp_path: Path) -> dict[str, str]:
    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.skip(f"missing {tool}: bash scripts/system-packages.sh")
    folder = tmp_path / "keys"
    (folder / "roots").mkdir(parents=True)
    (folder / "roots" / "vgca.pem").write_bytes(ca.root.cert_pem)
    (folder / "chu-ky.png").write_bytes(signature_png())
    (folder / "con-dau.png").write_bytes(seal_png())
    return {"p12": str(ca.pkcs12(folder)), "roots": str(folder / "roots"), "signature": str(folder / "chu-ky.png"),
            "seal": str(folder / "con-dau.png")}


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    text = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', text)]


def test_a_numbered_letter_is_signed_stored_audited_and_its_signature_sits_in_the_block(
        cli, tmp_path: Path, keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    cli("register", "take", "1", "request_letter")
    out = tmp_path / "cong-van-da-ky.pdf"
    signed = cli("round-sign", "1", "request_letter", "--pkcs12", keys["p12"], "--password-env", "P12_PASSWORD",
                 "--signature-image", keys["signature"], "--seal-image", keys["seal"], "--out", str(out), "--json",
                 P12_PASSWORD=PASSWORD.decode(), YKIEN_TRUST_ROOTS=keys["roots"]).json
    assert signed["number"] == "01/SKHCN-TĐC" and signed["copy"] is False
    report = signed["signature"]
    assert (report["status"], report["signer_name"], report["organisation"]) == ("valid", SIGNER_NAME, ORGANISATION)
    stored = Path(signed["file"])
    assert stored.is_file() and stored.is_relative_to(cli.home / "signed" / "1")
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == signed["sha256"] == \
        hashlib.sha256(out.read_bytes()).hexdigest()
    events = cli("round", "audit", "1", "--json").json["events"]
    assert events[-1]["action"] == "document_signed"
    assert (events[-1]["details"]["sha256"], events[-1]["details"]["number"]) == (signed["sha256"], "01/SKHCN-TĐC")

    # On the last page, the blue signature sits between the title and the signer's name, centred on the name.
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(out)], capture_output=True,
                                                           text=True, check=True).stdout).group(1))  # type: ignore[union-attr]
    words = _words(out, pages)
    first = SIGNER.split()[0]
    at = max(i for i, w in enumerate(words) if w[4] == first)
    name = words[at:at + len(SIGNER.split())]
    name_left, name_right, name_top = min(w[0] for w in name), max(w[2] for w in name), min(w[1] for w in name)
    subprocess.run(["pdftoppm", "-r", "72", "-f", str(pages), "-l", str(pages), "-png", "-singlefile", str(out),
                    str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    blue = [(x, y) for x in range(image.width) for y in range(image.height)
            if (lambda p: p[2] > 180 and p[0] < 100 and p[1] < 100)(image.getpixel((x, y)))]  # type: ignore[misc]
    red = [(x, y) for x in range(image.width) for y in range(image.height)
           if (lambda p: p[0] > 180 and p[1] < 100 and p[2] < 100)(image.getpixel((x, y)))]  # type: ignore[misc]
    assert blue and red
    assert max(y for _, y in blue) < name_top, "the signature is above the signer's name"
    blue_centre = (min(x for x, _ in blue) + max(x for x, _ in blue)) / 2
    assert abs(blue_centre - (name_left + name_right) / 2) < 8, "centred on the name"
    assert min(x for x, _ in red) < min(x for x, _ in blue), "the seal reaches left of the signature"


def test_a_copy_is_signed_with_the_agency_text_and_no_image(process_cli, keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    cli = process_cli  # the installed script, in a subprocess
    cli(*CREATE)
    signed = cli("round-sign", "1", "request_letter", "--pkcs12", keys["p12"], "--password-env", "P12_PASSWORD",
                 "--copy", "--json", P12_PASSWORD=PASSWORD.decode(), YKIEN_TRUST_ROOTS=keys["roots"]).json
    assert signed["copy"] is True and signed["number"] is None and signed["signature"]["status"] == "valid"
    assert "-ban-sao-" in Path(signed["file"]).name
    assert signed["name"] == "cong-van-xin-y-kien-dot-1-ban-sao.pdf"  # the name units download it by, no hash
    again = cli("round-sign", "1", "request_letter", "--pkcs12", keys["p12"], "--password-env", "P12_PASSWORD",
                "--copy", P12_PASSWORD=PASSWORD.decode(), YKIEN_TRUST_ROOTS=keys["roots"]).out
    assert "tải về với tên cong-van-xin-y-kien-dot-1-ban-sao-v2.pdf; lưu ở " in again, again


def test_bad_input_exits_2_and_a_wrong_password_is_refused(cli, keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    base = ("round-sign", "1", "request_letter")
    cases = [
        ((), "signer_missing"),
        (("--pkcs12", keys["p12"], "--pkcs11-lib", "/usr/lib/softhsm/libsofthsm2.so"), "signer_missing"),
        (("--pkcs12", keys["p12"] + ".khong-co"), "bad_file"),
        (("--pkcs12", keys["p12"], "--password-env", "KHONG_CO_BIEN_NAY"), "secret_missing"),
        (("--pkcs11-lib", "/usr/lib/softhsm/libsofthsm2.so", "--token-label", "t"), "signer_missing"),
        (("--pkcs12", keys["p12"], "--password-env", "P12_PASSWORD", "--signature-image", keys["p12"]), "bad_file"),
    ]
    for extra, code in cases:
        result = cli(*base, *extra, "--json", expect=2, P12_PASSWORD=PASSWORD.decode())
        assert result.json["error"]["code"] == code, (extra, result.out)
    wrong = cli(*base, "--pkcs12", keys["p12"], "--password-env", "P12_PASSWORD", "--json", expect=1,
                P12_PASSWORD="sai-mat-khau")
    assert wrong.json["error"]["code"] == "signing_failed"
    unknown = cli("round-sign", "1", "khong_co", "--pkcs12", keys["p12"], "--password-env", "P12_PASSWORD",
                  "--json", expect=2, P12_PASSWORD=PASSWORD.decode())
    assert unknown.json["error"]["code"] == "document_unknown"
    assert not (cli.home / "signed").exists()


def test_a_token_library_that_does_not_load_exits_2_in_one_line_naming_the_option(
        process_cli, tmp_path: Path, keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """A whole shared library that is not a token's driver ended in exit 1 and pkcs11's English (`OS exception
    while loading …: undefined symbol: C_GetFunctionList`); one cut short killed the process (SIGBUS) as it
    loaded. A subprocess, so that the old crash cannot take the test run with it."""
    import importlib.util

    cli = process_cli
    cli(*CREATE)
    whole = Path(str(importlib.util.find_spec("pkcs11._pkcs11").origin)).read_bytes()  # type: ignore[union-attr]
    not_a_driver, cut = tmp_path / "libkhong-phai-token.so", tmp_path / "libtoken-cat-do.so"
    not_a_driver.write_bytes(whole)
    cut.write_bytes(whole[:4096])
    cases = [(not_a_driver, "không dùng được làm thư viện PKCS#11 của USB token: thư viện này không phải trình "
                            "điều khiển PKCS#11 (không có hàm C_GetFunctionList)."),
             (cut, "là thư viện bị cắt dở hoặc hỏng (tệp ngắn hơn phần đầu của nó ghi)")]
    for library, words in cases:
        result = cli("round-sign", "1", "request_letter", "--pkcs11-lib", str(library), "--token-label", "a",
                     "--key-label", "b", "--pin-env", "PIN", expect=2, PIN="1234")
        said = [line for line in (result.out + result.err).splitlines() if line.strip()]
        assert len(said) == 1 and said[0].startswith(f'Lỗi: --pkcs11-lib: "{library}" {words}'), said
    assert not (cli.home / "signed").exists()


def test_a_damaged_or_huge_picture_exits_2_naming_its_option_and_nothing_is_signed(
        cli, ca: CertificateAuthority, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli(*CREATE)
    key = ca.pkcs12(tmp_path)
    pictures = {"cut.png": signature_png()[:60], "huge.png": png_claiming(30000, 30000)}
    for name, content in pictures.items():
        (tmp_path / name).write_bytes(content)
    cases = [("--signature-image", "cut.png", "ảnh PNG bị hỏng hoặc bị cắt dở, không đọc được"),
             ("--seal-image", "cut.png", "ảnh PNG bị hỏng hoặc bị cắt dở, không đọc được"),
             ("--signature-image", "huge.png", "ảnh 30000 × 30000 điểm ảnh, quá lớn cho ảnh chữ ký hoặc con dấu")]
    for option, name, words in cases:
        result = cli("round-sign", "1", "request_letter", "--pkcs12", str(key), "--password-env", "P12_PASSWORD",
                     option, str(tmp_path / name), expect=2, P12_PASSWORD=PASSWORD.decode())
        said = result.out + result.err
        assert f"{option}: \"{tmp_path / name}\": {words}" in said, said
        assert "Traceback" not in said and "Error" not in said
    assert not (cli.home / "signed").exists()


def test_a_usb_token_signs_through_pkcs11_with_the_pin_from_the_environment(
        process_cli, tmp_path: Path, ca: CertificateAuthority, keys: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    # A subprocess: softhsm reads SOFTHSM2_CONF once per process, when its library is first initialised, so in this
    # process it would still show the token an earlier test made (another CA's key under the same labels).
    from signing_ca import KEY_LABEL, TOKEN_LABEL, TOKEN_PIN, make_softhsm_token, softhsm_library

    cli = process_cli

    library = softhsm_library()
    if library is None or shutil.which("pkcs11-tool") is None:
        pytest.skip("missing softhsm2 or opensc: bash scripts/system-packages.sh")
    conf = make_softhsm_token(ca, tmp_path / "token", library)
    cli(*CREATE)
    token = ("round-sign", "1", "request_letter", "--pkcs11-lib", library, "--token-label", TOKEN_LABEL,
             "--key-label", KEY_LABEL, "--pin-env", "TOKEN_PIN", "--json")
    signed = cli(*token, TOKEN_PIN=TOKEN_PIN, SOFTHSM2_CONF=str(conf), YKIEN_TRUST_ROOTS=keys["roots"]).json
    assert (signed["signature"]["status"], signed["signature"]["signer_name"]) == ("valid", SIGNER_NAME)
    wrong_pin = cli(*token, expect=1, TOKEN_PIN="000000", SOFTHSM2_CONF=str(conf))
    assert wrong_pin.json["error"]["code"] == "signing_failed"
    assert wrong_pin.json["error"]["message"] == f'Không mở được token "{TOKEN_LABEL}" qua {library}: mã PIN không đúng.'
    unknown = [word if word != TOKEN_LABEL else "khong-co" for word in token]
    no_token = cli(*unknown, expect=1, TOKEN_PIN=TOKEN_PIN, SOFTHSM2_CONF=str(conf)).json["error"]["message"]
    assert no_token.endswith(": không thấy token có nhãn này; hãy cắm USB token và kiểm tra nhãn của nó."), no_token
    assert cli("round-check-signatures", "1").out.startswith("Đợt 1 chưa có văn bản trả lời")
    assert cli("round-check-signatures", "99", "--json", expect=1).json["error"]["code"] == "round_not_found"
