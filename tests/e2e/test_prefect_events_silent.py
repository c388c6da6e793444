"""A Prefect server with its events turned off (PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED=false) accepts a worker's
events websocket and never says a word on it. The worker, which polls the pool only now and then while it hears
events, used to wait that long for every run. Now a run its poll finds that no event announced, though it was
created seconds before, tells it the events do not come: it polls every half second again, says so once, and takes
the next run at once."""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from tests.e2e.fanout_support import slow_capture
from tests.e2e.prefect_support import PrefectServer
from tests.integration.test_prefect_flows import installation

HEARING_POLL = 8.0  # the worker's polls while it believes it hears events; the half second is its other interval


def test_a_prefect_server_whose_events_never_come_makes_the_worker_poll_every_half_second_again(
        tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from workflows.engine.events import Launch
    from workflows.flows import PrefectExecutor
    from workflows.prefect_worker import StepWorker
    from workflows.service.commands import run_command

    home = tmp_path / "prefect-server"
    home.mkdir()
    server = PrefectServer(home, {"PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false"})
    server.start()
    records: list[logging.LogRecord] = []
    heard = logging.Handler(logging.INFO)
    heard.emit = records.append  # type: ignore[method-assign]
    worker_log = logging.getLogger("ykien.worker")
    level = worker_log.level
    worker_log.setLevel(logging.INFO)
    worker_log.addHandler(heard)
    # Each message is accepted 2.5 s after its data: the round's fan-out (3 units) outlasts the age that tells.
    try:
        with slow_capture(2.5) as capture, temporary_settings({PREFECT_API_URL: server.url}):
            app, round_id = installation(tmp_path, "khong-su-kien", capture.server.port)
            executor = PrefectExecutor("ykien-silent", app.installation_id)
            app.executor = executor
            worker = StepWorker(app, "ykien-silent", "silent-worker", poll_seconds=0.5,
                                hearing_poll_seconds=HEARING_POLL)

            async def three_runs() -> float:
                stop = asyncio.Event()
                running = asyncio.create_task(worker.run(stop))
                deadline = time.monotonic() + 60
                while not worker.hearing_events and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                assert worker.hearing_events, "the worker never subscribed to Prefect's events"
                await asyncio.to_thread(run_command, app, round_id, Launch(), "test")  # run 1: the fan-out
                while capture.count() == 0 and time.monotonic() < deadline:  # run 1 is sending
                    await asyncio.sleep(0.05)
                # Run 2 waits while run 1 sends (2.5 s): the worker finds it by its next poll, seconds old. It is of
                # another round (with nothing to send): one of the same round would not be submitted while run 1
                # is still running, and whether run 1 has ended by then is a race.
                await asyncio.to_thread(executor.run, app, "deliver", {"round_id": round_id + 1})
                while worker.runs_done < 2 and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                submitted = time.monotonic()
                await asyncio.to_thread(executor.run, app, "deliver", {"round_id": round_id})  # run 3
                while worker.runs_done < 3 and time.monotonic() - submitted < 30:
                    await asyncio.sleep(0.05)
                taken = time.monotonic() - submitted
                stop.set()
                await running
                return taken

            taken = asyncio.run(three_runs())
            app.close()
    finally:
        worker_log.removeHandler(heard)
        worker_log.setLevel(level)
        server.stop()

    told = "\n".join(record.getMessage() for record in records)
    assert worker.runs_done == 3, told
    assert capture.count() == 3
    assert sum("qua sự kiện" in record.getMessage() for record in records) == 1, told
    assert not worker.hearing_events, told
    assert taken < 4.0, (taken, told)  # at the half second (2.0 s once, late in a busy suite); 8.3 s kept at HEARING_POLL
