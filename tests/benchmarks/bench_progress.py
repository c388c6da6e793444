"""Progress where it takes time: the staff pages' launch, submission package and a PDF render of a round of N units,
answered within the request (what ykien did before the jobs: BACKGROUND_FROM_UNITS out of reach) against the same
actions as background jobs (the request answers at once; the job's JSON is polled as the page polls it), and what a
progress flush costs (one write of the job's row and one count of the round's mail by status).

    .venv/bin/python tests/benchmarks/bench_progress.py [--units 2000 5000] [--no-pdf]

Prints figures; never asserts a time. On a shared machine the figures move with its load: compare within one run."""
from __future__ import annotations

import argparse
import re
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench_support import ACTOR, START, BenchmarkCheckFailed, make_app, prepare_round, print_table

from notifications.testing import smtp_capture
from tests.minimal_pdf import minimal_pdf
from workflows.engine.events import Close, Command
from workflows.service import jobs
from workflows.service.app import App
from workflows.service.drafts import add_version
from workflows.service.rounds import execute
from workflows.service.staff import add_user

PASSWORD = "mat-khau-do-hieu-nang"
POLL_SECONDS = 0.2
PDF = "danh-sach-don-vi.pdf"  # the unit list: the longest render (a row per unit)


@dataclass
class Figures:
    answered: dict[str, float] = field(default_factory=dict)  # seconds until the request answered
    finished: dict[str, float] = field(default_factory=dict)  # seconds until the job was done (0 within the request)
    labels: dict[str, int] = field(default_factory=dict)  # distinct progress labels the poll saw


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found is None:
        raise BenchmarkCheckFailed("no CSRF token on the page")
    return found.group(1)


def _login(client: Any) -> str:
    client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": _csrf(client.get("/login").text)})
    return _csrf(client.get("/").text)


def _follow(client: Any, response: Any) -> tuple[float, int]:
    """Poll the job as its page does until it is done: how long, and how many distinct labels it showed."""
    location = response.headers.get("location") or ""
    if "/jobs/" not in location:
        return 0.0, 0
    started, seen = time.perf_counter(), set()
    while True:
        job = client.get(location + ".json").json()
        seen.add(job["label"])
        if job["status"] != "running":
            break
        time.sleep(POLL_SECONDS)
    if job["status"] != "done":
        raise BenchmarkCheckFailed(f"job {location}: {job}")
    return time.perf_counter() - started, len(seen)


def _timed(figures: Figures, label: str, client: Any, request: Any) -> None:
    started = time.perf_counter()
    response = request()
    figures.answered[label] = time.perf_counter() - started
    if response.status_code not in (200, 303):
        raise BenchmarkCheckFailed(f"{label}: HTTP {response.status_code}")
    figures.finished[label], figures.labels[label] = _follow(client, response)


def measure(units: int, background: bool, pdf: bool) -> Figures:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from workflows.web.app import create_web_app

    jobs.BACKGROUND_FROM_UNITS = 200 if background else 10**9
    home = Path(tempfile.mkdtemp(prefix=f"ykien-progress-{units}-"))
    figures = Figures()
    with smtp_capture() as capture:
        app = make_app(f"sqlite:///{home}/ykien.db", home)
        app.smtp_url_override = capture.url
        round_id = prepare_round(app, home, units)
        add_user(app, "admin", "Quản trị", "admin", PASSWORD, None, ACTOR)
        client = TestClient(create_web_app(app))
        csrf = _login(client)
        _timed(figures, "launch", client, lambda: client.post(
            f"/rounds/{round_id}/launch", follow_redirects=False,
            data={"csrf_token": csrf, "confirmed": "yes", "no_draft_reason": "Đo hiệu năng"}))
        if len(capture.messages) != units:
            raise BenchmarkCheckFailed(f"launch: {len(capture.messages)} of {units} invitations received")
        app.clock.set(START + timedelta(days=20))  # type: ignore[attr-defined]
        execute(app, round_id, Close("Đo hiệu năng"), ACTOR)
        execute(app, round_id, Command("consolidate"), ACTOR)
        (home / "du-thao.pdf").write_bytes(minimal_pdf())
        add_version(app, round_id, home / "du-thao.pdf", ["Mục I"], None, ACTOR)
        csrf = _login(client)  # the clock moved past the session's lifetime
        if pdf:
            _timed(figures, f"pdf {PDF}", client, lambda: client.get(f"/rounds/{round_id}/pdf/{PDF}",
                                                                     follow_redirects=False))
        _timed(figures, "submission", client, lambda: client.post(
            f"/rounds/{round_id}/submission", data={"csrf_token": csrf, "confirmed": "yes"}, follow_redirects=False))
        flush = _flush_cost(app, round_id)
        app.close()
    figures.answered["flush"] = flush
    return figures


def _flush_cost(app: App, round_id: int, repeats: int = 100) -> float:
    """Seconds one flush of a launch's send step takes: the job's row written, the round's mail counted by status."""
    job_id = uuid.uuid4().hex
    with app.uow() as uow:
        uow.jobs.start(job_id, round_id, "launch", ACTOR, "send", "benchmark", jobs._utc_now())
        uow.commit()
    count = jobs.mail_counter(app, round_id)
    started = time.perf_counter()
    for done in range(repeats):
        jobs._write_progress(app, job_id, ("send", min(done, count()), repeats))
    return (time.perf_counter() - started) / repeats


def run(sizes: list[int], pdf: bool) -> None:
    rows = []
    for units in sizes:
        within, job = measure(units, False, pdf), measure(units, True, pdf)
        for action in within.finished:
            rows.append((f"{units:,} units: {action}", f"{within.answered[action]:.2f} s",
                         f"{job.answered[action]:.2f} s", f"{job.finished[action]:.2f} s", str(job.labels[action])))
        rows.append((f"{units:,} units: one progress flush", "", f"{job.answered['flush'] * 1000:.2f} ms",
                     f"{job.answered['flush'] / jobs.FLUSH_SECONDS:.2%} of the time", ""))
    print_table("Long actions on the staff pages: within the request, and as background jobs (SQLite, TestClient)",
                ["action", "request (before)", "request (job)", "job done after", "labels seen"], rows,
                ["'request (before)': the whole action inside the request, as before the jobs",
                 f"'labels seen': distinct progress labels the page's poll (every {POLL_SECONDS} s here) showed",
                 f"a flush runs every {jobs.FLUSH_SECONDS} s in the job's own thread, never in the work's"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="+", default=[2000, 5000])
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF render (needs LibreOffice)")
    options = parser.parse_args()
    run(options.units, not options.no_pdf)
