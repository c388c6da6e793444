"""A delivery writes the results that come back within RECORD_GATHER_SECONDS of each other in one write: in a
fan-out, one write for several costs the database (and the cores it shares with the mail server) less than one each.
Each result is still written before its connection sends another body, so a crash leaves no more unrecorded."""
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


def test_a_result_coming_back_while_another_waits_to_be_written_goes_in_the_same_write(
        app: App, launched: int, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[int] = []
    write = _Delivery._write

    async def counted(delivery: _Delivery, results: list[DeliveryResult]) -> None:
        writes.append(len(results))
        await write(delivery, results)

    monkeypatch.setattr(_Delivery, "_write", counted)
    delivery = _Delivery(app, launched)
    rows = delivery._claim()[:2]
    for row in rows:
        delivery.claimed[row.message_id] = row
    first, second = (DeliveryResult(row.message_id, DeliveryStatus.SENT, 1, None) for row in rows)

    async def two_connections() -> None:
        one = asyncio.create_task(delivery._record(first))
        await asyncio.sleep(0)  # one turn of the loop later: a write started at once would be under way by now
        two = asyncio.create_task(delivery._record(second))
        await asyncio.gather(one, two)
        await delivery._sent.close()

    asyncio.run(two_connections())

    assert writes == [2]
    assert sent(app) == {row.id: app.instance.id for row in rows}
    assert delivery.report.sent == 2 and not delivery.claimed
