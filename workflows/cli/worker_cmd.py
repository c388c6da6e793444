"""`ykien worker`: run the step flow runs that `ykien serve` submits to the Prefect work pool."""
from __future__ import annotations

import gc
import os
import signal
import socket
import threading

import typer

from config.prefect_api import EXAMPLE_URL, PREFECT_API_URL
from workflows.cli.common import guarded, open_app, say

HEALTH_TIMEOUT = 10  # seconds the Prefect server has to answer its health check


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def prefect_api_url() -> str | None:
    """The Prefect server the steps go through (PREFECT_API_URL in the environment), or None: steps run inline.

    Spaces around it are dropped in the environment too: Prefect's client reads the variable itself, and " http://…"
    passed ykien's check and then stopped the worker with httpx's UnsupportedProtocol traceback. A value in quotes
    is refused, as the YKIEN_* settings are."""
    from config.settings import quoted_value_problem
    from models.errors import InvalidInput

    typed = os.environ.get(PREFECT_API_URL, "")
    problem = quoted_value_problem(typed)
    if problem is not None:
        raise InvalidInput(f"{PREFECT_API_URL}: {problem}.", "prefect_not_api")
    url = typed.strip()
    if url:
        os.environ[PREFECT_API_URL] = url
    else:
        os.environ.pop(PREFECT_API_URL, None)
    return url or None


def check_prefect(url: str) -> None:
    """InvalidInput naming PREFECT_API_URL unless a Prefect server answers its health check at `url`, or naming the
    CA file's variable when Prefect's client could not load it."""
    import httpx

    from config.prefect_api import ca_file_problem, health_status, unreachable, unreachable_reason
    from config.settings import check_web_address
    from models.errors import InvalidInput

    try:
        check_web_address(url, EXAMPLE_URL)
    except ValueError as error:
        raise InvalidInput(f"{PREFECT_API_URL}: {error}.", "prefect_not_api") from None
    problem = ca_file_problem()
    if problem is not None:
        raise InvalidInput(f"{problem}.", "prefect_bad_ca_file")
    try:
        status = health_status(url, HEALTH_TIMEOUT)
    except (httpx.HTTPError, ValueError) as error:
        raise InvalidInput(f"{PREFECT_API_URL}: {unreachable(url, unreachable_reason(error, HEALTH_TIMEOUT))}; "
                           f"hãy chạy `prefect server start` hoặc sửa địa chỉ, ví dụ {EXAMPLE_URL}.",
                           "prefect_unreachable") from None
    if status != 200:
        raise InvalidInput(f"{PREFECT_API_URL}: \"{url}\" không phải API của máy chủ Prefect (GET /health trả về "
                           f"{status}); địa chỉ thường kết thúc bằng /api, ví dụ {EXAMPLE_URL}.",
                           "prefect_not_api")


def use_prefect(option: bool | None) -> bool:
    """`ykien serve`'s choice: Prefect when PREFECT_API_URL is set (checked now) unless --inline; --prefect without
    it is refused, naming the variable."""
    from models.errors import InvalidInput

    url = prefect_api_url()
    if option is False:
        return False
    if url is None:
        if option:
            raise InvalidInput(f"--prefect: chưa đặt {PREFECT_API_URL}, địa chỉ API của máy chủ Prefect (ví dụ "
                               f"{EXAMPLE_URL}); không có nó các bước chạy ngay trong `ykien serve`.",
                               "prefect_not_configured")
        return False
    check_prefect(url)
    return True


def worker(name: str = typer.Option("", "--name", help="Tên tiến trình trong Prefect (mặc định: máy:PID).")) -> None:
    """Nhận và chạy các bước nặng (gửi thư, nhắc hạn, hết hạn, bản PDF của văn bản) mà `ykien serve` giao qua Prefect
    (PREFECT_API_URL); bản PDF cần LibreOffice trên máy này."""
    from models.errors import InvalidInput

    # A SIGTERM while starting (opening the database, importing Prefect) stops the worker as one later would.
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with guarded(False, log_as="ykien.worker"):
        ykien = open_app()
        url = prefect_api_url()
        if url is None:
            raise InvalidInput(f"{PREFECT_API_URL}: chưa đặt; `ykien worker` nhận việc từ máy chủ Prefect, ví dụ "
                               f"{PREFECT_API_URL}={EXAMPLE_URL}.", "prefect_not_configured")
        name = name.strip() or f"{socket.gethostname()}:{os.getpid()}"
        if len(name) > 100 or any(not char.isprintable() for char in name):
            raise InvalidInput(f"--name: \"{name[:100]}\" không hợp lệ; tên tối đa 100 ký tự in được.", "bad_name")
        check_prefect(url)
    if stop.is_set():  # stopped before anything started: Prefect is not even imported
        ykien.close()
        _say_stopped(ykien.settings.log_format, 0)
        return
    if ykien.settings.log_format == "json":
        # Prefect writes what reaches the root logger (a library's warning) through its own console handler, set up
        # when it is imported: JSON too, so that a collector reading one JSON object a line is not handed its text
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_FORMATTER", "json")
    import logging

    from workflows.cli.stopped import end_stopped
    from workflows.logs import configure_logging
    from workflows.prefect_worker import work
    from workflows.service.sweep import Heartbeat

    # What is loaded by now (Prefect, SQLAlchemy, pydantic: a quarter of a million objects) lives as long as the
    # process: kept out of the garbage collector's full passes, each of which took 0.16 s in the middle of a fan-out.
    gc.collect()
    gc.freeze()

    os.environ.setdefault("PREFECT_HOME", str(ykien.settings.home / "prefect"))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not ykien.smtp_url:  # the units' mail would go into the database, shown as sent: say so from the first line
        configure_logging(ykien.settings.log_format, only="ykien")
        logging.getLogger("ykien.worker").warning(
            "YKIEN_SMTP_URL chưa đặt: thư các bước chạy ở máy này gửi (thư mời, nhắc hạn, gia hạn) vào hộp thư nội "
            "bộ trong cơ sở dữ liệu, không tới đơn vị nào; hãy đặt YKIEN_SMTP_URL như ở máy chạy ykien serve.")
    with Heartbeat(ykien) as heartbeat:  # replicas see this process alive; its claims are freed when it stops
        done = work(ykien, ykien.settings.work_pool, name, stop=stop)
    ykien.close()
    _say_stopped(ykien.settings.log_format, done)
    end_stopped(ykien, heartbeat)


def _say_stopped(log_format: str, done: int) -> None:
    """The worker's last word: a line on stdout, or under YKIEN_LOG_FORMAT=json a JSON record like its other lines
    (a collector reading one JSON object a line was handed plain text last)."""
    text = f"Đã dừng; đã chạy {done} bước."
    if log_format != "json":
        say(text)
        return
    import logging

    from workflows.logs import configure_logging

    configure_logging(log_format, only="ykien")
    logging.getLogger("ykien.worker").info(text)
