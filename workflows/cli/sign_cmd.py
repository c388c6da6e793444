"""`ykien round-sign ROUND DOCUMENT_KEY`: ký số of a round's document with the Sở's key, a PKCS#12 file or a
PKCS#11 token (a VGCA USB token). Passwords and PINs are read from environment variables named by options,
never from the command line (which other users of the machine can read)."""
from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.text import Text

from models.limits import SEAL_DIAMETER_MM
from workflows.cli.common import ACTOR_OPTION, JSON_OPTION, actor_name, console, guarded, open_app, print_json
from workflows.cli.out_files import OVERWRITE_OPTION, OutFiles, out_file

MAX_ID = 2**31 - 1


def _secret(variable: str | None, option: str) -> str | None:
    from models.errors import InvalidInput

    if variable is None:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise InvalidInput(f"{option}: biến môi trường {variable} chưa được đặt.", "secret_missing")
    return value


def _image(path: Path | None, option: str) -> bytes | None:
    """The PNG at `path`, decoded once to be sure it can be drawn; InvalidInput naming the option when it cannot."""
    from models import limits
    from models.errors import InvalidInput
    from notifications.signing.appearance import image_problem
    from workflows.cli.text_files import read_file

    if path is None:
        return None
    content = read_file(path, option, "bad_file", limits.IMAGE_BYTES, "của một ảnh (như trên trang Ký số)")
    if (problem := image_problem(content)) is not None:
        raise InvalidInput(f"{option}: \"{path}\": {problem}.", "bad_file")
    return content


def round_sign(
    round_id: int = typer.Argument(..., help="Số thứ tự của đợt."),
    document_key: str = typer.Argument(..., help="Khóa văn bản trong quy trình, ví dụ request_letter."),
    pkcs12: Path | None = typer.Option(None, "--pkcs12", help="Tệp khóa PKCS#12 (.p12, .pfx)."),
    password_env: str | None = typer.Option(None, "--password-env",
                                            help="Tên biến môi trường chứa mật khẩu tệp PKCS#12."),
    pkcs11_lib: str | None = typer.Option(None, "--pkcs11-lib",
                                          help="Thư viện PKCS#11 của token (trình điều khiển USB token)."),
    token_label: str | None = typer.Option(None, "--token-label", help="Nhãn của token."),
    key_label: str | None = typer.Option(None, "--key-label", help="Nhãn của khóa (và chứng thư) trên token."),
    pin_env: str | None = typer.Option(None, "--pin-env", help="Tên biến môi trường chứa mã PIN của token."),
    signature_image: Path | None = typer.Option(None, "--signature-image",
                                                help="Ảnh chữ ký (PNG nền trong suốt, màu xanh)."),
    seal_image: Path | None = typer.Option(None, "--seal-image", help="Ảnh con dấu (PNG nền trong suốt, màu đỏ)."),
    seal_mm: float = typer.Option(36.0, "--seal-mm", min=SEAL_DIAMETER_MM[0], max=SEAL_DIAMETER_MM[1],
                                  help="Đường kính thật của con dấu (mm)."),
    copy: bool = typer.Option(False, "--copy", help="Ký số của cơ quan trên bản sao, phụ lục (góc trên bên phải)."),
    out: Path | None = typer.Option(None, "--out", help="Ghi thêm một bản PDF đã ký ra tệp này (tệp đã có không bị "
                                                        "ghi đè, trừ khi có --overwrite)."),
    overwrite: bool = OVERWRITE_OPTION,
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ký số một văn bản của đợt (PAdES; B-T khi đặt YKIEN_TIMESTAMP_URL); lưu bản đã ký và ghi mã băm vào nhật ký."""
    from config.pkcs11_library import pkcs11_library_problem
    from models import limits
    from models.errors import InvalidInput
    from notifications.signing import Pkcs11Signer, Pkcs12Signer, SignerSource
    from workflows.cli.text_files import check_input_file
    from workflows.service.signing import Images, sign_round_document

    with guarded(as_json):
        if not 1 <= round_id <= MAX_ID:
            raise InvalidInput(f"ROUND_ID: \"{round_id}\" không phải số thứ tự hợp lệ.", "bad_number")
        source: SignerSource
        if pkcs11_lib is not None and not pkcs11_lib.strip():  # a path kept as text: Typer does not refuse it empty
            raise InvalidInput("--pkcs11-lib: đường dẫn trống; hãy ghi đường dẫn thư viện PKCS#11 của token.",
                               "signer_missing")
        if (pkcs12 is None) == (pkcs11_lib is None):
            raise InvalidInput("Chọn một nguồn khóa: --pkcs12 FILE hoặc --pkcs11-lib PATH (USB token).",
                               "signer_missing")
        if pkcs12 is not None:
            check_input_file(pkcs12, "--pkcs12", "bad_file", limits.KEY_FILE_BYTES,
                             "của một tệp khóa (như trên trang Ký số)")
            password = _secret(password_env, "--password-env")
            source = Pkcs12Signer(pkcs12, password.encode() if password is not None else None)
        else:
            assert pkcs11_lib is not None
            library = pkcs11_library_problem(Path(pkcs11_lib).expanduser().absolute())
            if library is not None:  # refused before the driver is loaded: pkcs11's English, and exit 1, said it
                raise InvalidInput(f"--pkcs11-lib: {library}.", "bad_file")
            missing = [name for name, value in (("--token-label", token_label), ("--key-label", key_label),
                                                ("--pin-env", pin_env)) if not value]
            if missing:
                raise InvalidInput(f"Token PKCS#11 cần {', '.join(missing)}.", "signer_missing")
            pin = _secret(pin_env, "--pin-env")
            assert token_label is not None and key_label is not None and pin is not None
            source = Pkcs11Signer(pkcs11_lib, token_label, key_label, pin, library_named_by="--pkcs11-lib")
        copied = OutFiles("--out", overwrite, names_folder=False)
        if out is not None:  # refused before the document is signed and the signing audited
            copied.check([out_file(out, "--out")])
        images = Images(_image(signature_image, "--signature-image"), _image(seal_image, "--seal-image"), seal_mm)
        signed = sign_round_document(open_app(), round_id, document_key, source, actor_name(actor),
                                     images=images, copy=copy)
        if out is not None:
            try:
                copied.write(out, signed.path.read_bytes())
            except InvalidInput as problem:  # the signing is done and audited: say where its PDF is kept
                raise InvalidInput(f"{problem.message.removesuffix(' Chưa ghi tệp nào.')} Văn bản đã được ký; bản "
                                   f"đã ký lưu ở {signed.path}.", problem.code) from None
    if as_json:
        print_json({"round_id": signed.round_id, "document_key": signed.document_key, "title": signed.title,
                    "file": str(signed.path), "name": signed.name,
                    "sha256": signed.sha256, "number": signed.number, "copy": signed.copy,
                    "signature": signed.report.to_json(), "out": str(out) if out is not None else None})
        return
    number = f" số {signed.number}" if signed.number else ""
    console.print(Text(f"Đã ký số \"{signed.title}\"{number} (đợt {signed.round_id}): đơn vị và cán bộ tải về với "
                       f"tên {signed.name}; lưu ở {signed.path}\n"
                       f"SHA-256 {signed.sha256}; kiểm tra: {signed.report.label}"
                       f"{' — ' + signed.report.signer_name if signed.report.signer_name else ''}."))


def round_check_signatures(
    round_id: int = typer.Argument(..., help="Số thứ tự của đợt."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Kiểm tra lại chữ ký số của các văn bản trả lời (PDF) của đợt theo chứng thư gốc hiện có (YKIEN_TRUST_ROOTS)."""
    from models.errors import InvalidInput
    from workflows.service.reply_signatures import recheck_round

    with guarded(as_json):
        if not 1 <= round_id <= MAX_ID:
            raise InvalidInput(f"ROUND_ID: \"{round_id}\" không phải số thứ tự hợp lệ.", "bad_number")
        results = recheck_round(open_app(), round_id)
    if as_json:
        print_json({"round_id": round_id, "files": [
            {"file": r.attachment_name, "signature": r.report.to_json() if r.report else None} for r in results]})
        return
    if not results:
        console.print(Text(f"Đợt {round_id} chưa có văn bản trả lời (PDF) nào."))
    for result in results:
        if result.report is None:
            console.print(Text(f"{result.attachment_name}: không còn tệp dưới thư mục của ykien."))
            continue
        who = f" — {result.report.signer_name}, {result.report.organisation}" if result.report.signed else ""
        console.print(Text(f"{result.attachment_name}: {result.report.label}{who}"))


def register(app: typer.Typer) -> None:
    app.command("round-sign")(round_sign)
    app.command("round-check-signatures")(round_check_signatures)
