"""Long actions as background jobs: the request starts the work in a thread of this process, or hands it to a
`ykien worker` as a flow run when the process submits to Prefect and the work can run anywhere (`RemoteWork`), and
answers at once; the page polls how far it is. The work reports its own progress (`on_progress(done, total)` from the
use case); a flusher in the process that runs it writes the latest count to the job's row at most every
FLUSH_SECONDS, so that the writes cost a small fraction of the work and any replica can answer the poll. A file the
job makes is kept in the database, for any replica to serve. A running job whose process is gone reads as
interrupted; a job waiting for a worker to take it is not gone, unless its flow run has ended without it
(cancelled or deleted in Prefect's UI): then it reads as interrupted, saying so."""
from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from models.db.job_repository import DONE, FAILED, INTERRUPTED, RUNNING, WAITING_FOR_WORKER, Job, JobFile
from models.errors import DomainError
from models.text import grouped
from workflows.service.app import App
from workflows.service.steps import StepsUnavailable

log = logging.getLogger("ykien.jobs")

OWNER = uuid.uuid4().hex  # this process: a job it started and no longer runs was cut short (a restart)
QUEUED = WAITING_FOR_WORKER  # the owner of a job handed to the workers that none has taken yet
FLUSH_SECONDS = 0.5
HEARTBEAT_SECONDS = 5.0  # a job with nothing new still says it is alive this often
STALE_AFTER = timedelta(seconds=120)  # another process's job silent this long has died with its process
BACKGROUND_FROM_UNITS = 200  # smaller rounds launch and build their package within the request
KEEP_FILES = timedelta(days=7)  # a job's file (a PDF to download) is kept this long, then deleted
RENDER_FLOW = "render"  # the flow a worker runs a PDF job as (workflows/flows.py, render_jobs)

# What the counts of each step count, in the words staff read ({done} and {total} formatted 1.200).
STEP_LABELS = {
    "start": "Đang bắt đầu…",
    "queued": "Đang chờ máy xử lý (ykien worker) nhận việc…",
    "prepare": "Đã chuẩn bị {done}/{total} thư gửi các cơ quan, đơn vị",
    "send": "Đã gửi {done}/{total} thư",
    "build": "Đã lập {done}/{total} văn bản của hồ sơ",
    "compose": "Đang soạn văn bản (bước 1/2)",
    "convert": "Đang chuyển sang PDF (bước 2/2)",
    "converted": "Đã có bản PDF",
}
STATUS_LABELS = {RUNNING: "Đang thực hiện", DONE: "Đã xong", FAILED: "Không thực hiện được",
                 INTERRUPTED: "Bị gián đoạn"}
ACTION_TITLES = {"launch": "Phát hành", "submission": "Lập hồ sơ trình", "pdf": "Bản PDF"}
INTERRUPTED_MESSAGE = ("Công việc bị gián đoạn (máy chủ đã dừng hoặc khởi động lại giữa chừng). Xem trang của đợt "
                       "để biết phần nào đã xong trước khi làm lại.")
FAILED_MESSAGE = "Có lỗi ngoài dự kiến khi thực hiện; không có gì bị ghi dở. Xem nhật ký máy chủ hoặc thử lại."
# A job handed to the workers whose flow run ended before any worker took it (cancelled or deleted in Prefect's UI,
# crashed): it will never run. {state} is the run's state as Prefect's UI names it.
ABANDONED_MESSAGE = ("Không máy xử lý (ykien worker) nào nhận công việc này: lượt chạy của nó trên Prefect đã dừng "
                     "(trạng thái {state}). Không có gì được làm; hãy làm lại từ trang của đợt.")
ASK_PREFECT_SECONDS = 5.0  # a page polling a job waiting for a worker asks Prefect about its run at most this often
SUBMIT_GRACE = timedelta(seconds=30)  # a job this young without a flow run may not have it created yet
DELETED_RUN = "Deleted"  # what `JobSubmitter.job_run_ended` says when no flow run carries the job


class JobNotFound(DomainError):
    def __init__(self) -> None:
        super().__init__("Không tìm thấy công việc này.", "job_not_found")


@dataclass(frozen=True)
class JobOutcome:
    """Where the person goes when the job is done, and what they read there (already in that page's address)."""

    result_url: str


def _utc_now() -> datetime:
    """Real time, not the app's clock: liveness is about the process, and tests and demos freeze the app's clock."""
    return datetime.now(UTC)


class _Live:
    """The latest progress of a job running here; the work writes it, the flusher reads it."""

    def __init__(self, step: str) -> None:
        self.lock = threading.Lock()
        self.step, self.done, self.total = step, 0, 0
        self.sample: Callable[[], int] | None = None

    def set(self, step: str, done: int, total: int, sample: Callable[[], int] | None = None) -> None:
        with self.lock:
            self.step, self.done, self.total, self.sample = step, done, total, sample

    def read(self) -> tuple[str, int, int]:
        with self.lock:
            step, done, total, sample = self.step, self.done, self.total, self.sample
        if sample is not None:  # a step whose work happens elsewhere (delivery): its count is in the database
            done = min(total, sample())
        return step, done, total


_LIVE: dict[str, _Live] = {}
_LIVE_LOCK = threading.Lock()


class JobControl:
    """What the work of a job is given: its id, a progress callback per step, and where to keep its file."""

    def __init__(self, app: App, job_id: str, live: _Live) -> None:
        self._app = app
        self._live = live
        self.job_id = job_id

    def step(self, name: str) -> Callable[[int, int], None]:
        """The `on_progress(done, total)` of a step: cheap (memory only); the flusher writes it."""
        self._live.set(name, 0, 0)

        def on_progress(done: int, total: int) -> None:
            self._live.set(name, done, total)
        return on_progress

    def counted(self, name: str, total: int, sample: Callable[[], int]) -> None:
        """A step whose progress is counted in the database by `sample()` (read at each flush)."""
        self._live.set(name, 0, total, sample)

    def keep(self, filename: str, data: bytes, content_type: str) -> None:
        """The file the job made, stored in the database in one transaction (never seen half-written)."""
        with self._app.uow() as uow:
            uow.jobs.keep_file(self.job_id, filename, content_type, hashlib.sha256(data).hexdigest(), data,
                               _utc_now())
            uow.commit()


def forget_old_files(app: App, now: datetime | None = None) -> int:
    """Delete the files of jobs made more than KEEP_FILES ago (real time: each PDF click makes one, and nothing else
    removes them). Returns how many were deleted."""
    with app.uow() as uow:
        removed = uow.jobs.forget_files_before((now or _utc_now()) - KEEP_FILES)
        uow.commit()
    return removed


def job_file(app: App, job_id: str) -> JobFile | None:
    """The file a job made, if it made one and it is less than a week old."""
    with app.uow(read_only=True) as uow:
        return uow.jobs.file(job_id)


def _write_progress(app: App, job_id: str, progress: tuple[str, int, int]) -> None:
    step, done, total = progress
    with app.uow() as uow:
        uow.jobs.progress(job_id, step, done, total, _utc_now())
        uow.commit()


def _flush_until(app: App, job_id: str, live: _Live, stop: threading.Event) -> None:
    """Write the latest progress every FLUSH_SECONDS when it changed, and every HEARTBEAT_SECONDS anyway. A write
    that waits (SQLite's lock, held by the work's own transaction) delays this thread only, never the work."""
    written: tuple[str, int, int] | None = None
    last = time.monotonic()
    while not stop.wait(FLUSH_SECONDS):
        try:
            progress = live.read()
            if progress != written or time.monotonic() - last >= HEARTBEAT_SECONDS:
                _write_progress(app, job_id, progress)
                written, last = progress, time.monotonic()
        except Exception:  # progress is a courtesy: the work goes on without it
            log.warning("việc nền %s: không ghi được tiến độ", job_id, exc_info=True)


def _finish(app: App, job_id: str, status: str, message: str | None, result_url: str | None) -> None:
    with app.uow() as uow:
        uow.jobs.finish(job_id, status, message, result_url, _utc_now())
        uow.commit()


def _run(app: App, job_id: str, live: _Live, work: Callable[[JobControl], JobOutcome]) -> None:
    stop = threading.Event()
    flusher = threading.Thread(target=_flush_until, args=(app, job_id, live, stop), daemon=True,
                               name=f"job-{job_id[:8]}-progress")
    flusher.start()
    try:
        outcome = work(JobControl(app, job_id, live))
    except DomainError as refused:
        stop.set()
        flusher.join()
        _finish(app, job_id, FAILED, refused.message, None)
    except Exception:
        log.exception("việc nền %s: lỗi", job_id)
        stop.set()
        flusher.join()
        _finish(app, job_id, FAILED, FAILED_MESSAGE, None)
    else:
        stop.set()
        flusher.join()
        _write_progress(app, job_id, live.read())
        _finish(app, job_id, DONE, None, outcome.result_url)
    finally:
        with _LIVE_LOCK:
            _LIVE.pop(job_id, None)


@dataclass(frozen=True)
class RemoteWork:
    """The same work as a flow any worker can run: the flow's name and its parameters besides the job's id (ids and
    names only: the worker builds the work again from its own App)."""

    flow: str
    params: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class JobSubmitter(Protocol):
    """An executor that hands jobs to workers (Prefect's): one flow run of `flow` with these parameters."""

    def submit_job(self, flow: str, params: dict[str, Any]) -> None: ...

    def job_run_ended(self, job_id: str) -> str | None:
        """The state the job's flow run ended in without running it ("Deleted" when there is none), or None while
        it may still run it."""
        ...


def start_job(app: App, round_id: int, action: str, actor: str, work: Callable[[JobControl], JobOutcome],
              remote: RemoteWork | None = None) -> str:
    """Record a job and run `work` in a thread of this process, or, when the process hands its steps to workers and
    the work says how to run it elsewhere (`remote`), submit it as a flow run; its id, at once. A submission that
    fails (Prefect away) runs the work here after all."""
    job_id = uuid.uuid4().hex
    forget_old_files(app)
    submitter = app.executor if remote is not None and isinstance(app.executor, JobSubmitter) else None
    with app.uow() as uow:
        uow.rounds.row(round_id)
        uow.jobs.start(job_id, round_id, action, actor, "queued" if submitter else "start",
                       QUEUED if submitter else OWNER, _utc_now())
        uow.commit()
    if submitter is not None and remote is not None:
        try:
            submitter.submit_job(remote.flow, {"job_id": job_id, **remote.params})
            return job_id
        except StepsUnavailable as error:
            log.warning("việc nền %s: không giao được cho worker (%s); chạy ngay tại đây", job_id, error)
        except Exception:
            log.warning("việc nền %s: không giao được cho worker; chạy ngay tại đây", job_id, exc_info=True)
        if not _take(app, job_id):  # a worker took it meanwhile after all
            return job_id
    _run_in_thread(app, job_id, work)
    return job_id


def _take(app: App, job_id: str) -> bool:
    with app.uow() as uow:
        taken = uow.jobs.take_over(job_id, QUEUED, OWNER, _utc_now())
        uow.commit()
    return taken


def _run_in_thread(app: App, job_id: str, work: Callable[[JobControl], JobOutcome]) -> None:
    live = _Live("start")
    with _LIVE_LOCK:
        _LIVE[job_id] = live
    threading.Thread(target=_run, args=(app, job_id, live, work), daemon=True, name=f"job-{job_id[:8]}").start()


def run_handed_over(app: App, job_id: str, work: Callable[[JobControl], JobOutcome]) -> str | None:
    """Run a job handed to the workers, here and now (a worker's flow run): this process becomes its owner, writes
    its progress and its end. Returns how it ended, or None when it was not waiting for a worker (taken by another,
    or no longer running)."""
    if not _take(app, job_id):
        return None
    live = _Live("start")
    with _LIVE_LOCK:
        _LIVE[job_id] = live
    _run(app, job_id, live, work)
    with app.uow(read_only=True) as uow:
        job = uow.jobs.get(job_id)
    return job.status if job is not None else None


def running_job(app: App, round_id: int, action: str) -> str | None:
    """A job of this action still running for the round (a second click joins it instead of starting another)."""
    with app.uow(read_only=True) as uow:
        jobs = uow.jobs.running_for_round(round_id, action)
    return next((j.id for j in jobs if not _cut_short(j)), None)


def _cut_short(job: Job) -> bool:
    if job.status != RUNNING or job.owner == QUEUED:  # a job waiting for a worker is not gone: it has not started
        return False
    if job.owner == OWNER:
        with _LIVE_LOCK:
            return job.id not in _LIVE
    return _utc_now() - job.updated_at > STALE_AFTER


_ASKED: dict[str, float] = {}  # job id -> when this process last asked Prefect about its run (monotonic)


def _run_ended_untaken(app: App, job: Job) -> bool:
    """Whether the job waits for a worker although its flow run has ended (then it is recorded as abandoned, unless a
    worker took it meanwhile). Asks the submitter at most every ASK_PREFECT_SECONDS per job; a submitter that does not
    answer (Prefect away) leaves the job waiting."""
    submitter = app.executor
    if job.status != RUNNING or job.owner != QUEUED or not isinstance(submitter, JobSubmitter):
        with _LIVE_LOCK:
            _ASKED.pop(job.id, None)
        return False
    now = time.monotonic()
    with _LIVE_LOCK:
        if now - _ASKED.get(job.id, now - ASK_PREFECT_SECONDS) < ASK_PREFECT_SECONDS:
            return False
        _ASKED[job.id] = now
    try:
        state = submitter.job_run_ended(job.id)
    except Exception:
        log.warning("việc nền %s: không hỏi được Prefect về lượt chạy (flow run) của nó", job.id, exc_info=True)
        return False
    if state is None or (state == DELETED_RUN and _utc_now() - job.started_at < SUBMIT_GRACE):
        return False
    with app.uow() as uow:
        abandoned = uow.jobs.abandon(job.id, QUEUED, ABANDONED_MESSAGE.format(state=state), _utc_now())
        uow.commit()
    with _LIVE_LOCK:
        _ASKED.pop(job.id, None)
    if abandoned:
        log.warning("việc nền %s: lượt chạy (flow run) kết thúc (%s) trước khi worker nào nhận", job.id, state)
    return True


@dataclass(frozen=True)
class JobView:
    """A job as the page and its JSON show it."""

    id: str
    round_id: int
    action: str
    actor: str  # who started it: they follow it even when they may not change the round (a leader's PDF)
    title: str
    status: str
    status_label: str
    label: str
    done: int
    total: int
    message: str | None
    result_url: str | None

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "round_id": self.round_id, "status": self.status, "status_label": self.status_label,
                "label": self.label, "done": self.done, "total": self.total, "message": self.message,
                "result_url": self.result_url}


def runs_in_background(app: App, round_id: int) -> bool:
    """Whether the round is large enough for its launch and package to run as a job (one aggregate query)."""
    with app.uow(read_only=True) as uow:
        return uow.rounds.counts_without(round_id, None).asked >= BACKGROUND_FROM_UNITS


def mail_counter(app: App, round_id: int) -> Callable[[], int]:
    """How many of the round's messages delivery has dealt with (sent, or refused for good) since now: the
    progress of a delivery step, read from the outbox by the flusher."""
    def handled() -> int:
        with app.uow(read_only=True) as uow:
            counts = uow.outbox.counts_by_status(round_id)
        return counts.get("sent", 0) + counts.get("failed", 0)
    before = handled()
    return lambda: handled() - before


def job_view(app: App, job_id: str) -> JobView:
    """The job, with the progress of this process's thread when it runs here (fresher than its row); a running
    job whose process is gone is recorded as interrupted. JobNotFound for an unknown id."""
    with app.uow(read_only=True) as uow:
        job = uow.jobs.get(job_id)
    if job is None:
        raise JobNotFound()
    if _run_ended_untaken(app, job):
        with app.uow(read_only=True) as uow:
            job = uow.jobs.get(job_id) or job
    if _cut_short(job):
        _finish(app, job_id, INTERRUPTED, INTERRUPTED_MESSAGE, None)
        with app.uow(read_only=True) as uow:
            job = uow.jobs.get(job_id) or job
    step, done, total = job.step, job.done, job.total
    with _LIVE_LOCK:
        live = _LIVE.get(job_id)
    if live is not None and job.status == RUNNING:
        step, done, total = live.read()
    label = STEP_LABELS.get(step, STEP_LABELS["start"])
    if total:
        label = label.format(done=grouped(done), total=grouped(total))
    elif "{" in label:
        label = STEP_LABELS["start"]
    return JobView(job.id, job.round_id, job.action, job.actor, ACTION_TITLES.get(job.action, job.action), job.status,
                   STATUS_LABELS.get(job.status, job.status), label, done, total, job.message, job.result_url)


__all__ = ["BACKGROUND_FROM_UNITS", "DELETED_RUN", "DONE", "FAILED", "INTERRUPTED", "QUEUED", "RUNNING", "JobControl",
           "JobNotFound", "JobOutcome", "JobSubmitter", "JobView", "RemoteWork", "forget_old_files", "job_file",
           "job_view", "mail_counter", "run_handed_over", "running_job", "runs_in_background", "start_job"]
