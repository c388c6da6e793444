"""The background jobs' rows: started, moved on (done of total), finished; read by id for the page that polls."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.db.tables_jobs import JobRow

RUNNING = "running"
DONE = "done"
FAILED = "failed"
INTERRUPTED = "interrupted"


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

    def running_for_round(self, round_id: int, action: str) -> list[Job]:
        rows = self.session.scalars(select(JobRow).where(JobRow.round_id == round_id, JobRow.action == action,
                                                         JobRow.status == RUNNING))
        return [_job(row) for row in rows]
