"""What every benchmark shares: fresh databases, an App on a frozen clock, a generated directory,
timing helpers and plain-text tables."""
from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path[:2]:  # our packages first, even if other "config" or "models" are installed
    sys.path.insert(1, str(REPO))

from config.clock import FrozenClock  # noqa: E402
from config.settings import load_settings  # noqa: E402
from workflows.service.app import App, build_app  # noqa: E402
from workflows.service.directory import import_units  # noqa: E402
from workflows.service.rounds import Addressee, NewRound, create_round  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2025, 11, 20, 9, 0, tzinfo=TZ)
DEADLINE = date(2025, 12, 5)  # a Friday, a working day
ACTOR = "Đo hiệu năng (benchmark)"
T = TypeVar("T")
GROUPS = ("so-ban-nganh", "xa-phuong", "hiep-hoi", "bao-chi")


class BenchmarkCheckFailed(RuntimeError):
    """A benchmark produced a wrong result (e.g. messages lost), so its figures mean nothing."""


@dataclass
class Database:
    """Where measurements keep their data: a new SQLite file each time, or a new schema in the
    PostgreSQL database given with --postgres (the schema is dropped afterwards)."""

    workdir: Path
    postgres_url: str | None = None
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def label(self) -> str:
        return "PostgreSQL (--postgres)" if self.postgres_url else "SQLite (WAL) in a temporary directory"

    @contextmanager
    def fresh(self, name: str) -> Iterator[tuple[str, Path]]:
        """A (database URL, home directory) pair nobody has used before."""
        number = next(self._counter)
        home = self.workdir / f"{number:02d}-{name}"
        home.mkdir(parents=True)
        if self.postgres_url is None:
            yield f"sqlite:///{home}/ykien.db", home
            return
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        schema = f"ykien_bench_{os.getpid()}_{number}"
        admin = create_engine(self.postgres_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(self.postgres_url).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            yield url.render_as_string(hide_password=False), home
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


# The databases the apps of this process really talked to, as their engines reported them (see make_app);
# run.py empties it before each benchmark and prints what the benchmark measured.
MEASURED: set[str] = set()


def engine_database(engine: Engine) -> str:
    """The database an engine really talks to, read back from a connection ("PostgreSQL 15.10",
    "SQLite 3.40.1"), never from the URL the command line gave."""
    with engine.connect() as connection:
        version = connection.dialect.server_version_info or ()
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(engine.dialect.name, engine.dialect.name)
    return f"{name} {'.'.join(map(str, version))}".strip()


def measured_database(app: App) -> str:
    """The database `app` really talks to, as its engine reports it."""
    return engine_database(app.engine)


def make_app(database_url: str, home: Path, smtp_url: str | None = None) -> App:
    """An App on its own database, with the schema migrated and the clock frozen at START."""
    settings = load_settings(home=home, database_url=database_url, smtp_url=smtp_url, now=None)
    app = build_app(settings, FrozenClock(START), create_schema=True)
    MEASURED.add(measured_database(app))
    return app


def write_units_csv(path: Path, count: int) -> Path:
    """A valid directory of `count` units spread over a few groups."""
    lines = ["code,name,group,email,contact_person,phone"]
    for i in range(1, count + 1):
        lines.append(f"DV{i:06d},Đơn vị thử nghiệm số {i},{GROUPS[i % len(GROUPS)]},"
                     f"vanthu.dv{i:06d}@bench.example.vn,Văn thư,0206 3852 {i % 1000:03d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def prepare_round(app: App, home: Path, units: int) -> int:
    """Import a generated directory and create (not launch) a round addressed to every unit."""
    import_units(app, write_units_csv(home / "units.csv", units), ACTOR)
    title = "Dự thảo Kế hoạch chuyển đổi số ngành khoa học và công nghệ tỉnh Cao Bằng giai đoạn 2026 – 2030"
    new = NewRound(
        title=title, subject=f"xin ý kiến góp ý đối với {title}", workflow="consultation", office="TĐC",
        deadline=DEADLINE, addressees=(Addressee(groups=GROUPS),), contact_name="Ông Phạm Phi Long",
        contact_phone="0912130290", signer_name="Nông Thị Thanh Huyền",
        contact_title="Trưởng phòng Quản lý Tiêu chuẩn Đo lường Chất lượng")
    return create_round(app, new, ACTOR)


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def timed_cpu(action: Callable[[], T]) -> tuple[float, float, T]:
    """Wall time and this process's CPU time (all threads, so an in-process server counts too)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def machine_cpu_seconds() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (Linux /proc/stat); None elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def _stat_fields(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (Linux): state, parent pid, process group, ...; None
    when the process is gone or /proc is not there."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cpu_of(fields: list[str], with_children: bool) -> float:
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if with_children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int | str, with_children: bool = False) -> tuple[float, int] | None:
    """(CPU seconds, parent pid) of a process from /proc (Linux); with the CPU of its children it has waited for."""
    fields = _stat_fields(pid)
    return None if fields is None else (_cpu_of(fields, with_children), int(fields[1]))


def process_group_cpu_seconds(group: int) -> float | None:
    """CPU seconds of the living processes of process group `group` (a server started in a session of its own),
    each with its reaped children's; None when the group has no process /proc shows."""
    seconds = [_cpu_of(fields, with_children=True) for entry in os.listdir("/proc")
               if entry.isdigit() and (fields := _stat_fields(entry)) is not None and int(fields[2]) == group]
    return sum(seconds) if seconds else None


def processes_cpu_seconds(pids: Sequence[int]) -> float | None:
    """CPU seconds of the processes `pids` so far, with their reaped children's; None when one cannot be read."""
    readings = [_process_cpu(pid, with_children=True) for pid in pids]
    return None if any(reading is None for reading in readings) else sum(r[0] for r in readings if r is not None)


def own_cpu_seconds() -> float:
    """CPU seconds this process (all its threads) has used so far."""
    times = os.times()
    return times.user + times.system


def postgres_cpu_seconds(engine: Engine) -> float | None:
    """CPU seconds the PostgreSQL server of `engine` has used so far, all its processes: the postmaster and every
    backend and helper it started, those that have ended included (the postmaster waits for them, so their CPU adds
    to its children's). None when the server's processes cannot be read (another machine, another pid namespace,
    not Linux, not PostgreSQL).

    A backend the postmaster reaps while its children are read would be missed (gone from /proc, not yet in the
    postmaster's figure when that was read) or counted twice: a connection that closes just before the reading (a
    delivery's own, closed as it ends) did so. The postmaster's figure is read before and after its children, and
    the reading taken again until the two agree."""
    if engine.dialect.name != "postgresql":
        return None
    from sqlalchemy import text

    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        own = _process_cpu(backend)
        postmaster = own[1] if own is not None else None
        if postmaster is None:
            return None
        return _server_cpu(postmaster)


def _server_cpu(postmaster: int) -> float | None:
    """The postmaster's CPU with its reaped children's, plus its living (or not yet reaped) children's."""
    seconds: float | None = None
    for _reading in range(20):
        before = _process_cpu(postmaster, with_children=True)
        children = sum(child[0] for entry in os.listdir("/proc")
                       if entry.isdigit() and (child := _process_cpu(entry)) is not None and child[1] == postmaster)
        after = _process_cpu(postmaster, with_children=True)
        if before is None or after is None:
            return None
        seconds = after[0] + children
        if after == before:
            break
    return seconds


def busy_fraction(before: tuple[float, float] | None, after: tuple[float, float] | None) -> float | None:
    """The share of all the machine's cores busy between two `machine_cpu_seconds` readings (0.97); None when
    unknown."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def busy_share(before: tuple[float, float] | None, after: tuple[float, float] | None) -> str:
    """How busy all the machine's cores were between two `machine_cpu_seconds` readings: "97 %"."""
    fraction = busy_fraction(before, after)
    return "n/a" if fraction is None else f"{fraction * 100:.0f} %"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def mib(size: float) -> str:
    return f"{size / 2**20:,.1f} MiB"


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}" if baseline else "n/a"


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
                notes: Sequence[str] = ()) -> None:
    """A plain aligned table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=False))
        return "  ".join([first, *rest]).rstrip()

    print(f"\n{title}")
    print("=" * len(title))
    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))
    for note in notes:
        print(f"  · {note}")
    sys.stdout.flush()
