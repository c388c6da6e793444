"""Which flow runs `ykien serve` takes for orphans (flows.orphaned_runs): a run a worker took and will never end,
because the worker instance it names stopped beating in the database, or because it was taken (Pending) long ago
by a worker that died before naming itself. Such runs are ended Crashed and the step submitted again; a run
whose worker is alive, or that waits for a worker, is left alone. The kill itself: tests/e2e/test_prefect_outage.py."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from prefect.client.schemas.objects import FlowRun
from prefect.states import Pending, Running, Scheduled

from config.clock import FrozenClock
from models.db.instance_repository import Instance
from workflows.flows import orphaned_runs
from workflows.service.app import App


def run(name: str, state: object, runner: str | None = None) -> FlowRun:
    return FlowRun(flow_id=uuid4(), name=name, state=state, infrastructure_pid=runner)


def beating(app: App, name: str, at: datetime) -> str:
    instance = Instance(f"may:{name}:{uuid4().hex[:8]}", "may", 1, at)
    with app.uow() as uow:
        uow.instances.beat(instance, at)
        uow.commit()
    return instance.id


def test_runs_whose_worker_stopped_beating_are_orphans_and_the_others_are_not(app: App, clock: FrozenClock) -> None:
    stale_after = timedelta(seconds=app.settings.stale_after_seconds)
    alive = beating(app, "song", clock.now() - stale_after / 2)
    dead = beating(app, "chet", clock.now() - stale_after - timedelta(seconds=1))
    long_ago = Pending()
    long_ago.timestamp = datetime.now(UTC) - stale_after - timedelta(seconds=5)
    runs = [
        run("đang chạy", Running(), alive),
        run("máy đã chết", Running(), dead),
        run("máy không ai biết", Running(), "may:99:khongco"),
        run("vừa nhận", Pending()),
        run("nhận đã lâu", long_ago),
        run("chờ máy", Scheduled(), dead),  # waiting for a worker: never an orphan, whatever it names
    ]
    orphans = orphaned_runs(app, runs)
    assert [(found.name, reason) for found, reason in orphans] == [
        ("máy đã chết", f"ykien worker {dead} đã ngừng giữa chừng (không báo còn chạy trong "
                        f"{app.settings.stale_after_seconds:g} giây); ykien serve giao lại phần việc còn lại"),
        ("máy không ai biết", "ykien worker may:99:khongco đã ngừng giữa chừng (không báo còn chạy trong "
                              f"{app.settings.stale_after_seconds:g} giây); ykien serve giao lại phần việc còn lại"),
        ("nhận đã lâu", "ykien worker nhận lượt chạy này rồi ngừng trước khi chạy; ykien serve giao lại"),
    ]


def test_no_run_taken_reads_nothing(app: App) -> None:
    assert orphaned_runs(app, [run("chờ máy", Scheduled())]) == []
