"""The submission package as a background job: the documents counted as they are built, then the documents tab
with its usual message; the package recorded once."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

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
