"""Ký số from the web: a document of the round's state signed with a PKCS#12 file the staff member chooses on
their computer (read into memory for this request only, never stored) or with the USB token plugged into the server
(its PIN typed each time); the signed PDFs of the round listed and downloaded."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from models import limits
from models.errors import DomainError
from models.staff import StaffUser
from workflows.service.app import App
from workflows.service.documents import RoundFacts, state_documents
from workflows.service.errors import FormErrors
from workflows.service.register import round_numbers
from workflows.service.registry import get_workflow
from workflows.service.signed_documents import signed_download
from workflows.service.views import round_brief
from workflows.web.forms.signing_form import (
    SignForm,
    SignRequest,
    check_sign_form,
    read_sign_form,
)
from workflows.web.routes.rounds import Posted, PostedForm
from workflows.web.security import Forbidden, IdPath, require_staff, ykien
from workflows.web.templating import render
from workflows.web.warm_pdf import warm_pdf_address

if TYPE_CHECKING:
    from notifications.signing import SignerSource

router = APIRouter(include_in_schema=False)
SIGNABLE = (".docx", ".pdf")


def _document(app: App, round_id: int, key: str) -> tuple[str, str, str | None]:
    """(title, file name, register number) of a signable document the round's state offers; 404 otherwise."""
    facts = RoundFacts(app, round_id)
    choice = next((c for c in state_documents(app, round_id, facts) if c.key == key), None)
    if choice is None or Path(choice.filename).suffix.lower() not in SIGNABLE:
        raise HTTPException(404, "Văn bản này không có để ký số ở trạng thái hiện tại của đợt.")
    if choice.not_ready is not None:
        raise HTTPException(409, choice.not_ready.message)
    entry = round_numbers(app, round_id).get(key)
    return choice.title, choice.filename, entry.full_number if entry is not None else None


def _page(request: Request, round_id: int, key: str, user: StaffUser, form: SignForm,
          errors: dict[str, str], status: int = 200) -> Response:
    app = ykien(request)
    brief = round_brief(app, round_id)
    if not user.can_change_round(brief.office):
        raise Forbidden(f"Chỉ cán bộ của phòng {brief.office} hoặc quản trị mới ký số văn bản của đợt này.")
    title, filename, number = _document(app, round_id, key)
    context: dict[str, Any] = {
        "brief": brief, "tab": "documents", "can_change": True, "workflow": get_workflow(brief.workflow),
        "key": key, "title": title, "filename": filename, "number": number, "form": form, "errors": errors,
        "token": app.settings.signing_token, "key_file_kb": limits.KEY_FILE_BYTES // 1024,
        "image_mb": limits.IMAGE_BYTES // (1024 * 1024), "seal_range": limits.SEAL_DIAMETER_MM,
        "timestamped": app.settings.timestamp_url is not None}
    if errors:
        context |= {"flash": "Chưa ký được; xem lỗi ghi dưới từng mục.", "flash_kind": "error"}
    return render(request, "round_sign.html", context, status_code=status)


@router.get("/rounds/{round_id:int}/sign/{key}")
def sign_page(request: Request, round_id: IdPath, key: str, user: StaffUser = Depends(require_staff)) -> Response:
    return _page(request, round_id, key, user, SignForm(), {})


def _source(app: App, request: SignRequest) -> SignerSource:
    from notifications.signing import Pkcs11Signer, Pkcs12Signer

    if request.source == "token":
        token = app.settings.signing_token
        assert token is not None  # the form refuses "token" when the server has none
        library, token_label, key_label = token
        return Pkcs11Signer(str(library), token_label, key_label, request.secret)
    return Pkcs12Signer(Path(request.key_name), request.secret.encode() if request.secret else None,
                        data=request.key_data)


@router.post("/rounds/{round_id:int}/sign/{key}")
def sign(request: Request, round_id: IdPath, key: str, posted: Posted = PostedForm,
         user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    form = read_sign_form(posted.values)
    try:
        wanted = check_sign_form(form, posted.values, posted.files, app.settings.signing_token is not None)
    except FormErrors as problem:
        return _page(request, round_id, key, user, form, problem.errors, 422)
    brief = round_brief(app, round_id)
    if not user.can_change_round(brief.office):
        raise Forbidden(f"Chỉ cán bộ của phòng {brief.office} hoặc quản trị mới ký số văn bản của đợt này.")
    _document(app, round_id, key)
    from workflows.service.signing import (  # pyHanko loads on the first signature
        TOKEN_LIBRARY_UNUSABLE,
        Images,
        sign_round_document,
    )

    try:
        signed = sign_round_document(
            app, round_id, key, _source(app, wanted), user.actor, copy=wanted.copy,
            images=Images(wanted.signature_image, wanted.seal_image, wanted.seal_mm),
            pdf_server=warm_pdf_address(request))
    except DomainError as refusal:
        field = ("key_file" if wanted.source == "file" else
                 "source" if refusal.code == TOKEN_LIBRARY_UNUSABLE else "secret")
        return _page(request, round_id, key, user, form, {field: refusal.message}, 422)
    return RedirectResponse(f"/rounds/{round_id}/documents?signed={quote(signed.path.name)}#signed", status_code=303)


@router.get("/rounds/{round_id:int}/signed/{name}")
def download_signed(request: Request, round_id: IdPath, name: str,
                    user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    round_brief(app, round_id)  # 404 for a round that does not exist
    found = signed_download(app, round_id, name)
    if found is None:
        raise HTTPException(404, "Không có bản ký số này trong nhật ký của đợt.")
    path, shown = found
    return FileResponse(path, media_type="application/pdf", filename=shown)


__all__ = ["router"]
