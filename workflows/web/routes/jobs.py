"""The page of a background job (a launch, a submission package) and the JSON it polls; only those who may change
the round (its office's staff, admins) see its jobs."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response

from models.staff import StaffUser
from workflows.service.jobs import DONE, RUNNING, JobNotFound, JobView, job_file, job_view
from workflows.service.views import round_brief
from workflows.web.security import Forbidden, IdPath, require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)
POLL_MILLISECONDS = 700
NOT_FOUND = "Không tìm thấy công việc này."


def _job(request: Request, round_id: int, job_id: str, user: StaffUser) -> JobView:
    """The job of this round, for who started it or may change the round; 404 for an unknown job or another
    round's."""
    app = ykien(request)
    brief = round_brief(app, round_id)
    try:
        job = job_view(app, job_id)
    except JobNotFound:
        raise HTTPException(404, NOT_FOUND) from None
    if job.round_id != round_id:
        raise HTTPException(404, NOT_FOUND)
    if job.actor != user.actor and not user.can_change_round(brief.office):
        raise Forbidden("Bạn không theo dõi được công việc này; chỉ người bắt đầu nó, cán bộ của phòng "
                        f"{brief.office} hoặc quản trị mới xem được.")
    return job


@router.get("/rounds/{round_id:int}/jobs/{job_id}.json")
def job_progress(request: Request, round_id: IdPath, job_id: str,
                 user: StaffUser = Depends(require_staff)) -> Response:
    """How far the job is: status, done, total, the label staff read, and where to go once it is done."""
    return JSONResponse(_job(request, round_id, job_id, user).as_json(), headers={"Cache-Control": "no-store"})


@router.get("/rounds/{round_id:int}/jobs/{job_id}/file")
def job_result_file(request: Request, round_id: IdPath, job_id: str,
                    user: StaffUser = Depends(require_staff)) -> Response:
    """The file a finished job made (a PDF), as a download, from the database: any replica serves it, whichever
    process made it."""
    job = _job(request, round_id, job_id, user)
    kept = job_file(ykien(request), job.id) if job.status == DONE else None
    if kept is None:
        raise HTTPException(404, "Công việc này chưa có tệp kết quả, hoặc tệp đã được dọn (giữ 7 ngày): hãy tạo lại "
                                 "bản PDF.")
    # Job files have ASCII names (pdf_name); quoted all the same.
    return Response(kept.data, media_type=kept.content_type, headers={
        "Content-Disposition": f'attachment; filename="{kept.filename}"', "Cache-Control": "private, no-store"})


@router.get("/rounds/{round_id:int}/jobs/{job_id}")
def job_page(request: Request, round_id: IdPath, job_id: str, user: StaffUser = Depends(require_staff)) -> Response:
    """The progress page; once the job is done, its result (the round's page with what happened), or, for a file,
    the page with its download link (a refresh never downloads it again)."""
    job = _job(request, round_id, job_id, user)
    if job.status == DONE and job.result_url and not job.result_url.endswith("/file"):
        return RedirectResponse(job.result_url, status_code=303)
    brief = round_brief(ykien(request), round_id)
    return render(request, "job.html", {"brief": brief, "job": job, "running": job.status == RUNNING,
                                        "poll": POLL_MILLISECONDS},
                  status_code=200)
