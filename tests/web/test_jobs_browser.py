"""In Debian's chromium: the progress page of a background job shows the work's own counts as they come (a job
driven step by step by the test), then moves on to its result; a launch through the form of a round that runs in
the background lands on the round's page with its message; a PDF handed to the workers waits for one, then offers its
download once a worker's App has rendered it. The progress page is shot at 1366 and 375 px into the test's
temporary folder."""
from __future__ import annotations

import re
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from models.errors import DomainError
from workflows.demo import seed_round
from workflows.service import jobs
from workflows.service.app import build_app
from workflows.service.jobs import JobControl, JobOutcome, start_job
from workflows.service.render_jobs import run_render, start_render
from workflows.service.rounds import create_round
from workflows.service.views import round_view

if TYPE_CHECKING:
    from conftest import LiveSite  # tests/web/conftest.py, for the fixture's type only

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}
WAIT = 30.0


def _stepped_job(site: LiveSite, round_id: int, gates: list[threading.Event]) -> str:
    """A job that reports 1/2 then 2/2, each once the test opens its gate, and goes to the round's page."""
    def work(control: JobControl) -> JobOutcome:
        report = control.step("prepare")
        for done, gate in enumerate(gates, start=1):
            assert gate.wait(WAIT)
            report(done * 600, len(gates) * 600)
        return JobOutcome(f"/rounds/{round_id}?ok=launch&n={len(gates) * 600}")
    return start_job(site.app, round_id, "launch", "test", work)


def test_the_progress_page_follows_the_job_then_goes_to_its_result(
        live_site: LiveSite, chromium: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    site = live_site
    round_id = create_round(site.app, replace(seed_round(), deadline=site.app.calendar.add_working_days(
        site.clock.now().date(), 10)), "test")
    errors: list[str] = []
    for size, viewport in WIDTHS.items():
        gates = [threading.Event(), threading.Event()]
        job_id = _stepped_job(site, round_id, gates)
        try:
            page = site.login(chromium.new_context(viewport=viewport, locale="vi-VN"))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(site.url(f"/rounds/{round_id}/jobs/{job_id}"))
            bar = page.locator("progress#job-progress")
            expect(page.locator("#job-label")).to_have_text("Đang bắt đầu…")
            gates[0].set()
            expect(page.locator("#job-label")).to_have_text("Đã chuẩn bị 600/1.200 thư gửi các cơ quan, đơn vị",
                                                            timeout=WAIT * 1000)
            assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("600", "1200")
            assert page.get_by_label("Đã chuẩn bị 600/1.200 thư gửi các cơ quan, đơn vị").count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            page.screenshot(path=str(tmp_path / f"job_progress_{size}.png"), full_page=True)
            if size == "desktop":
                serious = [f"{v['id']} [{v['impact']}]" for v in Axe().run(page).response["violations"]
                           if v["impact"] in ("serious", "critical")]
                assert serious == []
            gates[1].set()
            page.wait_for_url(re.compile(rf".*/rounds/{round_id}\?ok=launch&n=1200$"), timeout=WAIT * 1000)
            page.context.close()
        finally:
            for gate in gates:
                gate.set()

    refusal = "Đợt số 1 chưa có tệp dự thảo: hãy sửa bản nháp để đính kèm tệp, hoặc ghi lý do không kèm dự thảo."
    gate = threading.Event()

    def refused(control: JobControl) -> JobOutcome:
        assert gate.wait(WAIT)
        raise DomainError(refusal, "draft_required")
    job_id = start_job(site.app, round_id, "launch", "test", refused)
    page = site.login(chromium.new_context(viewport=WIDTHS["phone"], locale="vi-VN"))
    page.goto(site.url(f"/rounds/{round_id}/jobs/{job_id}"))
    gate.set()
    expect(page.locator("#job-message")).to_have_text(refusal, timeout=WAIT * 1000)
    expect(page.locator("#job-message")).to_be_focused()
    expect(page.locator("#job-status")).to_have_text("Không thực hiện được")
    expect(page.locator("#job-progress")).to_be_hidden()  # it counted nothing: no bar that looks at work
    for size, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(tmp_path / f"job_failed_{size}.png"), full_page=True)
    page.context.close()

    monkeypatch.setattr(jobs, "BACKGROUND_FROM_UNITS", 1)  # the 12-unit round launches as a job
    page = site.login(chromium.new_context(viewport=WIDTHS["desktop"], locale="vi-VN"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url(f"/rounds/{round_id}/launch"))
    page.fill("textarea[name=no_draft_reason]", "Dự thảo gửi kèm bản giấy")
    page.click("main form button[type=submit]")
    page.click("button:has-text('Xác nhận')")
    page.wait_for_url(re.compile(rf".*/rounds/{round_id}\?ok=launch&n=\d+"), timeout=WAIT * 1000)
    assert "Đã phát hành" in page.locator(".flash").inner_text()
    assert round_view(site.app, round_id).state.status == "circulating"
    assert len(site.capture.messages) == len(round_view(site.app, round_id).units)
    page.context.close()
    assert errors == []


class _Submitter:
    """The web process's hand-over to the workers (`jobs.JobSubmitter`): the test runs the flow run it stands for."""

    def __init__(self) -> None:
        self.submitted: list[dict[str, Any]] = []

    def submit_job(self, flow: str, params: dict[str, Any]) -> None:
        self.submitted.append(params)

    def job_run_ended(self, job_id: str) -> str | None:
        return None  # the run it stands for waits until the test runs it


def test_a_pdf_handed_to_the_workers_waits_for_one_then_offers_its_download(
        live_site: LiveSite, chromium: Any, tmp_path: Path) -> None:
    from debian_tools import require_tools
    from playwright.sync_api import expect

    require_tools("soffice")
    site = live_site
    round_id = create_round(site.app, replace(seed_round(), deadline=site.app.calendar.add_working_days(
        site.clock.now().date(), 10)), "test")
    submitter = _Submitter()
    site.app.executor = submitter
    job_id = start_render(site.app, round_id, "cong-van-xin-y-kien.pdf", site.username)
    errors: list[str] = []
    page = site.login(chromium.new_context(viewport=WIDTHS["desktop"], locale="vi-VN"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url(f"/rounds/{round_id}/jobs/{job_id}"))
    expect(page.locator("#job-label")).to_have_text("Đang chờ máy xử lý (ykien worker) nhận việc…")
    for size, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(tmp_path / f"job_queued_{size}.png"), full_page=True)
    worker = build_app(site.app.settings)  # the worker's own App, as `ykien worker` builds it
    try:
        (params,) = submitter.submitted
        assert run_render(worker, **params) == "done"
    finally:
        worker.close()
    expect(page.locator("#job-status")).to_have_text("Đã xong", timeout=WAIT * 1000)
    expect(page.locator("#job-result-link")).to_have_attribute("href", f"/rounds/{round_id}/jobs/{job_id}/file")
    for size, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(tmp_path / f"job_pdf_done_{size}.png"), full_page=True)
    page.context.close()
    assert errors == []
