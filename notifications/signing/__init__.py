"""Ký số: sign a PDF in PAdES (B-B, B-T with a timestamp server) and check the signatures of a PDF.

Signing is an edge effect (a key in a file or on a USB token); verification is a function of the
bytes and the trust roots the Sở holds. Both sit on pyHanko.
"""

from notifications.signing.appearance import SignatureAppearance, SignatureBox
from notifications.signing.signer import (
    Pkcs11Signer,
    Pkcs12Signer,
    SignerSource,
    SigningError,
    TokenLibraryError,
    opened_key,
    sign_pdf,
    sign_with,
)
from notifications.signing.verification import (
    SignatureReport,
    SignatureStatus,
    load_trust_roots,
    verify_pdf,
)

__all__ = [
    "Pkcs11Signer",
    "Pkcs12Signer",
    "SignatureAppearance",
    "SignatureBox",
    "SignatureReport",
    "SignatureStatus",
    "SignerSource",
    "SigningError",
    "TokenLibraryError",
    "load_trust_roots",
    "opened_key",
    "sign_pdf",
    "sign_with",
    "verify_pdf",
]
