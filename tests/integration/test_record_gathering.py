"""A delivery writes the results that come back while a write is under way together, in the next write: in a
fan-out the database keeps up with the connections however many there are. The next write starts as soon as the one
under way ends, and each result is written before its connection goes on (sends another body), so a crash leaves no
more unrecorded."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from config.clock import FrozenClock
from notifications.delivery import DeliveryResult, DeliveryStatus
from tests.integration.test_replicas import launch
from tests.integration.test_s13d_async_sent_recorder import sent
from workflows.service.app import App
from workflows.service.delivery import _Delivery


@pytest.fixture
def launched(app: App, clock: FrozenClock, tmp_path: Path, make_round: Callable[..., int], staff: str) -> int:
    return launch(app, clock, tmp_path, 4, make_round, staff)


def test_results_coming_back_during_a_write_go_together_in_the_next_and_each_waits_for_its_own(
        app: App, launched: int, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[int] = []
    first_write_may_end = asyncio.Event()
    write = _Delivery._write

    async def counted(delivery: _Delivery, results: list[DeliveryResult]) -> None:
        writes.append(len(results))
        if len(writes) == 1:
            await first_write_may_end.wait()  # the database is slow with the first write
        await write(delivery, results)

    monkeypatch.setattr(_Delivery, "_write", counted)
    delivery = _Delivery(app, launched)
    rows = delivery._claim()[:3]
    for row in rows:
        delivery.claimed[row.message_id] = row
    first, second, third = (DeliveryResult(row.message_id, DeliveryStatus.SENT, 1, None) for row in rows)

    async def three_connections() -> tuple[bool, list[bool]]:
        one = asyncio.create_task(delivery._record(first))
        for _ in range(3):
            await asyncio.sleep(0)
        started_at_once = writes == [1]  # without waiting for more results to come (a timer would take longer)
        two = asyncio.create_task(delivery._record(second))
        three = asyncio.create_task(delivery._record(third))
        for _ in range(5):
            await asyncio.sleep(0)
        waiting = [task.done() for task in (one, two, three)]  # none may go on before its result is written
        first_write_may_end.set()
        await asyncio.gather(one, two, three)
        await delivery._sent.close()
        return started_at_once, waiting

    started_at_once, waiting = asyncio.run(three_connections())

    assert started_at_once
    assert waiting == [False, False, False]
    assert writes == [1, 2]
    assert sent(app) == {row.id: app.instance.id for row in rows}
    assert delivery.report.sent == 3 and not delivery.claimed
