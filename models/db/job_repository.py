"""The background jobs' rows: started, moved on (done of total), finished; read by id for the page that polls."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.db.tables_jobs import JobFileRow, JobRow

RUNNING = "running"
DONE = "done"
FAILED = "failed"
INTERRUPTED = "interrupted"
WAITING_FOR_WORKER = "queued"  # the owner of a running job handed to the workers that none has taken yet


@dataclass(frozen=True)
class Job:
    id: str
    round_id: int
    action: str
    actor: str
    status: str
    step: str
    done: int
    total: int
    result_url: str | None
    message: str | None
    owner: str
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class JobFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes
    created_at: datetime


def _job(row: JobRow) -> Job:
    return Job(row.id, row.round_id, row.action, row.actor, row.status, row.step, row.done, row.total,
               row.result_url, row.message, row.owner, row.started_at, row.updated_at, row.finished_at)


class JobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def start(self, job_id: str, round_id: int, action: str, actor: str, step: str, owner: str,
              now: datetime) -> None:
        self.session.add(JobRow(id=job_id, round_id=round_id, action=action, actor=actor, status=RUNNING, step=step,
                                done=0, total=0, owner=owner, started_at=now, updated_at=now))
        self.session.flush()

    def get(self, job_id: str) -> Job | None:
        row = self.session.get(JobRow, job_id)
        return _job(row) if row is not None else None

    def progress(self, job_id: str, step: str, done: int, total: int, now: datetime) -> None:
        """How far a running job is; a job that has ended keeps its end."""
        self.session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status == RUNNING)
                             .values(step=step, done=done, total=total, updated_at=now))

    def finish(self, job_id: str, status: str, message: str | None, result_url: str | None, now: datetime) -> None:
        self.session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status == RUNNING).values(
            status=status, message=message, result_url=result_url, updated_at=now, finished_at=now))

    def abandon(self, job_id: str, expected_owner: str, message: str, now: datetime) -> bool:
        """A job no process will take ends interrupted, with why; False when someone took it meanwhile."""
        ended = self.session.execute(update(JobRow).where(
            JobRow.id == job_id, JobRow.status == RUNNING, JobRow.owner == expected_owner).values(
            status=INTERRUPTED, message=message, updated_at=now, finished_at=now))
        return bool(ended.rowcount)  # type: ignore[attr-defined]

    def running_for_round(self, round_id: int, action: str) -> list[Job]:
        rows = self.session.scalars(select(JobRow).where(JobRow.round_id == round_id, JobRow.action == action,
                                                         JobRow.status == RUNNING))
        return [_job(row) for row in rows]

    def take_over(self, job_id: str, expected_owner: str, owner: str, now: datetime) -> bool:
        """The process that runs a job handed over (a flow run on a worker) names itself its owner; False when the
        job is no longer running or someone else took it."""
        taken = self.session.execute(update(JobRow).where(
            JobRow.id == job_id, JobRow.status == RUNNING, JobRow.owner == expected_owner).values(
            owner=owner, updated_at=now))
        return bool(taken.rowcount)  # type: ignore[attr-defined]

    def keep_file(self, job_id: str, filename: str, content_type: str, sha256: str, data: bytes,
                  now: datetime) -> None:
        """The job's file (one per job: a run done again replaces it)."""
        self.session.execute(delete(JobFileRow).where(JobFileRow.job_id == job_id))
        self.session.add(JobFileRow(job_id=job_id, filename=filename, content_type=content_type, size=len(data),
                                    sha256=sha256, data=data, created_at=now))
        self.session.flush()

    def file(self, job_id: str) -> JobFile | None:
        row = self.session.get(JobFileRow, job_id)
        return None if row is None else JobFile(row.filename, row.content_type, row.size, row.sha256, row.data,
                                                row.created_at)

    def forget_files_before(self, limit: datetime) -> int:
        """Remove the files made before `limit` (by the index on created_at, never reading their bytes)."""
        removed = self.session.execute(delete(JobFileRow).where(JobFileRow.created_at < limit))
        return int(removed.rowcount)  # type: ignore[attr-defined]
