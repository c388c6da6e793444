"""On PostgreSQL a claim rewrites each message's row in its own page without touching the outbox's indexes (a HOT
update, migration 0025): a fan-out's claims cost the server a third less CPU. The record as sent is not HOT (its
status is in the indexes), and the claims still find, lock and hand over the rows as before."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from config.clock import FrozenClock
from tests.integration.test_replicas import launch
from workflows.service.app import App

UNITS = 30
UPDATES = text("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'outbox'")


@pytest.mark.parametrize("backend", ["postgresql"])  # HOT updates and fillfactor are PostgreSQL's
def test_a_claim_is_a_hot_update_of_every_row_it_takes(app: App, clock: FrozenClock, tmp_path: Path,
                                                       make_round: Callable[..., int], staff: str) -> None:
    round_id = launch(app, clock, tmp_path, UNITS, make_round, staff)
    with app.uow() as uow:
        claimed = uow.outbox.claim(clock.now(), UNITS, "may-1", timedelta(minutes=2), round_id)
        # in the claim's own transaction, where its counts are already visible
        updated, hot = uow.session.execute(UPDATES).one()
        uow.outbox.mark_sent([row.id for row in claimed[:10]], clock.now(), "may-1")
        after_sent = uow.session.execute(UPDATES).one()
        uow.commit()
    with app.uow(read_only=True) as uow:
        recorded = {row.id: row for row in uow.outbox.for_round(round_id)}
    assert len(claimed) == UNITS
    assert (updated, hot) == (UNITS, UNITS)
    assert tuple(after_sent) == (UNITS + 10, UNITS)  # recorded as sent: a new status, new index entries
    for row in claimed:
        stored = recorded[row.id]
        if row in claimed[:10]:  # written as the driver's text: what _MARK_SENT writes
            assert (stored.status, stored.sent_at, stored.sent_by, stored.attempts) == ("sent", clock.now(), "may-1", 1)
            assert (stored.claimed_by, stored.claimed_until) == (None, None)
        else:
            assert (stored.status, stored.claimed_by, stored.sent_at) == ("queued", "may-1", None)


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_outbox_has_no_index_on_the_lease_and_pages_filled_to_half(app: App) -> None:
    with app.engine.connect() as connection:
        options = connection.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'outbox'")).scalar()
        indexed = connection.execute(text(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'outbox' AND indexdef LIKE '%claimed_until%'")).scalar()
    assert options == ["fillfactor=50"]
    assert indexed == 0
