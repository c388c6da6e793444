"""Top-level commands: init, tick, serve, demo."""
from __future__ import annotations

import shutil
from pathlib import Path

import typer

from workflows.cli.common import JSON_OPTION, console, guarded, open_app, print_json


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
        console.print(f"Đã khởi tạo {ykien.settings.home} (cơ sở dữ liệu: "
                      f"{ykien.engine.url.render_as_string(hide_password=True)}).")


def tick(as_json: bool = JSON_OPTION) -> None:
    """Chạy mọi việc đến hạn tại YKIEN_NOW (hoặc bây giờ): nhắc, hết hạn, gửi thư."""
    from workflows.service.sweep import run_due

    with guarded(as_json):
        ykien = open_app()
        report = run_due(ykien)
    if as_json:
        print_json(report)
    else:
        console.print(f"{ykien.clock.now().astimezone(ykien.tz):%H:%M %d/%m/%Y}: {report.timers_fired} việc hẹn giờ; "
                      f"thư đã gửi {report.delivery.sent}, lỗi {report.delivery.failed}, "
                      f"chờ gửi lại {report.delivery.retrying}.")
        for refusal in report.refused:
            console.print(f"  bỏ qua: {refusal}")
        if report.delivery_errors:
            from workflows.service.commands import MAIL_LATER, MAIL_NOTICES

            console.print(f"  chưa gửi được thư ({report.delivery_errors[0]}): {MAIL_NOTICES[MAIL_LATER]}")


def serve(host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port"),
          web: bool = typer.Option(True, "--web/--no-web", help="Chạy cả giao diện web."),
          interval: float = typer.Option(30.0, "--interval", help="Giây giữa hai lần quét việc đến hạn."),
          prefect: bool = typer.Option(True, "--prefect/--inline", help="Chạy các bước nặng bằng Prefect.")) -> None:
    """Chạy bộ hẹn giờ (APScheduler), hộp thư nội bộ và các bước Prefect trong một tiến trình."""
    from workflows.scheduler import serve_forever

    with guarded(False):
        ykien = open_app(create_schema=True)
    serve_forever(ykien, interval=interval, use_prefect=prefect, host=host, port=port, web=web)


def demo(home: Path = typer.Option(None, "--home", help="Thư mục tạm cho bản trình diễn (mặc định: tạo mới)."),
         serve_after: bool = typer.Option(False, "--serve", help="Sau đó chạy giao diện web với dữ liệu trình diễn."),
         host: str = typer.Option("127.0.0.1", "--host"), port: int = typer.Option(8000, "--port")) -> None:
    """Trình diễn đợt lấy ý kiến của mẫu 000 từ đầu đến hết hạn, trong một thư mục tạm."""
    from workflows.demo import run_demo

    with guarded(False):
        run_demo(home, serve=serve_after, host=host, port=port)
