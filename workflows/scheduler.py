"""`ykien serve`: APScheduler wakes the sweep; the database says what is due.

One BackgroundScheduler per process: an interval job plus a date job at the next due timer.
Missed wake-ups are harmless (coalesce, large misfire grace) because the sweep reads the database,
and two processes may sweep at once because rows are claimed.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from notifications.pdf import PdfServer
from notifications.sink import MailSink
from workflows.service.app import App
from workflows.service.mail import store_received
from workflows.service.operations import SWEEP_SECONDS
from workflows.service.sweep import run_due

log = logging.getLogger("ykien.serve")
SWEEP_JOB = "sweep"
WAKE_JOB = "wake"


class Sweeper:
    """Runs the sweep and plans the next wake-up at the earliest pending timer."""

    def __init__(self, app: App, scheduler: BackgroundScheduler) -> None:
        self.app = app
        self.scheduler = scheduler
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def sweep(self) -> None:
        if not self.lock.acquire(blocking=False):
            return
        try:
            with SWEEP_SECONDS.time():
                report = run_due(self.app)
            if report.timers_fired or report.delivery.sent or report.delivery.failed:
                log.info("sweep: %d timers, %d sent, %d failed, %d to retry", report.timers_fired,
                         report.delivery.sent, report.delivery.failed, report.delivery.retrying)
            for error in report.delivery_errors:  # the commands stand; their mail waits for the next sweep
                log.warning("sweep: delivery failed (%s); the messages stay in the outbox", error)
        except Exception:  # a failed sweep must not stop the scheduler; the next one retries
            log.exception("sweep failed")
        finally:
            self.lock.release()
        self.plan_wake()

    def plan_wake(self) -> None:
        if self.stopping.is_set():
            return
        with self.app.uow(read_only=True) as uow:
            due = uow.timers.next_due()
        if due is None:
            return
        # With a frozen clock (YKIEN_NOW) the due time is not on the wall clock; the interval job covers it.
        delay = max((due - self.app.clock.now()).total_seconds(), 0.0)
        run_at = datetime.now(UTC) + timedelta(seconds=delay)
        self.scheduler.add_job(self.sweep, "date", run_date=run_at, id=WAKE_JOB, replace_existing=True,
                               misfire_grace_time=24 * 3600, coalesce=True)


def _run_web(app: App, host: str, port: int, pdf_server: PdfServer | None = None) -> None:
    """Serve the web app until SIGINT/SIGTERM (uvicorn installs the handlers and shuts down gracefully)."""
    import uvicorn

    from workflows.web.app import create_web_app

    web_app = create_web_app(app)
    web_app.state.pdf_server = pdf_server  # the documents tab renders its PDFs through it once it answers
    config = uvicorn.Config(web_app, host=host, port=port, log_level="warning", access_log=False,
                            proxy_headers=False)
    log.info("web app on http://%s:%d", host, port)
    # uvicorn re-raises the signal it already handled by shutting down gracefully, under the handler it found:
    # KeyboardInterrupt for SIGINT, _Terminated for SIGTERM (serve_forever's handler).
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()


class _Terminated(Exception):
    """SIGTERM reached `ykien serve`: stop as on Ctrl-C, stopping what was started."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated()


def configure_prefect(app: App) -> None:
    """Keep Prefect's state under the ykien home and its analytics off (the machines are offline)."""
    os.environ.setdefault("PREFECT_HOME", str(app.settings.home / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def serve_forever(app: App, interval: float = 30.0, use_prefect: bool = True,
                  stop: threading.Event | None = None, host: str = "127.0.0.1", port: int = 8000,
                  web: bool = True) -> None:
    """The web app (uvicorn, in the main thread), the scheduler and the embedded sink in one process; with the web
    app, LibreOffice kept warm (unoserver, a child process stopped on the way out) for the documents' PDFs."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    stop = stop or threading.Event()
    sink: MailSink | None = None
    scheduler: BackgroundScheduler | None = None
    sweeper: Sweeper | None = None
    pdf_server: PdfServer | None = None
    # Python ends the process on SIGTERM without running `finally`: raise instead, from the first line on, so that
    # what was started (the sink, the scheduler, LibreOffice) is stopped whenever the signal comes.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if main_thread else None
    try:
        if not app.smtp_url:
            sink = MailSink(store_received(app))
            sink.start()
            app.smtp_url_override = sink.url
            log.info("embedded mail sink on %s (mail is kept in the database)", sink.url)
        if use_prefect:
            configure_prefect(app)
            from workflows.flows import PrefectExecutor

            app.executor = PrefectExecutor()
            log.info("steps run as Prefect flows (PREFECT_HOME=%s)", os.environ["PREFECT_HOME"])
        scheduler = BackgroundScheduler(timezone=UTC, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600})
        sweeper = Sweeper(app, scheduler)
        scheduler.add_job(sweeper.sweep, "interval", seconds=interval, id=SWEEP_JOB,
                          next_run_time=datetime.now(UTC))
        scheduler.start()
        log.info("ykien serve: sweeping every %.0f s; Ctrl-C stops", interval)
        # Only the web app renders PDFs in this process; until the server answers (about 6 s) and if it is missing
        # (no LibreOffice or python3-uno: logged), a render starts LibreOffice for itself.
        if web:
            pdf_server = PdfServer()
            if not pdf_server.start():
                pdf_server = None
            _run_web(app, host, port, pdf_server)
        else:
            for signum in (signal.SIGINT, signal.SIGTERM):
                if main_thread:
                    signal.signal(signum, lambda *_: stop.set())
            stop.wait()
    except (_Terminated, KeyboardInterrupt):
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)  # a second SIGTERM while stopping ends the process at once
        log.info("stopping: waiting for the sweep in progress")
        if sweeper is not None and scheduler is not None:
            sweeper.stopping.set()
            # shutdown(wait=True) would hold the job-store lock while the sweep needs it to plan its wake-up.
            scheduler.shutdown(wait=False)
            with sweeper.lock:
                pass
        if pdf_server is not None:
            pdf_server.stop()  # SIGTERM, then SIGKILL to its process group: no LibreOffice outlives serve
        if sink is not None:
            sink.stop()
        app.close()
        log.info("stopped")
