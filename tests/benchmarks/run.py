"""ykien benchmarks: fan-out, sweep, start-up, web and PDF, each against baselines measured in the same run.

    .venv/bin/python tests/benchmarks/run.py [--quick] [--postgres URL] [--only fanout|sweep|startup|web|pdf|workers]
                                             [--repeats N] [--keep]

Prints figures and ratios; never asserts a time. Exits 0, or 1 when a benchmark could not produce
meaningful figures (a crash, or messages lost), since then its numbers mean nothing.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import MEASURED, Database, print_table

SECTIONS = ("fanout", "sweep", "startup", "web", "pdf", "workers")


@dataclass(frozen=True)
class Sizes:
    fanout_units: int
    fanout_repeats: int
    memory_units: int
    sweep_timers: tuple[int, int]
    sweep_repeats: int
    startup_repeats: int


FULL = Sizes(fanout_units=2_000, fanout_repeats=3, memory_units=5_000, sweep_timers=(10_000, 1_000_000),
             sweep_repeats=101, startup_repeats=5)
QUICK = Sizes(fanout_units=200, fanout_repeats=1, memory_units=500, sweep_timers=(100, 5_000),
              sweep_repeats=31, startup_repeats=3)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a minute or so")
    parser.add_argument("--postgres", metavar="URL", help="postgresql+psycopg://… of a database where a "
                        "throwaway schema may be created (default: SQLite files in a temporary directory)")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this benchmark (repeatable)")
    parser.add_argument("--repeats", type=int, metavar="N", help="fan-out runs per method (default: 3, quick: 1); "
                        "the ratios use the best run of each, the least disturbed by other processes")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    return parser.parse_args(argv)


def describe_machine(db: Database, sizes: Sizes, quick: bool) -> None:
    lines = [
        ("mode", "quick (smoke sizes)" if quick else "full"),
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("machine", f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load {load_average()}"),
        ("database", f"{db.label}; each benchmark prints the database its apps' engines reported"),
        ("fan-out", f"{sizes.fanout_units:,} units, {sizes.fanout_repeats} run(s) per method; memory with "
                    f"{sizes.memory_units:,} units"),
        ("sweep", f"{sizes.sweep_timers[0]:,} vs {sizes.sweep_timers[1]:,} future timers"),
    ]
    print("ykien benchmarks\n================")
    for key, value in lines:
        print(f"{key:<9} {value}")
    print("figures vary on a shared or busy machine; the ratios compare methods measured in the same run")


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def measured_on(section: str, postgres: bool, failures: list[str]) -> tuple[str, str, str, str]:
    """The summary line saying which database a benchmark's apps really used (read back from their engines,
    see bench_support.MEASURED); with --postgres, any other database is a failure of that benchmark."""
    measured = sorted(MEASURED)
    print(f"\n  [{section}] measured on: {', '.join(measured) or 'no database (nothing of it is stored)'}",
          flush=True)
    if not measured:
        return (f"{section}: database", "none used", "(no database)", "info")
    wrong = postgres and any(not name.startswith("PostgreSQL") for name in measured)
    if wrong:
        failures.append(f"{section} (--postgres given, measured {', '.join(measured)})")
    return (f"{section}: database", ", ".join(measured), "PostgreSQL" if postgres else "SQLite",
            "NOT MET" if wrong else "met")


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    sizes = QUICK if options.quick else FULL
    if options.repeats:
        sizes = dataclasses.replace(sizes, fanout_repeats=max(1, options.repeats))
    sections = options.only or list(SECTIONS)
    workdir = Path(tempfile.mkdtemp(prefix="ykien-bench-"))
    db = Database(workdir, options.postgres)
    describe_machine(db, sizes, options.quick)

    import bench_fanout
    import bench_pdf
    import bench_startup
    import bench_sweep
    import bench_web
    import bench_workers

    benchmarks: dict[str, Callable[[], list[tuple[str, str, str, str]]]] = {
        "fanout": lambda: bench_fanout.run(db, sizes.fanout_units, sizes.memory_units, sizes.fanout_repeats),
        "sweep": lambda: bench_sweep.run(db, sizes.sweep_timers, sizes.sweep_repeats),
        "startup": lambda: bench_startup.run(db, sizes.startup_repeats),
        "web": lambda: bench_web.run(options.quick, db),  # raises when an answer is lost or doubled
        "pdf": lambda: bench_pdf.run(options.quick),
        "workers": lambda: bench_workers.run(db, 500 if options.quick else 10_000),  # Prefect server + workers
    }
    summary: list[tuple[str, str, str, str]] = []
    failures: list[str] = []
    started = time.perf_counter()
    try:
        for name in sections:
            MEASURED.clear()
            try:
                summary.extend(benchmarks[name]())
                summary.append(measured_on(name, options.postgres is not None, failures))
            except Exception:  # noqa: BLE001  # report every benchmark even if one breaks
                failures.append(name)
                print(f"\n!! benchmark {name} failed:\n{traceback.format_exc()}", file=sys.stderr)
                sys.stderr.flush()
    finally:
        if options.keep:
            print(f"\ntemporary directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    notes = [f"total time {time.perf_counter() - started:.0f} s, load average at the end {load_average()}; "
             "targets are reported, never asserted"]
    if failures:
        notes.append(f"FAILED (no meaningful figures): {', '.join(failures)}")
    print_table("Summary", ["figure", "value", "target", "verdict"], summary, notes)
    return 1 if failures else 0


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    """SIGTERM (a `timeout`, a CI job cancelled) unwinds like Ctrl-C: the `with` blocks stop what the run started
    (the Prefect server, workers, SMTP servers) and remove its temporary directory, instead of leaving them behind."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.exit(main())
