"""`ykien db`: can ykien use its database and what waits for the sweep (check), the SQLite backup and restore, and
a new installation id for a copy of another installation's database."""
from __future__ import annotations

from pathlib import Path

import typer

from models.text import grouped
from workflows.cli.common import JSON_OPTION, guarded, open_app, print_json, say
from workflows.cli.out_files import OVERWRITE_OPTION

app = typer.Typer(no_args_is_help=True)


@app.command("check")
def check(as_json: bool = JSON_OPTION) -> None:
    """Kiểm tra cơ sở dữ liệu: kết nối, phiên bản cấu trúc, ghi được không, thư chờ gửi, việc hẹn giờ đến hạn,
    công việc nền đang chạy hoặc chờ máy xử lý, tiến trình ykien đang hoạt động, mã bản cài đặt.

    Thoát 0 khi dùng được; 2 với một dòng nói lý do và biến cần sửa (YKIEN_DATABASE_URL, YKIEN_HOME)."""
    from config.shown_url import without_password
    from workflows.service.database_check import status_of

    with guarded(as_json):
        ykien = open_app(writes=True)  # reachable, at this code's schema, and a write commits
        try:
            status = status_of(ykien)
            installation = ykien.installation_id
        finally:
            ykien.close()
    database = without_password(ykien.settings.database_url_resolved)
    pool = ykien.settings.work_pool
    workers = _pool_workers(pool) if status.timers_due or status.outbox_due or as_json else None
    if as_json:
        print_json({"database": database, "setting": ykien.settings.database_setting, "backend": status.backend,
                    "schema": {"database": sorted(status.schema.revisions), "code": status.schema.code,
                               "current": status.schema.current},
                    "writable": True,
                    "outbox": {"queued": status.outbox_queued, "due": status.outbox_due},
                    "timers": {"pending": status.timers_pending, "due": status.timers_due},
                    "jobs": {"running": status.jobs_running, "waiting_for_worker": status.jobs_waiting},
                    "instances": {"alive": status.instances_alive}, "installation": installation,
                    "work_pool": None if workers is None else {"name": pool, "online_workers": workers[0],
                                                               "problem": workers[1]}})
        return
    now = f"{ykien.clock.now().astimezone(ykien.tz):%H:%M %d/%m/%Y}"
    say(f"Cơ sở dữ liệu: {database} ({status.backend}, theo {ykien.settings.database_setting}): kết nối được, "
        "ghi được.")
    say(f"Cấu trúc: phiên bản {', '.join(sorted(status.schema.revisions))}, đúng phiên bản mà bản ykien này cần "
        f"({status.schema.code}).")
    # "0 đến hạn gửi lúc 17:39" read as a time the mail is due at; the time is when the count was taken
    say(f"Thư chờ gửi: {status.outbox_queued}, trong đó {status.outbox_due} đã đến lúc gửi (tính đến {now}).")
    say(f"Việc hẹn giờ chưa chạy: {status.timers_pending}, trong đó {status.timers_due} đã đến hạn (tính đến {now}).")
    if status.timers_due or status.outbox_due:  # a line of its own: it names a pool and a setting, past 200 columns
        say(_due_advice(status.instances_alive, pool, workers))
    say(f"Công việc nền (bản PDF, phát hành, hồ sơ trình): {status.jobs_running} đang chạy, {status.jobs_waiting} "
        "đang chờ máy xử lý nhận" + (" (chạy `ykien worker` với cùng PREFECT_API_URL)." if status.jobs_waiting
                                     else "."))
    say(f"Tiến trình ykien đang hoạt động (serve, tick, worker, lệnh đang gửi thư; có nhịp tim trong "
        f"{ykien.settings.stale_after_seconds:g} giây qua): {status.instances_alive}.")
    say(f"Mã bản cài đặt (thẻ của các lượt chạy gửi tới Prefect): {installation}.")


def _pool_workers(pool: str) -> tuple[int | None, str | None] | None:
    """(workers online in `pool`, None) as Prefect's API says, (None, why not) when it does not answer; None without
    PREFECT_API_URL (the steps are not handed to workers)."""
    import httpx

    from config.prefect_api import configured_prefect_api, unreachable, unreachable_reason
    from workflows.service.operations import online_workers

    url = configured_prefect_api()
    if not url:
        return None
    try:
        return online_workers(url, pool), None
    except (httpx.HTTPError, ValueError) as error:
        return None, unreachable(url, unreachable_reason(error, 2.0))


def _due_advice(alive: int, pool: str, workers: tuple[int | None, str | None] | None) -> str:
    """What to do about mail or timers due and not handled, true to what runs: nothing (start serve), serve handing
    them to a pool no worker pulls (start a worker on that pool), or a process that will at its next sweep."""
    if not alive:
        return ("Thư hoặc việc đã đến hạn mà chưa xử lý, và không có tiến trình ykien nào đang chạy: hãy chạy "
                "`ykien serve` (hoặc `ykien tick`).")
    if workers is None:
        return ("Thư hoặc việc đã đến hạn: tiến trình ykien đang chạy xử lý chúng ở lượt quét sau (mỗi 30 giây); nếu "
                "số này không giảm, hãy xem nhật ký của ykien serve.")
    online, problem = workers
    if problem is not None:
        return (f"Thư hoặc việc đã đến hạn, ykien serve giao chúng cho work pool \"{pool}\" của Prefect, nhưng "
                f"{problem}: chưa biết có `ykien worker` nào nhận không.")
    if not online:
        return (f"Thư hoặc việc đã đến hạn mà chưa xử lý: ykien serve giao chúng cho work pool \"{pool}\" của Prefect "
                f"(YKIEN_WORK_POOL), mà không có `ykien worker` nào đang nhận pool đó: hãy chạy `ykien worker` với "
                f"YKIEN_WORK_POOL={pool}, cùng giá trị với ykien serve.")
    return (f"Thư hoặc việc đã đến hạn: {online} `ykien worker` đang nhận work pool \"{pool}\"; ykien serve giao chúng "
            "ở lượt quét sau (mỗi 30 giây). Nếu số này không giảm, hãy xem nhật ký của ykien serve và các worker.")


@app.command("backup")
def backup(file: Path = typer.Argument(..., help="Tệp sao lưu mới (tệp đã có không bị ghi đè, trừ khi có "
                                                  "--overwrite)."),
           overwrite: bool = OVERWRITE_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Sao lưu cơ sở dữ liệu SQLite vào một tệp, ngay cả khi ykien serve đang chạy (bản chụp nhất quán)."""
    from workflows.service.backup import backup as take_backup

    with guarded(as_json):
        ykien = open_app()
        try:
            done = take_backup(ykien, file, overwrite)
        finally:
            ykien.close()
    if as_json:
        print_json({"file": str(done.path), "bytes": done.size})
    else:
        say(f"Đã sao lưu cơ sở dữ liệu vào {done.path} ({grouped(done.size)} byte).")


@app.command("restore")
def restore(file: Path = typer.Argument(..., help="Tệp sao lưu tạo bởi ykien db backup."),
            as_json: bool = JSON_OPTION) -> None:
    """Khôi phục cơ sở dữ liệu SQLite từ bản sao lưu; cơ sở dữ liệu hiện tại được giữ lại bên cạnh. Từ chối khi
    ykien serve, ykien worker, ykien tick hay một lệnh gửi thư đang chạy."""
    from workflows.cli.text_files import check_input_file
    from workflows.service.backup import restore as put_back

    with guarded(as_json):
        check_input_file(file, "FILE", "bad_file")  # a database has no size bound: SQLite reads what it needs
        ykien = open_app(writes=True)
        try:
            done = put_back(ykien, file)
        finally:
            ykien.close()
    if as_json:
        print_json({"database": str(done.database), "previous": str(done.previous), "bytes": done.size})
    else:
        say(f"Đã khôi phục {done.database} từ {file}; cơ sở dữ liệu trước đó giữ ở {done.previous}.")


@app.command("new-installation-id")
def new_installation_id(as_json: bool = JSON_OPTION) -> None:
    """Đổi mã bản cài đặt: dùng cho cơ sở dữ liệu khôi phục từ bản sao lưu (hoặc bản dump) của một bản cài đặt khác,
    để nó thành một bản cài đặt riêng và worker của nó không nhận lượt chạy của bản kia trên cùng work pool Prefect.
    Từ chối khi ykien serve, ykien worker, ykien tick hay một lệnh gửi thư đang chạy trên cơ sở dữ liệu này."""
    from workflows.service.installation import renew_installation_id

    with guarded(as_json):
        ykien = open_app(writes=True)
        try:
            renewal = renew_installation_id(ykien)
        finally:
            ykien.close()
    if as_json:
        print_json({"previous": renewal.previous, "installation": renewal.current})
        return
    say(f"Mã bản cài đặt mới: {renewal.current} (mã cũ: {renewal.previous or 'chưa có'}).")
    say("Các lượt chạy đã gửi tới Prefect với mã cũ thuộc về bản cài đặt mang mã cũ; worker của cơ sở dữ liệu này "
        "không nhận chúng nữa.")
