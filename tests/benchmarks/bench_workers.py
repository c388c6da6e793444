"""Workers: a round's fan-out submitted to a real `prefect server start` and sent by 1, 2 and 4 `ykien worker`
processes, against raw aiosmtplib (8 connections, messages built and flattened beforehand) sending the same
messages. Each worker count has its own database (a fresh SQLite file, or a schema with --postgres), its own work
pool and a fresh loopback SMTP server in its own process (counting_smtp.py, light on the shared cores as a mail server
on another machine is). It announces PIPELINING, as most relays do: ykien then sends MAIL, RCPT and DATA in one write,
raw aiosmtplib still one command at a time. One more run of one worker and raw goes into the same server not announcing
it, where both send one command at a time.

Timed: from the submission (`PrefectExecutor.run`, as `ykien serve` does it) until every message of the round is
recorded sent; the workers are started and online in Prefect beforehand. This machine's speed drifts by a third over
minutes: one worker runs ONE_WORKER_PAIRS times, each followed by raw aiosmtplib on the same messages, and the
median of these pairs' ratios is the figure; raw runs once more at the end, and the other rows are judged against
the mean of the raw runs. Each row says how busy all the machine's cores were meanwhile. Goals (printed, never
asserted): one worker at least 0.9x raw aiosmtplib, two workers at least 1.6x one.

A second block does the same, on as many units, into a mail server that takes RELAY_DELAY to accept each message, as
real relays do (one writing each message to its disk queue, or one across a network): there the senders wait on the
server rather than on this machine's cores, and how the workers scale shows apart from how many cores the machine
has. Both blocks are judged against the goals: the first says what the machine's two cores allow when the mail server
costs nothing (the Prefect server, the database, the mail server and the workers share them), the second what the
design allows against a mail server as it is met in production.

For each block a second table says where the machine's CPU went during each fan-out (the workers, PostgreSQL's
processes, the Prefect server's, the mail server, this benchmark's process; ms a message), and the summary gives,
from the share of the cores one worker kept busy, the most two workers could gain over one on this machine if a
message costs it as much: when that is below 1.6, the goal cannot be met on these cores, whatever the sender.
The end of a fan-out is seen at the mail server first (its own count, cheap), then in the database.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench_fanout import Payload, ServerProcess, prebuild, run_baseline
from bench_support import (
    ACTOR,
    START,
    BenchmarkCheckFailed,
    Database,
    busy_fraction,
    busy_share,
    engine_database,
    machine_cpu_seconds,
    make_app,
    own_cpu_seconds,
    postgres_cpu_seconds,
    prepare_round,
    print_table,
    process_group_cpu_seconds,
    processes_cpu_seconds,
    verdict,
)

from workflows.engine.events import Launch
from workflows.service.rounds import execute

WORKER_COUNTS = (1, 2, 4)
# The same fan-out into a mail server that takes RELAY_DELAY seconds to accept each message, as a relay writing it to
# its disk queue or one across a network does: the workers wait on the server, not on this machine's two cores.
RELAY_DELAY = 0.02
TARGET_ONE_VS_RAW = 0.9
TARGET_TWO_VS_ONE = 1.6
# One worker against raw aiosmtplib, in pairs run one after the other: the figure is the median pair's ratio. One pair
# moved between 0.74x and 0.94x within a day (7 December 2026), the machine's speed drifting under both.
ONE_WORKER_PAIRS = 3
BIN = Path(sys.executable).parent
RawRun = tuple[float, str, float | None]  # seconds, how busy the machine was, the SMTP server's CPU seconds
# The parts of the machine a fan-out's CPU is counted in, in the order the table shows them; the rest is "other".
CPU_PARTS = ("ykien workers", "PostgreSQL", "Prefect server", "SMTP server", "this benchmark")


_POOLS = itertools.count(1)  # numbers the work pools of one benchmark run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise BenchmarkCheckFailed(f"{what}: not done after {timeout:.0f} s")
        time.sleep(interval)


def _wait_for_count(count: Callable[[], int], target: int, timeout: float, what: str,
                    interval: float = 0.02) -> None:
    """Until `count()` reaches `target`, asking every `interval` seconds."""
    deadline = time.monotonic() + timeout
    while (done := count()) < target:
        if time.monotonic() > deadline:
            raise BenchmarkCheckFailed(f"{what}: {done} of {target} after {timeout:.0f} s")
        time.sleep(interval)


def _wait_until_recorded(server: ServerProcess, sent: Callable[[], int], units: int, what: str) -> None:
    """Until all `units` messages are recorded sent: first the mail server's own count, every 20 ms, then the
    database's, every 5 ms. Counting the sent rows costs PostgreSQL a few ms a query at 10,000 messages (the rows
    just written are read from the table), on the cores the timed senders share: asked every 20 ms over the last
    part of the fan-out, as this did until 7 December, it took PostgreSQL about 0.03 ms a message. The mail server
    answers its count in its own loop for a few microseconds; the records follow the last message within ms."""
    _wait_for_count(lambda: server.received()[0], units, 1800, f"{what}: messages at the mail server")
    _wait_for_count(sent, units, 60, f"{what}: messages recorded sent", 0.005)


@contextlib.contextmanager
def prefect_database_url(db: Database) -> Iterator[str | None]:
    """With --postgres, a database of the Prefect server's own on the same cluster, as the README's Production section
    sets it up (on its default SQLite, Prefect now and then takes seconds to create a run), dropped afterwards; its
    URL with the driver Prefect's server uses. None without --postgres: the server keeps its SQLite file in its home,
    as the README's first command does."""
    if db.postgres_url is None:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"ykien_bench_prefect_{os.getpid()}"
    admin = create_engine(db.postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(db.postgres_url).set(drivername="postgresql+asyncpg", database=name, query={})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class PrefectServer:
    api: str  # its PREFECT_API_URL
    group: int  # the process group of its processes (a session of its own)


@contextlib.contextmanager
def prefect_server(workdir: Path, database_url: str | None = None) -> Iterator[PrefectServer]:
    """A `prefect server start` on loopback with its own home, its data in `database_url` (else SQLite in its
    home)."""
    home = workdir / "prefect-server"
    home.mkdir()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
    if database_url is not None:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    port = _free_port()
    with (home / "server.log").open("wb") as log:
        server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                                   str(port)], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        if server.poll() is not None:
            raise BenchmarkCheckFailed(f"prefect server start exited:\n{(home / 'server.log').read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        return False

    try:
        _wait(healthy, 120, "prefect server start", 0.3)
        yield PrefectServer(url, server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)


def _online(api: str, pool: str) -> int:
    answer = httpx.post(f"{api}/work_pools/{pool}/workers/filter", json={}, timeout=10)
    if answer.status_code == 404:
        return 0
    answer.raise_for_status()
    return sum(1 for worker in answer.json() if worker.get("status") == "ONLINE")


@dataclass(frozen=True)
class WorkersRun:
    seconds: float  # from the submission to the last message recorded sent
    pickup: float  # from the submission to the first flow run's start (a worker heard of it, took it, the engine began)
    runs: int  # flow runs of the round
    busy: str  # how busy the machine's cores were meanwhile (all processes)
    server_cpu: float | None  # CPU seconds of the counting SMTP server meanwhile
    cpu: dict[str, float | None]  # CPU seconds of each of CPU_PARTS meanwhile (None: not readable here)
    machine_cpu: float | None  # CPU seconds of the whole machine around the parts' readings, all cores
    busy_fraction: float | None  # the share of all the machine's cores busy while it was timed


def _cpu_readings(readers: dict[str, Callable[[], float | None]]) -> dict[str, float | None]:
    return {part: read() for part, read in readers.items()}


def _cpu_used(before: dict[str, float | None], after: dict[str, float | None]) -> dict[str, float | None]:
    return {part: None if (was := before[part]) is None or (now := after[part]) is None else now - was
            for part in before}


def _runs_of(api: str, pool: str) -> list[dict[str, Any]]:
    answer = httpx.post(f"{api}/flow_runs/filter", json={"work_pools": {"name": {"any_": [pool]}}}, timeout=10)
    answer.raise_for_status()
    return list(answer.json())


def run_workers(db: Database, prefect: PrefectServer, units: int, workers: int, delay: float = 0.0,
                pipelining: bool = True) -> tuple[WorkersRun, list[Payload]]:
    """The fan-out of a launched round with `workers` worker processes, into a server taking `delay` s a message
    and announcing PIPELINING or not (ServerProcess)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from workflows.flows import PrefectExecutor

    api = prefect.api
    # A pool of its own each time: a worker of an earlier run stays ONLINE in Prefect until its heartbeat ages, and
    # would count among this run's workers (a run submitted before the new worker is up), and so would its runs.
    pool = f"bench-{workers}-{'relay-' if delay else ''}{'' if pipelining else 'plain-'}{os.getpid()}-{next(_POOLS)}"
    with (temporary_settings({PREFECT_API_URL: api}),
          db.fresh(f"workers-{workers}{'-relay' if delay else ''}") as (url, home),
          ServerProcess(delay, pipelining=pipelining) as server):
        app = make_app(url, home, smtp_url=server.url)
        processes: list[subprocess.Popen[bytes]] = []
        try:
            round_id = prepare_round(app, home, units)
            execute(app, round_id, Launch(), ACTOR)  # queued, not sent
            env = {**os.environ, "PREFECT_API_URL": api, "YKIEN_HOME": str(home), "YKIEN_DATABASE_URL": url, "YKIEN_SMTP_URL": server.url,
                   "YKIEN_WORK_POOL": pool, "YKIEN_NOW": START.isoformat(), "PREFECT_HOME": str(home / "prefect")}
            executor = PrefectExecutor(pool, app.installation_id)  # the pool and deployments exist before the workers look
            for number in range(workers):
                with (home / f"worker-{number}.log").open("wb") as log:
                    processes.append(subprocess.Popen([str(BIN / "ykien"), "worker", "--name", f"w{number}"],
                                                      env=env, stdout=log, stderr=subprocess.STDOUT))
            _wait(lambda: _online(api, pool) == workers, 120, f"{workers} workers online", 0.3)

            def sent() -> int:
                with app.uow(read_only=True) as uow:
                    return uow.outbox.count_for_round(round_id, status="sent")

            readers: dict[str, Callable[[], float | None]] = {
                "ykien workers": lambda: processes_cpu_seconds([process.pid for process in processes]),
                "PostgreSQL": lambda: postgres_cpu_seconds(app.engine),
                "Prefect server": lambda: process_group_cpu_seconds(prefect.group),
                "SMTP server": server.cpu_seconds, "this benchmark": own_cpu_seconds}
            # the machine's reading around the parts': none of their CPU falls outside it
            machine_before, parts_before = machine_cpu_seconds(), _cpu_readings(readers)
            submitted_at = datetime.now(UTC)
            started, cpu_before, server_before = time.perf_counter(), machine_cpu_seconds(), server.cpu_seconds()
            if executor.run(app, "deliver", {"round_id": round_id}).runs == 0:  # else a wait of 30 minutes for nothing
                raise BenchmarkCheckFailed(f"{workers} workers: the round's fan-out was submitted as no flow run")
            _wait_until_recorded(server, sent, units, f"fan-out with {workers} workers")
            elapsed, cpu_after = time.perf_counter() - started, machine_cpu_seconds()
            server_cpu = server.cpu_since(server_before)
            parts, machine_after = _cpu_used(parts_before, _cpu_readings(readers)), machine_cpu_seconds()
            busy, busy_part = busy_share(cpu_before, cpu_after), busy_fraction(cpu_before, cpu_after)
            machine_cpu = None if machine_before is None or machine_after is None else \
                machine_after[0] - machine_before[0]
            runs = _runs_of(api, pool)
            first_start = min(datetime.fromisoformat(run["start_time"]) for run in runs if run["start_time"])
            received, _ = server.received()
            with app.uow() as uow:
                rows = uow.outbox.for_round(round_id)
            payloads = [Payload(r.message_id, app.settings.from_address, r.to_address, r.subject, r.text_body,
                                r.html_body) for r in rows]
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            app.close()
    if received < units:
        raise BenchmarkCheckFailed(f"{workers} workers: {units} units, {received} messages received")
    return WorkersRun(elapsed, (first_start - submitted_at).total_seconds(), len(runs), busy, server_cpu, parts,
                      machine_cpu, busy_part), payloads


def _raw(payloads: list[Payload], delay: float = 0.0, pipelining: bool = True) -> RawRun:
    """Seconds raw aiosmtplib takes to send `payloads`, how busy the machine was meanwhile and the SMTP server's CPU
    seconds."""
    before = machine_cpu_seconds()
    timing = run_baseline("raw", prebuild(payloads), delay, pipelining=pipelining)
    return timing.wall, busy_share(before, machine_cpu_seconds()), timing.server_cpu


def _per_message(seconds: float | None, units: int) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000 / units:.2f}"


@dataclass(frozen=True)
class Block:
    """One block's runs: one worker `len(pairs)` times, each followed by raw aiosmtplib on the same messages, then two
    and four workers, then raw once more."""

    pairs: list[tuple[WorkersRun, RawRun]]
    more: dict[int, WorkersRun]  # by worker count, two and four
    end_raw: RawRun

    @property
    def raws(self) -> list[RawRun]:
        return [raw for _, raw in self.pairs] + [self.end_raw]

    @staticmethod
    def pair_ratio(pair: tuple[WorkersRun, RawRun]) -> float:
        """One worker against raw aiosmtplib right after it."""
        one, (raw_seconds, _, _) = pair
        return raw_seconds / one.seconds

    @property
    def median_pair(self) -> tuple[WorkersRun, RawRun]:
        """The pair whose one worker / raw is the median of the pairs' (the lower middle one of an even number)."""
        ranked = sorted(self.pairs, key=self.pair_ratio)
        return ranked[(len(ranked) - 1) // 2]

    @property
    def one_vs_raw(self) -> float:
        return self.pair_ratio(self.median_pair)

    @property
    def measured(self) -> dict[int, WorkersRun]:
        """Each worker count's run, one worker's the median pair's."""
        return {1: self.median_pair[0], **self.more}


def _measure(db: Database, prefect: PrefectServer, units: int, delay: float, pairs: int) -> Block:
    """One worker and raw aiosmtplib right after it, `pairs` times (this machine's speed drifts by a third over
    minutes: each ratio is taken within a minute, and the median of them is the figure), then two and four workers, and
    raw at the end."""
    where = f", {delay * 1000:.0f} ms mail server" if delay else ""
    measured: list[tuple[WorkersRun, RawRun]] = []
    for _ in range(pairs):
        one, payloads = run_workers(db, prefect, units, 1, delay)
        raw = _raw(payloads, delay)
        measured.append((one, raw))
        print(f"  1 worker{where}: {one.seconds:.2f} s; raw aiosmtplib {raw[0]:.2f} s", flush=True)
    more: dict[int, WorkersRun] = {}
    for workers in WORKER_COUNTS[1:]:
        more[workers], payloads = run_workers(db, prefect, units, workers, delay)
        print(f"  {workers} workers{where}: {more[workers].seconds:.2f} s", flush=True)
    return Block(measured, more, _raw(payloads, delay))


def _without_pipelining(db: Database, prefect: PrefectServer, units: int) -> tuple[float, float]:
    """Seconds of one worker and of raw aiosmtplib into the counting server not announcing PIPELINING: both send one
    command at a time, and the ratio is ykien's cost over the bare library on the same protocol."""
    one, payloads = run_workers(db, prefect, units, 1, pipelining=False)
    raw, _, _ = _raw(payloads, pipelining=False)
    print(f"  1 worker, server without PIPELINING: {one.seconds:.2f} s; raw aiosmtplib {raw:.2f} s", flush=True)
    return one.seconds, raw


def _table(title: str, units: int, block: Block, notes: list[str]) -> tuple[float, dict[int, float]]:
    """Print one block; the mean raw seconds and each worker count's seconds (one worker's: the median pair's)."""
    raws = block.raws
    raw = sum(seconds for seconds, _, _ in raws) / len(raws)
    seconds = {workers: result.seconds for workers, result in block.measured.items()}
    median = block.median_pair
    rows = []
    for number, pair in enumerate(block.pairs, start=1):
        one, (raw_seconds, raw_busy, raw_server) = pair
        label = f"run {number}" + (", the median" if pair is median and len(block.pairs) > 1 else "")
        rows.append((f"1 ykien worker, {label}", f"{one.seconds:.2f}", f"{units / one.seconds:,.0f}",
                     f"{raw_seconds / one.seconds:.2f}", f"{seconds[1] / one.seconds:.2f}", f"{one.pickup:.2f}",
                     str(one.runs), one.busy, _per_message(one.server_cpu, units)))
        rows.append(("  raw aiosmtplib (8 connections) right after it", f"{raw_seconds:.2f}",
                     f"{units / raw_seconds:,.0f}", "", "", "", "", raw_busy, _per_message(raw_server, units)))
    for workers, result in block.more.items():
        rows.append((f"{workers} ykien workers", f"{result.seconds:.2f}", f"{units / result.seconds:,.0f}",
                     f"{raw / result.seconds:.2f}", f"{seconds[1] / result.seconds:.2f}", f"{result.pickup:.2f}",
                     str(result.runs), result.busy, _per_message(result.server_cpu, units)))
    end_seconds, end_busy, end_server = block.end_raw
    rows.append(("raw aiosmtplib (8 connections), at the end", f"{end_seconds:.2f}", f"{units / end_seconds:,.0f}",
                 f"{raw / end_seconds:.2f}", "", "", "", end_busy, _per_message(end_server, units)))
    print_table(title, ["sender", "seconds", "messages/s", "× raw", "× one worker", "pickup s", "flow runs",
                        "CPUs busy", "SMTP server ms/msg"], rows, notes)
    return raw, seconds


def _cpu_table(title: str, units: int, measured: dict[int, WorkersRun]) -> None:
    """Where the machine's CPU went during each worker count's fan-out, in ms a message."""
    rows = []
    for workers, result in measured.items():
        known = [seconds for seconds in result.cpu.values() if seconds is not None]
        other = None if result.machine_cpu is None else result.machine_cpu - sum(known)
        rows.append((f"{workers} ykien worker(s)", *(_per_message(result.cpu[part], units) for part in CPU_PARTS),
                     _per_message(other, units), _per_message(result.machine_cpu, units), result.busy))
    print_table(title, ["sender", *CPU_PARTS, "other", "machine", "CPUs busy"], rows, [
        "CPU seconds of each part from the submission to the last message recorded sent, over the messages; "
        "PostgreSQL: its server's processes, the backends of the benchmark's own queries included; this benchmark: "
        "the process that submits the runs and counts the messages sent; other: the machine's busy time less the "
        "parts (the kernel's own work, other processes)"])


def most_two_workers_give(one: WorkersRun) -> float | None:
    """The most two workers can send over one on this machine's cores, if a message costs the machine as much CPU
    as it did with one worker: all the cores busy against the share one worker kept busy, and two at most."""
    if not one.busy_fraction:
        return None
    return min(2.0, 1 / one.busy_fraction)


def _server_bound(raws: list[RawRun], units: int, raw: float, one_worker: float) -> list[tuple[str, str, str, str]]:
    """What the counting SMTP server itself allows: the messages a second it could accept with a whole core to
    itself (from its CPU per message during the raw runs), how much of that raw aiosmtplib used, and the most two
    workers could gain over one when the server is the limit. When raw uses nearly all of it, one worker at 0.9x raw
    and two at 1.6x one cannot both hold: two would need 1.44x raw, past what the server can take."""
    server_seconds = [cpu for _, _, cpu in raws if cpu]
    if not server_seconds:
        return []
    capacity = units / (sum(server_seconds) / len(server_seconds))
    return [("workers: raw aiosmtplib / what the counting server accepts on one core",
             f"{units / raw / capacity:.2f}", "(reported)", "info"),
            ("workers: two workers / one, most the counting server allows",
             f"{capacity / (units / one_worker):.2f}", "(reported)", "info")]


def prefect_database(home: Path, database_url: str | None) -> str:
    """The database the Prefect server kept its runs in, as its home shows it after the runs: SQLite when its file is
    there, else the kind of the URL it was given, with the server version that database reports."""
    if (home / "prefect.db").exists():
        return "SQLite"
    if database_url is None or not database_url.startswith("postgresql"):
        return f"another database ({(database_url or 'unknown').split(':', 1)[0]})"
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    try:
        return engine_database(engine)
    finally:
        engine.dispose()


def run(db: Database, units: int) -> list[tuple[str, str, str, str]]:
    """Print the workers blocks; return (figure, value, target, verdict) lines for the summary."""
    with prefect_database_url(db) as prefect_url:
        with prefect_server(db.workdir, prefect_url) as prefect:
            block = _measure(db, prefect, units, 0.0, ONE_WORKER_PAIRS)
            relay = _measure(db, prefect, units, RELAY_DELAY, 1)
            plain_one, plain_raw = _without_pipelining(db, prefect, units)
        prefect_kept = prefect_database(db.workdir / "prefect-server", prefect_url)
    raw, seconds = _table(f"Fan-out of {units:,} messages through Prefect workers", units, block, [
        "the mail server: counting_smtp.py in a process of its own, about 0.1 ms of CPU a message, announcing "
        "PIPELINING as most relays do: ykien sends MAIL, RCPT and DATA in one write, raw aiosmtplib one command at a "
        "time (the summary gives one worker against raw into the same server without PIPELINING too)",
        f"{os.cpu_count()} CPUs for the Prefect server, the workers, the database and the SMTP server together; "
        "CPUs busy: all processes of the machine while it ran; SMTP server ms/msg: the CPU the same counting server "
        "spent per message, a yardstick of how fast the machine ran at that moment",
        f"× raw: one worker's runs against the raw run right after each (the summary gives the median of the "
        f"{len(block.pairs)}), the others against the mean of the raw runs; × one worker: against the median run; "
        "timed from the submission of the circulate runs to the last message recorded sent; pickup: from the "
        "submission to the first run's start in Prefect (a worker heard of it from Prefect's events, took it, the "
        "engine began)",
        f"the Prefect server kept its own data in {prefect_kept}, as its home showed after the runs (with --postgres, a "
        "database of its own on the same cluster, as README's Production sets it up; on SQLite it now and then takes "
        "seconds to create a run)"])
    _, relay_seconds = _table(
        f"Fan-out of {units:,} messages through Prefect workers, into a mail server taking "
        f"{RELAY_DELAY * 1000:.0f} ms to accept each message", units, relay, [
            "as a relay writing each message to its disk queue, or one across a network: each connection waits on "
            "the server, so more workers (more connections) send more while this machine's cores have room",
            "judged against the same goals as the block above (the summary's lines marked 20 ms mail server)"])
    _cpu_table("Where the machine's CPU went, ms a message (the mail server costing nothing)", units, block.measured)
    _cpu_table(f"Where the machine's CPU went, ms a message ({RELAY_DELAY * 1000:.0f} ms mail server)", units,
               relay.measured)
    cores = os.cpu_count() or 1
    ceilings = [(label, most) for label, one in (("", block.measured[1]),
                                                 (f", {RELAY_DELAY * 1000:.0f} ms mail server", relay.measured[1]))
                if (most := most_two_workers_give(one)) is not None]
    one_vs_raw = block.one_vs_raw
    two_vs_one = seconds[1] / seconds[2]
    relay_one_vs_raw = relay.one_vs_raw
    relay_two_vs_one = relay_seconds[1] / relay_seconds[2]
    return [
        (f"workers: one worker / raw aiosmtplib (the median of {len(block.pairs)} pairs: "
         f"{', '.join(f'{block.pair_ratio(pair):.2f}' for pair in block.pairs)})", f"{one_vs_raw:.2f}",
         f">= {TARGET_ONE_VS_RAW}",
         verdict(one_vs_raw >= TARGET_ONE_VS_RAW)),
        ("workers: two workers / one", f"{two_vs_one:.2f}", f">= {TARGET_TWO_VS_ONE}",
         verdict(two_vs_one >= TARGET_TWO_VS_ONE)),
        *_server_bound(block.raws, units, raw, seconds[1]),
        *((f"workers{label}: two workers / one, the most {cores} cores allow at one worker's CPU a message",
           f"{most:.2f}", "(reported)", "info") for label, most in ceilings),
        ("workers: four workers / one", f"{seconds[1] / seconds[4]:.2f}", "(reported)", "info"),
        ("workers: one worker / raw, into a server without PIPELINING (both one command at a time)",
         f"{plain_raw / plain_one:.2f}", "(reported)", "info"),
        (f"workers, {RELAY_DELAY * 1000:.0f} ms mail server: one worker / raw", f"{relay_one_vs_raw:.2f}",
         f">= {TARGET_ONE_VS_RAW}", verdict(relay_one_vs_raw >= TARGET_ONE_VS_RAW)),
        (f"workers, {RELAY_DELAY * 1000:.0f} ms mail server: two workers / one", f"{relay_two_vs_one:.2f}",
         f">= {TARGET_TWO_VS_ONE}", verdict(relay_two_vs_one >= TARGET_TWO_VS_ONE)),
        (f"workers, {RELAY_DELAY * 1000:.0f} ms mail server: four workers / one",
         f"{relay_seconds[1] / relay_seconds[4]:.2f}", "(reported)", "info"),
        ("workers: the Prefect server's own database", prefect_kept, "(reported)", "info"),
    ]
