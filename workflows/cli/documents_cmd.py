"""`ykien round documents|document-inputs|submit|export`: the official documents, what staff give them,
the package of the round's state, exports."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from workflows.cli.common import (
    ACTOR_OPTION,
    JSON_OPTION,
    ROUND_ARGUMENT,
    actor_name,
    check_id,
    guarded,
    open_app,
    print_json,
    say,
    warn,
)
from workflows.cli.out_files import OVERWRITE_OPTION, OutFiles, out_folder

OUT_OPTION = typer.Option(Path("."), "--out", help="Thư mục ghi tệp (tạo mới nếu chưa có; mặc định: thư mục đang "
                                                    "đứng). Tệp đã có cùng tên không bị ghi đè, trừ khi có "
                                                    "--overwrite.")


def register(app: typer.Typer) -> None:
    app.command("documents")(documents)
    app.command("document-inputs")(document_inputs)
    app.command("submit")(submit)
    app.command("export")(export)


PDF_OPTION = typer.Option(False, "--pdf", help=(
    "Ghi thêm bản PDF (PDF/A-2b, do LibreOffice tạo) bên cạnh mỗi tệp DOCX và XLSX; bảng XLSX trùng tên với "
    "một tệp DOCX không có PDF riêng, bản in của nó là PDF của tệp DOCX."))


def documents(round_id: int = ROUND_ARGUMENT, out: Path = OUT_OPTION,
              pdf: bool = PDF_OPTION, overwrite: bool = OVERWRITE_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Soạn các văn bản của đợt (công văn xin ý kiến, đôn đốc, bảng tổng hợp, báo cáo ...) theo Nghị định 30.

    --pdf: thêm bản PDF của mỗi tệp DOCX và XLSX, cùng tên, đuôi .pdf. Bảng XLSX trùng tên với một tệp DOCX (bảng
    tổng hợp) không có PDF riêng: bản in của nó là PDF của tệp DOCX. Máy chưa cài LibreOffice (hay thiếu phần Calc
    cho bảng tính): vẫn ghi các tệp DOCX, XLSX, báo cách cài (mã thoát 1).

    Khi thư mục đã có tệp cùng tên (kể cả bản PDF): không ghi gì, kể tên các tệp đó (mã thoát 2); --overwrite để
    ghi đè."""
    from workflows.cli.common import EXIT_REFUSED, fail
    from workflows.cli.progress import progress_bar
    from workflows.service.documents import DocumentChoice, round_documents

    with guarded(as_json), progress_bar(as_json) as bar:
        check_id(round_id, "ROUND_ID")
        out_folder(out, "--out")
        left_out: list[DocumentChoice] = []
        rendered = round_documents(open_app(), round_id, on_progress=bar.step("Soạn văn bản"), left_out=left_out)
        files = OutFiles("--out", overwrite)
        names = [d.filename for d in rendered] + (pdf_names(rendered) if pdf else [])
        files.check([out / name for name in names])
        with files.said_if_stopped():
            written = [files.write(out / d.filename, d.content) for d in rendered]
            if pdf:  # LibreOffice converts each kind in one run: the bar counts the runs' files as they come back
                pdfs, problem = _pdfs(out, files, rendered, bar.step("Chuyển sang PDF"))
            else:
                pdfs, problem = {}, None
    for choice in left_out:  # asked for the round's documents, staff hear of each one not written, and why
        assert choice.not_ready is not None
        warn(f"chưa soạn được {choice.title}: {choice.not_ready.message}")
    if as_json:
        if problem is not None:
            raise fail(problem.code, problem.message, EXIT_REFUSED, True)
        print_json([{"title": d.title, "path": str(p), **({"pdf": pdfs.get(d.filename)} if pdf else {})}
                    for d, p in zip(rendered, written, strict=True)])
    else:
        twins = shared_pdf(rendered)
        for document, path in zip(rendered, written, strict=True):
            say(f"{document.title}: {path}")
            if document.filename in pdfs:
                say(f"{document.title} (PDF): {pdfs[document.filename]}")
            elif document.filename in twins and twins[document.filename] in pdfs:
                say(f"{document.title} (PDF): không có bản riêng, bản in là {pdfs[twins[document.filename]]}")
        if problem is not None:  # the DOCX files are written; the PDF was asked for and is not made: exit 1
            raise fail(problem.code, problem.message, EXIT_REFUSED, False)


def pdf_names(rendered: list[Any]) -> list[str]:
    """The names of the PDFs --pdf writes beside the documents."""
    from notifications.pdf import pdf_sources

    return list(pdf_sources([d.filename for d in rendered]))


def _pdfs(folder: Path, files: OutFiles, rendered: list[Any],
          on_progress: Callable[[int, int], None] | None = None) -> tuple[dict[str, str], Any]:
    """The PDF of each DOCX and XLSX written beside it (its path by the document's name; an XLSX twin of a DOCX has
    none, see `pdf_sources`), in one LibreOffice run for each kind; or the PdfError (LibreOffice or its Calc missing,
    or failing) and no PDF."""
    from notifications.pdf import PdfError, pdf_sources, to_pdfs

    by_name = {d.filename: d for d in rendered}
    sources = pdf_sources([d.filename for d in rendered])
    if on_progress is not None:
        on_progress(0, len(sources))
    try:
        contents = to_pdfs([(by_name[source].content, source) for source in sources.values()])
    except PdfError as problem:
        return {}, problem
    if on_progress is not None:
        on_progress(len(contents), len(sources))
    paths = [files.write(folder / name, content) for name, content in zip(sources, contents, strict=True)]
    return {source: str(path) for source, path in zip(sources.values(), paths, strict=True)}, None


def shared_pdf(rendered: list[Any]) -> dict[str, str]:
    """The XLSX that get no PDF of their own, each with the DOCX whose PDF it shares (the same stem)."""
    from notifications.pdf import converts, pdf_name, pdf_sources

    sources = pdf_sources([d.filename for d in rendered])
    return {d.filename: sources[pdf_name(d.filename)] for d in rendered
            if converts(d.filename) and sources.get(pdf_name(d.filename)) not in (None, d.filename)}


def document_inputs(
        round_id: int = ROUND_ARGUMENT,
        report_subject: str | None = typer.Option(None, "--report-subject",
                                                  help="Trích yếu (V/v) riêng của báo cáo; \"\" để bỏ."),
        considerations: list[str] | None = typer.Option(None, "--consideration",
                                                        help="Một đoạn lý do (lặp lại được; thay cả danh sách)."),
        necessity: list[str] | None = typer.Option(None, "--necessity",
                                                   help="Một đoạn \"sự cần thiết\" của tờ trình (lặp lại được)."),
        purpose: list[str] | None = typer.Option(None, "--purpose",
                                                 help="Một đoạn \"mục đích, yêu cầu\" của tờ trình (lặp lại được)."),
        main_contents: list[str] | None = typer.Option(None, "--main-content",
                                                       help="Một đoạn \"nội dung chính\" của tờ trình (lặp lại được)."),
        ministry_letter: str | None = typer.Option(None, "--ministry-letter",
                                                   help="Số thứ tự (từ 1) của căn cứ là công văn của Bộ; \"\" để bỏ."),
        call_letter_number: str | None = typer.Option(None, "--call-letter-number",
                                                      help="Số công văn thông báo của Sở, ví dụ 123/SKHCN-QLKH."),
        department_address: str | None = typer.Option(None, "--department-address",
                                                      help="Địa chỉ nhận đề xuất của Sở."),
        department_email: str | None = typer.Option(None, "--department-email",
                                                    help="Thư điện tử nhận đề xuất của Sở."),
        internal_office: str | None = typer.Option(None, "--internal-office",
                                                   help="Phòng nhận đề xuất của các đơn vị trực thuộc Sở."),
        named: list[str] | None = typer.Option(None, "--input",
                                               help="TÊN=GIÁ TRỊ cho thông tin khác mà văn bản của quy trình đọc, "
                                                    "ví dụ --input venue=\"Trung tâm Hội nghị tỉnh\" (lặp lại "
                                                    "được; thông tin nhiều đoạn: lặp lại cùng TÊN). In thông tin "
                                                    "đã lưu để xem các TÊN."),
        actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Thông tin cho văn bản mà dữ liệu của đợt không có (V/v riêng, lý do, công văn của Bộ, số công văn ...).

    Không có tùy chọn nào: in thông tin đã lưu. Sai một giá trị: không lưu gì (mã thoát 2)."""
    from models.errors import InvalidInput
    from workflows.service.documents import INPUTS, set_document_inputs
    from workflows.service.documents import document_inputs as stored_inputs
    from workflows.service.errors import FormErrors

    given: dict[str, Any] = {key: value for key, value in (
        ("report_subject", report_subject), ("considerations", considerations or None),
        ("necessity", necessity or None), ("purpose", purpose or None), ("main_contents", main_contents or None),
        ("call_letter_number", call_letter_number), ("department_address", department_address),
        ("department_email", department_email), ("internal_office", internal_office)) if value is not None}
    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        given |= named_inputs(named or [])
        if ministry_letter is not None:
            text = ministry_letter.strip()
            if text and not (text.isdigit() and int(text) >= 1):
                raise InvalidInput(f"--ministry-letter: \"{text[:20]}\" không phải số thứ tự của một căn cứ (từ 1).",
                                   "invalid_document_inputs")
            given["ministry_letter_index"] = int(text) - 1 if text else None
        ykien = open_app()
        if not given:
            values = stored_inputs(ykien, round_id)
        else:
            try:
                values = set_document_inputs(ykien, round_id, given, actor_name(actor))
            except FormErrors as problem:
                named = [f"{INPUTS[key].option if key in INPUTS else key}: {_as_options(_without_key(key, message))}"
                         for key, message in problem.errors.items()]
                raise InvalidInput("; ".join(named), "invalid_document_inputs") from None
    if as_json:
        print_json(values)
        return
    from workflows.service.documents import INSTALLATION_SETTINGS, installation_inputs

    from_settings = {key: value for key, value in installation_inputs(ykien.settings).items() if key not in values}
    if not values and not from_settings:
        say("Chưa có thông tin nào cho văn bản của đợt này.")
    for key, value in from_settings.items():
        say(f"{INPUTS[key].label}: {value} (theo {INSTALLATION_SETTINGS[key]}, chung cho mọi đợt)")
    for key, value in values.items():
        spec = INPUTS.get(key)
        label = spec.label if spec else key
        if key == "ministry_letter_index":
            value = f"căn cứ số {value + 1}"
        if isinstance(value, list):
            say(f"{label}:")
            for item in value:
                say(f"  - {item}")
        else:
            say(f"{label}: {value}")


def _as_options(message: str) -> str:
    """A message of the service (which names inputs by their keys, as the API does) with each key written as the
    option that sets it on this command line: "main_contents" as "--main-content"."""
    import re

    from workflows.service.documents import INPUTS

    for key, spec in INPUTS.items():
        message = re.sub(rf"\b{re.escape(key)}\b", spec.option, message)
    return message


def _without_key(key: str, message: str) -> str:
    """The message without the key it starts with: the line names the input by its option already."""
    return message.removeprefix(f"\"{key}\" ")


def input_typed(key: str) -> str:
    """How `ykien round document-inputs` takes the input `key`: its own option (--department-address "…"), or
    --input NAME="…" for the others."""
    import inspect

    from typer.models import OptionInfo

    from workflows.service.documents import INPUTS

    option = INPUTS[key].option
    own = {declared for parameter in inspect.signature(document_inputs).parameters.values()
           if isinstance(parameter.default, OptionInfo) for declared in parameter.default.param_decls or ()}
    return f"{option} \"…\"" if option in own else f"--input {option.removeprefix('--')}=\"…\""


def named_inputs(pairs: list[str]) -> dict[str, Any]:
    """`--input NAME=VALUE` pairs as inputs: NAME is an input's option without its dashes (venue, event-purpose) or
    its key; a paragraphs input collects its repeated values in order. InvalidInput names the pair that is wrong."""
    from models.errors import InvalidInput
    from workflows.service.documents import INPUTS

    by_name = {spec.option.removeprefix("--"): spec for spec in INPUTS.values()} | dict(INPUTS)
    given: dict[str, Any] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        spec = by_name.get(name.strip())
        if not equals or spec is None:
            known = ", ".join(sorted(spec.option.removeprefix("--") for spec in INPUTS.values()))
            raise InvalidInput(f"--input \"{pair[:60]}\": cần TÊN=GIÁ TRỊ với TÊN là một trong: {known}.",
                               "invalid_document_inputs")
        if spec.paragraphs:
            given.setdefault(spec.key, []).append(value)
        elif spec.key in given:
            raise InvalidInput(f"--input {name.strip()}: chỉ cho một giá trị.", "invalid_document_inputs")
        else:
            given[spec.key] = value
    return given


def submit(round_id: int = ROUND_ARGUMENT, actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Lập hồ sơ ở trạng thái hiện tại của đợt (theo định nghĩa quy trình) và ghi nhận đã gửi."""
    from workflows.cli.progress import progress_bar
    from workflows.service.commands import mail_notice, work_pool_of
    from workflows.service.submission import submit_round

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        with progress_bar(as_json) as bar:
            package = submit_round(ykien, round_id, actor_name(actor), on_progress=bar.step("Lập hồ sơ"))
    notice = mail_notice(package.mail, work_pool_of(ykien))
    if as_json:
        print_json({"path": str(package.path), "sha256": package.sha256, "files": package.files,
                    "title": package.title, "done": package.done, "notice": notice})
    else:
        say(f"{package.title}: {package.done}")
        say(f"Hồ sơ: {package.path}")
        for name in package.files:
            say(f"  - {name}")
        if notice:
            say(notice)


def export(round_id: int = ROUND_ARGUMENT, out: Path = OUT_OPTION, overwrite: bool = OVERWRITE_OPTION,
           as_json: bool = JSON_OPTION) -> None:
    """Xuất đợt ra XLSX (đơn vị, ý kiến và cách xử lý) và nhật ký ra CSV (mở được bằng Excel).

    Khi thư mục đã có tệp cùng tên: không ghi gì, kể tên các tệp đó (mã thoát 2); --overwrite để ghi đè."""
    from workflows.service.audit_export import audit_export
    from workflows.service.documents import unit_list_workbook

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        out_folder(out, "--out")
        ykien = open_app()
        workbook = unit_list_workbook(ykien, round_id)
        audit = audit_export(ykien, round_id)
        paths = OutFiles("--out", overwrite).write_all([(out / f"dot-{round_id}.xlsx", workbook),
                                                        (out / f"dot-{round_id}-nhat-ky.csv", audit)])
    if as_json:
        print_json([str(p) for p in paths])
    else:
        for path in paths:
            say(f"Đã ghi {path}")
