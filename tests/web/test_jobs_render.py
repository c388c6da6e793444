"""A document's PDF handed to the workers (what `ykien serve` does with PREFECT_API_URL): the job waits for a worker
without reading as interrupted, a worker's own App runs it and keeps the PDF in the database, and the web app serves
it; a hand-over that fails runs the job here; a job whose flow run ended before a worker took it (cancelled or deleted
in Prefect's UI) ends interrupted, saying so, and one Prefect cannot tell about keeps waiting. Bad input: a PDF the
round's state does not offer is refused before any job is recorded, and one that stopped being offered fails its job
with the reason. The flow run itself on a real Prefect server and worker: tests/e2e/test_prefect_workers.py."""
from __future__ import annotations

import threading
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from debian_tools import require_tools
from sqlalchemy import func, select

from models.db.tables_jobs import JobRow
from notifications.pdf import INSTALL_HINT
from tests.web.test_consolidation_pages import Site
from tests.web.test_consolidation_pages import shared as shared  # the story, built once per module
from tests.web.test_consolidation_pages import site as site
from workflows.service import jobs
from workflows.service.app import build_app
from workflows.service.render_jobs import DocumentUnavailable, run_render, start_render

WAITING = "Đang chờ máy xử lý (ykien worker) nhận việc…"

WAIT = 30.0
LETTER = "cong-van-xin-y-kien.pdf"  # offered in the story's state (consolidating)
NOT_OFFERED = "cong-van-don-doc.pdf"  # a document of the kind, offered only while the round circulates
UNAVAILABLE = "Văn bản này không có ở trạng thái hiện tại của đợt."


class Submitter:
    """The executor's hand-over as the web process sees it (`jobs.JobSubmitter`); the flow runs it stands for are
    run by the test, with a worker's own App, as `render_flow` runs them."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.submitted: list[tuple[str, dict[str, Any]]] = []
        self.ended: dict[str, str | Exception] = {}  # job id -> the state its run ended in, or what asking raised
        self.asked: list[str] = []

    def submit_job(self, flow: str, params: dict[str, Any]) -> None:
        if self.error is not None:
            raise self.error
        self.submitted.append((flow, params))

    def job_run_ended(self, job_id: str) -> str | None:
        self.asked.append(job_id)
        ended = self.ended.get(job_id)
        if isinstance(ended, Exception):
            raise ended
        return ended


def _finished(browser: Any, url: str) -> dict[str, Any]:
    pause = threading.Event()
    for _ in range(int(WAIT / 0.05)):
        job = browser.get(url).json()
        if job["status"] != "running":
            return job  # type: ignore[no-any-return]
        pause.wait(0.05)
    raise AssertionError(f"the job at {url} still runs: {job}")


def _jobs(site: Site) -> int:
    with site.app.uow(read_only=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(JobRow)) or 0)


@pytest.fixture
def handed_over(site: Site, monkeypatch: pytest.MonkeyPatch) -> Submitter:
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_UNITS", 1)
    submitter = Submitter()
    site.app.executor = submitter
    return submitter


def test_a_pdf_handed_to_the_workers_waits_for_one_then_a_workers_app_renders_it_into_the_database(
        site: Site, handed_over: Submitter) -> None:
    require_tools("soffice")
    staff = site.as_("canbo")
    started = staff.get(f"/rounds/{site.round_id}/pdf/{LETTER}", follow_redirects=False)
    assert started.status_code == 303
    ((flow, params),) = handed_over.submitted
    job_id = started.headers["location"].rsplit("/", 1)[1]
    assert flow == "render" and params == {"job_id": job_id, "round_id": site.round_id, "document": LETTER}
    # Waiting for a worker, however long, is not an interruption: no process of it has died
    with site.app.uow() as uow:
        uow.session.get(JobRow, job_id).updated_at = datetime.now(UTC) - jobs.STALE_AFTER * 10  # type: ignore[union-attr]
        uow.commit()
    waiting = staff.get(started.headers["location"] + ".json").json()
    assert (waiting["status"], waiting["label"]) == ("running", WAITING)
    page = staff.get(started.headers["location"])
    assert page.status_code == 200 and WAITING in page.text

    worker = build_app(site.app.settings)  # a worker builds its own App from the settings
    try:
        assert run_render(worker, **params) == "done"
        assert run_render(worker, **params) is None  # taken once: a second run of the flow does nothing
    finally:
        worker.close()
    job = _finished(staff, started.headers["location"] + ".json")
    assert (job["status"], job["label"], job["result_url"]) == ("done", "Đã có bản PDF",
                                                                started.headers["location"] + "/file")
    pdf = staff.get(job["result_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert f'filename="{LETTER}"' in pdf.headers["content-disposition"]


def _started_ago(site: Site, job_id: str, age: timedelta) -> None:
    with site.app.uow() as uow:
        uow.session.get(JobRow, job_id).started_at = datetime.now(UTC) - age  # type: ignore[union-attr]
        uow.commit()


def test_a_handed_over_job_whose_flow_run_was_cancelled_before_a_worker_took_it_ends_saying_so(
        site: Site, handed_over: Submitter) -> None:
    staff = site.as_("canbo")
    started = staff.get(f"/rounds/{site.round_id}/pdf/{LETTER}", follow_redirects=False)
    job_id = started.headers["location"].rsplit("/", 1)[1]
    assert staff.get(started.headers["location"] + ".json").json()["label"] == WAITING
    assert handed_over.asked == [job_id]  # asked Prefect: its run waits

    handed_over.ended[job_id] = "Cancelled"  # cancelled in Prefect's UI, no worker had taken it
    assert staff.get(started.headers["location"] + ".json").json()["status"] == "running"  # asked 5 s ago at most
    assert handed_over.asked == [job_id]
    jobs._ASKED[job_id] -= jobs.ASK_PREFECT_SECONDS
    job = staff.get(started.headers["location"] + ".json").json()
    assert job["status"] == "interrupted" and job["status_label"] == "Bị gián đoạn"
    assert job["message"] == jobs.ABANDONED_MESSAGE.format(state="Cancelled")
    page = staff.get(started.headers["location"])
    assert "trạng thái Cancelled" in page.text and '<div id="job-meter" hidden>' in page.text  # no waiting label shown
    worker = build_app(site.app.settings)
    try:  # a worker reaching the run after all runs nothing: the job has ended
        assert run_render(worker, job_id, site.round_id, LETTER) is None
    finally:
        worker.close()
    assert staff.get(started.headers["location"] + ".json").json()["status"] == "interrupted"
    assert handed_over.asked == [job_id, job_id]  # an ended job is not asked about again


def test_a_handed_over_job_without_a_flow_run_waits_out_the_submission_then_ends(
        site: Site, handed_over: Submitter) -> None:
    job_id = start_render(site.app, site.round_id, LETTER, "test")
    handed_over.ended[job_id] = jobs.DELETED_RUN
    assert jobs.job_view(site.app, job_id).status == "running"  # its run may not be created yet
    _started_ago(site, job_id, jobs.SUBMIT_GRACE + timedelta(seconds=1))
    jobs._ASKED[job_id] -= jobs.ASK_PREFECT_SECONDS
    view = jobs.job_view(site.app, job_id)
    assert view.status == "interrupted" and view.message == jobs.ABANDONED_MESSAGE.format(state="Deleted")


def test_a_handed_over_job_keeps_waiting_while_prefect_does_not_answer(site: Site, handed_over: Submitter) -> None:
    job_id = start_render(site.app, site.round_id, LETTER, "test")
    _started_ago(site, job_id, jobs.STALE_AFTER * 10)
    handed_over.ended[job_id] = ConnectionError("Prefect away")
    view = jobs.job_view(site.app, job_id)
    assert (view.status, view.label, view.message) == ("running", WAITING, None)
    assert handed_over.asked == [job_id]


def test_a_job_a_worker_took_is_not_ended_by_its_runs_state(site: Site, handed_over: Submitter) -> None:
    job_id = start_render(site.app, site.round_id, LETTER, "test")
    with site.app.uow() as uow:  # a worker took it between the page's read and its question to Prefect
        assert uow.jobs.take_over(job_id, jobs.QUEUED, "another-process", datetime.now(UTC))
        uow.commit()
        assert not uow.jobs.abandon(job_id, jobs.QUEUED, "x", datetime.now(UTC))
    handed_over.ended[job_id] = "Crashed"
    assert jobs.job_view(site.app, job_id).status == "running"
    assert handed_over.asked == []  # taken: Prefect is not asked


def test_a_hand_over_that_fails_runs_the_job_here(site: Site, handed_over: Submitter, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    handed_over.error = ConnectionError("Prefect away")
    monkeypatch.setenv("PATH", str(tmp_path))  # no LibreOffice: the job fails at once, here, saying so
    staff = site.as_("canbo")
    started = staff.get(f"/rounds/{site.round_id}/pdf/{LETTER}", follow_redirects=False)
    job = _finished(staff, started.headers["location"] + ".json")
    assert job["status"] == "failed" and INSTALL_HINT in job["message"]
    with site.app.uow(read_only=True) as uow:
        assert uow.jobs.get(job["id"]).owner == jobs.OWNER  # type: ignore[union-attr]


def test_a_handed_over_pdf_no_longer_offered_fails_its_job_with_the_reason(site: Site, handed_over: Submitter) -> None:
    job_id = start_render(site.app, site.round_id, LETTER, "test")
    worker = build_app(site.app.settings)
    try:  # the round's state moved on before a worker took it: that name is no longer offered
        assert run_render(worker, job_id, site.round_id, NOT_OFFERED) == "failed"
    finally:
        worker.close()
    job = _finished(site.as_("canbo"), f"/rounds/{site.round_id}/jobs/{job_id}.json")
    assert (job["status"], job["message"], job["result_url"]) == ("failed", UNAVAILABLE, None)
    assert site.as_("canbo").get(f"/rounds/{site.round_id}/jobs/{job_id}/file").status_code == 404


@pytest.mark.parametrize("name", [
    NOT_OFFERED, "khong-co.pdf", "cong-van-xin-y-kien.docx.pdf", "CONG-VAN-XIN-Y-KIEN.pdf", "-.pdf",
    unicodedata.normalize("NFD", "công-văn-xin-ý-kiến.pdf"), "x" * 300 + ".pdf",
], ids=["not_in_state", "unknown", "double_suffix", "upper_case", "no_stem", "nfd", "long"])
def test_a_pdf_the_state_does_not_offer_is_refused_before_any_job(site: Site, handed_over: Submitter,
                                                                   name: str) -> None:
    before = _jobs(site)
    response = site.as_("canbo").get(f"/rounds/{site.round_id}/pdf/{name}", follow_redirects=False)
    assert response.status_code == 404 and UNAVAILABLE in response.text and "Traceback" not in response.text
    with pytest.raises(DocumentUnavailable) as refused:
        start_render(site.app, site.round_id, name, "test")
    assert refused.value.message == UNAVAILABLE
    assert _jobs(site) == before and handed_over.submitted == []


def test_a_job_file_older_than_a_week_is_deleted_and_its_link_says_so(site: Site) -> None:
    with site.app.uow() as uow:
        now = datetime.now(UTC)
        for job_id, age in (("o" * 32, jobs.KEEP_FILES + timedelta(seconds=1)), ("n" * 32, timedelta(days=6))):
            uow.jobs.start(job_id, site.round_id, "pdf", "test", "converted", jobs.OWNER, now - age)
            uow.jobs.finish(job_id, jobs.DONE, None, f"/rounds/{site.round_id}/jobs/{job_id}/file", now - age)
            uow.jobs.keep_file(job_id, f"{job_id[0]}.pdf", "application/pdf", "0" * 64, b"%PDF-1.7", now - age)
        uow.commit()
    assert jobs.forget_old_files(site.app) == 1
    admin = site.as_("admin")
    old = admin.get(f"/rounds/{site.round_id}/jobs/{'o' * 32}/file")
    assert old.status_code == 404 and "tệp đã được dọn (giữ 7 ngày)" in old.text
    assert admin.get(f"/rounds/{site.round_id}/jobs/{'n' * 32}/file").content == b"%PDF-1.7"
