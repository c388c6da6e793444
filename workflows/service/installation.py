"""`ykien db new-installation-id`: a database restored from another installation's backup or dump keeps that
installation's id, and with it would take that installation's flow runs from a work pool they share. Renewing the
id makes the copy an installation of its own. Refused while a ykien process runs on the database: each process
reads the id once, and one still running would go on submitting and taking runs under the old one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from models.errors import DomainError
from workflows.service.app import App


@dataclass(frozen=True)
class Renewal:
    previous: str | None  # None: the database had no id yet
    current: str


def refuse_while_running(app: App, before: str) -> None:
    """Refuse (DomainError "database_in_use") while a ykien process beats on the database: `before` says what the
    staff must stop them before ("khôi phục")."""
    with app.uow(read_only=True) as uow:
        running = uow.instances.alive(app.clock.now() - timedelta(seconds=app.settings.stale_after_seconds))
    if running:
        names = ", ".join(f"{r.host} (pid {r.pid})" for r in running)
        raise DomainError(f"ykien đang chạy và ghi vào cơ sở dữ liệu ({names}): hãy dừng ykien serve, mọi ykien "
                          f"worker, ykien tick và lệnh đang gửi thư trước khi {before}.", "database_in_use")


def renew_installation_id(app: App) -> Renewal:
    """Give the database a new installation id; refused while a ykien process runs on it."""
    refuse_while_running(app, "đổi mã bản cài đặt")
    with app.uow() as uow:
        previous, current = uow.instances.renew_installation_id(app.clock.now())
        uow.commit()
    return Renewal(previous, current)
