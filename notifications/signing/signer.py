"""Sign a PDF in PAdES with a key from a PKCS#12 file or a PKCS#11 token (the VGCA USB tokens).

B-B by default; B-T when a timestamp server (RFC 3161) is given. The visible appearance is drawn by
`appearance`; with no appearance the signature is invisible.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.stamp import StaticStampStyle

from config.os_words import os_reason
from notifications.signing.appearance import (
    SignatureAppearance,
    SignatureBox,
    compose_copy_picture,
    compose_signer_picture,
    copy_box,
    copy_lines,
    signer_box_default,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FIELD_NAME = "Signature"


class SigningError(Exception):
    """The document could not be signed: a key that does not open, a token not found, a PDF that does not parse."""


class TokenLibraryError(SigningError):
    """The token's PKCS#11 library (a setting or an option, named in the message) is not one that loads: wrong
    input rather than a refusal of the token."""


@dataclass(frozen=True)
class Pkcs12Signer:
    """A key and certificate in a .p12/.pfx file; the password comes from the environment, never an argument."""

    path: Path  # where the file is, or the name it was uploaded under when `data` holds it
    password: bytes | None = None
    data: bytes | None = None  # the file's bytes, kept in memory only (a key uploaded through the web form)


@dataclass(frozen=True)
class Pkcs11Signer:
    """A key on a PKCS#11 token: the driver library of the token, the token's label, the key's label, the PIN."""

    library: str
    token_label: str
    key_label: str
    pin: str
    cert_label: str | None = None
    library_named_by: str = "YKIEN_PKCS11_LIBRARY"  # the setting or option that gave `library`, for messages


SignerSource = Pkcs12Signer | Pkcs11Signer


def _page_size(writer: IncrementalPdfFileWriter, page: int) -> tuple[int, float, float]:
    count = int(writer.root["/Pages"]["/Count"])
    index = page if page >= 0 else count + page
    page_ref, _ = writer.find_page_for_modification(index)
    box = [float(v) for v in page_ref.get_object()["/MediaBox"]]
    return index, box[2] - box[0], box[3] - box[1]


def _stamp(
    writer: IncrementalPdfFileWriter, appearance: SignatureAppearance, signed_at: datetime
) -> tuple[StaticStampStyle, SignatureBox, int]:
    if appearance.kind == "copy":
        page, width, height = _page_size(writer, appearance.box.page if appearance.box else 0)
        box = appearance.box or copy_box(width, height)
        picture: Image.Image = compose_copy_picture(copy_lines(appearance.agency_name, signed_at), box)
    else:
        page, width, height = _page_size(writer, appearance.box.page if appearance.box else -1)
        picture, box = compose_signer_picture(appearance, appearance.box or signer_box_default(width, height))
    style = StaticStampStyle(
        border_width=0,
        background=PdfImage(picture),
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            inner_content_scaling=layout.InnerScaling.STRETCH_FILL,
            margins=layout.Margins(),
        ),
    )
    return style, box, page


def _organisation(signer: signers.Signer) -> str:
    """The organisation (O) of the signing certificate: the agency a copy's signature names by default."""
    cert = signer.signing_cert
    if cert is None:
        return ""
    value = cert.subject.native.get("organization_name", "")
    return ", ".join(value) if isinstance(value, list) else str(value)


def _sign(
    pdf_bytes: bytes,
    signer: signers.Signer,
    appearance: SignatureAppearance | None,
    timestamper: TimeStamper | None,
    signed_at: datetime,
) -> bytes:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except Exception as error:  # pyHanko raises several kinds on a broken file
        raise SigningError(f"Không đọc được tệp PDF để ký: {error}") from error
    field_spec: fields.SigFieldSpec | None = None
    style: StaticStampStyle | None = None
    if appearance is not None and appearance.kind == "copy" and not appearance.agency_name:
        appearance = replace(appearance, agency_name=_organisation(signer))
    if appearance is not None:
        style, box, page = _stamp(writer, appearance, signed_at)
        field_spec = fields.SigFieldSpec(
            FIELD_NAME, on_page=page, box=(round(box.x1), round(box.y1), round(box.x2), round(box.y2))
        )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, timestamper=timestamper, stamp_style=style, new_field_spec=field_spec
    )
    output = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, output=output, in_place=False)
    except OSError as error:  # the timestamp server (TimestampRequestError and requests' errors are OSErrors)
        raise SigningError(f"Không lấy được dấu thời gian (YKIEN_TIMESTAMP_URL): {error}") from error
    return output.getvalue()


def sign_pdf(
    pdf_bytes: bytes,
    source: SignerSource,
    appearance: SignatureAppearance | None = None,
    timestamp_url: str | None = None,
    *,
    timestamper: TimeStamper | None = None,
    signed_at: datetime | None = None,
) -> bytes:
    """Sign `pdf_bytes` (PAdES B-B, or B-T with `timestamp_url` or a `timestamper`) and return the signed PDF.

    `signed_at` is the time written in a copy's visible signature (now in Asia/Ho_Chi_Minh by default).
    """
    with opened_key(source) as key:
        return sign_with(pdf_bytes, key, appearance, timestamp_url, timestamper=timestamper, signed_at=signed_at)


def sign_with(
    pdf_bytes: bytes,
    key: signers.Signer,
    appearance: SignatureAppearance | None = None,
    timestamp_url: str | None = None,
    *,
    timestamper: TimeStamper | None = None,
    signed_at: datetime | None = None,
) -> bytes:
    """Sign `pdf_bytes` with a key already opened (`opened_key`), as `sign_pdf` does."""
    when = (signed_at or datetime.now(VIETNAM)).astimezone(VIETNAM)
    stamper = timestamper or (HTTPTimeStamper(timestamp_url) if timestamp_url else None)
    return _sign(pdf_bytes, key, appearance, stamper, when)


@contextmanager
def opened_key(source: SignerSource) -> Iterator[signers.Signer]:
    """The key, opened: a PKCS#12 file read with its password, or a session on the token logged in with the PIN
    (closed on the way out). A wrong password or PIN, a token not plugged in, a library that does not load are
    SigningError (TokenLibraryError) here, before any document is built for it."""
    if isinstance(source, Pkcs11Signer):
        with _token_key(source) as key:
            yield key
        return
    try:
        data = source.data if source.data is not None else source.path.read_bytes()
        key = signers.SimpleSigner.load_pkcs12_data(data, (), passphrase=source.password)
    except OSError as error:
        raise SigningError(f"Không đọc được tệp khóa {source.path}: {os_reason(error)}") from error
    except ValueError as error:  # pyHanko cannot tell a wrong password from a file that is not PKCS#12
        raise SigningError(f"Không mở được tệp khóa {source.path}: sai mật khẩu, hoặc tệp không phải khóa "
                           "PKCS#12 (.p12, .pfx).") from error
    if key is None:
        raise SigningError(f"Không mở được tệp khóa {source.path} (sai mật khẩu?)")
    yield key


# Why the loader refused a library, from the end of its message (dlerror's English), for the cases met in practice.
_LOAD_REASONS = (
    ("invalid ELF header", "tệp không phải thư viện dùng chung"),
    ("file too short", "tệp bị cắt dở"),
    ("cannot read file data", "tệp bị cắt dở hoặc hỏng"),
    ("wrong ELF class", "thư viện cho loại máy khác (32 bit / 64 bit)"),
    ("No such file or directory", "không có tệp này"),
    ("Permission denied", "không có quyền đọc tệp này"),
    ("C_GetFunctionList", "thư viện này không phải trình điều khiển PKCS#11 (không có hàm C_GetFunctionList)"),
)


def _load_library(source: Pkcs11Signer) -> None:
    """Load the token's driver, or raise TokenLibraryError naming the setting or option that gave it. Checked
    again here, not only at start: a library cut short after start would kill the process as it loads (SIGBUS)."""
    from pkcs11 import PKCS11Error, lib

    from config.pkcs11_library import pkcs11_library_problem

    problem = pkcs11_library_problem(Path(source.library))
    if problem is None:
        try:
            lib(source.library)  # kept by python-pkcs11, which opens the session with this same instance
        except PKCS11Error as error:
            reason = next((said for words, said in _LOAD_REASONS if words in str(error)),
                          "hệ điều hành không nạp được thư viện này")
            problem = f'"{source.library}" không dùng được làm thư viện PKCS#11 của USB token: {reason}'
    if problem is not None:
        raise TokenLibraryError(f"{source.library_named_by}: {problem}.")


def _token_reason(error: Exception) -> str:
    """What a token's refusal means for the person holding it, in Vietnamese (pkcs11's words are English)."""
    from pkcs11 import exceptions as token

    if isinstance(error, (token.PinIncorrect, token.PinInvalid, token.PinLenRange)):
        return "mã PIN không đúng"
    if isinstance(error, token.PinLocked):
        return "token đã khóa mã PIN vì nhập sai quá số lần cho phép"
    if isinstance(error, token.PinExpired):
        return "mã PIN đã hết hạn; hãy đổi mã PIN của token"
    if isinstance(error, (token.TokenNotPresent, token.DeviceRemoved)) or str(error).startswith("No token"):
        return "không thấy token có nhãn này; hãy cắm USB token và kiểm tra nhãn của nó"
    # pyHanko's own lookup says it in words: "Could not find certificate with label …", "Found more than one …"
    if isinstance(error, (token.NoSuchKey, token.MultipleObjectsReturned)) or str(error).startswith(
            ("Could not find ", "Found more than one ")):
        return "không thấy đúng một khóa (và chứng thư) có nhãn này trên token"
    return f"token báo lỗi {type(error).__name__}"


@contextmanager
def _token_key(source: Pkcs11Signer) -> Iterator[signers.Signer]:
    from pkcs11 import PKCS11Error  # the token driver is loaded only when a token is used
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as hanko_pkcs11

    _load_library(source)
    try:
        session = hanko_pkcs11.open_pkcs11_session(
            source.library, token_criteria=TokenCriteria(label=source.token_label), user_pin=source.pin
        )
    except (PKCS11Error, OSError, RuntimeError) as error:
        raise SigningError(
            f'Không mở được token "{source.token_label}" qua {source.library}: {_token_reason(error)}.'
        ) from error
    try:
        key = hanko_pkcs11.PKCS11Signer(
            session, key_label=source.key_label, cert_label=source.cert_label or source.key_label
        )
        _ = key.signing_cert  # looked up now, with the key: a wrong label is said before anything is built
        yield key
    except PKCS11Error as error:
        raise SigningError(f'Token từ chối ký bằng khóa "{source.key_label}": {_token_reason(error)}.') from error
    finally:
        session.close()
