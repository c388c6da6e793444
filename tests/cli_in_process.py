"""`ykien ARGS` run in this process, through the script's own entry point (`workflows.cli.main.main`), with its
output captured by typer's CliRunner isolation: a subprocess costs a Python start-up and the imports (1-2 s a
command line on the CI machine), this costs what the command itself does.

Used by the CLI fuzz (thousands of command lines) and by the `cli` fixture of the end-to-end tests, which keep a
real `ykien` subprocess for what only a process shows (the installed script, signals, processes racing).
"""
from __future__ import annotations

import io
import os
import shlex
import signal
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from workflows.cli.main import main

TIMEOUT = 60  # seconds: a command line that takes longer is a hang, reported with its command line


class Hung(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    args: list[str]
    code: object
    stdout: str
    stderr: str
    error: str | None  # the traceback of an exception that escaped `main`
    seconds: float

    @property
    def command_line(self) -> str:
        printable = [a.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for a in self.args]
        return shlex.join(["ykien", *printable])

    def describe(self) -> str:
        return (f"{self.command_line}\nexit {self.code!r} after {self.seconds:.1f} s\n"
                f"stdout:\n{self.stdout[-3000:]}\nstderr:\n{self.stderr[-3000:]}\n"
                f"{'escaped: ' + self.error if self.error else ''}")


def _on_alarm(signum: int, frame: object) -> None:
    raise Hung(f"more than {TIMEOUT} s")


def run(args: list[str], env: Mapping[str, str | None], stdin: str = "", cwd: Path | None = None,
        timeout: int = TIMEOUT) -> Outcome:
    """`ykien ARGS` through the script's own entry point, with its output captured; `env` is applied to
    os.environ for the call (None removes a variable), `cwd` is the working directory for the call.

    Typer's own CliRunner (click 8.2 semantics) always keeps stdout and stderr apart: there is no mix_stderr."""
    runner = CliRunner()
    code: object = 0
    error = None
    started = time.perf_counter()
    saved_argv, saved_hook, saved_cwd = sys.argv, sys.excepthook, os.getcwd()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(timeout)
    try:
        if cwd is not None:
            os.chdir(cwd)
        with runner.isolation(input=stdin, env=dict(env)) as (out, err, _):
            sys.argv = ["ykien", *args]
            try:
                main()
            except SystemExit as exit_:
                code = 0 if exit_.code is None else exit_.code
            except Exception:  # noqa: BLE001 - anything but an exit is the traceback a person would see
                code, error = None, traceback.format_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                stdout, stderr = _text(out), _text(err)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        sys.argv, sys.excepthook = saved_argv, saved_hook
        os.chdir(saved_cwd)
    return Outcome(args, code, stdout, stderr, error, time.perf_counter() - started)


def _text(stream: io.BytesIO) -> str:
    return stream.getvalue().decode("utf-8", "replace")
