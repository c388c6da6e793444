"""Start-up: wall time of short CLI commands next to a bare interpreter, and where import time goes."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench_support import MEASURED, REPO, BenchmarkCheckFailed, Database, engine_database, ms, print_table
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

ENTRY = "import sys; from workflows.cli.main import main; sys.argv[0] = 'ykien'; sys.exit(main())"


def _ykien() -> list[str]:
    """The installed console script, or the same entry point through the interpreter."""
    script = Path(sys.executable).parent / "ykien"
    return [str(script)] if script.exists() else [sys.executable, "-c", ENTRY]


def _environment(home: Path, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("YKIEN_")}
    env.update(YKIEN_HOME=str(home), YKIEN_DATABASE_URL=database_url)
    return env


def _initialised_database(database_url: str) -> str:
    """The database `ykien init` wrote its schema into, read back from a connection to it (so the commands
    measured really ran on it): its name and version, as the engine reports them."""
    engine = create_engine(database_url)
    try:
        if "alembic_version" not in inspect(engine).get_table_names():
            raise BenchmarkCheckFailed(f"ykien init left no schema in {make_url(database_url).render_as_string()}")
        return engine_database(engine)
    finally:
        engine.dispose()


def _run(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, timeout=120)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise BenchmarkCheckFailed(f"{' '.join(argv)} exited {completed.returncode}:\n"
                                   f"{completed.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def import_breakdown(argv: list[str], env: dict[str, str], top: int = 6) -> list[tuple[str, float]]:
    """Import time of a command by top-level package: the self time of each module imported
    (python -X importtime), summed per package, so each millisecond is counted once."""
    command = [sys.executable, "-X", "importtime", "-c", ENTRY, *argv]
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    totals: defaultdict[str, float] = defaultdict(float)
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        if own.strip().isdigit():
            totals[name.strip().split(".")[0]] += int(own) / 1e6
    return [("all imports", sum(totals.values())), *sorted(totals.items(), key=lambda item: item[1], reverse=True)[:top]]


def run(db: Database, repeats: int) -> list[tuple[str, str, str, str]]:
    with db.fresh("startup") as (database_url, home):
        return _measure(db, database_url, home, repeats)


def _measure(db: Database, database_url: str, home: Path, repeats: int) -> list[tuple[str, str, str, str]]:
    plain = _environment(home, database_url)
    # The same commands with a bytecode cache, as after a normal install. The cache lives in a
    # temporary prefix so that nothing is written into the repository or the virtualenv.
    cached = {key: value for key, value in plain.items() if key != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(db.workdir / "pycache")
    _run([*_ykien(), "init"], plain)
    database = _initialised_database(database_url)
    MEASURED.add(database)
    commands = [("python -c pass", [sys.executable, "-c", "pass"]),
                ("ykien --help", [*_ykien(), "--help"]),
                ("ykien round list", [*_ykien(), "round", "list"])]
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(repeats + 1):  # interleaved, so a slow moment hits every command alike
        for label, argv in commands:
            for variant, env in (("plain", plain), ("cached", cached)):
                samples.setdefault((label, variant), []).append(_run(argv, env))
    # The first run of each is a warm-up (it also fills the bytecode cache).
    medians = {key: statistics.median(values[1:]) for key, values in samples.items()}
    rows = []
    for label, _ in commands:
        over = "" if label == "python -c pass" else ms(medians[label, "cached"] - medians["python -c pass", "cached"])
        rows.append((label, ms(medians[label, "plain"]), ms(medians[label, "cached"]),
                     f"{ms(min(samples[label, 'cached'][1:]))} – {ms(max(samples[label, 'cached'][1:]))}", over))
    pyc = ("PYTHONDONTWRITEBYTECODE is set here, so nothing is compiled ahead: every run recompiles every "
           "imported module" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "bytecode is written as usual")
    breakdown = import_breakdown(["round", "list"], cached)
    print_table(f"Start-up on {database}: wall time, median of {repeats} runs after one warm-up (after ykien init)",
                ["command", "environment as is", "with .pyc cache", "range (.pyc)", "over python (.pyc)"], rows, [
                    f"environment as is: {pyc}; with .pyc cache: PYTHONPYCACHEPREFIX in a temporary directory",
                    "import time of `ykien round list` by package (self time summed, .pyc cache, one -X importtime "
                    "run): " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in breakdown),
                ])
    return [("start-up: ykien round list (.pyc cache)", ms(medians["ykien round list", "cached"]), "(no target)",
             "info"),
            ("start-up: ykien --help (.pyc cache)", ms(medians["ykien --help", "cached"]), "(no target)", "info")]
