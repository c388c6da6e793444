"""Top-level commands: init, tick, serve, demo."""
from __future__ import annotations

import math
import shutil
import signal
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from config.os_words import os_reason
from workflows.cli import worker_cmd
from workflows.cli.common import EXIT_BAD_INPUT, JSON_OPTION, fail, guarded, open_app, print_json, say

if TYPE_CHECKING:
    from workflows.service.app import App
    from workflows.service.sweep import SweepReport

LONGEST_INTERVAL = 86_400.0  # a sweep at least once a day
HOST_OPTION = typer.Option("127.0.0.1", "--host", help="Địa chỉ giao diện web: 127.0.0.1 chỉ mở trên máy này, 0.0.0.0 "
                           "mở cho các máy khác trong mạng.")
PORT_OPTION = typer.Option(8000, "--port", help="Cổng của giao diện web (từ 1 đến 65535).")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("tick")(tick)
    app.command("serve")(serve)
    app.command("demo")(demo)


def init(as_json: bool = JSON_OPTION) -> None:
    """Tạo thư mục YKIEN_HOME và cập nhật cấu trúc cơ sở dữ liệu (alembic)."""
    with guarded(as_json):
        ykien = open_app(create_schema=True)
        calendar_file = ykien.settings.calendar_file or ykien.settings.home / "calendar.yaml"
        if not calendar_file.exists():
            example = Path(__file__).resolve().parents[2] / "config" / "calendar.example.yaml"
            shutil.copyfile(example, calendar_file)
        from models.directory import DEFAULT_GROUPS

        with ykien.uow() as uow:
            uow.directory.ensure_groups(DEFAULT_GROUPS)
            uow.commit()
    if as_json:
        print_json({"home": str(ykien.settings.home), "database": ykien.settings.database_url_resolved})
    else:
        say(f"Đã khởi tạo {ykien.settings.home} (cơ sở dữ liệu: "
            f"{ykien.engine.url.render_as_string(hide_password=True)}).")


def tick(as_json: bool = JSON_OPTION) -> None:
    """Chạy mọi việc đến hạn tại YKIEN_NOW (hoặc bây giờ): nhắc, hết hạn, gửi thư."""
    from workflows.cli.stoppable import run_sending
    from workflows.service.sweep import run_due

    with guarded(as_json):
        ykien = open_app(writes=True)  # with nothing due, a read-only database would otherwise pass unnoticed
        report, finish = run_sending(ykien, lambda: run_due(ykien))  # its claims freed when it ends or is stopped
    _say_swept(ykien, report, as_json)
    finish()


def _say_swept(ykien: App, report: SweepReport, as_json: bool) -> None:
    if as_json:
        print_json(report)
        return
    say(f"{ykien.clock.now().astimezone(ykien.tz):%H:%M %d/%m/%Y}: {report.timers_fired} việc hẹn giờ; "
        f"thư đã gửi {report.delivery.sent}, lỗi {report.delivery.failed}, chờ gửi lại {report.delivery.retrying}.")
    if report.task_reminders:
        say(f"  đôn đốc nhiệm vụ được giao: {report.task_reminders} thư")
    for refusal in report.refused:
        say(f"  bỏ qua: {refusal}")
    if report.delivery_errors:
        from workflows.service.commands import MAIL_LATER, MAIL_NOTICES

        say(f"  chưa gửi được thư ({report.delivery_errors[0]}): {MAIL_NOTICES[MAIL_LATER]}")


def serve(host: str = HOST_OPTION, port: int = PORT_OPTION,
          web: bool = typer.Option(True, "--web/--no-web", help="Chạy cả giao diện web."),
          interval: float = typer.Option(30.0, "--interval", help="Giây giữa hai lần quét việc đến hạn."),
          prefect: bool | None = typer.Option(
              None, "--prefect/--inline", help="Giao các bước nặng cho `ykien worker` qua máy chủ Prefect "
              "(PREFECT_API_URL), hoặc chạy ngay trong tiến trình này. Mặc định: Prefect khi có PREFECT_API_URL.")
          ) -> None:
    """Chạy giao diện web, bộ hẹn giờ (APScheduler) và hộp thư nội bộ; các bước nặng chạy ngay trong tiến trình, hoặc
    qua Prefect khi có PREFECT_API_URL."""
    # A SIGTERM from here on stops serve cleanly (exit 0), before it has started anything too; serve_forever then
    # takes the signals over with the same flag.
    stop = threading.Event()
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if main_thread else None
    try:
        _serve(host, port, web, interval, prefect, stop)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _serve(host: str, port: int, web: bool, interval: float, prefect: bool | None, stop: threading.Event) -> None:
    from models.errors import InvalidInput
    from workflows.cli.stopped import end_stopped
    from workflows.scheduler import serve_forever
    from workflows.service.sweep import Heartbeat

    with guarded(False, log_as="ykien.serve"):
        if not (math.isfinite(interval) and 0.1 <= interval <= LONGEST_INTERVAL):
            raise InvalidInput(f"--interval: \"{interval}\" không hợp lệ; số giây giữa hai lần quét phải từ 0.1 đến "
                               f"{LONGEST_INTERVAL:.0f}.", "bad_interval")
        if web:
            check_address(host, port)
        use_prefect = worker_cmd.use_prefect(prefect)
        # Never creates or migrates the schema (`ykien init` does): a replica whose YKIEN_HOME or database name has a
        # typo would come up as a new, empty installation, and one upgraded first would migrate the shared database
        # under the replicas and workers still running the old code
        ykien = open_app(writes=True)
    try:
        with Heartbeat(ykien) as heartbeat:  # replicas see this process alive; its claims are freed when it stops
            serve_forever(ykien, interval=interval, use_prefect=use_prefect, stop=stop, host=host, port=port,
                          web=web)
        end_stopped(ykien, heartbeat)
    except SystemExit as stopped:
        if stopped.code in (None, 0, 1, 2):
            raise
        # uvicorn ends with its own code (3) when the web app cannot start, e.g. the port was taken meanwhile
        raise fail("web_not_started", f"Không chạy được giao diện web tại {host}:{port} (xem thông báo ở trên).",
                   EXIT_BAD_INPUT, False, log_as="ykien.serve") from None


def _empty_folder(home: Path) -> None:
    """The demo's --home: an empty folder, made if missing; never a home that already holds data."""
    from models.errors import InvalidInput

    try:
        if home.exists() and not (home.is_dir() and not any(home.iterdir())):
            raise InvalidInput(f"--home: \"{home}\" đã có dữ liệu hoặc không phải thư mục; bản trình diễn cần "
                               "một thư mục trống hoặc chưa có.", "demo_home_not_empty")
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput(f"--home: không tạo được thư mục \"{home}\" ({os_reason(error)}).",
                           "demo_home_not_created") from None


def check_address(host: str, port: int) -> None:
    """Refuse, before anything starts, an address the web app could not listen on: the option is named."""
    from models.errors import InvalidInput

    if not 1 <= port <= 65535:
        raise InvalidInput(f"--port: \"{port}\" không phải cổng hợp lệ (từ 1 đến 65535).", "bad_port")
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as error:
        raise InvalidInput(f"--host: không tìm thấy địa chỉ \"{host}\" ({os_reason(error)}).", "bad_host") from None
    except UnicodeError:  # a name IDNA cannot encode (a label too long, an empty label)
        raise InvalidInput(f"--host: \"{host}\" không phải tên máy hay địa chỉ IP hợp lệ.", "bad_host") from None
    family, kind, protocol, _, address = addresses[0]
    try:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as error:
        raise InvalidInput(f"--host/--port: không mở được {host}:{port} ({os_reason(error)}).",
                           "address_unavailable") from None


def demo(home: Path = typer.Option(None, "--home", help="Thư mục tạm cho bản trình diễn (mặc định: tạo mới)."),
         serve_after: bool = typer.Option(False, "--serve", help="Sau đó chạy giao diện web với dữ liệu trình diễn."),
         host: str = HOST_OPTION, port: int = PORT_OPTION) -> None:
    """Trình diễn đợt lấy ý kiến của mẫu 000 từ đầu đến hết hạn, trong một thư mục tạm."""
    from workflows.demo import run_demo

    with guarded(False):
        if serve_after:
            check_address(host, port)
        if home is not None:
            _empty_folder(home)
        run_demo(home, serve=serve_after, host=host, port=port)
