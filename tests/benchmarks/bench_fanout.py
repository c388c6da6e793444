"""Fan-out: launch a round of N units and deliver its invitations into a loopback SMTP server (counting_smtp.py),
against hand-written baselines sending the same messages, built as EmailMessage beforehand: raw
aiosmtplib (8 connections, messages also flattened to bytes beforehand) and a naive smtplib loop
(one connection and one send_message per message).
Also the peak memory growth of launch + delivery, measured in a child process."""
from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import resource
import smtplib
import statistics
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate
from functools import partial
from pathlib import Path
from typing import Any

import aiosmtplib
from bench_support import (
    ACTOR,
    BenchmarkCheckFailed,
    Database,
    make_app,
    mib,
    postgres_cpu_seconds,
    prepare_round,
    print_table,
    processes_cpu_seconds,
    ratio,
    timed,
    timed_cpu,
    verdict,
)

from config.smtp_url import SmtpTarget
from workflows.engine.events import Launch
from workflows.service.delivery import deliver_outbox
from workflows.service.rounds import execute

HELO = "bench.localhost"
RAW_CONNECTIONS = 8
TARGET_VS_RAW = 0.8
TARGET_VS_NAIVE = 3.0
TARGET_MEMORY = 100 * 2**20


@dataclass(frozen=True)
class Payload:
    """What one ykien message says, so the baselines send the same content to the same people."""

    message_id: str
    sender: str
    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Timing:
    """One timed section: wall seconds and CPU seconds of the sending process (all its threads)."""

    wall: float
    cpu: float
    server_cpu: float | None = None  # CPU seconds of the counting SMTP server meanwhile (Linux), a yardstick of speed
    database_cpu: float | None = None  # CPU seconds of the PostgreSQL server meanwhile (all its processes); None: n/a


@dataclass(frozen=True)
class YkienRun:
    queued: int
    launch: Timing
    delivery: Timing
    average_bytes: float
    connections: int
    payloads: list[Payload]


@dataclass(frozen=True)
class MemoryRun:
    """Memory growth over the RSS before launch (bytes), per phase; None where unmeasurable."""

    baseline_rss: int | None
    launch_peak: int | None
    delivery_peak: int | None
    retained: int | None
    launch_traced: int | None
    delivery_traced: int | None
    note: str

    @property
    def peak(self) -> int | None:
        peaks = [p for p in (self.launch_peak, self.delivery_peak) if p is not None]
        return max(peaks) if peaks else None


COUNTING_SERVER = Path(__file__).with_name("counting_smtp.py")


class ServerProcess:
    """A fresh loopback mail server in its own process, so that its CPU time and the GIL are not shared with the
    sender being measured (as with a real mail server): counting_smtp.py, which costs the shared cores little. It
    announces PIPELINING as most relays do; with `pipelining=False` it does not, and every client sends one command
    at a time, as raw aiosmtplib always does."""

    def __init__(self, delay: float = 0.0, *, pipelining: bool = True) -> None:
        """`delay`: seconds the server takes before it accepts each message (as a relay writing it to its disk
        queue, or one across a network, does); 0 accepts at once."""
        command = [str(COUNTING_SERVER), str(delay), *([] if pipelining else ["plain"])]
        self._process = subprocess.Popen([sys.executable, *command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True)
        line = self._ask(None)
        host, port = line.split()
        self.target = SmtpTarget(host=host, port=int(port), timeout=30)
        self.url = f"smtp://{host}:{port}"

    def _ask(self, command: str | None) -> str:
        assert self._process.stdin is not None and self._process.stdout is not None
        if command is not None:
            self._process.stdin.write(command + "\n")
            self._process.stdin.flush()
        line = self._process.stdout.readline().strip()
        if not line:
            raise BenchmarkCheckFailed(f"the SMTP server process did not answer {command!r}")
        return line

    def cpu_seconds(self) -> float | None:
        """CPU seconds the server process has used so far (Linux /proc); None elsewhere."""
        return processes_cpu_seconds([self._process.pid])

    def cpu_since(self, before: float | None) -> float | None:
        """CPU seconds the server has used since it had used `before` (a `cpu_seconds` reading); None elsewhere."""
        now = self.cpu_seconds()
        return None if before is None or now is None else now - before

    def received(self) -> tuple[int, int]:
        """(messages accepted, total bytes)."""
        count, size = self._ask("count").split()
        return int(count), int(size)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(BenchmarkCheckFailed, OSError):
            self._ask("quit")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def run_ykien(db: Database, units: int, pipelining: bool = True) -> YkienRun:
    """Launch a prepared round through the service layer, then time deliver_outbox on its own, into a server
    announcing PIPELINING or not."""
    with db.fresh("fanout-ykien") as (url, home):
        app = make_app(url, home)
        try:
            round_id = prepare_round(app, home, units)
            with ServerProcess(pipelining=pipelining) as server:
                app.smtp_url_override = server.url
                launch_wall, launch_cpu, decision = timed_cpu(lambda: execute(app, round_id, Launch(), ACTOR))
                server_before, database_before = server.cpu_seconds(), postgres_cpu_seconds(app.engine)
                deliver_wall, deliver_cpu, report = timed_cpu(lambda: deliver_outbox(app, round_id))
                server_cpu, database_after = server.cpu_since(server_before), postgres_cpu_seconds(app.engine)
                received, size = server.received()
            with app.uow() as uow:
                rows = uow.outbox.for_round(round_id)
            sender = app.settings.from_address
            payloads = [Payload(r.message_id, sender, r.to_address, r.subject, r.text_body, r.html_body)
                        for r in rows]
            connections = app.settings.smtp_connections
        finally:
            app.close()
    queued = len(decision.messages)
    if not (queued == report.sent == received == len(payloads)):
        raise BenchmarkCheckFailed(f"ykien fan-out: {queued} queued, {report.sent} reported sent, "
                                   f"{received} received, {len(payloads)} outbox rows")
    database_cpu = None if database_before is None or database_after is None else database_after - database_before
    return YkienRun(queued, Timing(launch_wall, launch_cpu),
                    Timing(deliver_wall, deliver_cpu, server_cpu, database_cpu), size / max(received, 1), connections,
                    payloads)


@dataclass(frozen=True)
class Prebuilt:
    """One baseline message, built before any timing starts, with its flattened bytes."""

    sender: str
    to: str
    message: EmailMessage
    data: bytes


def prebuild(payloads: list[Payload]) -> list[Prebuilt]:
    """The baselines' messages: EmailMessage objects built (and flattened) before any timing starts."""
    built = []
    for payload in payloads:
        message = EmailMessage()
        message["Message-ID"] = payload.message_id
        message["Date"] = formatdate()
        message["From"] = payload.sender
        message["To"] = payload.to
        message["Subject"] = payload.subject
        message.set_content(payload.text)
        message.add_alternative(payload.html, subtype="html")
        built.append(Prebuilt(payload.sender, payload.to, message, message.as_bytes(policy=SMTP_POLICY)))
    return built


async def _send_raw(host: str, port: int, messages: list[Prebuilt], connections: int) -> None:
    async def worker(chunk: list[Prebuilt]) -> None:
        smtp = aiosmtplib.SMTP(hostname=host, port=port, local_hostname=HELO, start_tls=False, timeout=30)
        await smtp.connect()
        try:
            for item in chunk:
                await smtp.sendmail(item.sender, [item.to], item.data)
        finally:
            await smtp.quit()

    await asyncio.gather(*(worker(messages[i::connections]) for i in range(connections)))


def _send_naive(host: str, port: int, messages: list[Prebuilt], flattened: bool) -> None:
    for item in messages:
        with smtplib.SMTP(host, port, local_hostname=HELO, timeout=30) as smtp:
            if flattened:
                smtp.sendmail(item.sender, [item.to], item.data)
            else:
                smtp.send_message(item.message)


def run_baseline(name: str, messages: list[Prebuilt], delay: float = 0.0, pipelining: bool = True) -> Timing:
    """Send `messages` with one baseline ("raw", "naive", "naive-bytes") into a fresh counting server (taking
    `delay` seconds per message, announcing PIPELINING or not: ServerProcess). None of them pipelines."""
    with ServerProcess(delay, pipelining=pipelining) as server:
        host, port = server.target.host, server.target.port
        server_before = server.cpu_seconds()
        if name == "raw":
            wall, cpu, _ = timed_cpu(lambda: asyncio.run(_send_raw(host, port, messages, RAW_CONNECTIONS)))
        else:
            wall, cpu, _ = timed_cpu(lambda: _send_naive(host, port, messages, flattened=name == "naive-bytes"))
        server_cpu = server.cpu_since(server_before)
        received, _ = server.received()
    if received != len(messages):
        raise BenchmarkCheckFailed(f"{name} baseline: {received} of {len(messages)} messages received")
    return Timing(wall, cpu, server_cpu)


# Memory: a child process does launch + delivery so that nothing else (the SMTP server, the
# baselines, earlier benchmarks) sits in its heap; the parent runs the SMTP server.

def _status_bytes(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM, so the peak is measured from here on."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def memory_child(url: str, home: str, units: int, smtp_url: str, mode: str) -> dict[str, object]:
    """Launch then deliver a prepared round; report RSS (mode "rss") or traced heap ("tracemalloc") peaks."""
    app = make_app(url, Path(home), smtp_url=smtp_url)
    round_id = prepare_round(app, Path(home), units)
    gc.collect()
    result: dict[str, object] = {"baseline": _status_bytes("VmRSS"), "resettable": _reset_peak_rss()}
    if mode == "tracemalloc":
        tracemalloc.start()

    def phase_peak() -> int | None:
        if mode == "tracemalloc":
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            return peak
        peak = _status_bytes("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        _reset_peak_rss()
        return peak

    execute(app, round_id, Launch(), ACTOR)
    result["launch"] = phase_peak()
    report = deliver_outbox(app, round_id)
    result["delivery"] = phase_peak()
    gc.collect()
    result["after"] = _status_bytes("VmRSS")
    result["sent"] = report.sent
    app.close()
    return result


def run_memory(db: Database, units: int) -> MemoryRun:
    """Two child processes on fresh databases: one measures RSS, one the traced Python heap."""
    data: dict[str, dict[str, Any]] = {}
    for mode in ("rss", "tracemalloc"):
        with db.fresh(f"memory-{mode}") as (url, home), ServerProcess() as server:
            arguments = json.dumps({"url": url, "home": str(home), "units": units, "smtp_url": server.url,
                                    "mode": mode})
            completed = subprocess.run([sys.executable, __file__, "--memory-child", arguments],
                                       capture_output=True, text=True, timeout=1800)
            if completed.returncode != 0:
                raise BenchmarkCheckFailed(f"memory child ({mode}) failed:\n{completed.stderr[-4000:]}")
            data[mode] = json.loads(completed.stdout.strip().splitlines()[-1])
            received, _ = server.received()
        if not data[mode]["sent"] == received == units:
            raise BenchmarkCheckFailed(f"memory run ({mode}): {units} units, {data[mode]['sent']} sent, "
                                       f"{received} received")
    rss, traced = data["rss"], data["tracemalloc"]
    baseline = rss["baseline"]

    def growth(value: int | None) -> int | None:
        return None if baseline is None or value is None else value - baseline

    note = ("peak RSS (VmHWM, reset before each phase) minus RSS before launch" if rss["resettable"] else
            "peak RSS since the child started (VmHWM could not be reset) minus RSS before launch")
    return MemoryRun(baseline, growth(rss["launch"]), growth(rss["delivery"]), growth(rss["after"]),
                     traced["launch"], traced["delivery"], note)


def run(db: Database, units: int, memory_units: int, repeats: int) -> list[tuple[str, str, str, str]]:
    """Run and print the fan-out blocks; return (figure, value, target, verdict) lines for the summary."""
    launches: list[Timing] = []
    deliveries: list[Timing] = []
    plain_deliveries: list[Timing] = []  # into the server not announcing PIPELINING
    baselines: dict[str, list[Timing]] = {"raw": [], "naive": [], "naive-bytes": []}
    messages: list[Prebuilt] = []
    build_seconds = 0.0
    ykien: YkienRun | None = None
    for _ in range(repeats):  # interleaved, so a busy moment of the machine hits every method alike
        ykien = run_ykien(db, units)
        payloads = ykien.payloads
        launches.append(ykien.launch)
        deliveries.append(ykien.delivery)
        if not messages:
            build_seconds, messages = timed(partial(prebuild, payloads))
        for name, timings in baselines.items():
            timings.append(run_baseline(name, messages))
        plain_deliveries.append(run_ykien(db, units, pipelining=False).delivery)
    assert ykien is not None
    count = ykien.queued
    end_to_end = [Timing(a.wall + b.wall, a.cpu + b.cpu) for a, b in zip(launches, deliveries, strict=False)]

    def best_rate(timings: list[Timing]) -> float:
        return count / min(t.wall for t in timings)

    def median_rate(timings: list[Timing]) -> float:
        return count / statistics.median(t.wall for t in timings)

    def per_thousand(seconds: list[float | None]) -> float | None:
        """The median of CPU seconds measured per run, per 1,000 messages (= ms a message); None if unmeasured."""
        known = [value for value in seconds if value is not None]
        return statistics.median(known) * 1000 / count if known and len(known) == len(seconds) else None

    def shown(value: float | None) -> str:
        return f"{value:.3f}" if value is not None else "n/a"

    raw_best, naive_best = best_rate(baselines["raw"]), best_rate(baselines["naive"])
    vs_raw, vs_naive = best_rate(deliveries) / raw_best, best_rate(deliveries) / naive_best
    median_vs_raw = median_rate(deliveries) / median_rate(baselines["raw"])
    median_vs_naive = median_rate(deliveries) / median_rate(baselines["naive"])
    plain_vs_raw = best_rate(plain_deliveries) / raw_best

    def row(label: str, timings: list[Timing], compare: bool = True, database: bool = False) -> tuple[object, ...]:
        best = best_rate(timings)
        return (label, count, f"{min(t.wall for t in timings):.2f}", f"{best:,.0f}", f"{median_rate(timings):,.0f}",
                shown(per_thousand([t.cpu for t in timings])),
                shown(per_thousand([t.database_cpu for t in timings])) if database else "",
                shown(per_thousand([t.server_cpu for t in timings])) if timings[0].server_cpu is not None else "",
                ratio(best, raw_best) if compare else "", ratio(best, naive_best) if compare else "")

    rows = [
        row("ykien compose + enqueue (launch transaction)", launches, compare=False),
        row(f"ykien delivery (deliver_outbox, {ykien.connections} connections)", deliveries, database=True),
        row("  the same into the server without PIPELINING (one command at a time)", plain_deliveries, database=True),
        row("ykien end to end (launch + delivery)", end_to_end),
        row(f"raw aiosmtplib, {RAW_CONNECTIONS} connections, pre-built", baselines["raw"]),
        row("naive smtplib, one connection + send_message per message", baselines["naive"]),
        row("  (info) the same naive loop sending pre-flattened bytes", baselines["naive-bytes"]),
    ]
    baseline_bytes = sum(len(m.data) for m in messages) / len(messages)
    worker_cpu = per_thousand([t.cpu for t in deliveries])
    database_cpu = per_thousand([t.database_cpu for t in deliveries])
    raw_cpu = per_thousand([t.cpu for t in baselines["raw"]])
    print_table(f"Fan-out: a round of {units:,} units, {count:,} invitations into a loopback counting SMTP server "
                f"({repeats} run{'s' if repeats > 1 else ''} each, interleaved)",
                ["measurement", "messages", "best s", "best msg/s", "median msg/s", "CPU s/1k msg",
                 "database CPU s/1k", "SMTP server CPU s/1k", "vs raw", "vs naive"], rows, [
                    f"ykien delivery / raw = {vs_raw:.2f} "
                    f"(target >= {TARGET_VS_RAW}: {verdict(vs_raw >= TARGET_VS_RAW)}); "
                    f"ykien delivery / naive = {vs_naive:.2f} (target >= {TARGET_VS_NAIVE}: "
                    f"{verdict(vs_naive >= TARGET_VS_NAIVE)}); ratios of best runs (medians: {median_vs_raw:.2f}, "
                    f"{median_vs_naive:.2f})",
                    "CPU s/1k msg: the sending process's CPU seconds per 1,000 messages (= ms a message), median "
                    "of the runs; database: PostgreSQL's, all its processes, while deliver_outbox ran (n/a on "
                    "SQLite, inside the sender's own figure); SMTP server: the counting server's (its own process, "
                    "counting_smtp.py), a yardstick of the machine's speed, which drifts by a third between runs",
                    f"CPU per 1,000 delivered messages: ykien's worker {shown(worker_cpu)} s + "
                    f"{'SQLite in it' if database_cpu is None else f'PostgreSQL {shown(database_cpu)} s'}, against "
                    f"raw aiosmtplib's client {shown(raw_cpu)} s (worker / raw = "
                    f"{ratio(worker_cpu or 0, raw_cpu or 0)}); wall-clock: ykien / raw = {vs_raw:.2f} (best runs), "
                    f"{median_vs_raw:.2f} (medians)",
                    "the server announces PIPELINING, as most relays do: ykien then sends MAIL, RCPT and DATA in one "
                    "write; the baselines send one command at a time whatever it announces; the row below ykien's "
                    "delivery is ykien into the same server not announcing it",
                    "each measurement had a fresh server that counted every message; the baselines send the same "
                    "recipients and content as EmailMessage objects built before timing (build + flatten "
                    f"{build_seconds * 1000 / count:.2f} ms/msg, not counted); raw sends bytes flattened beforehand, "
                    "naive lets smtplib flatten each message as naive code does",
                    f"average size: ykien {ykien.average_bytes:,.0f} bytes, EmailMessage baseline "
                    f"{baseline_bytes:,.0f} bytes",
                ])

    memory = run_memory(db, memory_units)

    def size(value: int | None) -> str:
        return mib(value) if value is not None else "n/a"

    mem_rows = [
        ("launch: compose + enqueue (one transaction)", size(memory.launch_peak), size(memory.launch_traced)),
        ("delivery: deliver_outbox", size(memory.delivery_peak), size(memory.delivery_traced)),
        ("still held after delivery (RSS)", size(memory.retained), ""),
        ("RSS before launch (the child's baseline)", size(memory.baseline_rss), ""),
    ]
    growth = memory.peak if memory.peak is not None else max(memory.launch_traced or 0, memory.delivery_traced or 0)
    print_table(f"Fan-out memory: {memory_units:,} units, launch then delivery in a child process",
                ["phase", "peak RSS growth", "tracemalloc peak"], mem_rows, [
                    f"{memory.note}; tracemalloc (Python heap) in a second child; the SMTP server runs in "
                    "another process",
                    f"peak growth {size(growth)}: target < {mib(TARGET_MEMORY)}: {verdict(growth < TARGET_MEMORY)}",
                ])
    return [
        ("fan-out: ykien delivery / raw aiosmtplib", f"{vs_raw:.2f}", f">= {TARGET_VS_RAW}",
         verdict(vs_raw >= TARGET_VS_RAW)),
        ("fan-out: ykien delivery / raw, into a server without PIPELINING (both one command at a time)",
         f"{plain_vs_raw:.2f}", "(reported)", "info"),
        ("fan-out: CPU s per 1,000 messages, worker + database (raw client)",
         f"{shown(worker_cpu)} + {shown(database_cpu)} ({shown(raw_cpu)})", "(reported)", "info"),
        ("fan-out: ykien delivery / naive smtplib", f"{vs_naive:.2f}", f">= {TARGET_VS_NAIVE}",
         verdict(vs_naive >= TARGET_VS_NAIVE)),
        (f"fan-out: peak memory growth, {memory_units:,} units", mib(growth), f"< {mib(TARGET_MEMORY)}",
         verdict(growth < TARGET_MEMORY)),
    ]


if __name__ == "__main__" and sys.argv[1:2] == ["--memory-child"]:
    options = json.loads(sys.argv[2])
    print(json.dumps(memory_child(options["url"], options["home"], options["units"], options["smtp_url"],
                                  options["mode"])))
