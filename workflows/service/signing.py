"""Ký số of a round's document: build it, convert it to PDF, sign it (PAdES) with the Sở's key, keep the signed
PDF under the home, and record its SHA-256 in the audit trail with its number from the register.

The key is a PKCS#12 file or a PKCS#11 token (the VGCA USB tokens); passwords and PINs come from the
environment, read by the entry point. The signature block is found on the PDF's last page by the signer's
name (pdftotext); without it the block is the right half of the last page below its middle.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from models.errors import DomainError
from models.signatures import SignatureReport
from notifications.pdf import PdfError, to_pdf
from notifications.signing import (
    SignatureAppearance,
    SignatureBox,
    SignerSource,
    SigningError,
    TokenLibraryError,
    load_trust_roots,
    opened_key,
    sign_with,
    verify_pdf,
)
from notifications.signing.appearance import POINTS_PER_MM
from workflows.service.app import App
from workflows.service.documents import RenderedDocument, RoundFacts, build_document
from workflows.service.files import file_in_place
from workflows.service.register import round_numbers
from workflows.service.signed_documents import SIGNED_ACTION, shown_name


class SigningRefused(DomainError):
    code = "signing_failed"


TOKEN_LIBRARY_UNUSABLE = "token_library_unusable"  # the code of a SigningRefused that is wrong input


@dataclass(frozen=True)
class Images:
    """The signer's signature image (blue, transparent PNG) and the agency's seal (red, transparent PNG)."""

    signature: bytes | None = None
    seal: bytes | None = None
    seal_diameter_mm: float = 36.0


@dataclass(frozen=True)
class SignedDocument:
    round_id: int
    document_key: str
    title: str
    path: Path  # where it is stored: a unique name (part of its hash)
    sha256: str
    number: str | None  # the register's "05/SKHCN-TĐC" when the document has one
    copy: bool
    report: SignatureReport  # the signed file checked again against the Sở's trust roots
    name: str = ""  # the name it is downloaded by: the document's and the round's ("cong-van-xin-y-kien-dot-3.pdf")


def docx_to_pdf(docx: bytes, filename: str, server: str | None = None) -> bytes:
    """The PDF of a built document, through the warm unoserver at `server` when it answers, else a cold LibreOffice."""
    try:
        return to_pdf(docx, filename, server)
    except PdfError as error:
        raise SigningRefused(error.message, error.code) from None


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def signature_block(pdf: bytes, signer_name: str) -> SignatureBox | None:
    """The space between the signer's title and name on the last page, found with pdftotext; None if not found.

    The block is 70 mm wide, centred on the name, from just under the title's line to just above the name.
    """
    if not signer_name.strip() or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="ykien-block-") as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(source)], capture_output=True, text=True, timeout=60, check=False)
        pages = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
        size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info.stdout, re.M)
        if pages is None or size is None:
            return None
        last, height = pages.group(1), float(size.group(2))
        text = subprocess.run(["pdftotext", "-bbox", "-f", last, "-l", last, str(source), "-"],
                              capture_output=True, text=True, timeout=60, check=False).stdout
    words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(text)]
    first = signer_name.split()[0]
    count = len(signer_name.split())
    for index in range(len(words) - count, -1, -1):
        if words[index][4] != first or " ".join(w[4] for w in words[index:index + count]) != signer_name:
            continue
        name = words[index:index + count]
        left, right, name_top = min(w[0] for w in name), max(w[2] for w in name), min(w[1] for w in name)
        above = [w for w in words[:index] if w[3] < name_top - 2 and w[2] > left - 60 and w[0] < right + 60]
        title_bottom = max((w[3] for w in above), default=name_top - 35 * POINTS_PER_MM)
        centre, width = (left + right) / 2, 70 * POINTS_PER_MM
        # pdftotext measures from the top; PDF boxes from the bottom
        return SignatureBox(page=-1, x1=centre - width / 2, y1=height - name_top + 2, x2=centre + width / 2,
                            y2=height - title_bottom - 2)
    return None


def _check_signable(rendered: RenderedDocument) -> None:
    suffix = Path(rendered.filename).suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise SigningRefused(f"\"{rendered.title}\" là tệp {suffix}: chỉ ký số được văn bản (DOCX, PDF).",
                             "not_signable")


def _as_pdf(rendered: RenderedDocument, server: str | None) -> bytes:
    """What is signed: the document itself when it is a PDF, its conversion when it is a DOCX."""
    if Path(rendered.filename).suffix.lower() == ".pdf":
        return rendered.content
    return docx_to_pdf(rendered.content, rendered.filename, server)


def sign_round_document(app: App, round_id: int, document_key: str, source: SignerSource, actor: str, *,
                        images: Images | None = None, copy: bool = False,
                        pdf_server: str | None = None) -> SignedDocument:
    """Sign one document of a round; the signed PDF goes to $YKIEN_HOME/signed/<round>/ and the audit trail.
    `pdf_server`: the warm LibreOffice (unoserver) of `ykien serve` to convert it, when it answers."""
    facts = RoundFacts(app, round_id)
    if document_key not in facts.workflow.documents:
        known = ", ".join(facts.workflow.documents) or "không có"
        raise SigningRefused(f"DOCUMENT_KEY: \"{document_key}\" không phải văn bản của quy trình này ({known}).",
                             "document_unknown")
    rendered = build_document(facts, document_key)  # refused here when the document is not ready
    _check_signable(rendered)  # both before a password or PIN is tried
    try:
        # The key opened before the conversion to PDF (seconds with a cold LibreOffice): a wrong password or PIN, a
        # token not plugged in, is said at once.
        with opened_key(source) as key:
            pdf = _as_pdf(rendered, pdf_server)
            images = images or Images()
            if copy:
                appearance = SignatureAppearance(kind="copy")  # the agency named by the certificate (its O)
            else:
                appearance = SignatureAppearance(
                    kind="signer", signature_image=images.signature, seal_image=images.seal,
                    seal_diameter_mm=images.seal_diameter_mm,
                    box=signature_block(pdf, facts.details.signer_name or ""))
            now = app.clock.now()
            signed = sign_with(pdf, key, appearance, app.settings.timestamp_url, signed_at=now)
    except TokenLibraryError as error:  # the setting or option is wrong, not the token
        raise SigningRefused(str(error), TOKEN_LIBRARY_UNUSABLE) from None
    except SigningError as error:
        raise SigningRefused(str(error)) from None
    digest = hashlib.sha256(signed).hexdigest()
    entry = round_numbers(app, round_id).get(document_key)
    number = entry.full_number if entry is not None else None
    kind = "ban-sao" if copy else "ky"
    stem = Path(rendered.filename).stem
    # Stored under a name unique to its content; shown and downloaded under a readable one (shown_name)
    target = app.settings.home / "signed" / str(round_id) / f"{stem}-{kind}-{digest[:12]}.pdf"
    with file_in_place(target, unique=digest[12:20]) as partial:
        partial.write_bytes(signed)
    report = verify_pdf(signed, load_trust_roots(app.settings.trust_roots_resolved))
    try:
        with app.uow() as uow:
            uow.rounds.row(round_id, lock=True)  # the round's audit chain is appended below
            earlier = [e for e in uow.audit.events(round_id, actions=(SIGNED_ACTION,))
                       if e.details.get("document_key") == document_key and bool(e.details.get("copy")) == copy]
            name = shown_name(stem, round_id, copy=copy, version=len(earlier) + 1)
            uow.audit.append(round_id, now, actor, [(SIGNED_ACTION, {
                "document_key": document_key, "title": rendered.title, "file": target.name, "name": name,
                "sha256": digest,
                "number": number, "copy": copy, "signer": report.signer_name, "organisation": report.organisation,
                "timestamped": app.settings.timestamp_url is not None})])
            uow.commit()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return SignedDocument(round_id, document_key, rendered.title, target, digest, number, copy, report, name)


__all__ = ["SIGNED_ACTION", "TOKEN_LIBRARY_UNUSABLE", "Images", "SignedDocument", "SigningRefused", "docx_to_pdf",
           "sign_round_document", "signature_block"]
