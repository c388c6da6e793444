"""The ký số form: which key signs (a PKCS#12 file chosen on the staff member's computer, or the USB token plugged
into the server), its password or PIN, the signature and seal images, and whether it is a copy. Pure: it reads the
posted values and files, checks them and says what is wrong by field; nothing is kept on disk."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models import limits
from workflows.service.errors import FormErrors

SECRET_MAX = 256
IMAGE_LABELS = {"signature_image": "Ảnh chữ ký", "seal_image": "Ảnh con dấu"}
SOURCES = ("file", "token")


@dataclass(frozen=True)
class SignForm:
    """What the form holds, to show it again (never the password, the PIN or the files)."""

    source: str = "file"
    seal_mm: str = "36"
    copy: bool = False


@dataclass(frozen=True)
class SignRequest:
    source: str  # "file" or "token"
    key_name: str  # the uploaded file's name ("" for the token)
    key_data: bytes | None
    secret: str
    signature_image: bytes | None
    seal_image: bytes | None
    seal_mm: float
    copy: bool


def read_sign_form(values: dict[str, list[str]]) -> SignForm:
    def one(name: str, default: str = "") -> str:
        return (values.get(name) or [default])[0]

    return SignForm(source=one("source", "file"), seal_mm=one("seal_mm", "36").strip() or "36",
                    copy=one("copy") == "1")


def _png(files: dict[str, tuple[str, bytes]], field: str, errors: dict[str, str]) -> bytes | None:
    """The picture of `field`, decoded whole once to be sure it can be drawn (a damaged or huge PNG is refused here,
    not when the document is signed)."""
    from notifications.signing.appearance import image_problem  # Pillow, loaded when a picture is checked

    if field not in files:
        return None
    name, content = files[field]
    if len(content) > limits.IMAGE_BYTES:
        errors[field] = f"{IMAGE_LABELS[field]} \"{name}\" lớn hơn {limits.IMAGE_BYTES // (1024 * 1024)} MB."
    elif (problem := image_problem(content)) is not None:
        errors[field] = f"{IMAGE_LABELS[field]} \"{name}\": {problem}."
    else:
        return content
    return None


def check_sign_form(form: SignForm, values: dict[str, list[str]], files: dict[str, tuple[str, bytes]],
                    token_available: bool) -> SignRequest:
    """The request, or FormErrors naming each field that is wrong (in Vietnamese)."""
    errors: dict[str, str] = {}
    secret = (values.get("secret") or [""])[0]
    if form.source not in SOURCES:
        errors["source"] = "Chọn nguồn khóa: tệp khóa PKCS#12 hoặc USB token của máy chủ."
    elif form.source == "token" and not token_available:
        errors["source"] = ("Máy chủ chưa cấu hình USB token (YKIEN_PKCS11_LIBRARY, YKIEN_PKCS11_TOKEN, "
                            "YKIEN_PKCS11_KEY); hãy dùng tệp khóa PKCS#12.")
    key_name, key_data = "", None
    if form.source == "file":
        if "key_file" not in files:
            errors["key_file"] = "Chọn tệp khóa PKCS#12 (.p12 hoặc .pfx)."
        else:
            key_name, key_data = files["key_file"]
            key_name = Path(key_name.replace("\\", "/")).name or "khoa.p12"
            if not key_data:
                errors["key_file"] = f"Tệp \"{key_name}\" rỗng."
            elif len(key_data) > limits.KEY_FILE_BYTES:
                errors["key_file"] = (f"Tệp \"{key_name}\" lớn hơn {limits.KEY_FILE_BYTES // 1024} KB: không phải "
                                      "tệp khóa PKCS#12.")
            elif key_data[0] != 0x30:  # a PKCS#12 file is one DER SEQUENCE
                errors["key_file"] = f"Tệp \"{key_name}\" không phải tệp khóa PKCS#12 (.p12, .pfx)."
    if len(secret) > SECRET_MAX:
        errors["secret"] = f"Mật khẩu hoặc mã PIN dài quá {SECRET_MAX} ký tự."
    elif form.source == "token" and not secret:
        errors["secret"] = "Nhập mã PIN của token."
    try:
        seal_mm = float(form.seal_mm.replace(",", "."))
    except ValueError:
        seal_mm = -1.0
    smallest, largest = limits.SEAL_DIAMETER_MM
    if not smallest <= seal_mm <= largest:
        errors["seal_mm"] = (f"Đường kính con dấu \"{form.seal_mm}\" phải là số mm từ {smallest:.0f} đến "
                             f"{largest:.0f}.")
    signature = _png(files, "signature_image", errors)
    seal = _png(files, "seal_image", errors)
    if errors:
        raise FormErrors(errors)
    return SignRequest(form.source, key_name, key_data, secret, signature, seal, seal_mm, form.copy)
