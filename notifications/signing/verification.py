"""Check the digital signatures of a PDF against the roots the Sở trusts (the VGCA roots it holds).

A pure function of the bytes and the roots: no fetching of CRLs or OCSP (the machines are offline), so a
revoked certificate is not detected; the report says so in its problems only when pyHanko does.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import pem, x509  # type: ignore[import-untyped]
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import ModificationLevel
from pyhanko_certvalidator import ValidationContext

from models.signatures import UNSIGNED, SignatureReport, SignatureStatus

__all__ = ["SignatureReport", "SignatureStatus", "load_trust_roots", "verify_pdf"]

T = TypeVar("T")
_ACCEPTABLE_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)


def load_trust_roots(directory: Path) -> list[x509.Certificate]:
    """Every certificate (PEM or DER, .pem .crt .cer .der) in `directory`; a missing or unreadable directory, or a
    file that is not a certificate, adds none (a unit's answer never fails on the Sở's roots)."""
    roots: list[x509.Certificate] = []
    try:
        paths = sorted(directory.iterdir()) if directory.is_dir() else []
    except OSError:  # a folder ykien may not read: no roots, so signed replies show as not trusted
        return roots
    for path in paths:
        if path.suffix.lower() not in {".pem", ".crt", ".cer", ".der"} or not path.is_file():
            continue
        try:
            data = path.read_bytes()
            found = ([x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
                     if pem.detect(data) else [x509.Certificate.load(data)])
            for cert in found:
                cert.native  # noqa: B018  # parse now: a broken file is skipped, not a failure at check time
        except (ValueError, TypeError, OSError):
            continue
        roots.extend(found)
    return roots


def _name_part(name: x509.Name, key: str) -> str:
    value = name.native.get(key, "")
    return ", ".join(value) if isinstance(value, list) else str(value)


def _run_outside_any_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """pyHanko validates asynchronously; a caller already inside an event loop (a web route) gets its own thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def verify_pdf(pdf_bytes: bytes, trust_roots: Iterable[x509.Certificate | bytes]) -> SignatureReport:
    """What the signatures of `pdf_bytes` are worth: signer, organisation, time, intact, trusted."""
    roots = [root if isinstance(root, x509.Certificate) else x509.Certificate.load(root) for root in trust_roots]
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # noqa: BLE001  # any uploaded file: a PDF that does not parse, if it looked signed, is modified
        if b"/ByteRange" in pdf_bytes:
            return SignatureReport(signed=True, problems=(f"Không đọc được tệp: {error}",), signature_count=1)
        return UNSIGNED
    if not signatures:
        return UNSIGNED
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    problems: list[str] = []
    intact = trusted = True
    signer_name = organisation = ""
    signing_time = None
    timestamped = False
    for signature in signatures:
        try:
            status = _run_outside_any_loop(async_validate_pdf_signature(signature, context, skip_diff=False))
        except Exception as error:  # noqa: BLE001  # a damaged signature dictionary or CMS blob in an upload
            problems.append(f"{signature.field_name}: không kiểm tra được ({type(error).__name__}: {error})")
            intact = trusted = False
            continue
        cert = status.signing_cert
        signer_name = _name_part(cert.subject, "common_name")
        organisation = _name_part(cert.subject, "organization_name")
        signing_time = status.timestamp_validity.timestamp if status.timestamp_validity else status.signer_reported_dt
        timestamped = status.timestamp_validity is not None
        if not (status.intact and status.valid):
            intact = False
            problems.append(f"{signature.field_name}: nội dung đã bị thay đổi sau khi ký")
        elif status.modification_level is not None and status.modification_level not in _ACCEPTABLE_CHANGES:
            intact = False
            problems.append(f"{signature.field_name}: tệp bị sửa sau khi ký ({status.modification_level.name})")
        if not status.trusted:
            trusted = False
            problems.append(f"{signature.field_name}: chứng thư số không thuộc gốc tin cậy đã cấu hình")
    return SignatureReport(
        signed=True,
        signer_name=signer_name,
        organisation=organisation,
        signing_time=signing_time,
        intact=intact,
        trusted=trusted,
        problems=tuple(problems),
        signature_count=len(signatures),
        timestamped=timestamped,
    )
