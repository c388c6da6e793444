"""`ykien serve`: APScheduler wakes the sweep; the database says what is due.

One BackgroundScheduler per process: an interval job plus a date job at the next due timer.
Missed wake-ups are harmless (coalesce, large misfire grace) because the sweep reads the database,
and two processes may sweep at once because rows are claimed.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from config.prefect_api import configured_prefect_api
from notifications.pdf import PdfServer
from notifications.sink import MailSink
from workflows.logs import configure_logging
from workflows.service.app import STOP_SIGNALS, App, wait_woken_by_signals
from workflows.service.database_outage import outage_of
from workflows.service.mail import store_received
from workflows.service.operations import SWEEP_SECONDS
from workflows.service.sweep import finished_while_database_answers, run_due

log = logging.getLogger("ykien.serve")
SWEEP_JOB = "sweep"
WAKE_JOB = "wake"
WEB_GRACE_SECONDS = 3  # requests in progress when serve is stopped; the whole stop stays within 10 s
# The sweep in progress once serve is asked to stop (it claims nothing more, the messages on the wire finish) is
# waited for this long at a time, for as long as the database answers.
SWEEP_STOP_SECONDS = 3.0


class Sweeper:
    """Runs the sweep and plans the next wake-up at the earliest pending timer."""

    def __init__(self, app: App, scheduler: BackgroundScheduler) -> None:
        self.app = app
        self.scheduler = scheduler
        self.lock = threading.Lock()
        self.errors_told: set[str] = set()  # the delivery errors of the last sweep, already logged

    def sweep(self) -> None:
        """One sweep, then the next wake-up planned. Nothing escapes to APScheduler: a database that cannot be
        reached is said once until it answers again (database_outage), any other error with its traceback; the
        next sweep tries again either way."""
        if not self.lock.acquire(blocking=False):
            return
        outage = outage_of(self.app)
        try:
            try:
                with SWEEP_SECONDS.time():
                    report = run_due(self.app)
                if report.timers_fired or report.delivery.sent or report.delivery.failed:
                    log.info("quét: %d việc hẹn giờ; thư đã gửi %d, lỗi %d, chờ gửi lại %d", report.timers_fired,
                             report.delivery.sent, report.delivery.failed, report.delivery.retrying)
                self.tell_errors(report.delivery_errors)
            finally:
                self.lock.release()  # before planning: serve's stop waits on the lock, the wake-up on the job store
            self.plan_wake()  # reads the database too: its error was APScheduler's second traceback of each sweep
        except Exception as error:  # a failed sweep must not stop the scheduler; the next one retries
            if not outage.failed(error, "lượt quét"):
                log.exception("quét: lượt quét lỗi; lượt sau chạy lại")
        else:
            outage.answered()

    def tell_errors(self, errors: list[str]) -> None:
        """Log each delivery error of a sweep once while it lasts (an outage fails every sweep alike: one line
        when it starts, one when it ends), not again at every sweep. The commands stand; their mail waits."""
        current = list(dict.fromkeys(errors))
        for error in current:
            if error not in self.errors_told:
                log.warning("quét: gửi thư lỗi (%s); thư vẫn chờ trong hàng đợi, các lần quét sau gửi lại", error)
        if self.errors_told and not current:
            log.info("quét: không còn lỗi gửi thư")
        self.errors_told = set(current)

    def plan_wake(self) -> None:
        if self.app.stopping.is_set():
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


class StopRequest:
    """What SIGTERM and SIGINT do to `ykien serve`: set the stop flags (the sweep and the delivery claim nothing
    more, see App.stopping) and ask the web server, once there is one, to shut down.

    The handler never raises: an exception raised by a signal handler that interrupts a weakref callback or a
    `__del__` is printed and dropped by Python, and the signal with it (serve then ran on after SIGTERM)."""

    def __init__(self, app: App, stop: threading.Event) -> None:
        self.app = app
        self.stop = stop
        self.web_server: Any = None  # uvicorn.Server, set once it is built

    def __call__(self, signum: int, frame: object) -> None:
        self.request()

    def request(self) -> None:
        self.stop.set()
        self.app.stopping.set()
        if self.web_server is not None:
            self.web_server.should_exit = True


def _run_web(app: App, host: str, port: int, stop_request: StopRequest, pdf_server: PdfServer | None = None) -> None:
    """Serve the web app until SIGINT/SIGTERM. While it runs uvicorn handles both signals (stopping the sweep at
    once through `stop_request`, then shutting down gracefully, requests in progress given a few seconds)."""
    import uvicorn

    from workflows.web.app import create_web_app

    class WebServer(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            super().handle_exit(sig, frame)  # first: uvicorn takes a SIGINT after should_exit for a forced exit
            stop_request.request()

    web_app = create_web_app(app)
    web_app.state.pdf_server = pdf_server  # started by the documents tab; its PDFs and signing go through it
    config = uvicorn.Config(web_app, host=host, port=port, log_level="warning", access_log=False,
                            log_config=None, proxy_headers=False, timeout_graceful_shutdown=WEB_GRACE_SECONDS)
    server = WebServer(config)
    stop_request.web_server = server
    if stop_request.stop.is_set():  # the signal came while the web app was being built
        return
    log.info("giao diện web tại http://%s:%d", host, port)
    server.run()


def configure_prefect(app: App) -> None:
    """Keep Prefect's client state under the ykien home and its analytics off (the machines are offline). The
    server is PREFECT_API_URL's (`prefect server start`, run on its own): serve never starts one."""
    os.environ.setdefault("PREFECT_HOME", str(app.settings.home / "prefect"))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def serve_forever(app: App, interval: float = 30.0, use_prefect: bool = True,
                  stop: threading.Event | None = None, host: str = "127.0.0.1", port: int = 8000,
                  web: bool = True) -> None:
    """The web app (uvicorn, in the main thread), the scheduler and the embedded sink in one process; with the web
    app, LibreOffice kept warm for the documents' PDFs once staff first open them (unoserver, a child process
    stopped on the way out)."""
    configure_logging(app.settings.log_format)
    stop = stop or threading.Event()
    sink: MailSink | None = None
    scheduler: BackgroundScheduler | None = None
    sweeper: Sweeper | None = None
    pdf_server: PdfServer | None = None
    stop_request = StopRequest(app, stop)
    # From the first line on, SIGTERM (systemd, containers) and SIGINT (Ctrl-C) only set flags: whenever the signal
    # comes, what was started (the sink, the scheduler, LibreOffice) is stopped below and serve exits 0.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, stop_request) for signum in STOP_SIGNALS} if main_thread else {}
    try:
        if stop.is_set():  # asked to stop while starting up
            return
        app.calendar  # noqa: B018  # built now, not by the first burst of requests all waiting on it
        if not app.smtp_url:
            sink = MailSink(store_received(app))
            sink.start()
            app.smtp_url_override = sink.url
            log.info("hộp thư nội bộ tại %s (thư được lưu trong cơ sở dữ liệu)", sink.url)
        if use_prefect:
            configure_prefect(app)
            from workflows.flows import PrefectExecutor

            app.executor = PrefectExecutor(app.settings.work_pool, app.installation_id)
            log.info("các bước nặng được gửi tới work pool %r của Prefect tại %s; `ykien worker` chạy chúng",
                     app.settings.work_pool, configured_prefect_api())
        else:  # said, so that an admin who ran `prefect config set` (a profile ykien does not read) sees it
            log.info("các bước nặng chạy ngay trong tiến trình này, không qua Prefect (chưa đặt biến môi trường "
                     "PREFECT_API_URL, hoặc có --inline)")
        scheduler = BackgroundScheduler(timezone=UTC, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600})
        sweeper = Sweeper(app, scheduler)
        scheduler.add_job(sweeper.sweep, "interval", seconds=interval, id=SWEEP_JOB,
                          next_run_time=datetime.now(UTC))
        scheduler.start()
        log.info("ykien serve: quét mỗi %.0f giây; Ctrl-C để dừng", interval)
        # Only the web app renders PDFs in this process. LibreOffice is started when staff first open a round's
        # documents (about 200 MB and a second of CPU that a replica answering units never needs); until it answers
        # (about 7 s) and if it is missing (no LibreOffice or python3-uno: logged now), a render starts its own.
        if web and not stop.is_set():
            pdf_server = PdfServer()
            _run_web(app, host, port, stop_request, pdf_server if pdf_server.can_run() else None)
        else:
            wait_woken_by_signals(stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # a second signal while stopping ends the process at once
        stop_request.request()
        log.info("đang dừng: chờ lượt quét đang chạy xong")
        if sweeper is not None and scheduler is not None:
            # shutdown(wait=True) would hold the job-store lock while the sweep needs it to plan its wake-up.
            scheduler.shutdown(wait=False)
            # Given up, what it holds passes on once this process's heartbeat is stale; what it sent may go out twice.
            if finished_while_database_answers(app, lambda seconds: sweeper.lock.acquire(timeout=seconds),
                                               SWEEP_STOP_SECONDS, "lượt quét", log):
                sweeper.lock.release()
        if pdf_server is not None:
            pdf_server.stop()  # SIGTERM, then SIGKILL to its process group: no LibreOffice outlives serve
        if sink is not None:
            sink.stop()
        app.close()
        log.info("đã dừng")
