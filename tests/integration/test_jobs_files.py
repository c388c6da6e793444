"""A job's file in the database, on SQLite and PostgreSQL: kept with its size and SHA-256 by the job's work, read
back byte for byte by another App on the same database (another replica), deleted after a week; and a job handed
to the workers is taken by one process only."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from workflows.service import jobs
from workflows.service.app import App, build_app
from workflows.service.jobs import DONE, QUEUED, JobControl, JobOutcome, run_handed_over

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64  # every byte value: a binary column, not text


def _queued(app: App, round_id: int, job_id: str) -> None:
    with app.uow() as uow:
        uow.jobs.start(job_id, round_id, "pdf", "test", "queued", QUEUED, datetime.now(UTC))
        uow.commit()


def _keeping(round_id: int) -> Callable[[JobControl], JobOutcome]:
    def work(control: JobControl) -> JobOutcome:
        control.keep("cong-van.pdf", PDF, "application/pdf")
        return JobOutcome(f"/rounds/{round_id}/jobs/{control.job_id}/file")
    return work


def test_a_handed_over_job_keeps_its_file_for_any_replica_once_and_for_a_week(
        app: App, make_round: Callable[..., int]) -> None:
    round_id = make_round()
    _queued(app, round_id, "f" * 32)
    assert run_handed_over(app, "f" * 32, _keeping(round_id)) == DONE
    assert run_handed_over(app, "f" * 32, _keeping(round_id)) is None  # not waiting any more: never run twice
    assert run_handed_over(app, "0" * 32, _keeping(round_id)) is None  # an unknown job: nothing recorded
    replica = build_app(app.settings)
    try:
        kept = jobs.job_file(replica, "f" * 32)
        assert kept is not None and kept.data == PDF and kept.size == len(PDF)
        assert (kept.filename, kept.content_type) == ("cong-van.pdf", "application/pdf")
        assert kept.sha256 == hashlib.sha256(PDF).hexdigest()
        assert jobs.forget_old_files(replica, datetime.now(UTC) + jobs.KEEP_FILES - timedelta(minutes=1)) == 0
        assert jobs.forget_old_files(replica, datetime.now(UTC) + jobs.KEEP_FILES + timedelta(minutes=1)) == 1
        assert jobs.job_file(app, "f" * 32) is None and jobs.job_file(app, "0" * 32) is None
    finally:
        replica.close()


def test_two_workers_taking_one_job_run_it_once(app: App, make_round: Callable[..., int]) -> None:
    round_id = make_round()
    _queued(app, round_id, "t" * 32)
    runs: list[str] = []
    ended: list[str | None] = []
    start = threading.Barrier(2)

    def work(control: JobControl) -> JobOutcome:
        runs.append(control.job_id)
        return JobOutcome("/")

    def worker() -> None:
        own = build_app(app.settings)
        try:
            start.wait(10)
            ended.append(run_handed_over(own, "t" * 32, work))
        finally:
            own.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert runs == ["t" * 32] and sorted(ended, key=str) == [None, DONE]
