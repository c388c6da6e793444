"""Run inside a network namespace of its own (`unshare --net`, as root) by tests/e2e/test_network_cut.py: a PostgreSQL
cluster on the namespace's loopback, connections made as ykien makes them (make_engine's pool, and psycopg's own
connection from driver_connect_arguments, as the delivery's recorder opens it), then the loopback taken down (a
network cut: packets vanish, no reset comes) while a statement runs on each. Prints one JSON object: how long each
statement took to fail (or that it still waited at WAIT_LIMIT), and whether a statement works again once the
loopback is back."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import psycopg  # noqa: E402
from pg import PostgresCluster  # noqa: E402
from sqlalchemy import text  # noqa: E402

from models.db.database import driver_connect_arguments, make_engine  # noqa: E402

WAIT_LIMIT = 60.0  # seconds; the system's own TCP retries would take about 15 minutes


def loopback(state: str) -> None:
    subprocess.run(["ip", "link", "set", "lo", state], check=True)


def timed(action: Callable[[], object]) -> dict[str, object]:
    """Run `action` in a thread; its seconds to return or raise, and what it raised, or "waiting" at WAIT_LIMIT."""
    outcome: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        try:
            action()
            outcome["ended"] = "returned"
        except Exception as error:  # noqa: BLE001 - what it raised is the finding
            outcome["ended"] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        outcome["seconds"] = round(time.monotonic() - started, 1)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WAIT_LIMIT)
    return outcome if outcome else {"ended": "waiting", "seconds": WAIT_LIMIT}


def main() -> None:
    loopback("up")
    cluster = PostgresCluster.start()
    try:
        engine = make_engine(cluster.create_database("cut"))
        with engine.connect() as connection:  # the pool holds it, open, as ykien's pool does between statements
            connection.execute(text("SELECT 1"))
        arguments = driver_connect_arguments(engine)
        recorder = asyncio.run(psycopg.AsyncConnection.connect(autocommit=True, **arguments))

        def pooled() -> None:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        def own() -> None:
            async def statement() -> None:
                await recorder.execute("SELECT 1")
            asyncio.run(statement())

        loopback("down")
        results: dict[str, dict[str, object]] = {}
        threads = [threading.Thread(target=lambda name=name, action=action: results.__setitem__(name, timed(action)))
                   for name, action in (("pooled", pooled), ("own", own))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        loopback("up")
        results["after"] = timed(pooled)
        print(json.dumps(results), flush=True)
    finally:
        loopback("up")
        cluster.stop()


if __name__ == "__main__":
    main()
