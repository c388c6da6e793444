"""Background jobs through the real web app on SQLite: a launch of a round at or above the size that runs in the
background goes through a progress page to the round's page; the job's JSON answers only those who may change the
round; failures and interrupted jobs read in Vietnamese, never a traceback."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.errors import DomainError
from tests.web.test_staff_pages import Site
from tests.web.test_staff_pages import shared as shared  # the story, built once per module
from tests.web.test_staff_pages import site as site
from workflows.service import jobs
from workflows.service.jobs import FAILED_MESSAGE, INTERRUPTED_MESSAGE, JobControl, JobOutcome, start_job
from workflows.service.views import audit_trail, round_view

REASON = {"no_draft_reason": "Dự thảo gửi kèm bản giấy"}  # the story's draft round has no file attached
WAIT = 30.0  # seconds a job of this test may take before the test reports it as stuck


def _finished(browser: Any, url: str) -> dict[str, Any]:
    """The job's JSON once it is no longer running (polled as the page does)."""
    gone = threading.Event()
    for _ in range(int(WAIT / 0.05)):
        job = browser.get(url).json()
        if job["status"] != "running":
            return job  # type: ignore[no-any-return]
        gone.wait(0.05)
    raise AssertionError(f"the job at {url} still runs: {job}")


@pytest.fixture
def background_from_one(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every round runs its launch and package as a job (the story's rounds have 39 units)."""
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_UNITS", 1)
    yield


def test_a_launch_in_the_background_lands_on_its_progress_page_then_on_the_round(
        site: Site, background_from_one: None) -> None:
    admin = site.as_("admin")
    started = admin.post(f"/rounds/{site.draft_id}/launch", {"confirmed": "yes", **REASON})
    assert started.status_code == 303 and f"/rounds/{site.draft_id}/jobs/" in started.headers["location"]
    page = admin.get(started.headers["location"], follow_redirects=False)
    assert page.status_code in (200, 303)
    if page.status_code == 200:  # still running: the progress page, its bar and its script
        assert "<progress" in page.text and "/static/job.js" in page.text and "Phát hành" in page.text
        assert 'http-equiv="refresh"' in page.text  # without scripts the page refreshes itself
    job = _finished(admin, started.headers["location"] + ".json")
    assert job["status"] == "done" and job["message"] is None
    assert job["done"] == job["total"] == 39 and job["label"] == "Đã gửi 39/39 thư"
    assert job["result_url"] == f"/rounds/{site.draft_id}?ok=launch&n=39"
    again = admin.get(started.headers["location"], follow_redirects=False)  # a finished job's page goes to its result
    assert again.status_code == 303 and again.headers["location"] == job["result_url"]
    assert round_view(site.app, site.draft_id).state.status == "circulating"
    assert [a.action for a in audit_trail(site.app, site.draft_id)[0]].count("launch") == 1
    assert "Thư đã gửi: 39" in admin.get(f"/rounds/{site.draft_id}").text


def _gated_job(site: Site, steps: list[threading.Event], fail: BaseException | None = None) -> str:
    """A job of the launched round that counts 1/2, then 2/2, each after the test sets its event."""
    def work(control: JobControl) -> JobOutcome:
        report = control.step("prepare")
        for done, gate in enumerate(steps, start=1):
            assert gate.wait(WAIT)
            report(done, len(steps))
        if fail is not None:
            raise fail
        return JobOutcome(f"/rounds/{site.round_id}?ok=launch&n=2")
    return start_job(site.app, site.round_id, "launch", "test", work)


def test_the_progress_json_counts_what_the_work_reports(site: Site) -> None:
    gates = [threading.Event(), threading.Event()]
    job_id = _gated_job(site, gates)
    staff = site.as_("canbo")
    url = f"/rounds/{site.round_id}/jobs/{job_id}.json"
    first = staff.get(url)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert first.json()["status"] == "running" and first.json()["label"] == "Đang bắt đầu…"
    gates[0].set()
    for _ in range(int(WAIT / 0.05)):
        if staff.get(url).json()["done"] == 1:
            break
        threading.Event().wait(0.05)
    middle = staff.get(url).json()
    assert (middle["done"], middle["total"], middle["label"]) == (1, 2, "Đã chuẩn bị 1/2 thư gửi các cơ quan, đơn vị")
    assert middle["status_label"] == "Đang thực hiện"
    gates[1].set()
    assert _finished(staff, url)["status"] == "done"


@pytest.mark.parametrize("username, status", [("khac", 403), ("lanhdao", 403), (None, 303)])
def test_only_who_may_change_the_round_follows_its_jobs(site: Site, username: str | None, status: int) -> None:
    gate = threading.Event()
    job_id = _gated_job(site, [gate])
    try:
        for path in (f"/rounds/{site.round_id}/jobs/{job_id}.json", f"/rounds/{site.round_id}/jobs/{job_id}"):
            response = site.as_(username).get(path, follow_redirects=False)
            assert response.status_code == status, path
            if status == 403:
                assert "cán bộ của phòng TĐC hoặc quản trị mới xem được" in response.text and job_id not in response.text
            else:
                assert response.headers["location"].startswith("/login")
    finally:
        gate.set()


def test_an_unknown_job_or_another_rounds_job_is_not_found(site: Site) -> None:
    gate = threading.Event()
    job_id = _gated_job(site, [gate])
    try:
        admin = site.as_("admin")
        for path in (f"/rounds/{site.round_id}/jobs/{'0' * 32}.json", f"/rounds/{site.round_id}/jobs/nope",
                     f"/rounds/{site.draft_id}/jobs/{job_id}.json", f"/rounds/{site.draft_id}/jobs/{job_id}"):
            response = admin.get(path)
            assert response.status_code == 404, path
            assert "Không tìm thấy công việc này." in response.text and "Traceback" not in response.text
        assert admin.get(f"/rounds/9999/jobs/{job_id}.json").status_code == 404
    finally:
        gate.set()


@pytest.mark.parametrize("error, message", [
    (DomainError("Đợt này đã được phát hành.", "round_launched"), "Đợt này đã được phát hành."),
    (RuntimeError("boom: a bug"), FAILED_MESSAGE),
], ids=["domain_refusal", "bug"])
def test_a_failed_job_says_why_in_vietnamese_on_its_page(site: Site, error: BaseException, message: str) -> None:
    gate = threading.Event()
    gate.set()
    job_id = _gated_job(site, [gate], fail=error)
    admin = site.as_("admin")
    job = _finished(admin, f"/rounds/{site.round_id}/jobs/{job_id}.json")
    assert (job["status"], job["status_label"], job["message"], job["result_url"]) == (
        "failed", "Không thực hiện được", message, None)
    page = admin.get(f"/rounds/{site.round_id}/jobs/{job_id}")
    assert page.status_code == 200 and message in page.text
    assert "boom" not in page.text and "Traceback" not in page.text and 'http-equiv="refresh"' not in page.text
    assert '<div id="job-meter" hidden>' in page.text  # it counted nothing: no bar


def test_a_job_whose_process_is_gone_reads_as_interrupted(site: Site) -> None:
    """A running row of another process silent for longer than STALE_AFTER, and one of this process that no thread
    runs (what a restarted server finds), both read as interrupted, and stay so."""
    long_ago = datetime.now(UTC) - jobs.STALE_AFTER - timedelta(seconds=1)
    with site.app.uow() as uow:
        uow.jobs.start("a" * 32, site.round_id, "launch", "test", "prepare", "another-process", long_ago)
        uow.jobs.start("b" * 32, site.round_id, "submission", "test", "build", jobs.OWNER, datetime.now(UTC))
        uow.jobs.start("c" * 32, site.round_id, "launch", "test", "prepare", "another-process", datetime.now(UTC))
        uow.commit()
    admin = site.as_("admin")
    for job_id in ("a" * 32, "b" * 32):
        job = admin.get(f"/rounds/{site.round_id}/jobs/{job_id}.json").json()
        assert (job["status"], job["status_label"], job["message"]) == ("interrupted", "Bị gián đoạn",
                                                                         INTERRUPTED_MESSAGE)
        with site.app.uow() as uow:
            assert uow.jobs.get(job_id).status == "interrupted"  # type: ignore[union-attr]
    alive = admin.get(f"/rounds/{site.round_id}/jobs/{'c' * 32}.json").json()  # another replica's, heard lately
    assert alive["status"] == "running"
