"""The `ykien` command line run as a subprocess, in its own YKIEN_HOME, at a chosen YKIEN_NOW.

    def test_something(cli):
        cli.at("2025-11-20T09:00")
        shown = cli("round", "show", "1", "--json")          # exit 0 expected, JSON parsed
        cli("round", "launch", "1", expect=1)                 # a refusal

Every CLI call is a Python start-up. Compiled bytecode is kept in one cache directory for the
session (PYTHONPYCACHEPREFIX), even where PYTHONDONTWRITEBYTECODE is set: compiling ~500 modules
again for each call would cost 2-3 s a call. Homes are prepared once per session (`ykien init` +
the 12-unit directory) and copied for each test.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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


def base_environment(bytecode_cache: Path) -> dict[str, str]:
    """This process's environment without any YKIEN_* setting that could leak into the CLI."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("YKIEN_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"PYTHONUTF8": "1", "YKIEN_ACTOR": "Phạm Phi Long (TĐC)", "COLUMNS": "200",
                "PYTHONPYCACHEPREFIX": str(bytecode_cache)})
    return env


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str
    json: Any = None


@dataclass
class Cli:
    """Runs `ykien` with YKIEN_HOME=home and YKIEN_NOW=now; `expect` is the exit code required."""

    home: Path
    env: dict[str, str]
    now: str | None = START

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
        done = subprocess.run([*ykien_command(), *args], env=self.environment(**extra_env), capture_output=True,
                              text=True, encoding="utf-8", timeout=TIMEOUT, cwd=self.home.parent)
        parsed = None
        if "--json" in args and done.stdout.strip():
            parsed = json.loads(done.stdout)
        result = Result(done.returncode, done.stdout, done.stderr, parsed)
        if expect is not None and done.returncode != expect:
            raise AssertionError(f"ykien {' '.join(args)} exited {done.returncode}, expected {expect}\n"
                                 f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
        return result

    def start(self, *args: str, log: Path, **extra_env: str | None) -> subprocess.Popen[bytes]:
        """Start a long-running command (`serve`) with its output going to `log`."""
        with log.open("ab") as output:
            return subprocess.Popen([*ykien_command(), *args], env=self.environment(**extra_env),
                                    stdout=output, stderr=subprocess.STDOUT, cwd=self.home.parent)

    def snapshot(self) -> list[str]:
        """Every row of every table, as SQL: equal snapshots mean nothing was written."""
        if not self.database.exists():
            return []
        connection = sqlite3.connect(self.database)
        try:
            return list(connection.iterdump())
        finally:
            connection.close()


@pytest.fixture(scope="session")
def make_cli(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Cli]:
    """make_cli(home): a CLI on any home directory, sharing this session's bytecode cache."""
    bytecode_cache = tmp_path_factory.mktemp("pycache")
    return lambda home: Cli(home, base_environment(bytecode_cache))


@pytest.fixture(scope="session")
def initialised_home(tmp_path_factory: pytest.TempPathFactory, make_cli: Callable[[Path], Cli]) -> Path:
    """A home after `ykien init` and the import of the 12-unit directory, to be copied by each test."""
    cli = make_cli(tmp_path_factory.mktemp("template") / "home")
    cli("init")
    cli("directory", "import", str(UNITS_CSV))
    return cli.home


@pytest.fixture
def cli(initialised_home: Path, tmp_path: Path, capture: SmtpCapture,
        make_cli: Callable[[Path], Cli]) -> Cli:
    """A CLI on a fresh copy of the initialised home, sending mail to the loopback `capture`."""
    home = tmp_path / "home"
    shutil.copytree(initialised_home, home)
    runner = make_cli(home)
    runner.env["YKIEN_SMTP_URL"] = f"smtp://127.0.0.1:{capture.target.port}"
    return runner


@pytest.fixture
def bare_cli(tmp_path: Path, make_cli: Callable[[Path], Cli]) -> Cli:
    """A CLI whose home directory exists but where `ykien init` has not run."""
    home = tmp_path / "home"
    home.mkdir()
    return make_cli(home)
