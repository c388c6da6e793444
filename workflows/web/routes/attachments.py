"""Staff download the files units sent with their forms: /rounds/{id}/attachments/{attachment_id}.

The files hold the units' figures: the round's office, leaders and admins read them (service/attachments); a file
of another round is not found, whatever its id.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from models.staff import StaffUser
from workflows.service.attachments import disposition, may_read_files, round_file
from workflows.service.views import round_brief
from workflows.web.security import Forbidden, IdPath, require_staff, ykien

router = APIRouter(include_in_schema=False)


@router.get("/rounds/{round_id:int}/attachments/{attachment_id:int}")
def download_attachment(request: Request, round_id: IdPath, attachment_id: IdPath,
                        user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    brief = round_brief(app, round_id)
    if not may_read_files(user, brief.office):
        raise Forbidden(f"Tệp đơn vị gửi kèm chỉ cán bộ phòng {brief.office}, lãnh đạo và quản trị mới tải được.")
    found = round_file(app, round_id, attachment_id)
    return Response(found.data, media_type=found.content_type, headers={
        "Content-Disposition": disposition(found.filename), "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})
