"""The submission package and a PDF as background jobs: the documents counted as they are built, then the
documents tab with its usual message (the package recorded once); the PDF a download kept on its page, served from
the database (any replica serves it) for a week."""
from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from debian_tools import require_tools

from models.db.tables_jobs import JobFileRow
from notifications.pdf import INSTALL_HINT
from tests.web.test_consolidation_pages import STAFF, Site, _consolidated, _pdf
from tests.web.test_consolidation_pages import shared as shared  # the story, built once per module
from tests.web.test_consolidation_pages import site as site
from workflows.service import jobs
from workflows.service.drafts import add_version
from workflows.service.submission import submission_packages

WAIT = 30.0


def _finished(browser: Any, url: str) -> dict[str, Any]:
    pause = threading.Event()
    for _ in range(int(WAIT / 0.05)):
        job = browser.get(url).json()
        if job["status"] != "running":
            return job  # type: ignore[no-any-return]
        pause.wait(0.05)
    raise AssertionError(f"the job at {url} still runs: {job}")


def test_a_package_built_in_the_background_counts_its_documents_and_lands_on_the_documents_tab(
        site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_UNITS", 1)
    _consolidated(site)
    add_version(site.app, site.round_id, _pdf(tmp_path), ["Mục I"], None, STAFF)
    staff = site.as_("canbo")
    started = staff.post(f"/rounds/{site.round_id}/submission", {"confirmed": "yes"})
    assert started.status_code == 303 and f"/rounds/{site.round_id}/jobs/" in started.headers["location"]
    job = _finished(staff, started.headers["location"] + ".json")
    assert (job["status"], job["done"], job["total"], job["label"]) == ("done", 5, 5, "Đã lập 5/5 văn bản của hồ sơ")
    assert job["result_url"] == f"/rounds/{site.round_id}/documents?ok=submitted"
    assert "Đã lập hồ sơ trình" in staff.get(job["result_url"]).text
    assert site.status() == "submitted" and len(submission_packages(site.app, site.round_id)) == 1
    again = staff.post(f"/rounds/{site.round_id}/submission", {"confirmed": "yes"})  # the state has no package now
    assert again.status_code == 409 and "đã được trình" in again.text


def test_a_pdf_rendered_in_the_background_is_a_download_for_who_asked_for_it(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tools("soffice")
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_UNITS", 1)
    leader = site.as_("lanhdao")  # may read the round and download its documents, not change it
    started = leader.get(f"/rounds/{site.round_id}/pdf/cong-van-xin-y-kien.pdf", follow_redirects=False)
    assert started.status_code == 303 and f"/rounds/{site.round_id}/jobs/" in started.headers["location"]
    job = _finished(leader, started.headers["location"] + ".json")
    assert (job["status"], job["done"], job["total"], job["label"]) == ("done", 2, 2, "Đã có bản PDF")
    assert job["result_url"] == started.headers["location"] + "/file"
    page = leader.get(started.headers["location"], follow_redirects=False)  # the page keeps the link: no re-download
    assert page.status_code == 200 and f'href="{job["result_url"]}"' in page.text
    assert 'http-equiv="refresh"' not in page.text
    pdf = leader.get(job["result_url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and 'filename="cong-van-xin-y-kien.pdf"' in pdf.headers[
        "content-disposition"]
    assert site.as_("khac").get(job["result_url"]).status_code == 403  # another office's staff did not ask for it
    # Kept in the database, not under the home: nothing on this machine's disk is needed to serve it
    job_id = job["result_url"].split("/")[-2]
    assert not (site.app.settings.home / "jobs").exists()
    with site.app.uow(read_only=True) as uow:
        kept = uow.jobs.file(job_id)
    assert kept is not None and kept.data == pdf.content and kept.size == len(pdf.content)
    assert kept.sha256 == hashlib.sha256(pdf.content).hexdigest() and kept.content_type == "application/pdf"
    # A week on, the next job deletes the file (each PDF click makes one): its link says so instead of serving it
    fresh = leader.get(f"/rounds/{site.round_id}/pdf/cong-van-xin-y-kien.pdf", follow_redirects=False)
    assert _finished(leader, fresh.headers["location"] + ".json")["status"] == "done"
    with site.app.uow() as uow:
        uow.session.get(JobFileRow, job_id).created_at = datetime.now(UTC) - jobs.KEEP_FILES - timedelta(minutes=1)  # type: ignore[union-attr]
        uow.commit()
    assert jobs.forget_old_files(site.app) == 1 and jobs.forget_old_files(site.app) == 0
    gone = leader.get(job["result_url"])
    assert gone.status_code == 404 and "giữ 7 ngày" in gone.text
    assert leader.get(fresh.headers["location"] + "/file").content.startswith(b"%PDF-")  # the newer one stays


def test_without_libreoffice_the_pdf_job_says_how_to_install_it(
        site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "BACKGROUND_FROM_UNITS", 1)
    monkeypatch.setenv("PATH", str(tmp_path))
    staff = site.as_("canbo")
    started = staff.get(f"/rounds/{site.round_id}/pdf/cong-van-xin-y-kien.pdf", follow_redirects=False)
    job = _finished(staff, started.headers["location"] + ".json")
    assert job["status"] == "failed" and INSTALL_HINT in job["message"] and job["result_url"] is None
    page = staff.get(started.headers["location"])
    assert INSTALL_HINT in page.text and "Traceback" not in page.text
    assert staff.get(started.headers["location"] + "/file").status_code == 404
