"""The `ykien` command line, in its own YKIEN_HOME, at a chosen YKIEN_NOW.

    def test_something(cli):
        cli.at("2025-11-20T09:00")
        shown = cli("round", "show", "1", "--json")          # exit 0 expected, JSON parsed
        cli("round", "launch", "1", expect=1)                 # a refusal

`cli` runs each command line in this process, through the script's own entry point (`workflows.cli.main.main`,
tests/cli_in_process.py): what a test checks there is the command's behaviour (output, exit code, database, files),
and a subprocess would add a Python start-up and the imports (~1 s) to every call. An exception escaping `main`
is what Python would print: exit 1 with the traceback on stderr.

`process_cli` (and `make_cli(home, process=True)`) runs the installed `ykien` script as a subprocess, for what only
a real process shows (the entry point itself, signals, argv bytes, processes racing); every command family keeps
at least one such run, and the session's home template is made by one (`ykien init` + `directory import`).
Subprocesses use the bytecode scripts/setup.sh compiled ahead; PYTHONDONTWRITEBYTECODE is removed from their
environment so that a module edited since is compiled once, not at every call (2-3 s a call for ~500 modules).
Homes are prepared once per session and copied for each test.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from cli_in_process import run

from notifications.testing import SmtpCapture

FIXTURES = Path(__file__).parents[1] / "fixtures"
UNITS_CSV = FIXTURES / "units_12.csv"
START = "2025-11-20T08:30"
TIMEOUT = 120


def ykien_command() -> list[str]:
    """The installed `ykien` script next to this interpreter, else the entry point through -c."""
    script = Path(sys.executable).with_name("ykien")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from workflows.cli.main import main; main()"]


def base_environment() -> dict[str, str]:
    """This process's environment without any YKIEN_* setting that could leak into the CLI."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("YKIEN_") and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update({"PYTHONUTF8": "1", "YKIEN_ACTOR": "Phạm Phi Long (TĐC)", "COLUMNS": "200"})
    return env


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str
    json: Any = None


@dataclass
class Cli:
    """Runs `ykien` with YKIEN_HOME=home and YKIEN_NOW=now; `expect` is the exit code required. In this process
    unless `process` (then the installed script in a subprocess, from the home's parent folder either way)."""

    home: Path
    env: dict[str, str]
    now: str | None = START
    process: bool = False

    @property
    def database(self) -> Path:
        return self.home / "ykien.db"

    def at(self, now: str) -> None:
        self.now = now

    def environment(self, **extra: str | None) -> dict[str, str]:
        env = {**self.env, "YKIEN_HOME": str(self.home)}
        if self.now is not None:
            env["YKIEN_NOW"] = self.now
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def __call__(self, *args: str, expect: int | None = 0, **extra_env: str | None) -> Result:
        if self.process:
            done = subprocess.run([*ykien_command(), *args], env=self.environment(**extra_env), capture_output=True,
                                  text=True, encoding="utf-8", timeout=TIMEOUT, cwd=self.home.parent)
            code, out, err = done.returncode, done.stdout, done.stderr
        else:
            code, out, err = self._in_process(list(args), extra_env)
        parsed = None
        if "--json" in args and out.strip():
            parsed = json.loads(out)
        result = Result(code, out, err, parsed)
        if expect is not None and code != expect:
            raise AssertionError(f"ykien {' '.join(args)} exited {code}, expected {expect}\n"
                                 f"stdout:\n{out}\nstderr:\n{err}")
        return result

    def _in_process(self, args: list[str], extra_env: dict[str, str | None]) -> tuple[int, str, str]:
        """The command through `main` in this process, with exactly the environment the subprocess would get
        (every other YKIEN_* variable of this process removed for the call) and the same working directory."""
        env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("YKIEN_")}
        env.update(self.environment(**extra_env))
        env.update({key: None for key, value in extra_env.items() if value is None})
        outcome = run(args, env, cwd=self.home.parent, timeout=TIMEOUT)
        if outcome.error is not None:  # what Python does with an exception that escapes: exit 1, traceback
            return 1, outcome.stdout, outcome.stderr + outcome.error
        if isinstance(outcome.code, int):
            return outcome.code, outcome.stdout, outcome.stderr
        return 1, outcome.stdout, outcome.stderr + f"{outcome.code}\n"  # sys.exit("message")

    def start(self, *args: str, log: Path, **extra_env: str | None) -> subprocess.Popen[bytes]:
        """Start a long-running command (`serve`) with its output going to `log`."""
        with log.open("ab") as output:
            return subprocess.Popen([*ykien_command(), *args], env=self.environment(**extra_env),
                                    stdout=output, stderr=subprocess.STDOUT, cwd=self.home.parent)

    def snapshot(self) -> list[str]:
        """Every row of every table, as SQL: equal snapshots mean nothing was written. SQLite's AUTOINCREMENT
        counters (sqlite_sequence) are left out: a refused hand-in stores its files and removes them again, and the
        numbers they took are never given again (migration 0023), which changes no data."""
        if not self.database.exists():
            return []
        connection = sqlite3.connect(self.database)
        try:
            return [line for line in connection.iterdump() if '"sqlite_sequence"' not in line]
        finally:
            connection.close()


class MakeCli(Protocol):
    def __call__(self, home: Path, process: bool = False) -> Cli: ...


@pytest.fixture(scope="session")
def make_cli() -> MakeCli:
    """make_cli(home, process=False): a CLI on any home directory."""

    def make(home: Path, process: bool = False) -> Cli:
        return Cli(home, base_environment(), process=process)

    return make


@pytest.fixture(scope="session")
def initialised_home(tmp_path_factory: pytest.TempPathFactory, make_cli: MakeCli) -> Path:
    """A home after `ykien init` and the import of the 12-unit directory, to be copied by each test; both run by
    the installed script in a subprocess."""
    cli = make_cli(tmp_path_factory.mktemp("template") / "home", process=True)
    cli("init")
    cli("directory", "import", str(UNITS_CSV))
    return cli.home


@pytest.fixture
def cli(initialised_home: Path, tmp_path: Path, capture: SmtpCapture, make_cli: MakeCli) -> Cli:
    """A CLI in this process on a fresh copy of the initialised home, sending mail to the loopback `capture`."""
    home = tmp_path / "home"
    shutil.copytree(initialised_home, home)
    runner = make_cli(home)
    runner.env["YKIEN_SMTP_URL"] = f"smtp://127.0.0.1:{capture.target.port}"
    return runner


@pytest.fixture
def process_cli(cli: Cli) -> Cli:
    """`cli`, run as the installed `ykien` script in a subprocess."""
    cli.process = True
    return cli


@pytest.fixture
def bare_cli(tmp_path: Path, make_cli: MakeCli) -> Cli:
    """A CLI whose home directory exists but where `ykien init` has not run."""
    home = tmp_path / "home"
    home.mkdir()
    return make_cli(home)
