"""A test certificate authority made in the test: a root, a signer of the Sở under it, a timestamp authority,
and a PKCS#12 file; the same shapes as the VGCA (Ban Cơ yếu Chính phủ) certificates, with test keys.
"""
from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, ImageDraw

ORGANISATION = "Sở Khoa học và Công nghệ tỉnh Cao Bằng"
SIGNER_NAME = "Nguyễn Văn Hùng"
PASSWORD = b"mat-khau-thu"


@dataclass
class Party:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_der(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _issue(
    subject: x509.Name, key: rsa.RSAPrivateKey, issuer: Party | None, *, ca: bool, eku: x509.ObjectIdentifier | None
) -> Party:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
    signing_key = issuer.key if issuer else key
    return Party(key, builder.sign(signing_key, hashes.SHA256()))


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class CertificateAuthority:
    root: Party
    signer: Party
    tsa: Party

    def pkcs12(self, directory: Path, password: bytes = PASSWORD) -> Path:
        path = directory / "signer.p12"
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            b"signer", self.signer.key, self.signer.cert, [self.root.cert],
            serialization.BestAvailableEncryption(password),
        ))
        return path


def make_ca(root_name: str = "Test Root CA (Ban Cơ yếu Chính phủ, thử)") -> CertificateAuthority:
    root_key = _key()
    root = _issue(_name(root_name, "Ban Cơ yếu Chính phủ"), root_key, None, ca=True, eku=None)
    signer = _issue(_name(SIGNER_NAME, ORGANISATION), _key(), root, ca=False, eku=None)
    tsa = _issue(_name("Dịch vụ cấp dấu thời gian (thử)", "Ban Cơ yếu Chính phủ"), _key(), root, ca=False,
                 eku=ExtendedKeyUsageOID.TIME_STAMPING)
    return CertificateAuthority(root, signer, tsa)


def blank_pdf(pages: int = 1) -> bytes:
    """An A4 PDF (595 x 842 points) of white pages with a little grey text, made by Pillow."""
    images = []
    for number in range(pages):
        image = Image.new("RGB", (595, 842), "white")
        ImageDraw.Draw(image).text((80, 80), f"Trang {number + 1}", fill=(90, 90, 90))
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=72, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def signature_png(width: int = 600, height: int = 300) -> bytes:
    """A blue scribble on a transparent background: the signer's signature image."""
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(40, 220), (160, 60), (260, 240), (380, 70), (560, 200)], fill=(0, 0, 255, 255), width=14)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """The first bytes of a PNG whose header says `width` × `height` (what a 100 KB one-bit 30000 × 30000 picture
    says), without the picture: the size is all a check that reads the header needs."""
    header = b"IHDR" + struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + header + struct.pack(">I", zlib.crc32(header)) + bytes(64)


def seal_png(size: int = 500) -> bytes:
    """A red ring on a transparent background: the agency's seal."""
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([4, 4, size - 4, size - 4], outline=(255, 0, 0, 255), width=size // 12)
    draw.ellipse([size // 3, size // 3, 2 * size // 3, 2 * size // 3], fill=(255, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


SOFTHSM_LIBRARIES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
TOKEN_LABEL, KEY_LABEL, TOKEN_PIN, SO_PIN = "SKHCN-CaoBang", "ky-so-giam-doc", "123456", "12345678"


def softhsm_library() -> str | None:
    return next((path for path in SOFTHSM_LIBRARIES if Path(path).exists()), None)


def make_softhsm_token(ca: CertificateAuthority, directory: Path, library: str) -> Path:
    """A softhsm2 token in `directory` holding the signer's key and certificate (as a VGCA USB token holds them);
    returns its SOFTHSM2_CONF file. Needs softhsm2-util and pkcs11-tool (opensc)."""
    import os
    import subprocess

    (directory / "tokens").mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, env=env, timeout=60)

    key_pem = directory / "key.pem"
    key_pem.write_bytes(ca.signer.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cert_der = directory / "cert.der"
    cert_der.write_bytes(ca.signer.cert_der)
    run("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TOKEN_PIN, "--so-pin", SO_PIN)
    run("softhsm2-util", "--import", str(key_pem), "--token", TOKEN_LABEL, "--label", KEY_LABEL, "--id", "01",
        "--pin", TOKEN_PIN)
    run("pkcs11-tool", "--module", library, "--token-label", TOKEN_LABEL, "--login", "--pin", TOKEN_PIN,
        "--write-object", str(cert_der), "--type", "cert", "--label", KEY_LABEL, "--id", "01")
    key_pem.unlink()
    return conf
